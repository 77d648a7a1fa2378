#!/usr/bin/env bash
# Benchmark of what opens connections (issue 20), alternating salvo and wrk against nginx, median
# ratio per case, nginx's headroom shown (its keep-alive rate to wrk in the same run):
#   connect    the server closes every connection (keepalive_timeout 0): a connect per request
#   https      keep-alive over TLS, the certificate verified (salvo --cacert)
#   insecure   the same server with salvo --insecure, against salvo --cacert (issue 20's bar: ≥ 0.9×)
#   handshake  TLS, the server closes every connection: a TLS handshake per request (nginx offers
#              session resumption: a client that resumes pays an abbreviated handshake)
#   full-handshake  the same with nginx's session cache and tickets off: a full handshake each time
#
# CASES="insecure handshake" runs only those.
#   bash scripts/bench_connect.sh [pairs=5] [seconds=3]
#
# nginx (one worker) on core 1 and the clients on core 0 where there are two cores or more, 50
# connections. The TLS server presents tests/fixtures' certificate and its CA's (a chain, as most
# servers send), so --cacert verifies it and --insecure can pin it. Needs nginx and wrk
# (apt-get install -y nginx wrk); DENO= names the deno binary, SALVO= runs salvo some other way.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-5}
secs=${2:-3}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
salvo=${SALVO:-"$deno run --v8-flags=--max-semi-space-size=1,--initial-old-space-size=64 -A src/main.ts"}
wrk=${WRK_BIN:-wrk}
nginx=${NGINX_BIN:-nginx}
for tool in "$wrk" "$nginx"; do
  command -v "$tool" >/dev/null || { echo "bench_connect: '$tool' not found; apt-get install -y wrk nginx" >&2; exit 2; }
done
client="" server_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then client="taskset -c 0" server_cpu="taskset -c 1"; fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cat tests/fixtures/localhost.crt tests/fixtures/ca.crt >"$work/chain.crt"
# Four more servers beside nginx.sh's keep-alive one on 18511.
nginx_extra="
  ssl_certificate $work/chain.crt;
  ssl_certificate_key $PWD/tests/fixtures/localhost.key;
  ssl_session_cache shared:tls:10m;
  server { listen 127.0.0.1:18512; keepalive_timeout 0; location / { return 200 \"ok\\n\"; } }
  server { listen 127.0.0.1:18513 ssl; location / { return 200 \"ok\\n\"; } }
  server { listen 127.0.0.1:18514 ssl; keepalive_timeout 0; location / { return 200 \"ok\\n\"; } }
  server {
    listen 127.0.0.1:18515 ssl;
    keepalive_timeout 0;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / { return 200 \"ok\\n\"; }
  }"
nginx_port=18511 nginx_workers=1
source scripts/nginx.sh
sleep 1
ca=tests/fixtures/ca.crt

wrk_rps() { $client "$wrk" -t1 -c50 -d"${secs}s" "$1" | awk '/^Requests\/sec/ {print $2}'; }
salvo_rps() {
  local url=$1
  shift
  # shellcheck disable=SC2086 # $salvo is a command line
  $client $salvo run "$url" -c 50 -d "${secs}s" -q -o json "$@" | sed -n 's/^  "rps": \([0-9.]*\),$/\1/p'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

headroom=$(wrk_rps http://127.0.0.1:18511/)
echo "== nginx (1 worker)${server_cpu:+ on core 1}, clients${client:+ on core 0}, 50 connections, ${secs}s runs, $pairs pairs"
echo "   server headroom: keep-alive, wrk got $headroom req/s from this nginx"
declare -a rows
cases=${CASES:-connect https insecure insecure-vs-wrk handshake full-handshake}
run_case() {
  local name=$1 url=$2 peer=$3
  shift 3
  [[ " $cases " == *" $name "* ]] || return 0
  local rs=() ps=() ss=()
  for i in $(seq "$pairs"); do
    local p s
    if [ "$peer" = wrk ]; then p=$(wrk_rps "$url"); else p=$(salvo_rps "$url" --cacert "$ca"); fi
    s=$(salvo_rps "$url" "$@")
    rs+=("$(ratio "$s" "$p")") ps+=("$p") ss+=("$s")
    echo "   $name: $peer $p · salvo $* $s · $(ratio "$s" "$p")"
  done
  local m pm sm
  m=$(printf '%s\n' "${rs[@]}" | median)
  pm=$(printf '%s\n' "${ps[@]}" | median)
  sm=$(printf '%s\n' "${ss[@]}" | median)
  rows+=("| $name | $( [ "$peer" = wrk ] && echo "wrk" || echo "salvo --cacert") $pm | salvo $* $sm | **$m×** |")
}
run_case connect http://127.0.0.1:18512/ wrk
run_case https https://127.0.0.1:18513/ wrk --cacert "$ca"
run_case insecure https://127.0.0.1:18513/ salvo --insecure
run_case insecure-vs-wrk https://127.0.0.1:18513/ wrk --insecure
run_case handshake https://127.0.0.1:18514/ wrk --cacert "$ca"
run_case full-handshake https://127.0.0.1:18515/ wrk --cacert "$ca"
echo
echo "| case | peer, median req/s | salvo, median req/s | median ratio |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
