#!/usr/bin/env bash
# Benchmark: `salvo run -t N` against `wrk -tN`, alternating, on nginx; prints each pair, the median
# ratio salvo/wrk per N, and the server's headroom (the best rate any client got from it in this run).
# Then salvo's peak RSS at -t 8 -c 400. Loopback only.
#
#   bash scripts/bench_threads.sh [pairs=3] [seconds=3]
#
# Layout: with 8 or more cores, nginx gets the upper half (one worker per core) and the client the
# lower half, N threads pinned to N cores (CLIENT_CORES=half: all of the lower half for every N),
# N = 1 2 4 … up to half, 50 connections per thread. With fewer cores: nginx with one worker per
# core, client and server unpinned on the same cores, N = 1 and 2, 100 connections (issue 13's
# 2-core case).
#
# Needs wrk and nginx (apt-get install -y wrk nginx), or WRK_BIN= and NGINX_BIN= pointing at them
# (not NGINX=: nginx reads that variable itself). SALVO= runs salvo some other way (the default runs
# src/main.ts); DENO= names the deno binary. RSS_SECS=0 skips the memory step.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3}
secs=${2:-3}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
salvo=${SALVO:-"$deno run --v8-flags=--max-semi-space-size=1,--initial-old-space-size=64 -A src/main.ts"}
wrk=${WRK_BIN:-wrk}
nginx=${NGINX_BIN:-nginx}
rss_secs=${RSS_SECS:-30}
for tool in "$wrk" "$nginx"; do
  command -v "$tool" >/dev/null || { echo "bench_threads: '$tool' not found; apt-get install -y wrk nginx" >&2; exit 2; }
done
cores=$(nproc)
if [ "$cores" -ge 8 ]; then
  half=$((cores / 2))
  workers=$half
  server_cpu="taskset -c $half-$((cores - 1))"
  counts=""
  for n in 1 2 4 8 16 32; do [ "$n" -le "$half" ] && counts="$counts $n"; done
  # CLIENT_CORES=half: every client gets the whole lower half, whatever its N (threads besides the
  # load threads, such as V8's garbage collector and salvo's main thread, then have cores too).
  if [ "${CLIENT_CORES:-n}" = half ]; then
    client_cpu() { echo "taskset -c 0-$((half - 1))"; }
  else
    client_cpu() { echo "taskset -c 0-$(($1 - 1))"; }
  fi
  conns() { echo $((50 * $1)); }
  layout="nginx: $workers workers on cores $half-$((cores - 1)); client: N threads on cores $([ "${CLIENT_CORES:-n}" = half ] && echo "0-$((half - 1))" || echo "0..N-1")"
else
  workers=$cores
  server_cpu=""
  counts="1 2"
  client_cpu() { echo ""; }
  conns() { echo 100; }
  layout="nginx: $workers workers; client and server unpinned on the same $cores cores"
fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

nginx_port=18491 nginx_workers=$workers
source scripts/nginx.sh
sleep 1
url=http://127.0.0.1:$nginx_port/

wrk_rps() { $(client_cpu "$1") "$wrk" -t"$1" -c"$(conns "$1")" -d"${secs}s" "$url" | awk '/^Requests\/sec/ {print $2}'; }
salvo_rps() {
  # shellcheck disable=SC2086 # $salvo is a command line
  $(client_cpu "$1") $salvo run "$url" -t "$1" -c "$(conns "$1")" -d "${secs}s" -q -o json |
    sed -n 's/^  "rps": \([0-9.]*\),$/\1/p'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "== $layout; $pairs pairs of ${secs}s per N"
best=0
declare -A med wmed smed
for n in $counts; do
  ratios=() ws=() ss=()
  for i in $(seq "$pairs"); do
    w=$(wrk_rps "$n")
    s=$(salvo_rps "$n")
    r=$(awk -v s="$s" -v w="$w" 'BEGIN {printf "%.3f", s / w}')
    ratios+=("$r") ws+=("$w") ss+=("$s")
    best=$(awk -v a="$best" -v b="$w" -v c="$s" 'BEGIN {m=a; if (b>m) m=b; if (c>m) m=c; printf "%.0f", m}')
    printf '  N=%-2s pair %d: wrk %9.0f  salvo %9.0f  ratio %s\n' "$n" "$i" "$w" "$s" "$r"
  done
  med[$n]=$(printf '%s\n' "${ratios[@]}" | median)
  wmed[$n]=$(printf '%s\n' "${ws[@]}" | median)
  smed[$n]=$(printf '%s\n' "${ss[@]}" | median)
done
echo
echo "| threads (N) | connections | wrk -tN req/s (median) | salvo -t N req/s (median) | salvo/wrk (median of pairs) | server headroom |"
echo "|---|---|---|---|---|---|"
for n in $counts; do
  top=$(awk -v a="${wmed[$n]}" -v b="${smed[$n]}" 'BEGIN {print (a > b ? a : b)}')
  room=$(awk -v best="$best" -v top="$top" 'BEGIN {printf "%.2f×", best / top}')
  printf '| %s | %s | %.0f | %.0f | **%s** | best seen %s of this |\n' "$n" "$(conns "$n")" \
    "${wmed[$n]}" "${smed[$n]}" "${med[$n]}" "$room"
done

if [ "$rss_secs" -gt 0 ]; then
  t=8
  [ "$cores" -lt 8 ] && t=2
  # shellcheck disable=SC2086
  $salvo run "$url" -t $t -c 400 -d "${rss_secs}s" -q -o json >"$work/rss.json" &
  spid=$!
  peak=0
  while kill -0 "$spid" 2>/dev/null; do
    # The deno process is the child that holds the run (npx or not).
    for p in $spid $(pgrep -P "$spid" || true); do
      kb=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
      [ "${kb:-0}" -gt "$peak" ] && peak=$kb
    done
    sleep 0.5
  done
  wait "$spid" || true
  printf '\nRSS: salvo run -t %s -c 400 for %ss: peak %d MB (budget 100 MB + 40 MB per thread = %d MB); %s requests\n' \
    "$t" "$rss_secs" $((peak / 1024)) $((100 + 40 * t)) "$(sed -n 's/^  "requests": \([0-9]*\),$/\1/p' "$work/rss.json")"
fi
