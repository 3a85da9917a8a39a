#!/usr/bin/env bash
# infra/terraform is formatted as `terraform fmt` writes it. (`terraform
# validate` needs provider downloads, which these machines cannot make; see
# docs/deploy.md.) Exit 77 (CTest SKIP) when terraform is not installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v terraform >/dev/null; then
  echo "SKIP: terraform not on PATH"
  exit 77
fi
export TF_CLI_CONFIG_FILE=/dev/null # no "missing ~/.terraformrc" warning
terraform fmt -check -recursive -diff infra/terraform
echo "terraform fmt: infra/terraform is formatted"
