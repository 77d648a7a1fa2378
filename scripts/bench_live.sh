#!/usr/bin/env bash
# Benchmark: the live view's cost. salvo with the view drawing on a pseudo-terminal (util-linux
# `script`, 80×24) against the same run with -q, alternating, on nginx; prints each pair and the median
# ratio of requests per second (view / quiet), and of salvo's CPU time per request (view / quiet): the
# second holds even where nginx, not salvo, set the pace. Loopback only.
#
#   bash scripts/bench_live.sh [pairs=5] [seconds=5] [connections=50] [threads=1]
#
# Needs nginx and script. nginx and salvo are pinned to different cores when there are two or more.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-5}
secs=${2:-5}
conns=${3:-50}
threads=${4:-1}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
for tool in nginx script; do
  command -v "$tool" >/dev/null || { echo "bench_live: '$tool' not found" >&2; exit 2; }
done
server_cpu="" client_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_cpu="taskset -c 0"
  client_cpu="taskset -c 1"
fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
nginx_port=18491
source scripts/nginx.sh
sleep 1
url="http://127.0.0.1:$nginx_port/"
flags=(--v8-flags=--max-semi-space-size=1,--initial-old-space-size=64)
run=("$deno" run -A "${flags[@]}" src/main.ts run "$url" -c "$conns" -t "$threads" -d "${secs}s")

# "RPS CPU_US_PER_REQUEST" from a JSON summary.
figures() {
  awk -F'[:,]' '/^  "rps"/ {r=$2} /^  "requests"/ {n=$2} /^  "duration_s"/ {d=$2}
    /"cpu_share"/ {c=$2} END {printf "%s %.3f\n", r, c * d * 1e6 / n}' "$1"
}
quiet_rps() { $client_cpu "${run[@]}" -q -o json >"$work/quiet.json"; figures "$work/quiet.json"; }
# The view draws on stderr (the pseudo-terminal); the JSON summary goes to a file through --out.
live_rps() {
  $client_cpu script -q -e -c "stty rows 24 cols 80; exec ${run[*]} --out $work/live.json -o json" \
    "$work/typescript" >/dev/null </dev/null
  grep -q $'\e\[?25l' "$work/typescript" || { echo "bench_live: the view was not drawn" >&2; exit 1; }
  figures "$work/live.json"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

ratios=() cpus=()
echo "== live view vs -q on nginx: $pairs pairs of ${secs}s, $conns connections, -t $threads, ${client_cpu:-unpinned}"
for i in $(seq "$pairs"); do
  read -r q qc <<<"$(quiet_rps)"
  read -r l lc <<<"$(live_rps)"
  r=$(awk -v l="$l" -v q="$q" 'BEGIN {printf "%.3f", l / q}')
  c=$(awk -v l="$lc" -v q="$qc" 'BEGIN {printf "%.3f", l / q}')
  ratios+=("$r") cpus+=("$c")
  printf '  pair %d: -q %9.0f req/s %6.2f µs CPU/req · live view %9.0f req/s %6.2f µs CPU/req · ratios %s %s\n' \
    "$i" "$q" "$qc" "$l" "$lc" "$r" "$c"
done
printf '  median ratio live/quiet: throughput %s, CPU per request %s\n' \
  "$(printf '%s\n' "${ratios[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)"
