// How requests travel: a connection per request (--no-keepalive), another address (--connect-to), a
// unix socket (--unix-socket); each against a real server that counts what it saw.
import { assert, assertEquals } from "../assert.ts";
import { type Json, rawServer, salvo } from "./support.ts";

const fixtures = new URL("../fixtures/", import.meta.url).pathname;
const cert = await Deno.readTextFile(`${fixtures}localhost.crt`);
const key = await Deno.readTextFile(`${fixtures}localhost.key`);

/**
 * A server that counts requests, the connections it accepted, and the Host headers it was sent. Each
 * accept is counted (not each distinct remote address: the kernel may hand a closed connection's
 * port to a later one).
 */
const server = async (options: { tls?: boolean; path?: string } = {}) => {
  const http = await import("node:http");
  const https = await import("node:https");
  let requests = 0;
  let connections = 0;
  const hosts = new Set<string>();
  const handler = (
    req: { headers: Record<string, unknown> },
    res: { end: (b: string) => void },
  ) => {
    requests++;
    hosts.add(String(req.headers.host ?? ""));
    res.end("ok\n");
  };
  const s = options.tls ? https.createServer({ cert, key }, handler) : http.createServer(handler);
  s.on(options.tls ? "secureConnection" : "connection", () => connections++);
  await new Promise<void>((resolve) =>
    options.path !== undefined ? s.listen(options.path, resolve) : s.listen(0, "127.0.0.1", resolve)
  );
  const port = options.path === undefined ? (s.address() as { port: number }).port : 0;
  return {
    port,
    requests: () => requests,
    connections: () => connections,
    hosts: () => [...hosts],
    stop: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  };
};

const json = async (
  args: ReadonlyArray<string>,
): Promise<{ code: number; j: Json; stderr: string }> => {
  const r = await salvo(["run", ...args, "-q", "-o", "json"]);
  return { code: r.code, j: r.code === 2 ? undefined : JSON.parse(r.stdout), stderr: r.stderr };
};

Deno.test("--no-keepalive: a new connection per request as the server counted, each connect timed", async () => {
  const s = await server();
  try {
    const url = `http://127.0.0.1:${s.port}/`;
    const kept = await json([url, "-n", "200", "-c", "4", "-t", "1"]);
    assertEquals(kept.code, 0, kept.stderr);
    assert(s.connections() <= 4, `${s.connections()} connections kept alive`);
    assertEquals(kept.j.connect_ms, undefined);
    const r = await json([url, "-n", "200", "-c", "4", "-t", "2", "--no-keepalive"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.j.requests, 200);
    assertEquals(s.requests(), 400);
    // The 4 kept-alive ones, then one per request.
    assertEquals(s.connections(), 4 + 200);
    assertEquals(r.j.connect_ms.count, 200);
    assert(
      r.j.connect_ms.p50 > 0 && r.j.connect_ms.p50 <= r.j.connect_ms.max,
      JSON.stringify(r.j.connect_ms),
    );
    assertEquals(r.j.tls_handshake_ms, undefined);
    const text = await salvo(["run", url, "-n", "20", "-c", "2", "--no-keepalive", "-q"]);
    assert(/\n {2}connect +20 · p50 /.test(text.stdout), text.stdout);
  } finally {
    await s.stop();
  }
});

Deno.test("--no-keepalive closes after each response even when the server would keep the connection", async () => {
  // Answers every request it reads and keeps the connection, whatever the request asked.
  const s = rawServer(async (_, conn) => {
    await conn.write(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"));
    return true;
  });
  try {
    const r = await json([s.url, "-n", "40", "-c", "2", "--no-keepalive"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals([r.j.successes, s.requests(), s.connections()], [40, 40, 40]);
  } finally {
    await s.stop();
  }
});

Deno.test("--no-keepalive over https: the TCP connect and the TLS handshake timed apart", async () => {
  const s = await server({ tls: true });
  try {
    const r = await json([
      `https://localhost:${s.port}/`,
      ...["--cacert", `${fixtures}ca.crt`, "-n", "50", "-c", "2", "--no-keepalive"],
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals([r.j.successes, s.requests(), s.connections()], [50, 50, 50]);
    assertEquals(r.j.connect_ms.count, 50);
    assertEquals(r.j.tls_handshake_ms.count, 50);
    assert(r.j.tls_handshake_ms.p50 > 0, JSON.stringify(r.j.tls_handshake_ms));
  } finally {
    await s.stop();
  }
});

Deno.test("--connect-to: sent to another address, the URL's host in Host and verified by TLS", async () => {
  const plain = await server();
  const tls = await server({ tls: true });
  try {
    const r = await json([
      "http://api.example.test:8080/x",
      ...["--connect-to", `127.0.0.1:${plain.port}`, "-n", "30", "-c", "3"],
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals([r.j.successes, plain.requests()], [30, 30]);
    assertEquals(plain.hosts(), ["api.example.test:8080"]);
    // Nothing listens on localhost:9: only --connect-to's address can answer; the certificate is
    // checked against the URL's name (localhost).
    const ok = await json([
      "https://localhost:9/",
      ...["--connect-to", `127.0.0.1:${tls.port}`, "--cacert", `${fixtures}ca.crt`, "-n", "20"],
    ]);
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals([ok.j.successes, tls.requests()], [20, 20]);
    assertEquals(tls.hosts(), ["localhost:9"]);
    // The same address under a name the certificate does not carry: refused by TLS, never sent.
    const wrong = await json([
      "https://other.example.test/",
      ...["--connect-to", `127.0.0.1:${tls.port}`, "--cacert", `${fixtures}ca.crt`, "-n", "5"],
    ]);
    assertEquals([wrong.code, wrong.j.failures, wrong.j.errors.tls], [0, 5, 5]);
    assertEquals(tls.requests(), 20);
  } finally {
    await plain.stop();
    await tls.stop();
  }
});

Deno.test("--unix-socket: HTTP/1.1 over a unix socket, Host from the URL; bad sockets exit 2", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/api.sock`;
  const s = await server({ path });
  try {
    const r = await json(["http://svc.local/items", "--unix-socket", path, "-n", "100", "-c", "4"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals([r.j.successes, s.requests()], [100, 100]);
    assertEquals(s.hosts(), ["svc.local"]);
    const missing = await salvo(["run", "http://svc.local/", "--unix-socket", `${dir}/none.sock`]);
    assertEquals(missing.code, 2);
    assert(
      /^salvo: --unix-socket: no socket at '.*none\.sock'.*\n$/.test(missing.stderr),
      missing.stderr,
    );
    const notSocket = await salvo(["run", "http://svc.local/", "--unix-socket", dir]);
    assertEquals([notSocket.code, notSocket.stderr], [
      2,
      `salvo: --unix-socket: '${dir}' is not a socket\n`,
    ]);
    const https = await salvo(["run", "https://svc.local/", "--unix-socket", path]);
    assertEquals(https.code, 2);
    assertEquals(
      https.stderr,
      "salvo: --unix-socket carries http:// only, in clear; the URL is https://\n",
    );
    const badTo = await salvo(["run", "http://svc.local/", "--connect-to", "nowhere"]);
    assertEquals(
      badTo.stderr,
      "salvo: --connect-to: 'nowhere' is not HOST:PORT, like 127.0.0.1:8080\n",
    );
    assertEquals(s.requests(), 100);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
