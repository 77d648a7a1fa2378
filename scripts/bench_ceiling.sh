#!/usr/bin/env bash
# One client core, three clients alternating: wrk -t1, Deno's bare op loop (scripts/bench_io.ts, the
# direct ops alone: no parsing beyond the response's end, no timing, no summary) and salvo -t 1.
# The bare loop is the ceiling a JavaScript client on Deno reaches; the ratios say how far salvo is
# from it, and it from wrk. Loopback only.
#
#   bash scripts/bench_ceiling.sh [rounds=5] [seconds=3]
#
# The client runs on core 0; nginx gets cores 8-15 with 8 workers where the machine has 16 cores,
# else core 1 with one worker. WRK_BIN=, NGINX_BIN=, DENO= and SALVO= as in bench_threads.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
secs=${2:-3}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
salvo=${SALVO:-"$deno run -A src/main.ts"}
wrk=${WRK_BIN:-wrk}
nginx=${NGINX_BIN:-nginx}
for tool in "$wrk" "$nginx" taskset; do
  command -v "$tool" >/dev/null || { echo "bench_ceiling: '$tool' not found; apt-get install -y wrk nginx" >&2; exit 2; }
done
if [ "$(nproc)" -ge 16 ]; then server_cpu="taskset -c 8-15" nginx_workers=8; else server_cpu="taskset -c 1" nginx_workers=1; fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
nginx_port=18493
source scripts/nginx.sh
sleep 1
url=http://127.0.0.1:$nginx_port/
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
bw=() sw=() sb=()
for r in $(seq "$rounds"); do
  w=$(taskset -c 0 "$wrk" -t1 -c50 -d"${secs}s" "$url" | awk '/^Requests\/sec/ {print $2}')
  b=$(taskset -c 0 "$deno" run -A --no-config scripts/bench_io.ts "$url" 1 "$secs" 50 | awk '/^round 1 direct/ {print $4}')
  # shellcheck disable=SC2086 # $salvo is a command line
  s=$(taskset -c 0 $salvo run "$url" -t 1 -c 50 -d "${secs}s" -q -o json | sed -n 's/^  "rps": \([0-9.]*\),$/\1/p')
  bw+=("$(awk -v a="$b" -v b="$w" 'BEGIN {printf "%.3f", a / b}')")
  sw+=("$(awk -v a="$s" -v b="$w" 'BEGIN {printf "%.3f", a / b}')")
  sb+=("$(awk -v a="$s" -v b="$b" 'BEGIN {printf "%.3f", a / b}')")
  printf 'round %d: wrk %9.0f  bare ops %9.0f  salvo %9.0f\n' "$r" "$w" "$b" "$s"
done
echo "median bare ops / wrk: $(printf '%s\n' "${bw[@]}" | median)"
echo "median salvo / wrk:    $(printf '%s\n' "${sw[@]}" | median)"
echo "median salvo / bare:   $(printf '%s\n' "${sb[@]}" | median)"
