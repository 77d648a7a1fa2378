#!/usr/bin/env bash
# Benchmark: does exporting metrics cost the load? salvo against nginx with no metrics, and with
# --metrics-push to a receiver that refuses connections, answers 500, or never answers, and with
# --metrics-listen scraped every 250 ms. Runs alternate within each round (the order rotates); prints
# each round's requests per second and salvo's CPU time per request (from the JSON's cpu_share, which
# holds where nginx set the pace), and the median ratios of each variant to the plain run. Loopback only.
#
#   bash scripts/bench_metrics.sh [rounds=5] [seconds=5] [connections=50]
#
# One load thread (-t 1): the exporter then shares the load's own event loop, the worst case. Server,
# receivers and scraper on core 0, salvo on core 1 (taskset, with two or more cores). Needs nginx, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
secs=${2:-5}
conns=${3:-50}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
for tool in nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench: '$tool' not found; apt-get install -y nginx curl" >&2; exit 2; }
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

nginx_port=18491 refused_port=18492 failing_port=18493 hanging_port=18494 listen_port=18495
source scripts/nginx.sh
# A receiver answering 500 to everything, and one that takes connections and never answers; a
# scraper that asks for /metrics every 250 ms (one process: a curl each time would tax nginx's core).
$server_cpu $deno eval "
  Deno.serve({ hostname: '127.0.0.1', port: $failing_port, onListen() {} }, () => new Response('no', { status: 500 }));
  setInterval(() => fetch('http://127.0.0.1:$listen_port/metrics').then((r) => r.text(), () => {}), 250);
  const held = [];
  for await (const c of Deno.listen({ hostname: '127.0.0.1', port: $hanging_port })) held.push(c);
" >/dev/null 2>&1 &
pids+=($!)
sleep 2

url="http://127.0.0.1:$nginx_port/"
push() { echo "--metrics-push http://127.0.0.1:$1/api/v1/write --metrics-interval 1s"; }
declare -A flags=(
  [none]=""
  [refused]="$(push $refused_port)"
  [answers-500]="$(push $failing_port)"
  [hangs]="$(push $hanging_port)"
  [listen]="--metrics-listen $listen_port --metrics-linger 0"
)
variants=(${BENCH_VARIANTS:-none refused answers-500 hangs listen})

# The binary's V8 flags (scripts/build.ts), so that the garbage collector behaves as it ships.
v8=--v8-flags=--max-semi-space-size=1,--initial-old-space-size=64
figures() { # variant: "RPS CPU_US_PER_REQUEST" of one run
  # shellcheck disable=SC2086
  $client_cpu $deno run -A $v8 src/main.ts run "$url" -c "$conns" -d "${secs}s" -t 1 ${flags[$1]} -q -o json 2>/dev/null |
    awk -F'[:,]' '/^  "rps"/ {r=$2} /^  "requests"/ {n=$2} /^  "duration_s"/ {d=$2}
      /"cpu_share"/ {c=$2} END {printf "%.0f %.3f\n", r, c * d * 1e6 / n}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A ratios cpus
echo "== $rounds rounds of ${secs}s each, -c $conns -t 1, nginx on ${server_cpu:-any core}, salvo on ${client_cpu:-any core}"
echo "   each: req/s · µs of salvo's CPU per request"
for r in $(seq "$rounds"); do
  declare -A got=()
  n=${#variants[@]}
  for k in $(seq 0 $((n - 1))); do
    v=${variants[$(((k + r) % n))]}
    got[$v]=$(figures "$v")
  done
  line="  round $r:"
  for v in "${variants[@]}"; do line+=$(printf ' %s %s ·' "$v" "${got[$v]% *}")$(printf ' %s' "${got[$v]#* }"); done
  echo "$line"
  for v in "${variants[@]:1}"; do
    ratios[$v]+="$(awk -v a="${got[$v]% *}" -v b="${got[none]% *}" 'BEGIN {printf "%.4f", a / b}') "
    cpus[$v]+="$(awk -v a="${got[$v]#* }" -v b="${got[none]#* }" 'BEGIN {printf "%.4f", a / b}') "
  done
done
for v in "${variants[@]:1}"; do
  # shellcheck disable=SC2086
  printf '  median ratio %-12s / none: throughput %s · CPU per request %s\n' "$v" \
    "$(printf '%s\n' ${ratios[$v]} | median)" "$(printf '%s\n' ${cpus[$v]} | median)"
done
