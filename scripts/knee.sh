#!/usr/bin/env bash
# salvo knee with its default settings against the built-in target's known capacities (N slots ÷ latency):
# the knee found, how far from the capacity, and how long the search took.
#
#   bash scripts/knee.sh            # 4 × 10 ms (400 req/s) and 8 × 5 ms (1,600 req/s), p99<100ms
set -uo pipefail
cd "$(dirname "$0")/.."
deno() { npx -y deno@2.9.6 "$@"; }
deno_bin=$(deno eval 'console.log(Deno.execPath())')
trap 'kill $(jobs -p) 2>/dev/null' EXIT
for case in "4 10ms 400" "8 5ms 1600"; do
  read -r slots latency capacity <<<"$case"
  port=$(( 20000 + RANDOM % 20000 ))
  "$deno_bin" run -A src/main.ts serve --port "$port" --capacity "$slots" --latency "$latency" >/dev/null 2>&1 &
  serve=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
  start=$(date +%s.%N)
  out=$("$deno_bin" run -A src/main.ts knee "http://127.0.0.1:$port/" --slo 'p99<100ms' -o json)
  code=$?
  took=$(echo "$(date +%s.%N) - $start" | bc)
  kill "$serve"; wait "$serve" 2>/dev/null
  python3 - "$capacity" "$took" "$code" "$slots" "$latency" <<PY
import json, sys
capacity, took, code, slots, latency = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
d = json.loads('''$out''')
knee = d["knee_rps"]
print(f"capacity {slots} x {latency} = {capacity:.0f} req/s: knee {knee} req/s ({(knee / capacity - 1) * 100:+.1f} %), "
      f"limited_by {d['limited_by']}, {len(d['steps'])} steps in {took:.0f} s, exit {code}")
print("  steps: " + ", ".join(f"{s['offered_rps']:g} {s['outcome']}" for s in d["steps"]))
PY
done
