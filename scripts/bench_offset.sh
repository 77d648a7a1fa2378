#!/usr/bin/env bash
# Where salvo's p50 sits against wrk's on a slow server (issue 26: "no unexplained offset"), in
# alternating 3 s runs at -c 4 -t 1, client on one core and server on the other:
#   1. against `salvo serve --latency 50ms` (Deno's timers: every delay rounded to the millisecond);
#   2. against a server that sleeps 50 ms with nanosleep (Python threads, one write per response),
#      which also reports each client's turnaround as it sees it: from writing a response to reading
#      the next request on that connection.
# Prints each round's p50s and turnarounds, then the medians of salvo − wrk.
#
#   bash scripts/bench_offset.sh [rounds=5]
#
# Needs wrk (Debian) and Debian's python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
deno=${DENO:-$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')}
server_cpu="" client_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  server_cpu="taskset -c 0"
  client_cpu="taskset -c 1"
fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; exec 7>&- || true; rm -rf "$work"; }
trap cleanup EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

cat >"$work/sleepy.py" <<'PY'
# Answers every request after time.sleep(0.05), in one write; a line on stdin prints the turnarounds
# (response written → next request read, per connection) since the last line, and clears them.
import socket, socketserver, sys, threading, time
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
lock = threading.Lock()
turns = []
class H(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf, sent = b"", None
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    d = s.recv(4096)
                    if not d:
                        return
                    buf += d
                if sent is not None:
                    with lock:
                        turns.append(time.monotonic() - sent)
                buf = buf[buf.index(b"\r\n\r\n") + 4:]
                time.sleep(0.05)
                s.sendall(RESP)
                sent = time.monotonic()
        except OSError:
            return
class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
srv = S(("127.0.0.1", int(sys.argv[1])), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
print("listening", flush=True)
for _ in sys.stdin:
    with lock:
        t = sorted(turns)
        turns.clear()
    print("%.0f %.0f" % (t[len(t) // 2] * 1e6, t[int(len(t) * 0.9)] * 1e6) if t else "0 0", flush=True)
PY

wrk_p50() { # URL → p50 in ms
  $client_cpu wrk -t1 -c4 -d3s --latency "$1" | awk '$1 == "50%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else {sub(/s/,"",v); v*=1000}; print v}'
}
salvo_p50() {
  $client_cpu "$deno" run -A src/main.ts run "$1" -c 4 -t 1 -d 3s -q -o json |
    sed -n '/"latency_ms"/,/}/s/^ *"p50": \([0-9.]*\),$/\1/p'
}

$server_cpu "$deno" run -A src/main.ts serve --port 18611 --latency 50ms >/dev/null 2>&1 &
pids+=($!)
mkfifo "$work/in"
$server_cpu /usr/bin/python3 "$work/sleepy.py" 18612 <"$work/in" >"$work/out" &
pids+=($!)
exec 7>"$work/in"
sleep 3
turn() { echo >&7; sleep 0.3; tail -n 1 "$work/out"; }
turn >/dev/null

d_serve=() d_sleep=() t_ratio=()
echo "round  serve --latency 50ms: wrk / salvo p50 ms   nanosleep 50 ms: wrk / salvo p50 ms   turnaround p50, p90 µs: wrk / salvo"
for r in $(seq "$rounds"); do
  ws=$(wrk_p50 http://127.0.0.1:18611/)
  ss=$(salvo_p50 http://127.0.0.1:18611/)
  wn=$(wrk_p50 http://127.0.0.1:18612/)
  wt=$(turn)
  sn=$(salvo_p50 http://127.0.0.1:18612/)
  st=$(turn)
  d_serve+=("$(awk -v a="$ss" -v b="$ws" 'BEGIN {print a - b}')")
  d_sleep+=("$(awk -v a="$sn" -v b="$wn" 'BEGIN {print a - b}')")
  t_ratio+=("$(awk -v a="${st%% *}" -v b="${wt%% *}" 'BEGIN {print (b > 0 ? a / b : 0)}')")
  printf '%5d  %9s / %-9s                  %9s / %-9s           %s / %s\n' "$r" "$ws" "$ss" "$wn" "$sn" "$wt" "$st"
done
printf 'median salvo − wrk p50: %s ms on serve --latency, %s ms on nanosleep; salvo / wrk turnaround p50: %s\n' \
  "$(printf '%s\n' "${d_serve[@]}" | median)" "$(printf '%s\n' "${d_sleep[@]}" | median)" \
  "$(printf '%s\n' "${t_ratio[@]}" | median)"
