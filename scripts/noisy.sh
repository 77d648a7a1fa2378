#!/usr/bin/env bash
# The suite's timing-sensitive test files (verdicts, latencies, rates, durations) under a busy loop on
# every core, as on a shared CI runner: each must still hold, or assert the evidence of contention.
#
#   bash scripts/noisy.sh [ROUNDS] [TEST FILE…]      default: 1 round of the files below
#
# Not part of CI (it takes a few minutes and would slow whatever runs beside it); run before a stop.
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1}
shift || true
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(
    tests/e2e/gate_test.ts tests/e2e/open_test.ts tests/e2e/knee_test.ts tests/e2e/run_test.ts
    tests/e2e/shared_machine_test.ts tests/e2e/faults_test.ts tests/e2e/histogram_json_test.ts
    tests/e2e/nginx_transport_test.ts tests/e2e/transport_test.ts tests/e2e/threads_test.ts
    tests/e2e/pipeline_test.ts
  )
fi
deno() { npx -y deno@2.9.6 "$@"; }
deno_bin=$(deno eval 'console.log(Deno.execPath())')
hogs=()
stop_hogs() { [ ${#hogs[@]} -eq 0 ] || kill "${hogs[@]}" 2>/dev/null; wait 2>/dev/null; hogs=(); }
trap stop_hogs EXIT
status=0
for r in $(seq "$rounds"); do
  for _ in $(seq "$(nproc)"); do
    "$deno_bin" eval 'for (;;) {}' &
    hogs+=($!)
  done
  echo "--- round $r of $rounds: ${#hogs[@]} busy loops, ${#files[@]} test files"
  log=$(mktemp)
  "$deno_bin" test -A "${files[@]}" 2>&1 | tee "$log" | sed 's/\x1b\[[0-9;]*m//g' | grep -E '\.\.\. FAILED|^(ok|FAILED) \|'
  rc=${PIPESTATUS[0]}
  stop_hogs
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(ok|FAILED) \| [0-9]+ passed' | tail -n 1)
  echo "round $r: ${summary:-no summary} (exit $rc)"
  [ "$rc" -eq 0 ] || { status=1; sed 's/\x1b\[[0-9;]*m//g' "$log" | sed -n '/^ ERRORS/,/^ FAILURES/p' | head -60; }
  rm -f "$log"
done
exit "$status"
