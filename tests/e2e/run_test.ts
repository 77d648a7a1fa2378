// End-to-end: `salvo run` against real servers on loopback; salvo's counts must equal the server's.
import { assert, assertEquals, assertGreater, assertLess } from "../assert.ts";
import {
  closedPort,
  countingServer,
  resettingServer,
  runJson,
  salvo,
  startServe,
  tcpServer,
} from "./support.ts";

/** The command of issue 2's acceptance test, after the URL. */
const issueRun = ["-c", "8", "-d", "3s", "--delay", "5ms"];

Deno.test("run -c 8 -d 3s --delay 5ms sends exactly what salvo serve counted", async () => {
  const server = await startServe();
  try {
    const { code, json } = await runJson([`${server.url}/health`, ...issueRun]);
    assertEquals(code, 0);
    assertEquals(json.requests, await server.count());
    // 8 workers pacing 5 ms apart for 3 s: a few thousand requests, far above the 9 of the original bug.
    assertGreater(json.requests, 1000);
    assertEquals(json.successes, json.requests);
    assertEquals(json.status_codes["200"], json.requests);
    assert(json.duration_s >= 3 && json.duration_s < 3.5, `duration ${json.duration_s}`);
  } finally {
    await server.stop();
  }
});

Deno.test("run -c 8 -d 3s --delay 5ms sends exactly what a plain Deno.serve counted", async () => {
  const server = countingServer();
  try {
    const { code, json } = await runJson([`${server.url}/health`, ...issueRun]);
    assertEquals(code, 0);
    assertEquals(json.requests, server.count());
    assertEquals(json.failures, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("run -n stops after exactly that many requests", async () => {
  const server = countingServer();
  try {
    const { json } = await runJson([server.url, "-n", "777", "-c", "10"]);
    assertEquals(json.requests, 777);
    assertEquals(server.count(), 777);
  } finally {
    await server.stop();
  }
});

Deno.test("p50 against a server answering after 50 ms is between 50 and 55 ms", async () => {
  const server = countingServer(50);
  try {
    const { json } = await runJson([server.url, "-c", "4", "-d", "2s"]);
    assertEquals(json.requests, server.count());
    assert(json.latency_ms.p50 >= 50 && json.latency_ms.p50 <= 55, `p50 ${json.latency_ms.p50}`);
    assert(json.latency_ms.min >= 50, `min ${json.latency_ms.min}`);
    // Closed model: 4 workers, ~50 ms each → about 80 req/s.
    assert(json.rps > 60 && json.rps < 81, `rps ${json.rps}`);
  } finally {
    await server.stop();
  }
});

Deno.test("the text summary shows counts, rate, percentiles and status codes", async () => {
  const server = countingServer();
  try {
    const r = await salvo(["run", server.url, "-n", "50", "-c", "2", "-q"]);
    assertEquals(r.code, 0);
    assert(r.stdout.includes("requests   50 in "), r.stdout);
    assert(r.stdout.includes("success    50 (100.0%) · failed 0"), r.stdout);
    assert(/p50 \S+ · p90 \S+ · p95 \S+ · p99 \S+ · p99\.9 \S+/.test(r.stdout), r.stdout);
    assert(r.stdout.includes("status     200 ×50"), r.stdout);
    assertEquals(r.stderr, "");
  } finally {
    await server.stop();
  }
});

Deno.test("statuses >= 400 count as failures unless --success-status says otherwise", async () => {
  const server = countingServer(0, (n) => (n % 4 === 0 ? 404 : 200));
  try {
    const a = await runJson([server.url, "-n", "100", "-c", "1"]);
    assertEquals(a.json.status_codes, { "200": 75, "404": 25 });
    assertEquals(a.json.failures, 25);
    assertEquals(a.json.success_rate, 0.75);
    const b = await runJson([
      server.url,
      "-n",
      "100",
      "-c",
      "1",
      "--success-status",
      "200-299,404",
    ]);
    assertEquals(b.json.failures, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("salvo serve --error-rate 0.1 answers 503 to exactly every 10th request", async () => {
  const server = await startServe(["--error-rate", "0.1"]);
  try {
    const { json } = await runJson([server.url, "-n", "200", "-c", "1"]);
    assertEquals(json.status_codes, { "200": 180, "503": 20 });
    assertEquals(await server.count(), 200);
  } finally {
    await server.stop();
  }
});

Deno.test("connection refused is counted under its reason and the run still reports", async () => {
  const { code, json } = await runJson([
    `http://127.0.0.1:${closedPort()}/`,
    "-d",
    "500ms",
    "-c",
    "2",
  ]);
  assertEquals(code, 0);
  assertGreater(json.requests, 0);
  assertEquals(json.errors, { connection_refused: json.requests });
  assertEquals(json.failures, json.requests);
});

Deno.test("a server that resets connections is counted as connection_reset", async () => {
  const server = await resettingServer();
  try {
    const { code, json } = await runJson([server.url, "-n", "20", "-c", "2"]);
    assertEquals(code, 0);
    assertEquals(json.requests, 20);
    assertEquals(json.errors.connection_reset, 20);
    assertEquals(server.connections(), 20);
  } finally {
    await server.stop();
  }
});

Deno.test("a server that never answers is counted as timeout after --timeout", async () => {
  const server = tcpServer(async (conn) => {
    const buf = new Uint8Array(1024);
    while ((await conn.read(buf)) !== null) { /* read and never answer */ }
  });
  try {
    const { code, json } = await runJson([server.url, "-d", "1s", "-c", "3", "--timeout", "200ms"]);
    assertEquals(code, 0);
    assertEquals(json.errors, { timeout: json.requests });
    // Each worker times out back to back: about 1 s / 200 ms = 5 each.
    assert(json.requests >= 12 && json.requests <= 18, `requests ${json.requests}`);
    assertEquals(server.connections(), json.requests);
    // Exactly the limit: the histogram's 3 significant digits read 200 ms back as 199.936 at least.
    assert(json.latency_ms.min >= 199.8, `min ${json.latency_ms.min}`);
    assert(json.latency_ms.max <= 200.2, `max ${json.latency_ms.max}`);
  } finally {
    await server.stop();
  }
});

Deno.test("a server that answers with something that is not HTTP is counted as protocol_error", async () => {
  const server = tcpServer(async (conn) => {
    await conn.read(new Uint8Array(1024));
    await conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
  });
  try {
    const { code, json } = await runJson([server.url, "-n", "15", "-c", "3"]);
    assertEquals(code, 0);
    assertEquals(json.errors, { protocol_error: 15 });
    assertEquals(server.connections(), 15);
  } finally {
    await server.stop();
  }
});

Deno.test("a timed-out request does not hold up the end of a -d run", async () => {
  const server = tcpServer(async (conn) => {
    await conn.read(new Uint8Array(1024));
    await new Promise((r) => setTimeout(r, 3000));
  });
  try {
    const started = performance.now();
    const { json } = await runJson([server.url, "-d", "300ms", "-c", "1", "--timeout", "1s"]);
    assertEquals(json.errors, { timeout: 1 });
    assertLess(performance.now() - started, 2900);
  } finally {
    await server.stop();
  }
});
