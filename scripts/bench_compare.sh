#!/usr/bin/env bash
# How often does `salvo compare` cry wolf, and how often does it catch a real slowdown? Against
# `salvo serve` targets (A: --latency BASE; B: SLOWER; timers are whole milliseconds, so 2.2ms would
# be 2ms: the 10 % and 2 % changes are 10ms→11ms and 50ms→51ms) and, for A/A, nginx. Each trial
# records runs with --results FILE --interval WINDOW and compares them with two relative gates,
# 'p50<+5%' and 'p99<+5%'. Prints each trial's verdicts for rps, p50 and p99, then the counts the
# README and BENCHMARKS.md quote. Loopback only.
#
#   bash scripts/bench_compare.sh files [trials=20] [seconds=10] [conns=8] [base=10ms] [slower=11ms] [window=500ms]
#   bash scripts/bench_compare.sh nginx [trials=20] [seconds=10] [conns=8] [window=500ms]     # A/A on nginx
#   bash scripts/bench_compare.sh run   [tries=10]  [seconds=3]  [conns=8] [rounds=5] [a=2ms] [b=2ms]  # compare --run
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-files}
shift || true
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
salvo() { $deno run -A src/main.ts "$@"; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
serve() { # port latency (deno itself in the background, so that cleanup's kill reaches it)
  $deno run -A src/main.ts serve --port "$1" --latency "$2" >/dev/null 2>&1 &
  pids+=($!)
}

# One comparison: "rps=… p50=… p99=… gate=pass|fail exact=yes|no", exact saying the gate failed iff
# some gated figure regressed beyond +5 %.
judge() { # base new
  { salvo compare "$1" "$2" -o json --allow-different --threshold 'p50<+5%' --threshold 'p99<+5%' 2>/dev/null || true; } |
    python3 -c '
import json, sys
d = json.load(sys.stdin)
v = {f["figure"]: f for f in d["figures"]}
out = " ".join(k + "=" + v[k]["verdict"].replace(" ", "_") for k in ("rps", "p50", "p99"))
failed = any(not t["passed"] for t in d["thresholds"])
beyond = any(v[k]["verdict"] == "regressed" and v[k]["change_pct"] >= 5 for k in ("p50", "p99"))
incon = any(v[k]["verdict"] == "inconclusive" for k in ("p50", "p99"))
print(out, "gate=" + ("fail" if failed else "pass"), "exact=" + ("yes" if failed == (beyond or incon) else "no"))
'
}

tally() { # label lines...: false alarms over rps/p50/p99, gate failures, exactness
  python3 -c '
import sys
label, lines = sys.argv[1], sys.argv[2:]
figs = [w for l in lines for w in l.split() if w.split("=")[0] in ("rps", "p50", "p99")]
alarms = sum(1 for w in figs if not w.endswith("=no_significant_change"))
p50reg = sum(1 for l in lines if "p50=regressed" in l)
fails = sum(1 for l in lines if "gate=fail" in l)
exact = sum(1 for l in lines if "exact=yes" in l)
print(f"{label}: {alarms} of {len(figs)} figure verdicts other than no_significant_change; "
      f"p50 regressed in {p50reg} of {len(lines)}; gate failed in {fails} of {len(lines)}; "
      f"gate exactly as the verdicts in {exact} of {len(lines)}")
' "$@"
}

case $mode in
files)
  trials=${1:-20} secs=${2:-10} conns=${3:-8} base=${4:-10ms} slower=${5:-11ms} window=${6:-500ms}
  serve 18601 "$base"
  serve 18602 "$slower"
  sleep 2
  record() { salvo run "http://127.0.0.1:$1/" -c "$conns" -d "${secs}s" -q --results "$2" --interval "$window" >/dev/null; }
  echo "== $trials trials, two ${secs}s runs each, -c $conns, windows of $window; A: $base, B: $slower"
  aa=() ab=()
  for i in $(seq "$trials"); do
    record 18601 "$work/a1" && record 18601 "$work/a2" && record 18602 "$work/b"
    aa+=("$(judge "$work/a1" "$work/a2")")
    ab+=("$(judge "$work/a1" "$work/b")")
    echo "  trial $i  A/A: ${aa[-1]}"
    echo "  trial $i  A/B: ${ab[-1]}"
  done
  tally "A/A ($base twice)" "${aa[@]}"
  tally "A/B ($base vs $slower)" "${ab[@]}"
  ;;
nginx)
  command -v nginx >/dev/null || { echo "bench_compare: nginx not found; apt-get install -y nginx" >&2; exit 2; }
  trials=${1:-20} secs=${2:-10} conns=${3:-8} window=${4:-500ms}
  nginx_port=18603 nginx_workers=1 server_cpu=""
  source scripts/nginx.sh
  echo "== $trials trials of two ${secs}s runs on nginx, -c $conns, windows of $window"
  aa=()
  for i in $(seq "$trials"); do
    for f in a1 a2; do
      salvo run "http://127.0.0.1:$nginx_port/" -c "$conns" -d "${secs}s" -q --results "$work/$f" --interval "$window" >/dev/null
    done
    aa+=("$(judge "$work/a1" "$work/a2")")
    echo "  trial $i  A/A: ${aa[-1]}"
  done
  tally "A/A (nginx twice)" "${aa[@]}"
  ;;
run)
  tries=${1:-10} secs=${2:-3} conns=${3:-8} rounds=${4:-5} a=${5:-2ms} b=${6:-2ms}
  serve 18604 "$a"
  serve 18605 "$b"
  sleep 2
  echo "== $tries tries of compare --run, $rounds rounds of ${secs}s, -c $conns; A: serve --latency $a, B: $b"
  other=0 caught=0
  for i in $(seq "$tries"); do
    line=$({ salvo compare --run http://127.0.0.1:18604/ http://127.0.0.1:18605/ --rounds "$rounds" -o json -- -c "$conns" -d "${secs}s" 2>/dev/null || true; } |
      python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(f["figure"] + "=" + f["verdict"].replace(" ", "_") for f in d["figures"]))')
    echo "  try $i: $line"
    n=$(tr ' ' '\n' <<<"$line" | grep -vc '=no_significant_change$' || true)
    other=$((other + n))
    if [[ "$line" == *p50=regressed* ]]; then caught=$((caught + 1)); fi
  done
  echo "compare --run ($a vs $b): $other verdicts other than no_significant_change in $tries tries (7 figures each); p50 regressed in $caught"
  ;;
*) echo "bench_compare: mode is files, nginx or run" >&2; exit 2 ;;
esac
