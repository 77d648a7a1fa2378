#!/usr/bin/env bash
# How often does `salvo compare` cry wolf, and how often does it catch a real slowdown? Against two
# `salvo serve` targets (A: --latency 10ms; B: 11ms, 10 % slower; timers are whole milliseconds, so
# 2.2ms would be 2ms), each trial records two runs with
# --interval (500ms: 20 windows in 10 s) and compares them: A/A (the same target twice) and A/B. Prints each trial's verdicts
# for rps, p50 and p99, then how many were other than "no significant change" (A/A: false alarms) and
# how many p50s regressed (A/B: detections). Loopback only.
#
#   bash scripts/bench_compare.sh [trials=20] [seconds=10] [connections=8] [base=10ms] [slower=11ms] [window=500ms]
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-20}
secs=${2:-10}
conns=${3:-8}
base=${4:-10ms}
slower=${5:-11ms}
window=${6:-500ms}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
a_port=18601 b_port=18602
$deno run -A src/main.ts serve --port $a_port --latency "$base" >/dev/null 2>&1 &
pids+=($!)
$deno run -A src/main.ts serve --port $b_port --latency "$slower" >/dev/null 2>&1 &
pids+=($!)
sleep 2

record() { # port file
  $deno run -A src/main.ts run "http://127.0.0.1:$1/" -c "$conns" -d "${secs}s" -q \
    --results "$2" --interval "$window" -o json >/dev/null
}
verdicts() { # base new: "rps p50 p99" verdicts, one word each
  $deno run -A src/main.ts compare "$1" "$2" -o json |
    awk -F'"' '/"figure"/ {f=$4} /"verdict"/ {v=$4; gsub(/ /, "_", v); if (f=="rps"||f=="p50"||f=="p99") printf "%s=%s ", f, v} END {print ""}'
}

alarms=0 figures=0 caught=0 b_alarms=0
echo "== $trials trials of two ${secs}s runs, -c $conns, windows of $window; A: $base, B: $slower"
for i in $(seq "$trials"); do
  record $a_port "$work/a1" && record $a_port "$work/a2" && record $b_port "$work/b"
  aa=$(verdicts "$work/a1" "$work/a2")
  ab=$(verdicts "$work/a1" "$work/b")
  echo "  trial $i  A/A: $aa  A/B: $ab"
  for v in $aa; do
    figures=$((figures + 1))
    [[ "$v" == *=no_significant_change ]] || alarms=$((alarms + 1))
  done
  [[ "$ab" == *p50=regressed* ]] && caught=$((caught + 1))
  [[ "$ab" == *p50=improved* ]] && b_alarms=$((b_alarms + 1))
done
echo "A/A: $alarms of $figures figure comparisons were not 'no significant change'"
echo "A/B: p50 regressed in $caught of $trials (improved, wrongly, in $b_alarms)"
