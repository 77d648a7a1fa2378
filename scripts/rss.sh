#!/usr/bin/env bash
# Memory of a long run: samples salvo's resident set size every second of a run against `salvo serve`.
#   bash scripts/rss.sh [seconds=30] [connections=50]
# Prints the RSS series in MB, the peak, and the growth between the 5th second and the end.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
conns=${2:-50}
deno_bin=$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')
port=$(( 20000 + RANDOM % 20000 ))
"$deno_bin" run -A src/main.ts serve --port "$port" >/dev/null 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
sleep 2
"$deno_bin" run -A src/main.ts run "http://127.0.0.1:$port/" -c "$conns" -d "${secs}s" -q -o json >/tmp/salvo-rss.json &
salvo=$!
series=()
while kill -0 "$salvo" 2>/dev/null; do
  kb=$(awk '/^VmRSS/ {print $2}' "/proc/$salvo/status" 2>/dev/null || true)
  [ -n "$kb" ] && series+=("$((kb / 1024))")
  sleep 1
done
wait "$salvo"
echo "RSS MB each second: ${series[*]}"
peak=$(printf '%s\n' "${series[@]}" | sort -n | tail -1)
echo "peak RSS: ${peak} MB; at 5 s: ${series[4]:-?} MB; at the end: ${series[-1]} MB"
grep -E '"(requests|rps)"' /tmp/salvo-rss.json
