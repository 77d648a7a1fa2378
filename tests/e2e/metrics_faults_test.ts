// The metrics never cost the run: a remote-write receiver that refuses, fails or hangs is counted and
// said in one line, the exit code unchanged unless --metrics-required; a listen address that cannot be
// had, and every malformed metrics flag, is one line and exit 2 before any request.
import { assert, assertEquals } from "../assert.ts";
import { closedPort, countingServer, runJson, salvo, startServe, tcpServer } from "./support.ts";

const notDelivered =
  /^salvo: --metrics-push (\S+): (\d+) of (\d+) points not delivered \(last: ([^)]+)\)\n$/;

/**
 * A run of a second (or `flags` instead) against a counting target, pushing to `pushUrl`: its exit code,
 * the line that says what was lost (the test fails without it), and the time it took. The run itself is
 * whole whatever the receiver does: the summary's requests are the target's count.
 */
const pushRun = async (pushUrl: string, flags: ReadonlyArray<string>) => {
  const target = countingServer();
  try {
    const t0 = performance.now();
    const r = await runJson([target.url, "-c", "2", "--metrics-push", pushUrl, ...flags]);
    const tookMs = performance.now() - t0;
    assertEquals(r.json.requests, target.count());
    assert(!JSON.stringify(r.json).includes("s3cret"), "no secret in the JSON");
    const m = notDelivered.exec(r.stderr);
    assert(m !== null, `stderr: ${r.stderr}`);
    return {
      code: r.code,
      shown: m[1]!,
      lost: Number(m[2]),
      of: Number(m[3]),
      why: m[4]!,
      stderr: r.stderr,
      tookMs,
    };
  } finally {
    await target.stop();
  }
};

const everySecond = ["-d", "1s", "--metrics-interval", "200ms"];

Deno.test("a receiver that refuses connections: the run is whole, exit 0, one line counts the points lost", async () => {
  const port = closedPort();
  const r = await pushRun(`http://127.0.0.1:${port}/api/v1/write`, everySecond);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.shown, `http://127.0.0.1:${port}/api/v1/write`);
  // Every push lost: one every 200 ms over about a second, and the last one at the end.
  assertEquals(r.lost, r.of);
  assert(r.lost >= 5 * 20, `only ${r.lost} points`);
  assertEquals(r.why, "connection refused");
});

Deno.test("a receiver that answers 500 with --metrics-required: exit 3 after a whole summary; retried, never lost silently", async () => {
  const receiver = countingServer(0, () => 500);
  try {
    const r = await pushRun(`${receiver.url}/api/v1/write`, [...everySecond, "--metrics-required"]);
    assertEquals(r.code, 3, r.stderr);
    assertEquals(r.why, "the receiver answered 500");
    assert(receiver.count() >= 5, `the receiver saw ${receiver.count()} pushes`);
  } finally {
    await receiver.stop();
  }
});

Deno.test("a receiver that never answers delays the end by at most one push timeout", async () => {
  // Reads what comes and never answers.
  const hang = tcpServer(async (conn) => {
    const buf = new Uint8Array(4096);
    while ((await conn.read(buf)) !== null) { /* silence */ }
  });
  try {
    const r = await pushRun(`${hang.url}/api/v1/write`, [
      "-d",
      "1s",
      "--metrics-interval",
      "500ms",
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.why, "no answer within 500 ms");
    // Start-up, 1 s of load, then at most the 500 ms the last push may take (and slack for a busy machine).
    assert(r.tookMs < 9000, `took ${r.tookMs} ms`);
  } finally {
    await hang.stop();
  }
});

Deno.test("credentials in the push URL go as a Basic header and are never printed", async () => {
  let auth = "";
  let pushes = 0;
  const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    pushes++;
    auth = req.headers.get("authorization") ?? "";
    return new Response("no", { status: 400 });
  });
  try {
    const port = (receiver.addr as Deno.NetAddr).port;
    const r = await pushRun(`http://ci:s3cret-pw@127.0.0.1:${port}/w?token=t0ps3cret`, [
      "-n",
      "20",
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(auth, `Basic ${btoa("ci:s3cret-pw")}`);
    assert(!r.stderr.includes("s3cret"), r.stderr);
    // A 400 is final: each batch dropped at once, not retried (the first push and the last, no more).
    assertEquals(r.why, "the receiver answered 400");
    assert(pushes >= 1 && pushes <= 2, `${pushes} pushes`);
  } finally {
    await receiver.shutdown();
  }
});

Deno.test("--metrics-listen on a port in use: one line, exit 2, no request sent", async () => {
  const target = await startServe();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    const r = await salvo(["run", target.url, "-n", "10", "--metrics-listen", String(port)]);
    assertEquals(r.code, 2);
    assertEquals(r.stderr, `salvo: --metrics-listen 127.0.0.1:${port}: the port is in use\n`);
    assertEquals(await target.count(), 0);
  } finally {
    taken.close();
    await target.stop();
  }
});

Deno.test("--metrics-listen on an address not of this machine: one line, exit 2, no request sent", async () => {
  const target = await startServe();
  try {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never a local address.
    const r = await salvo(["run", target.url, "-n", "10", "--metrics-listen", "192.0.2.1:9464"]);
    assertEquals(r.code, 2);
    assertEquals(
      r.stderr,
      "salvo: --metrics-listen 192.0.2.1:9464: that address is not one of this machine's\n",
    );
    assertEquals(await target.count(), 0);
  } finally {
    await target.stop();
  }
});

Deno.test("a malformed metrics flag from the command line is one line and exit 2, sending nothing", async () => {
  const target = countingServer();
  try {
    const r = await salvo([
      "run",
      target.url,
      "-n",
      "1",
      "--metrics-listen",
      "9464",
      "--tag",
      "le=1",
    ]);
    assertEquals(r.code, 2);
    assertEquals(r.stderr, "salvo: --tag 'le': salvo or Prometheus sets that label itself\n");
    assertEquals(target.count(), 0);
  } finally {
    await target.stop();
  }
});
