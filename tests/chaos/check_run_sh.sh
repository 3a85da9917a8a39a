#!/usr/bin/env bash
# ctest chaos_run_sh_lists_every_experiment: what chaos/run.sh can do without
# a cluster. --list names every manifest under chaos/experiments and
# chaos/game-day, --help prints the usage, and an unknown experiment exits 2
# naming it, before any kubectl call.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
run="$root/chaos/run.sh"
expected="$(cd "$root/chaos" && for f in experiments/*.yaml game-day/*.yaml; do basename "$f" .yaml; done)"
listed="$("$run" --list)"
if [ "$listed" != "$expected" ]; then
  printf 'run.sh --list:\n%s\nexpected:\n%s\n' "$listed" "$expected"
  exit 1
fi
"$run" --help | grep -q '^chaos/run.sh EXPERIMENT'
set +e
out="$("$run" no-such-fault 2>&1)"
code=$?
set -e
if [ "$code" -ne 2 ] || [[ "$out" != *"no experiment 'no-such-fault'"* ]]; then
  echo "unknown experiment: exit $code, output: $out"
  exit 1
fi
echo "run.sh: $(wc -l <<<"$listed") experiments listed"
