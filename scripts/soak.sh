#!/usr/bin/env bash
# Soak: a long run with --interval records and no per-request stream must keep memory flat.
# Samples salvo's resident set size every 10 s of a run against `salvo serve`.
#
#   bash scripts/soak.sh [seconds=600] [rate=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
rate=${2:-2000}
deno_bin=$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')
work=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
"$deno_bin" run -A src/main.ts serve --port "$port" >/dev/null 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 2
"$deno_bin" run -A src/main.ts run "http://127.0.0.1:$port/" --rate "$rate" -d "${secs}s" -q -o json \
  --results "$work/intervals.ndjson" --interval 1s >"$work/summary.json" &
salvo=$!
series=()
while kill -0 "$salvo" 2>/dev/null; do
  kb=$(awk '/^VmRSS/ {print $2}' "/proc/$salvo/status" 2>/dev/null || true)
  [ -n "$kb" ] && series+=("$((kb / 1024))")
  sleep 10
done
wait "$salvo"
echo "RSS MB every 10 s: ${series[*]}"
n=${#series[@]}
after_minute=$(printf '%s\n' "${series[@]:6}" | sort -n)
echo "after the first minute: min $(head -1 <<<"$after_minute") MB, max $(tail -1 <<<"$after_minute") MB; at the end ${series[n-1]} MB"
echo "interval records: $(wc -l <"$work/intervals.ndjson"), file size $(du -k "$work/intervals.ndjson" | cut -f1) KiB"
grep -E '"(requests|rps)"' "$work/summary.json"
