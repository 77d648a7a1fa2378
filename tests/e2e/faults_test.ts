// Faults at the target are data: each is counted under its reason, the run goes on, counts stay exact.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, rawServer, runJson, salvo, tcpServer } from "./support.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("a reset in the middle of a response is connection_reset, and the worker reconnects", async () => {
  const net = await import("node:net");
  let requests = 0;
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.on("data", () => {
      requests++;
      socket.write(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial",
        () => setTimeout(() => socket.resetAndDestroy(), 20),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const { json } = await runJson([
      `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
      "-n",
      "12",
      "-c",
      "3",
    ]);
    assertEquals(json.requests, 12);
    assertEquals(json.errors, { connection_reset: 12 });
    assertEquals(requests, 12);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

Deno.test("a stall in the middle of a body is a timeout", async () => {
  const server = rawServer(async (_, conn) => {
    await conn.write(enc("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"));
    return true; // and never send the other 90 bytes
  });
  try {
    const { json } = await runJson([server.url, "-n", "4", "-c", "2", "--timeout", "300ms"]);
    assertEquals(json.errors, { timeout: 4 });
    assertEquals(server.requests(), 4);
  } finally {
    await server.stop();
  }
});

Deno.test("a chunked body with a bad chunk size is a protocol_error", async () => {
  const server = rawServer(async (_, conn) => {
    await conn.write(
      enc(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nbad\r\n0\r\n\r\n",
      ),
    );
    return true;
  });
  try {
    const { json } = await runJson([server.url, "-n", "6", "-c", "2"]);
    assertEquals(json.errors, { protocol_error: 6 });
    assertEquals(server.requests(), 6);
  } finally {
    await server.stop();
  }
});

Deno.test("a server that closes kept-alive connections after 3 requests loses no request", async () => {
  const server = rawServer(async (n, conn) => {
    await conn.write(enc("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    return n % 3 !== 0; // every third answer, close without saying so
  });
  try {
    const { json } = await runJson([server.url, "-n", "300", "-c", "4"]);
    assertEquals(json.requests, 300);
    assertEquals(json.successes, 300);
    assertEquals(server.requests(), 300);
  } finally {
    await server.stop();
  }
});

Deno.test("Connection: close on every response is honoured: one request per connection", async () => {
  const server = rawServer(async (_, conn) => {
    await conn.write(enc("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
    return false;
  });
  try {
    const { json } = await runJson([server.url, "-n", "50", "-c", "2"]);
    assertEquals(json.successes, 50);
    assertEquals(server.requests(), 50);
    assertEquals(server.connections(), 50);
  } finally {
    await server.stop();
  }
});

for (const [label, size, n] of [["1 MiB", 1 << 20, 20], ["100 MiB", 100 << 20, 2]] as const) {
  Deno.test(`${label} bodies are read whole and counted in bytes`, async () => {
    const body = new Uint8Array(size);
    let count = 0;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
      count++;
      return new Response(body);
    });
    try {
      const { json } = await runJson([
        `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`,
        "-n",
        String(n),
        "-c",
        "2",
      ]);
      assertEquals(json.successes, n);
      assertEquals(count, n);
      assert(json.bytes >= n * size && json.bytes < n * (size + 1024), `bytes ${json.bytes}`);
    } finally {
      await server.shutdown();
    }
  });
}

Deno.test("TLS with a certificate from a private CA: tls without trust, success with --cacert or --insecure", async () => {
  const fixtures = new URL("../fixtures/", import.meta.url);
  const cert = await Deno.readTextFile(new URL("localhost.crt", fixtures));
  const key = await Deno.readTextFile(new URL("localhost.key", fixtures));
  let count = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen: () => {} },
    () => {
      count++;
      return new Response("ok");
    },
  );
  const url = `https://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`;
  try {
    const untrusted = await runJson([url, "-n", "5", "-c", "1"]);
    assertEquals(untrusted.json.errors, { tls: 5 });
    assertEquals(count, 0);
    const trusted = await runJson([
      url,
      "-n",
      "5",
      "-c",
      "1",
      "--cacert",
      new URL("ca.crt", fixtures).pathname,
    ]);
    assertEquals(trusted.json.successes, 5);
    const insecure = await runJson([url, "-n", "5", "-c", "1", "--insecure"]);
    assertEquals(insecure.json.successes, 5);
    // -k is the short form of --insecure.
    const k = await runJson([url, "-n", "5", "-c", "1", "-k"]);
    assertEquals(k.json.successes, 5);
    assertEquals(count, 15);
  } finally {
    await server.shutdown();
  }
});

Deno.test("nothing listening: a summary with connection_refused, exit 0, and 1 with a threshold", async () => {
  const plain = await runJson(["http://127.0.0.1:1/", "-d", "1s"]);
  assertEquals(plain.code, 0);
  assertEquals(plain.json.errors, { connection_refused: plain.json.requests });
  assertEquals(plain.stderr, "");
  const gated = await runJson([
    "http://127.0.0.1:1/",
    "-d",
    "1s",
    "--threshold",
    "success_rate>=99%",
  ]);
  assertEquals(gated.code, 1);
  assert(!/\n\s+at /.test(gated.stderr), "no stack trace");
});

for (const c of [1, 500]) {
  Deno.test(`a 200 ms --timeout against a server that never answers fires within 5 ms, at -c ${c}`, async () => {
    const server = tcpServer(async (conn) => {
      // Read the request and never answer: the connection stays open until salvo cuts it.
      const buf = new Uint8Array(4096);
      while ((await conn.read(buf)) !== null) { /* keep reading */ }
    });
    try {
      const { json } = await runJson([
        server.url,
        ...["-n", String(c), "-c", String(c), "--timeout", "200ms"],
      ]);
      assertEquals(json.requests, c);
      assertEquals(json.errors, { timeout: c });
      // The histogram keeps 3 significant digits: 200 ms reads back as 199.936 at the least.
      assert(json.latency_ms.min >= 199.8, `fired early: ${json.latency_ms.min} ms`);
      assert(json.latency_ms.max <= 205, `fired late: ${json.latency_ms.max} ms`);
      // A cut exchange is recorded as ending at its limit, so the latency cannot show a late cut:
      // the run's length does (a watchdog that slept a whole timeout past a deadline makes it 400 ms;
      // at -c 500 the connects alone take ~100 ms, too near that to tell).
      if (c === 1) assert(json.duration_s < 0.3, `the run took ${json.duration_s} s`);
    } finally {
      await server.stop();
    }
  });
}

Deno.test("a server that closes before answering, or mid-body, is connection_closed", async () => {
  const before = rawServer(() => Promise.resolve(false));
  const midBody = rawServer(async (_n, conn) => {
    await conn.write(enc("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly some"));
    return false;
  });
  try {
    for (const server of [before, midBody]) {
      const { json } = await runJson([server.url, "-n", "6", "-c", "2"]);
      assertEquals(json.errors, { connection_closed: 6 });
      assertEquals(server.requests(), 6);
    }
  } finally {
    await before.stop();
    await midBody.stop();
  }
});

Deno.test("--timeout 720h (past a timer's 2³¹ ms): no timer warning, requests and a cross-origin redirect not cut", async () => {
  const target = countingServer();
  const redirecting = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(null, { status: 302, headers: { location: `${target.url}/there` } }),
  );
  try {
    const from = `http://127.0.0.1:${(redirecting.addr as Deno.NetAddr).port}/`;
    const r = await salvo(
      [
        "run",
        from,
        "--timeout",
        "720h",
        "--follow-redirects=any",
        "-n",
        "50",
        "-c",
        "2",
        "-o",
        "json",
      ],
    );
    assertEquals(r.code, 0, r.stderr);
    assert(!/TimeoutOverflow|Warning/i.test(r.stderr), r.stderr.slice(0, 500));
    const j = JSON.parse(r.stdout);
    assertEquals([j.requests, j.successes, target.count()], [50, 50, 50]);
  } finally {
    await target.stop();
    await redirecting.shutdown();
  }
});
