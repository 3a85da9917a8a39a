#!/usr/bin/env bash
# chaos/run.sh EXPERIMENT: one Chaos Mesh experiment against taskmesh in the
# current kube context, judged by taskmesh-verify.
#
#   1. starts taskmesh-verify as a Job (chaos/job/verify-job.yaml, and a
#      NetworkPolicy that admits it to the api pods) in the taskmesh
#      namespace: steady load, then the fault window, then recovery;
#   2. applies the experiment when the verifier's log says phase=fault;
#   3. removes it when the log says phase=recover (faults with a duration
#      have ended by then; a Schedule or Workflow stops here);
#   4. waits for the Job, prints the verdict line, exits 0 on PASS.
#
# EXPERIMENT is a file name under chaos/experiments/ or chaos/game-day/
# (with or without .yaml), or a path. `chaos/run.sh --list` lists them.
# Settings (environment):
#   TASKMESH_NAMESPACE  namespace of the chart and the experiments (taskmesh)
#   TASKMESH_IMAGE      image with taskmesh-verify (default: the api's image)
#   VERIFY_URL          api Service URL (http://taskmesh-api)
#   VERIFY_VALKEY       Valkey URL for the execution counters
#                       (redis://taskmesh-valkey:6379)
#   VERIFY_PREFIX       taskmesh --subject-prefix (taskmesh)
#   VERIFY_RATE VERIFY_STEADY VERIFY_FAULT VERIFY_RECOVER
#                       load and phases (100, 30s, 90s, 60s; the game-day
#                       workflow gets a 60m fault window)
# A bearer token, if the api wants one, comes from the Secret
# taskmesh-verify-token (key token) in the namespace.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
namespace="${TASKMESH_NAMESPACE:-taskmesh}"
job=taskmesh-verify

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

list() {
  for f in "$here"/experiments/*.yaml "$here"/game-day/*.yaml; do
    basename "$f" .yaml
  done
}

find_experiment() {
  local name="$1"
  if [ -f "$name" ]; then
    printf '%s\n' "$name"
    return
  fi
  name="${name%.yaml}"
  for dir in experiments game-day; do
    if [ -f "$here/$dir/$name.yaml" ]; then
      printf '%s\n' "$here/$dir/$name.yaml"
      return
    fi
  done
  echo "run.sh: no experiment '$1' (chaos/run.sh --list)" >&2
  exit 2
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  --list) list; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac

experiment="$(find_experiment "$1")"
k=(kubectl --namespace "$namespace")

default_fault=90s
case "$(basename "$experiment")" in
  workflow-*) default_fault=60m ;;
esac

image="${TASKMESH_IMAGE:-}"
if [ -z "$image" ]; then
  image="$("${k[@]}" get deployment \
    -l app.kubernetes.io/name=taskmesh,app.kubernetes.io/component=api \
    -o jsonpath='{.items[0].spec.template.spec.containers[0].image}')"
fi
if [ -z "$image" ]; then
  echo "run.sh: no api Deployment in namespace $namespace; set TASKMESH_IMAGE" >&2
  exit 2
fi

applied=no
# shellcheck disable=SC2317 # reached through the trap below
cleanup() {
  if [ "$applied" = yes ]; then
    "${k[@]}" delete --ignore-not-found -f "$experiment" >/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

# Waits until the verifier's log has a line matching $1 (or the Job ends).
await_log() {
  "${k[@]}" logs --follow "job/$job" 2>&1 | grep --line-buffered -m1 -e "$1" >/dev/null || true
}

echo "run.sh: $(basename "$experiment") in namespace $namespace, verifier image $image"
"${k[@]}" delete job "$job" --ignore-not-found --wait=true >/dev/null
"${k[@]}" apply -f "$here/job/verify-network-policy.yaml" >/dev/null
"${k[@]}" set env --local -o yaml -f "$here/job/verify-job.yaml" \
  "VERIFY_URL=${VERIFY_URL:-http://taskmesh-api}" \
  "VERIFY_VALKEY=${VERIFY_VALKEY:-redis://taskmesh-valkey:6379}" \
  "VERIFY_PREFIX=${VERIFY_PREFIX:-taskmesh}" \
  "VERIFY_RATE=${VERIFY_RATE:-100}" \
  "VERIFY_STEADY=${VERIFY_STEADY:-30s}" \
  "VERIFY_FAULT=${VERIFY_FAULT:-$default_fault}" \
  "VERIFY_RECOVER=${VERIFY_RECOVER:-60s}" |
  "${k[@]}" set image --local -o yaml -f - "verify=$image" |
  "${k[@]}" apply -f - >/dev/null
"${k[@]}" wait --for=condition=Ready pod -l "job-name=$job" --timeout=180s >/dev/null

await_log 'phase=fault'
"${k[@]}" apply -f "$experiment" >/dev/null
applied=yes
echo "run.sh: fault applied"
await_log 'phase=recover'
"${k[@]}" delete --ignore-not-found -f "$experiment" >/dev/null
applied=no
echo "run.sh: fault removed; waiting for every accepted task to finish"

# The Job ends either way; its log's last line is the verdict.
until "${k[@]}" wait --for=condition=complete "job/$job" --timeout=10s >/dev/null 2>&1 ||
  "${k[@]}" wait --for=condition=failed "job/$job" --timeout=1s >/dev/null 2>&1; do
  :
done
verdict="$("${k[@]}" logs "job/$job" | grep '^verdict: ' | tail -n 1)"
echo "${verdict:-run.sh: the verifier printed no verdict}"
case "$verdict" in
  "verdict: PASS"*) exit 0 ;;
  *) exit 1 ;;
esac
