#!/usr/bin/env bash
# Benchmark of the open model: salvo at a constant rate against nginx (one worker, tiny body).
# Prints, per run, the achieved rate against the target and the schedule lag (how late sends went out).
#
#   bash scripts/bench_rate.sh [rate=5000] [seconds=10] [runs=3]
#
# Needs the Debian package nginx. nginx is pinned to core 0; salvo is left free to use both cores,
# since on one core its event loop shares time with V8's own threads and sends go out late.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-5000}
secs=${2:-10}
runs=${3:-3}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
command -v nginx >/dev/null || { echo "bench_rate: nginx not found; apt-get install -y nginx" >&2; exit 2; }
server_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_cpu="taskset -c 0"

fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
nginx_port=18483
source scripts/nginx.sh
sleep 1
echo "== salvo --rate $rate for ${secs}s against nginx, nginx on core 0, salvo unpinned"
for i in $(seq "$runs"); do
  "$deno" run -A src/main.ts run "http://127.0.0.1:$nginx_port/" --rate "$rate" -d "${secs}s" -q -o json >"$work/out.json"
  "$deno" eval --ext=ts '
    const j = JSON.parse(await Deno.readTextFile(Deno.args[0]));
    const off = ((j.rps / j.target_rps - 1) * 100).toFixed(2);
    console.log(`  run ${Deno.args[1]}: target ${j.target_rps} req/s · achieved ${j.rps} (${off}%) · dropped ${j.dropped} · ` +
      `schedule lag p50 ${j.schedule_lag_ms.p50} ms · p99 ${j.schedule_lag_ms.p99} ms · max ${j.schedule_lag_ms.max} ms · ` +
      `latency p99 ${j.latency_ms.p99} ms (uncorrected ${j.latency_uncorrected_ms.p99} ms)`);
  ' "$work/out.json" "$i"
done
