// Resending after a connection closed before an answer: only idempotent methods, once, each resend
// counted, so salvo's counts add up to what the server received (RFC 9110 §9.2.2).
import { assert, assertEquals } from "../assert.ts";
import { runJson, tcpServer } from "./support.ts";

const encoder = new TextEncoder();
const ok = encoder.encode("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n");

/**
 * An HTTP/1.1 server that counts every request it reads, by method and path, bodies included. Paths
 * in `closing` are read whole and answered by closing the connection, as a handler that crashed would.
 */
const closingServer = (closing: ReadonlyArray<string>) => {
  const seen = new Map<string, number>();
  const server = tcpServer(async (conn) => {
    const buf = new Uint8Array(65536);
    let pending = new Uint8Array(0);
    for (;;) {
      const text = new TextDecoder().decode(pending);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const head = text.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length >= end + 4 + length) {
          const [method, path] = head.split(" ");
          const key = `${method} ${path}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          pending = pending.slice(end + 4 + length);
          if (closing.includes(path!)) return;
          await conn.write(ok);
          continue;
        }
      }
      const n = await conn.read(buf);
      if (n === null) return;
      const more = new Uint8Array(pending.length + n);
      more.set(pending);
      more.set(buf.subarray(0, n), pending.length);
      pending = more;
    }
  });
  return { ...server, seen: (key: string) => seen.get(key) ?? 0 };
};

const targetsFile = async (lines: string): Promise<string> => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/targets.txt`, lines);
  return `${dir}/targets.txt`;
};

Deno.test("a POST whose connection closes before an answer is never sent again: the server's count is salvo's", async () => {
  const s = closingServer(["/reset"]);
  try {
    const file = await targetsFile(`GET ${s.url}/health\n\nPOST ${s.url}/reset\n`);
    const { code, json } = await runJson(
      ["--targets", file, "-c", "1", "-n", "100", "--body", "pay=1"],
    );
    assertEquals(code, 0);
    assertEquals(json.requests, 100);
    // Every POST failed as it went: the server read each once and answered none.
    assertEquals([s.seen("POST /reset"), s.seen("GET /health")], [50, 50]);
    assertEquals([json.errors.connection_closed, json.successes, json.retried], [50, 50, 0]);
    assert(/not sent again/.test(json.error_messages.connection_closed), json.error_messages);
  } finally {
    await s.stop();
  }
});

Deno.test("open model: a POST is sent once per arrival whatever the server does with the connection", async () => {
  const s = closingServer(["/reset"]);
  try {
    const file = await targetsFile(`GET ${s.url}/health\n\nPOST ${s.url}/reset\n`);
    const { code, json } = await runJson(
      ["--targets", file, "--rate", "200", "-d", "1s", "--body", "pay=1", "-t", "1"],
    );
    assertEquals(code, 0);
    assertEquals(json.retried, 0);
    assertEquals(s.seen("POST /reset") + s.seen("GET /health"), json.requests);
    assertEquals(s.seen("POST /reset"), json.errors.connection_closed);
  } finally {
    await s.stop();
  }
});

Deno.test("a GET whose kept-alive connection closes before an answer is sent again once, and counted as retried", async () => {
  const s = closingServer(["/flaky"]);
  try {
    const file = await targetsFile(`GET ${s.url}/health\n\nGET ${s.url}/flaky\n`);
    const { code, json } = await runJson(["--targets", file, "-c", "1", "-n", "40"]);
    assertEquals(code, 0);
    assertEquals(json.requests, 40);
    // Each /flaky went out twice (the second time on a new connection, which closed as well).
    assertEquals([s.seen("GET /flaky"), s.seen("GET /health")], [40, 20]);
    assertEquals([json.retried, json.errors.connection_closed], [20, 20]);
    assertEquals(s.seen("GET /flaky") + s.seen("GET /health"), json.requests + json.retried);
  } finally {
    await s.stop();
  }
});

Deno.test("--no-retry: not even a GET is sent again", async () => {
  const s = closingServer(["/flaky"]);
  try {
    const file = await targetsFile(`GET ${s.url}/health\n\nGET ${s.url}/flaky\n`);
    const { code, json } = await runJson(["--targets", file, "-c", "1", "-n", "40", "--no-retry"]);
    assertEquals(code, 0);
    assertEquals([s.seen("GET /flaky"), s.seen("GET /health")], [20, 20]);
    assertEquals([json.retried, json.errors.connection_closed], [0, 20]);
  } finally {
    await s.stop();
  }
});
