#!/usr/bin/env bash
# Benchmark: HTTP/2 in cleartext (h2c) against nginx, salvo against h2load, alternating runs, and
# node:http2 under Deno as the engine salvo did not choose. Prints each round, nginx's share of its
# core in each run (its headroom: under 100 %, the client was the limit), and the median ratios.
#
#   bash scripts/bench_h2.sh [rounds=5] [seconds=3]
#   HALF_CORE=1 bash scripts/bench_h2.sh …   # a busy loop shares the client's core: each client gets
#                                            # about half of it, and nginx has room to spare
#
# Cases (issue 18's): -c 10 -m 10 and -c 50 -m 1 in cleartext, and -c 10 -m 10 over TLS (salvo
# --http2 verifying tests/fixtures' certificate; node:http2 left out there). nginx (one worker) on
# core 0, every client on core 1 with one thread. Needs nginx and h2load (apt-get install -y nginx
# nghttp2-client).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
secs=${2:-3}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
for tool in nginx h2load; do
  command -v "$tool" >/dev/null ||
    { echo "bench_h2: '$tool' not found; apt-get install -y nginx nghttp2-client" >&2; exit 2; }
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

if [ "${HALF_CORE:-}" = 1 ]; then
  $client_cpu sh -c 'while :; do :; done' &
  pids+=($!)
fi

nginx_port=18491 h2_port=18492 tls_port=18493
cat tests/fixtures/localhost.crt tests/fixtures/ca.crt >"$work/chain.crt"
nginx_extra="  server { listen 127.0.0.1:$h2_port http2; location / { return 200 \"ok\\n\"; } }
  server {
    listen 127.0.0.1:$tls_port ssl http2;
    ssl_certificate $work/chain.crt;
    ssl_certificate_key $PWD/tests/fixtures/localhost.key;
    location / { return 200 \"ok\\n\"; }
  }"
source scripts/nginx.sh
sleep 1
h2c_url=http://127.0.0.1:$h2_port/ tls_url=https://localhost:$tls_port/
worker=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)

# CPU ticks (user + system) of the nginx worker so far.
ticks() { awk '{print $14 + $15}' "/proc/$worker/stat"; }
# Busy ticks of the client's core so far (every field of its /proc/stat line but idle and iowait).
client_core=${client_cpu##* }
busy() {
  if [ -n "$client_cpu" ]; then
    awk -v c="cpu$client_core" '$1 == c {print $2 + $3 + $4 + $7 + $8}' /proc/stat
  else echo 0; fi
}
hz=$(getconf CLK_TCK)
# Runs "$@" and prints its req/s, nginx's core share during it, and the client core's busy share.
measured() {
  local t0 t1 a b ca cb rps
  t0=$(date +%s.%N) a=$(ticks) ca=$(busy)
  rps=$("$@")
  t1=$(date +%s.%N) b=$(ticks) cb=$(busy)
  awk -v r="$rps" -v a="$a" -v b="$b" -v ca="$ca" -v cb="$cb" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
    'BEGIN {printf "%s %.0f %.0f\n", r, 100 * (b - a) / hz / (t1 - t0), 100 * (cb - ca) / hz / (t1 - t0)}'
}
h2load_rps() {
  $client_cpu h2load -t1 -c"$1" -m"$2" -D"$secs" "$url" | awk '/^finished in/ {print $4}'
}
salvo_rps() {
  # shellcheck disable=SC2086 # $flags is a list of flags
  $client_cpu $deno run -A src/main.ts run "$url" $flags -t 1 -c "$1" -m "$2" -d "${secs}s" -q -o json |
    sed -n 's/^  "rps": \([0-9.]*\),$/\1/p'
}
node_rps() { $client_cpu $deno run -A scripts/bench_node_http2.ts "$url" "$1" "$2" "$secs"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for case in "h2c 10 10" "h2c 50 1" "tls 10 10"; do
  set -- $case
  kind=$1 c=$2 m=$3
  if [ "$kind" = h2c ]; then url=$h2c_url flags="--h2c"; else url=$tls_url flags="--http2 --cacert tests/fixtures/ca.crt"; fi
  ratios=() node_ratios=()
  echo "== $kind, -c $c -m $m: $rounds rounds of ${secs}s, ${client_cpu:-unpinned}; [nginx's core, the client's core] busy"
  for i in $(seq "$rounds"); do
    read -r h hcpu hcl < <(measured h2load_rps "$c" "$m")
    read -r s scpu scl < <(measured salvo_rps "$c" "$m")
    r=$(awk -v s="$s" -v h="$h" 'BEGIN {printf "%.3f", s / h}')
    ratios+=("$r")
    node="node:http2 (cleartext only)"
    if [ "$kind" = h2c ]; then
      read -r n ncpu ncl < <(measured node_rps "$c" "$m")
      node_ratios+=("$(awk -v n="$n" -v h="$h" 'BEGIN {printf "%.3f", n / h}')")
      node=$(printf 'node:http2 %7.0f [%s%%, %s%%]' "$n" "$ncpu" "$ncl")
    fi
    printf '  round %d: h2load %7.0f [%s%%, %s%%]  salvo %7.0f [%s%%, %s%%]  %s  salvo/h2load %s\n' \
      "$i" "$h" "$hcpu" "$hcl" "$s" "$scpu" "$scl" "$node" "$r"
  done
  printf '  median salvo/h2load: %s' "$(printf '%s\n' "${ratios[@]}" | median)"
  if [ "${#node_ratios[@]}" -gt 0 ]; then
    printf '   median node:http2/h2load: %s' "$(printf '%s\n' "${node_ratios[@]}" | median)"
  fi
  echo
done
