#!/usr/bin/env bash
# Bytes of JavaScript heap salvo allocates per request, in the closed and the open model: V8's own
# count (--trace-gc-nvp's "allocated" since the previous collection, summed over a run's collections),
# from two runs of N and 6·N requests, so that start-up cancels: (A(6N) − A(N)) ÷ 5N.
#
#   bash scripts/alloc_per_request.sh [N=20000]
#
# The target is nginx when it is installed (one worker, on its own core), else `salvo serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
deno_bin=$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
if command -v nginx >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_cpu="taskset -c 1" nginx_port=18498 nginx_workers=1
  source scripts/nginx.sh
  url=http://127.0.0.1:$nginx_port/
  target=nginx
else
  port=$((20000 + RANDOM % 20000))
  "$deno_bin" run -A src/main.ts serve --port "$port" >/dev/null 2>&1 &
  pids+=($!)
  url=http://127.0.0.1:$port/
  target="salvo serve"
fi
sleep 1
allocated() { # requests, model flags…: the run's allocated bytes, summed over its collections
  local requests=$1
  shift
  "$deno_bin" run -A --v8-flags=--trace-gc-nvp,--max-semi-space-size=1,--initial-old-space-size=64 \
    src/main.ts run "$url" -t 1 -n "$requests" "$@" -o json --out "$work/out.json" -q 2>/dev/null |
    grep -o '"allocated":[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }'
}
echo "model   flags                         bytes/request  (target: $target, N=$n and $((6 * n)))"
for model in "closed:-c 50" "open:--rate 10000 --max-in-flight 1000" "open:--rate 20000 --max-in-flight 1000 --precise-pacing"; do
  name=${model%%:*}
  read -r -a flags <<<"${model#*:}"
  a1=$(allocated "$n" "${flags[@]}")
  a6=$(allocated $((6 * n)) "${flags[@]}")
  printf '%-7s %-29s %s\n' "$name" "${model#*:}" "$(awk -v a="$a1" -v b="$a6" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / (5 * n) }')"
done
