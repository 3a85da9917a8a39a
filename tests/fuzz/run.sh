#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each: first over the committed seed
# corpus and every committed regression input (a crash found once must stay
# fixed), then exploring from there. New inputs go to BUILD/fuzz-corpus/, a
# crash to BUILD/fuzz-artifacts/ (commit it under tests/fuzz/regressions/
# once fixed). Exits non-zero at the first target that crashes.
#   usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
set -euo pipefail
build=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(json_task_fuzzer task_wire_fuzzer ops_fuzzer http_fuzzer record_value_fuzzer)
fi
mkdir -p "$build/fuzz-artifacts"
# UBSan's null check is recoverable (CMakeLists.txt): halt on every report
# except the CAF site tests/ubsan.supp names.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$here/../ubsan.supp"
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  corpus="$build/fuzz-corpus/$t"
  regressions="$here/regressions/$t"
  mkdir -p "$corpus" "$regressions"
  extra=()
  # The http target keeps a live actor graph whose store holds records
  # across inputs by design; that is retention, not a leak.
  [ "$t" = http_fuzzer ] && extra+=(-detect_leaks=0)
  echo "fuzz: $t for ${seconds}s"
  # -timeout: an input that takes 10 s is a bug (the op budget is 200 ms).
  set +e
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t-" "${extra[@]}" \
    "$corpus" "$here/corpus/$t" "$regressions" 2>&1 | tail -n 20
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $t FAILED (exit $status); the input is in $build/fuzz-artifacts/" >&2
    exit 1
  fi
done
