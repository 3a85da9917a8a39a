#!/usr/bin/env bash
# chaos/local/run-long.sh [BUILD_DIR]: the long form of the local chaos
# scenarios (TASKMESH_CHAOS_FORM=long: 150 tasks/s, 10 s steady, the fault
# windows of the issue, 20 s recovery; about 12 minutes), each report
# appended to chaos/local/results/<UTC date>.jsonl, then the results table
# docs/chaos.md shows. FILTER=<gtest filter> runs only some scenarios.
# Keep it off busy machines: it measures latency and recovery.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build}"
results="$root/chaos/local/results/$(date -u +%Y-%m-%d).jsonl"
mkdir -p "$(dirname "$results")"
for tests in chaos_local_tests chaos_local_cpu_tests; do
  TASKMESH_CHAOS_FORM=long TASKMESH_CHAOS_RESULTS="$results" \
    "$build/chaos/local/$tests" --gtest_filter="${FILTER:-*}" || status=$?
done
"$root/chaos/local/results_table.py" "$results"
exit "${status:-0}"
