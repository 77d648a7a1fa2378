// The I/O layer alone: keep-alive GET loops through Deno.Conn's methods and through Deno's ops directly.
//
//   taskset -c 1 npx -y deno@2.9.6 run -A scripts/bench_io.ts http://127.0.0.1:PORT/ [rounds=5] [seconds=3] [connections=50]
//
// Alternates the two byte streams of src/engine/byte_conn.ts in one process and prints, per round, the
// requests per second and the CPU time per request (user and system), then the medians.
import process from "node:process";
import { byteConn } from "../src/engine/byte_conn.ts";
import { ResponseParser } from "../src/engine/response_parser.ts";

const [target = "", rounds = "5", seconds = "3", connections = "50"] = Deno.args;
const url = URL.canParse(target) ? new URL(target) : undefined;
if (url === undefined || url.protocol !== "http:") {
  console.error("usage: bench_io.ts http://HOST:PORT/PATH [rounds] [seconds] [connections]");
  Deno.exit(2);
}
const request = new TextEncoder().encode(
  `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: salvo-bench\r\n\r\n`,
);

/** Runs `connections` loops for `seconds`; returns requests per second and CPU µs per request. */
const measure = async (direct: boolean) => {
  let count = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const end = started + Number(seconds) * 1000;
  const loop = async () => {
    const conn = byteConn(
      await Deno.connect({ hostname: url.hostname, port: Number(url.port) || 80 }),
      direct,
    );
    const buf = new Uint8Array(65536);
    const parser = new ResponseParser();
    const ignore = () => {};
    while (performance.now() < end) {
      conn.write(request).then(ignore, ignore);
      parser.begin(false);
      let start = 0, filled = 0;
      while (!parser.done) {
        const n = await conn.read(filled === 0 ? buf : buf.subarray(filled));
        if (n === 0) throw new Error("the server closed the connection");
        filled += n;
        start = parser.advance(buf, start, filled);
      }
      count++;
    }
    conn.close();
  };
  await Promise.all(Array.from({ length: Number(connections) }, loop));
  const cpu = process.cpuUsage(cpu0);
  return {
    rps: count / ((performance.now() - started) / 1000),
    user: cpu.user / count,
    system: cpu.system / count,
  };
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const seen: Record<string, { rps: number; user: number; system: number }[]> = {
  public: [],
  direct: [],
};
const show = (r: { rps: number; user: number; system: number }) =>
  `${r.rps.toFixed(0).padStart(7)} req/s  cpu ${(r.user + r.system).toFixed(2)} µs/req ` +
  `(user ${r.user.toFixed(2)}, sys ${r.system.toFixed(2)})`;
for (let i = 1; i <= Number(rounds); i++) {
  for (const mode of ["public", "direct"] as const) {
    const r = await measure(mode === "direct");
    seen[mode]!.push(r);
    console.log(`round ${i} ${mode.padEnd(6)} ${show(r)}`);
  }
}
for (const [mode, rs] of Object.entries(seen)) {
  console.log(`median ${mode.padEnd(6)} ${
    show({
      rps: median(rs.map((r) => r.rps)),
      user: median(rs.map((r) => r.user)),
      system: median(rs.map((r) => r.system)),
    })
  }`);
}
