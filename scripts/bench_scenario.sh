#!/usr/bin/env bash
# Benchmark of scenarios (salvo run FLOW.ts), in alternating pairs, loopback only, medians of ratios:
#   1. a one-request scenario against `salvo run URL`, on nginx: how much the scenario seam costs;
#   2. a 4-step flow (log in, list, create, read back: all four every iteration) on `salvo serve`'s
#      API, iterations per second of salvo against Artillery and Locust (FastHttpUser), with the
#      server's CPU use during each run (its headroom: a server at 100 % caps every client alike);
#   3. memory: the resident set of 10,000 idle users (a scenario that sleeps) over that of one.
# The client gets one core (taskset -c 1), the server the other (taskset -c 0).
#
#   bash scripts/bench_scenario.sh [pairs=5] [seconds=5] [part=all|seam|flow|memory]
#
# Needs nginx (Debian), Artillery (npm install --ignore-scripts artillery@2.0.34 in $ARTILLERY_DIR,
# default /tmp/art) and Locust (Debian's python3-locust, run by /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-5}
secs=${2:-5}
part=${3:-all}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
artillery=${ARTILLERY_DIR:-/tmp/art}/node_modules/.bin/artillery
server_cpu="" client_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_cpu="taskset -c 0"
  client_cpu="taskset -c 1"
fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}'; }
json_field() { sed -n "s/^  \"$1\": \\([0-9.]*\\),\$/\\1/p"; }
# CPU seconds (user + system) of a process so far.
cpu_s() { awk '{printf "%.3f", ($14 + $15) / 100}' "/proc/$1/stat"; }
# Runs "$@" and prints the share of one core process $1 used meanwhile (the rest of the args run).
with_cpu() {
  local pid=$1
  shift
  local c0 t0 c1 t1
  c0=$(cpu_s "$pid") t0=$(date +%s.%N)
  "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  c1=$(cpu_s "$pid") t1=$(date +%s.%N)
  awk -v c="$(awk -v a="$c0" -v b="$c1" 'BEGIN {print b - a}')" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" \
    'BEGIN {printf "%.0f%%", 100 * c / t}'
}

cat >"$work/one.js" <<'JS'
export default async (u) => {
  await u.get("/");
};
JS
# The same four steps for every tool, all four in every iteration (Artillery's virtual users run
# once each, so the others log in every iteration too), each iteration as a new user name: one
# name's item list would grow with every iteration and make the server's GET /items ever slower.
cat >"$work/flow.js" <<'JS'
export default async (u) => {
  const login = await u.post("/login", { json: { user: `u${u.index}.${u.iteration}`, password: "salvo" } });
  const auth = { Authorization: `Bearer ${login.json().token}` };
  await u.get("/items", { headers: auth });
  const made = await u.post("/items", { headers: auth, json: { name: "x" } });
  await u.get(`/items/${made.json().id}`, { headers: auth, name: "GET /items/:id" });
};
JS
cat >"$work/locustfile.py" <<'PY'
import uuid
from locust import task
from locust.contrib.fasthttp import FastHttpUser

class Flow(FastHttpUser):
    @task
    def flow(self):
        user = uuid.uuid4().hex
        token = self.client.post("/login", json={"user": user, "password": "salvo"}).json()["token"]
        auth = {"Authorization": "Bearer " + token}
        self.client.get("/items", headers=auth)
        made = self.client.post("/items", json={"name": "x"}, headers=auth).json()
        self.client.get("/items/%d" % made["id"], headers=auth, name="/items/[id]")
PY

if [ "$part" = all ] || [ "$part" = seam ]; then
  nginx_port=18491
  source scripts/nginx.sh
  sleep 1
  url="http://127.0.0.1:$nginx_port"
  ratios=()
  echo "== the seam: a one-request scenario against salvo run URL on nginx, $pairs pairs of ${secs}s, -c 50 -t 1, ${client_cpu:-unpinned}"
  for i in $(seq "$pairs"); do
    u=$($client_cpu "$deno" run -A src/main.ts run "$url/" -c 50 -t 1 -d "${secs}s" -q -o json | json_field rps)
    s=$($client_cpu "$deno" run -A src/main.ts run "$work/one.js" --base-url "$url" -c 50 -t 1 -d "${secs}s" -q -o json | json_field rps)
    r=$(ratio "$s" "$u")
    ratios+=("$r")
    printf '  pair %d: URL %8.0f req/s  scenario %8.0f req/s  ratio %s\n' "$i" "$u" "$s" "$r"
  done
  printf '  median ratio scenario/URL: %s\n' "$(printf '%s\n' "${ratios[@]}" | median)"
fi

if [ "$part" = all ] || [ "$part" = flow ]; then
  [ -x "$artillery" ] || { echo "bench: no artillery at $artillery (npm install --ignore-scripts artillery@2.0.34)" >&2; exit 2; }
  /usr/bin/python3 -c 'import locust' 2>/dev/null || { echo "bench: no locust (apt-get install -y python3-locust)" >&2; exit 2; }
  port=18492
  $server_cpu "$deno" run -A src/main.ts serve --port $port >/dev/null 2>&1 &
  server=$!
  pids+=("$server")
  sleep 3
  url="http://127.0.0.1:$port"
  cat >"$work/flow.yml" <<YML
config:
  target: "$url"
  phases:
    - duration: $secs
      arrivalRate: 5000
scenarios:
  - flow:
      - post:
          url: "/login"
          json: { user: "{{ \$randomString() }}", password: "salvo" }
          capture: { json: "$.token", as: "token" }
      - get:
          url: "/items"
          headers: { Authorization: "Bearer {{ token }}" }
      - post:
          url: "/items"
          headers: { Authorization: "Bearer {{ token }}" }
          json: { name: "x" }
          capture: { json: "$.id", as: "id" }
      - get:
          url: "/items/{{ id }}"
          headers: { Authorization: "Bearer {{ token }}" }
YML
  salvo_it() {
    $client_cpu "$deno" run -A src/main.ts run "$work/flow.js" --base-url "$url" -c 50 -t 1 -d "${secs}s" -q -o json >"$work/s.json"
  }
  artillery_it() {
    $client_cpu "$artillery" run --quiet --output "$work/a.json" "$work/flow.yml" >/dev/null
  }
  locust_it() {
    $client_cpu /usr/bin/python3 -m locust -f "$work/locustfile.py" --headless -u 50 -r 50 -t "${secs}s" \
      --host "$url" --csv "$work/l" --only-summary >/dev/null 2>&1
  }
  s_rates=() a_rates=() l_rates=() sa=() sl=()
  echo "== a 4-step flow on salvo serve's API, iterations per second, $pairs rounds of ${secs}s, ${client_cpu:-unpinned}"
  for i in $(seq "$pairs"); do
    s_cpu=$(with_cpu "$server" salvo_it)
    s=$(python3 -c "import json; d=json.load(open('$work/s.json')); print(d['scenario']['iterations']['count'] / d['duration_s'])")
    a_cpu=$(with_cpu "$server" artillery_it)
    # Over the span Artillery measured (its start-up, seconds of it, not counted).
    a=$(python3 -c "
import json
a = json.load(open('$work/a.json'))['aggregate']
print(a['counters'].get('vusers.completed', 0) / max(1e-3, (a['lastCounterAt'] - a['firstCounterAt']) / 1000))")
    l_cpu=$(with_cpu "$server" locust_it)
    l=$(python3 -c "
import csv
rows = list(csv.DictReader(open('$work/l_stats.csv')))
print(next(int(r['Request Count']) for r in rows if r['Name'] == '/items/[id]') / $secs)")
    s_rates+=("$s") a_rates+=("$a") l_rates+=("$l")
    sa+=("$(ratio "$s" "$a")") sl+=("$(ratio "$s" "$l")")
    printf '  round %d: salvo %7.0f it/s (server %s)  artillery %6.0f it/s (server %s)  locust %6.0f it/s (server %s)\n' \
      "$i" "$s" "$s_cpu" "$a" "$a_cpu" "$l" "$l_cpu"
  done
  printf '  medians: salvo %.0f it/s, artillery %.0f it/s, locust %.0f it/s\n' \
    "$(printf '%s\n' "${s_rates[@]}" | median)" "$(printf '%s\n' "${a_rates[@]}" | median)" "$(printf '%s\n' "${l_rates[@]}" | median)"
  printf '  median ratio salvo/artillery: %s   salvo/locust: %s\n' \
    "$(printf '%s\n' "${sa[@]}" | median)" "$(printf '%s\n' "${sl[@]}" | median)"
fi

if [ "$part" = all ] || [ "$part" = memory ]; then
  cat >"$work/idle.js" <<'JS'
export default async (u) => {
  await u.sleep(600_000);
};
JS
  # Peak resident set (VmHWM) of a run of N sleeping users, in KB.
  rss_of() {
    "$deno" run -A src/main.ts run "$work/idle.js" --base-url http://127.0.0.1:9 -c "$1" -t 1 -d 6s -q -o json >/dev/null &
    local pid=$! peak=0
    while kill -0 "$pid" 2>/dev/null; do
      kb=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$kb" ] && peak=$kb
      sleep 0.5
    done
    wait "$pid"
    echo "$peak"
  }
  echo "== memory: 10,000 idle users against one, peak resident set, $pairs pairs"
  per=()
  for i in $(seq "$pairs"); do
    one=$(rss_of 1)
    many=$(rss_of 10000)
    kb=$(awk -v a="$many" -v b="$one" 'BEGIN {printf "%.2f", (a - b) / 9999}')
    per+=("$kb")
    printf '  pair %d: 1 user %d KB, 10,000 users %d KB: %s KB a user\n' "$i" "$one" "$many" "$kb"
  done
  printf '  median KB a user: %s\n' "$(printf '%s\n' "${per[@]}" | median)"
fi
