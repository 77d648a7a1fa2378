#!/usr/bin/env bash
# Benchmark of the open model against wrk2: `salvo run --rate R` and `wrk2 -R R`, alternating, against
# nginx on its own core, at 5k, 10k, 20k, 30k, 40k and 50k arrivals/s, on one client core. Prints each run, then
# per rate the medians and whether salvo met issue 14's bars (achieved ≥ 99.9 % of R, nothing dropped,
# corrected p50 ≤ wrk2's, p99 ≤ wrk2's + 0.5 ms), and the highest rate where it did: its ceiling.
#
#   bash scripts/bench_open.sh [rounds=3] [seconds=5]
#
# salvo runs with --precise-pacing (the mode that sends within µs of plan; it spends the client core's
# spare time waiting) and, for comparison, with the default timer pacing. Both get the V8 flag the
# binary is built with (scripts/build.ts). RATES="5000 20000" picks other rates.
#
# Needs nginx (apt-get install -y nginx) and wrk2, which is not packaged: build it from its public
# source outside the repository and name it with WRK2_BIN:
#   git clone https://github.com/giltene/wrk2 /tmp/wrk2 && make -C /tmp/wrk2   # needs gcc, make, libssl-dev, zlib1g-dev
#   WRK2_BIN=/tmp/wrk2/wrk bash scripts/bench_open.sh
# wrk (apt-get install -y wrk) measures the server's headroom. Two cores at least: nginx on core 1,
# the clients on core 0.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-5}
rates=${RATES:-5000 10000 20000 30000 40000 50000}
wrk2=${WRK2_BIN:-wrk2}
wrk=${WRK_BIN:-wrk}
command -v "$wrk2" >/dev/null || {
  echo "bench_open: wrk2 not found; build it (git clone https://github.com/giltene/wrk2 /tmp/wrk2 && make -C /tmp/wrk2) and set WRK2_BIN=/tmp/wrk2/wrk" >&2
  exit 2
}
for tool in "$wrk" "${NGINX_BIN:-nginx}"; do
  command -v "$tool" >/dev/null || { echo "bench_open: '$tool' not found; apt-get install -y wrk nginx" >&2; exit 2; }
done
[ "$(nproc)" -ge 2 ] || { echo "bench_open: needs two cores (nginx on one, the client on the other)" >&2; exit 2; }
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
salvo=${SALVO:-"$deno run --v8-flags=--max-semi-space-size=1,--initial-old-space-size=64 -A src/main.ts"}
client="taskset -c 0"
server_cpu="taskset -c 1"
nginx=${NGINX_BIN:-nginx}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
nginx_port=18497 nginx_workers=1
source scripts/nginx.sh
sleep 1
url=http://127.0.0.1:$nginx_port/

# wrk2's latency lines ("  50.000%    0.94ms") in ms, whatever their unit.
wrk2_ms() {
  awk -v q="$1" '$1 == q {
    v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    print (u == "us" ? v / 1000 : u == "s" ? v * 1000 : u == "m" ? v * 60000 : v); exit }' "$2"
}
run_wrk2() {
  $client "$wrk2" -t1 -c50 -d"${secs}s" -R"$1" --latency "$url" >"$work/wrk2.txt" 2>&1
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk2.txt")
  p50=$(wrk2_ms 50.000% "$work/wrk2.txt")
  p99=$(wrk2_ms 99.000% "$work/wrk2.txt")
  echo "$rps 0 $p50 $p99 -"
}
# salvo: achieved, dropped, corrected p50 and p99, send lag p99 (ms).
run_salvo() {
  # shellcheck disable=SC2086 # $salvo is a command line; $2 is an optional flag
  $client $salvo run "$url" --rate "$1" -d "${secs}s" -q -o json $2 >"$work/salvo.json"
  "$deno" eval 'const j = JSON.parse(Deno.readTextFileSync(Deno.args[0]));
    console.log(j.rps, j.dropped, j.latency_ms.p50, j.latency_ms.p99, j.schedule_lag_ms.p99)' "$work/salvo.json"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { awk -v c="$1" '{print $c}' "$2" | median; }

capacity=$($client "$wrk" -t1 -c50 -d3s "$url" | awk '/^Requests\/sec/ {printf "%d", $2}')
echo "== nginx (1 worker) on core 1, clients on core 0; ${secs}s per run, $rounds rounds"
echo "   server headroom: unpaced, wrk got $capacity req/s from this nginx in this run"
ceiling=0
failed=0
rows=()
for r in $rates; do
  : >"$work/w" ; : >"$work/p" ; : >"$work/t"
  for i in $(seq "$rounds"); do
    run_wrk2 "$r" | tee -a "$work/w" | sed "s/^/   R=$r wrk2            /"
    run_salvo "$r" --precise-pacing | tee -a "$work/p" | sed "s/^/   R=$r salvo precise   /"
    run_salvo "$r" "" | tee -a "$work/t" | sed "s/^/   R=$r salvo (timers)  /"
  done
  wa=$(col 1 "$work/w") w50=$(col 3 "$work/w") w99=$(col 4 "$work/w")
  pa=$(col 1 "$work/p") pd=$(awk '{d += $2} END {print d + 0}' "$work/p") p50=$(col 3 "$work/p") p99=$(col 4 "$work/p") plag=$(col 5 "$work/p")
  ta=$(col 1 "$work/t") td=$(awk '{d += $2} END {print d + 0}' "$work/t") t50=$(col 3 "$work/t") t99=$(col 4 "$work/t")
  ok=$(awk -v r="$r" -v a="$pa" -v d="$pd" -v p50="$p50" -v p99="$p99" -v w50="$w50" -v w99="$w99" \
    'BEGIN {print (a >= 0.999 * r && d == 0 && p50 <= w50 && p99 <= w99 + 0.5) ? "yes" : "no"}')
  # The ceiling: the highest rate with every bar met at it and at every rate below it.
  if [ "$ok" = yes ] && [ "$failed" = 0 ]; then ceiling=$r; else failed=1; fi
  rows+=("| $r | $wa · $w50 · $w99 | $pa · $pd · $p50 · $p99 · $plag | $ta · $td · $t50 · $t99 | $ok |")
done
echo
echo "| rate /s | wrk2: achieved · p50 · p99 (ms) | salvo --precise-pacing: achieved · dropped · p50 · p99 · lag p99 | salvo, timers: achieved · dropped · p50 · p99 | bars met |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "medians of $rounds runs (dropped: the sum); ceiling on one client core, every bar met up to it: ${ceiling}/s"
