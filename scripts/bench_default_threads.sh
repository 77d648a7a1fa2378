#!/usr/bin/env bash
# The demo's run (the built-in target answering after 2 ms, -c 8) with salvo's default thread count,
# with -t 1 and with -t 2, alternating in each round: the default must not be slower than the better of
# the two (issue 26's bar: median ratio >= 0.95), and its verdict must be true.
#
#   bash scripts/bench_default_threads.sh [ROUNDS] [SECONDS]      default: 5 rounds of 5 s runs
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
secs=${2:-5}
deno_bin=$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')
flags=(run -A --v8-flags=--max-semi-space-size=1,--initial-old-space-size=64 src/main.ts)
port=$((20000 + RANDOM % 20000))
"$deno_bin" run -A src/main.ts serve --port "$port" --latency 2ms >/dev/null 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
out=$(mktemp)
run() { # LABEL [FLAGS…]: one run's req/s, threads and verdict as a TSV line
  local label=$1
  shift
  "$deno_bin" "${flags[@]}" run "http://127.0.0.1:$port/health" -c 8 -d "${secs}s" -o json -q "$@" |
    "$deno_bin" eval --ext=ts "const j = JSON.parse(await new Response(Deno.stdin.readable).text());
      console.log(['$label', j.rps.toFixed(0), j.threads.length, j.diagnosis.verdict].join('\t'))"
}
echo "round  default (threads, verdict)        -t 1     -t 2     default / best"
for r in $(seq "$rounds"); do
  d=$(run default)
  one=$(run t1 -t 1)
  two=$(run t2 -t 2)
  read -r _ drps dthreads dverdict <<<"$d"
  orps=$(cut -f2 <<<"$one")
  trps=$(cut -f2 <<<"$two")
  ratio=$(awk -v d="$drps" -v a="$orps" -v b="$trps" 'BEGIN { m = a > b ? a : b; printf "%.3f", d / m }')
  printf '%-6s %-8s (%s, %-15s)   %-8s %-8s %s\n' "$r" "$drps" "$dthreads" "$dverdict" "$orps" "$trps" "$ratio"
  echo "$ratio" >>"$out"
done
median=$(sort -n "$out" | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
echo "median default / best of -t 1 and -t 2: $median ($(nproc) cores, target on this machine)"
rm -f "$out"
