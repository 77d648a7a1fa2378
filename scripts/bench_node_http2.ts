// The other engine HTTP/2 could have had: node:http2 under Deno, as a bare closed loop (no statistics).
//
//   deno run -A scripts/bench_node_http2.ts URL CONNECTIONS STREAMS SECONDS   → prints req/s
//
// scripts/bench_h2.sh runs it beside salvo and h2load: the figure that chose salvo's own client.
import http2 from "node:http2";

const [url = "http://127.0.0.1:8080/", c = "10", m = "10", secs = "3"] = Deno.args;
const endAt = performance.now() + Number(secs) * 1000;
let done = 0;
const started = performance.now();

const stream = (session: http2.ClientHttp2Session): Promise<void> =>
  new Promise((resolve) => {
    const next = (): void => {
      if (performance.now() >= endAt) return resolve();
      const req = session.request({ ":path": new URL(url).pathname });
      req.on("data", () => {});
      req.on("end", () => {
        done++;
        next();
      });
      req.on("error", () => resolve());
      req.end();
    };
    next();
  });

const sessions = Array.from({ length: Number(c) }, () => http2.connect(url));
await Promise.all(
  sessions.flatMap((s) => Array.from({ length: Number(m) }, () => stream(s))),
);
const elapsed = (performance.now() - started) / 1000;
for (const s of sessions) s.close();
console.log((done / elapsed).toFixed(0));
