#!/usr/bin/env bash
# The deployment artifacts pass ../shared/tools/k8s-check (offline helm
# template + lint stand-in, strict Kubernetes/KEDA/prometheus-operator
# schemas, the policies, Terraform HCL and module checks): the chart with its
# default, dev and prod values (one run each, so cross-object policies such
# as pdb and scale-target judge each install on its own), and infra/terraform.
# Exit 77 (CTest SKIP) only when the tool is not there.
set -euo pipefail
cd "$(dirname "$0")/../.."

tool=../shared/tools/k8s-check
if [[ ! -x $tool ]]; then
  echo "SKIP: $tool not found (the shared tools checkout sits beside this repository)"
  exit 77
fi
chart=infra/helm/taskmesh
for values in "" values-dev.yaml values-prod.yaml; do
  args=(--chart "$chart" --release taskmesh --namespace taskmesh)
  [[ -n $values ]] && args+=(--values "$chart/$values")
  echo "== $chart ${values:-(defaults)}"
  "$tool" "${args[@]}" --api-versions monitoring.coreos.com/v1 --api-versions keda.sh/v1alpha1
done
echo "== infra/terraform"
"$tool" --terraform infra/terraform
