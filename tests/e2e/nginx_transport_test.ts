// --unix-socket and --no-keepalive against nginx: counted exactly, and each connect timed as curl times it.
import { exact as exactAt, freePort, nginxTest, startNginx } from "./nginx.ts";
import { contended, type Json, runJson } from "./support.ts";
import { assert, assertEquals } from "../assert.ts";

const port = freePort();
const nginx = await startNginx(
  (dir) => `
  server {
    listen 127.0.0.1:${port};
    access_log ${dir}/tcp.log count;
    location / { return 200 "ok\\n"; }
  }
  server {
    listen unix:${dir}/h1.sock;
    access_log ${dir}/sock.log count;
    location / { return 200 "ok\\n"; }
  }`,
  [port],
  ["tcp", "sock"],
);
const url = `http://127.0.0.1:${port}/`;

const test = nginxTest;
const exact = (log: string, args: string[]) => exactAt(nginx, log, args);

test("--unix-socket to nginx, by -n and by duration: what nginx counted", async () => {
  const socket = `${nginx.dir}/h1.sock`;
  const byCount = await exact("sock", ["http://localhost/", "--unix-socket", socket, "-n", "2000"]);
  assertEquals(byCount.requests, 2000);
  const byTime = await exact("sock", ["http://localhost/", "--unix-socket", socket, "-d", "1s"]);
  assert(byTime.requests > 100, `only ${byTime.requests}`);
});

test("--no-keepalive to nginx over TCP and over its unix socket: a connect per request, counted", async () => {
  const tcp = await exact("tcp", [url, "--no-keepalive", "-c", "4", "-n", "1000"]);
  assertEquals(tcp.connect_ms.count, 1000);
  const sock = await exact("sock", [
    "http://localhost/",
    "--unix-socket",
    `${nginx.dir}/h1.sock`,
    "--no-keepalive",
    "-n",
    "1000",
  ]);
  assertEquals(sock.connect_ms.count, 1000);
});

test("connect_ms p50 is what curl's time_connect says, within 10 % or 50 µs (best of 3 interleaved medians of 100)", async () => {
  // One curl for 100 transfers, each on a new connection (the server closes it): warm, as salvo is,
  // so the comparison is of connects, not of curl's start-up.
  const args = ["-s", "-H", "Connection: close", "-w", "%{time_connect}\\n"];
  for (let i = 0; i < 100; i++) args.push("-o", "/dev/null", url);
  const curlP50 = async () => {
    const out = await new Deno.Command("curl", { args, stdout: "piped" }).output();
    assert(out.success, "curl failed");
    const curl = new TextDecoder().decode(out.stdout).trim().split("\n").map(Number)
      .sort((a, b) => a - b);
    assertEquals(curl.length, 100);
    return ((curl[49]! + curl[50]!) / 2) * 1000;
  };
  // Three rounds, curl then salvo in each: a neighbour that inflates one batch of 100 connects (a
  // CI runner's, at 60 % busy: curl 85 µs against salvo's 31 µs a moment later) rarely inflates all
  // three, and the best of each is its connect on a quiet machine.
  const rounds: Array<{ curlMs: number; salvoMs: number; json: Json }> = [];
  for (let i = 0; i < 3; i++) {
    const curlMs = await curlP50();
    const { json } = await runJson([url, "--no-keepalive", "-c", "1", "-t", "1", "-n", "100"]);
    rounds.push({ curlMs, salvoMs: json.connect_ms.p50, json });
  }
  const curlMs = Math.min(...rounds.map((r) => r.curlMs));
  const salvoMs = Math.min(...rounds.map((r) => r.salvoMs));
  const allowed = Math.max(0.1 * curlMs, 0.05);
  // With others on the CPU in every round (salvo's own figures say so), curl's connects can be
  // inflated too (noisy.sh: curl 92 µs, salvo 35 µs): salvo must then be no slower.
  const busy = rounds.every((r) => contended(r.json));
  assert(
    busy ? salvoMs - curlMs <= allowed : Math.abs(salvoMs - curlMs) <= allowed,
    `connect p50: salvo ${salvoMs} ms, curl ${curlMs} ms (allowed ±${allowed} ms): ${
      JSON.stringify(rounds.map((r) => [r.curlMs, r.salvoMs, r.json.host]))
    }`,
  );
});

test("stop nginx", async () => {
  await nginx.stop();
});
