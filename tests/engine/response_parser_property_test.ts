// The response parser gives the same result however the bytes are split across reads.
import fc from "fast-check";
import { ProtocolError, ResponseParser } from "../../src/engine/response_parser.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * Feeds `bytes` in pieces cut at `cuts` to `p` (a new parser unless given); returns the status and how
 * many bytes the response took. The
 * buffer starts `offset` bytes into its memory, and every byte not yet received is an LF: the parser
 * scans a word at a time, and must neither misalign nor look past what it was given.
 */
const feed = (
  bytes: Uint8Array,
  cuts: ReadonlyArray<number>,
  head = false,
  offset = 0,
  p = new ResponseParser(),
) => {
  p.begin(head);
  const buf = new Uint8Array(new ArrayBuffer(bytes.length + offset + 8), offset, bytes.length);
  new Uint8Array(buf.buffer).fill(10);
  let start = 0, end = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut <= end) continue;
    buf.set(bytes.subarray(end, cut), end);
    end = cut;
    start = p.advance(buf, start, end);
    if (p.done) return { status: p.status, consumed: start, close: p.close };
  }
  p.finishAtClose();
  return { status: p.status, consumed: p.done ? end : -1, close: p.close };
};

const chunked = (parts: ReadonlyArray<string>) =>
  parts.map((x) => `${enc(x).length.toString(16)}\r\n${x}\r\n`).join("") +
  "0\r\nX-Trailer: 1\r\n\r\n";

const arbResponse = fc.oneof(
  fc.tuple(fc.string(), fc.nat(9)).map(([body, pad]) => ({
    text: `HTTP/1.1 200 OK\r\nServer: t${"x".repeat(pad)}\r\nContent-Length: ${
      enc(body).length
    }\r\n\r\n${body}`,
    status: 200,
    close: false,
  })),
  fc.array(fc.string({ minLength: 1 }), { maxLength: 5 }).map((parts) => ({
    text: `HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n${chunked(parts)}`,
    status: 201,
    close: false,
  })),
  fc.constant({
    text: "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
    status: 204,
    close: false,
  }),
  fc.constant({
    text:
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
    status: 200,
    close: true,
  }),
  fc.string().map((body) => ({ text: `HTTP/1.0 200 OK\r\n\r\n${body}`, status: 200, close: true })),
  // Chunks of 16 bytes and more: sizes with two or three hex digits, letters included (0x1a, 0x10f).
  fc.array(fc.string({ minLength: 16, maxLength: 300 }), { minLength: 1, maxLength: 3 }).map((
    parts,
  ) => ({
    text: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(parts)}`,
    status: 200,
    close: false,
  })),
  // HTTP/1.0 that asks to keep the connection: it stays open.
  fc.string().map((body) => ({
    text: `HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: ${
      enc(body).length
    }\r\n\r\n${body}`,
    status: 200,
    close: false,
  })),
  // 304 Not Modified has no body, whatever its Content-Length says.
  fc.constant({
    text: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: "x"\r\n\r\n',
    status: 304,
    close: false,
  }),
);

Deno.test("response parser: any split of a response parses to the same status and length", () => {
  fc.assert(
    fc.property(arbResponse, fc.array(fc.nat(400), { maxLength: 8 }), fc.nat(7), (r, cuts, at) => {
      const bytes = enc(r.text);
      const sorted = [...cuts].map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
      const got = feed(bytes, sorted, false, at);
      assertEquals(got.status, r.status);
      assertEquals(got.consumed, bytes.length);
      assertEquals(got.close, r.close);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("response parser: a response to HEAD has no body whatever its Content-Length", () => {
  const head = enc("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  assertEquals(feed(head, [], true), { status: 200, consumed: head.length, close: false });
});

Deno.test("response parser: a body cut short by close is not complete", () => {
  assertEquals(feed(enc("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), []).consumed, -1);
});

Deno.test("response parser: bytes that are not HTTP are a protocol error", () => {
  for (
    const junk of [
      "SSH-2.0-OpenSSH\r\n\r\n",
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
    ]
  ) {
    assertThrows(() => feed(enc(junk), []), junk);
  }
  const p = new ResponseParser();
  p.begin(false);
  const bad = enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  try {
    p.advance(bad, 0, bad.length);
    assert(false, "bad chunk size accepted");
  } catch (e) {
    assert(e instanceof ProtocolError);
  }
});

Deno.test("response parser: kept, any split of a response gives its whole body (chunk framing removed), and a next response's body alone", () => {
  const arbKept = fc.oneof(
    fc.string().map((body) => ({
      text: `HTTP/1.1 200 OK\r\nContent-Length: ${enc(body).length}\r\n\r\n${body}`,
      body,
    })),
    fc.array(fc.string({ minLength: 1 }), { maxLength: 5 }).map((parts) => ({
      text: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(parts)}`,
      body: parts.join(""),
    })),
    fc.string().map((body) => ({ text: `HTTP/1.0 200 OK\r\n\r\n${body}`, body })),
  );
  fc.assert(
    fc.property(arbKept, fc.array(fc.nat(400), { maxLength: 8 }), (r, cuts) => {
      const bytes = enc(r.text);
      const sorted = [...cuts].map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
      const p = new ResponseParser();
      p.keep = true;
      for (const round of [0, 1]) {
        assertEquals(feed(bytes, sorted, false, 0, p).consumed, bytes.length, `round ${round}`);
        assertEquals(new TextDecoder().decode(p.body()), r.body, `round ${round}`);
      }
    }),
    { numRuns: 500 },
  );
});
