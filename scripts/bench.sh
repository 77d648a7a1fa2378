#!/usr/bin/env bash
# Benchmark: salvo against wrk, alternating runs, on nginx (one worker, tiny body) and on `salvo serve`.
# Prints each pair and the median ratio salvo/wrk of requests per second. Loopback only.
#
#   bash scripts/bench.sh [pairs=5] [seconds=5] [connections=50]
#
# Needs the Debian packages wrk and nginx (apt-get install -y wrk nginx). Server and client are pinned
# to different cores with taskset when the machine has two or more.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-5}
secs=${2:-5}
conns=${3:-50}
# The deno binary itself, so that the processes started here are the ones stopped at the end.
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "bench: '$tool' not found; apt-get install -y wrk nginx" >&2; exit 2; }
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

nginx_port=18481 salvo_port=18482
source scripts/nginx.sh
$server_cpu $deno run -A src/main.ts serve --port $salvo_port >/dev/null 2>&1 &
pids+=($!)
sleep 3

wrk_rps() { $client_cpu wrk -t1 -c"$conns" -d"${secs}s" "$1" | awk '/^Requests\/sec/ {print $2}'; }
salvo_rps() {
  $client_cpu $deno run -A src/main.ts run "$1" -c "$conns" -d "${secs}s" -q -o json |
    sed -n 's/^  "rps": \([0-9.]*\),$/\1/p'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for target in "nginx http://127.0.0.1:$nginx_port/" "salvo-serve http://127.0.0.1:$salvo_port/"; do
  name=${target%% *} url=${target#* }
  ratios=()
  echo "== $name: $pairs pairs of ${secs}s, $conns connections, ${client_cpu:-unpinned}"
  for i in $(seq "$pairs"); do
    w=$(wrk_rps "$url")
    s=$(salvo_rps "$url")
    r=$(awk -v s="$s" -v w="$w" 'BEGIN {printf "%.3f", s / w}')
    ratios+=("$r")
    printf '  pair %d: wrk %9.0f  salvo %9.0f  ratio %s\n' "$i" "$w" "$s" "$r"
  done
  printf '  median ratio salvo/wrk on %s: %s\n' "$name" "$(printf '%s\n' "${ratios[@]}" | median)"
done
