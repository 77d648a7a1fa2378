// The response parser at its edges: every status digit, HTTP/1.0, header tokens at a value's ends, limits at their exact sizes, hex in either case.
import { ProtocolError, ResponseParser } from "../../src/engine/response_parser.ts";
import { assert, assertEquals } from "../assert.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** Parses `text` as one response fed whole: status, close, bytes taken, or the error it threw. */
const parse = (text: string, opts: { head?: boolean; location?: boolean } = {}) => {
  const p = new ResponseParser();
  p.begin(opts.head ?? false);
  p.wantLocation = opts.location ?? false;
  const bytes = enc(text);
  try {
    const at = p.advance(bytes, 0, bytes.length);
    if (!p.done) p.finishAtClose();
    return { status: p.status, close: p.close, taken: p.done ? at : -1, location: p.location };
  } catch (e) {
    if (e instanceof ProtocolError) return { error: e.message };
    throw e;
  }
};

const ok = (status: string, more = "") =>
  `HTTP/1.1 ${status} X\r\nContent-Length: 0\r\n${more}\r\n`;

Deno.test("parser: every final status from 200 to 999 is read digit by digit; a first digit 0 or a non-digit is refused", () => {
  for (const s of ["200", "204", "218", "302", "404", "459", "503", "599", "999", "290", "909"]) {
    assertEquals(parse(ok(s)).status, Number(s), s);
  }
  for (const s of ["099", "000", "2x0", "20x", "/00", ":00", "2:0", "20:", "2/0", "20/"]) {
    assert("error" in parse(ok(s)), `${s} accepted`);
  }
});

Deno.test("parser: a status line shorter than 'HTTP/1.1 200' is refused; exactly that long is read", () => {
  assertEquals(parse("HTTP/1.1 204\r\nContent-Length: 0\r\n\r\n").status, 204);
  assert("error" in parse("HTTP/1.1 20\r\nContent-Length: 0\r\n\r\n"));
});

Deno.test("parser: HTTP/1.0 closes unless it says keep-alive; HTTP/1.1 keeps alive unless it says close", () => {
  assertEquals(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").close, true);
  assertEquals(
    parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").close,
    false,
  );
  assertEquals(parse(ok("200")).close, false);
  assertEquals(parse(ok("200", "Connection: close\r\n")).close, true);
  assertEquals(parse(ok("200", "Connection:close\r\n")).close, true, "no space after the colon");
  assertEquals(parse(ok("200", "Connection: upgrade, close\r\n")).close, true, "the last token");
});

Deno.test("parser: chunked as the last or only coding; a Location read whole when asked", () => {
  const body = "5\r\nhello\r\n0\r\n\r\n";
  for (const te of ["chunked", "gzip, chunked", "chunked ", "chunked,gzip"]) {
    const text = `HTTP/1.1 200 OK\r\nTransfer-Encoding:${te}\r\n\r\n${body}`;
    assertEquals(parse(text).taken, enc(text).length, te);
  }
  const loc = parse(ok("302", "Location: /next?a=1\r\n"), { location: true });
  assertEquals(loc.location, "/next?a=1");
  assertEquals(parse(ok("302", "Location:/x\r\n"), { location: true }).location, "/x");
  assertEquals(parse(ok("302", "Location:\r\n"), { location: true }).location, "");
});

Deno.test("parser: Content-Length up to 15 digits, chunk sizes up to 12 hex digits in either case", () => {
  const fifteen = "HTTP/1.1 200 OK\r\nContent-Length: 000000000000005\r\n\r\nhello";
  assertEquals(parse(fifteen).taken, enc(fifteen).length);
  assert("error" in parse("HTTP/1.1 200 OK\r\nContent-Length: 0000000000000005\r\n\r\nhello"));
  for (const size of ["a", "A", "f", "F", "00000000000a", "9"]) {
    const n = parseInt(size, 16);
    const text = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\n${
      "x".repeat(n)
    }\r\n0\r\n\r\n`;
    assertEquals(parse(text).taken, enc(text).length, size);
  }
  for (const size of ["0000000000005", "g", "G", "@", "`", "/", ":"]) {
    const text =
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nxxxxx\r\n0\r\n\r\n`;
    assert("error" in parse(text), `chunk size ${size} accepted`);
  }
});

Deno.test("parser: an unfinished head may grow to 65,535 bytes, one more is too large; an unfinished framing line to 8,192", () => {
  /** Feeds `text` (no line end in sight) and says whether the parser gave up. */
  const refuses = (text: string) => {
    const p = new ResponseParser();
    p.begin(false);
    const b = enc(text);
    try {
      p.advance(b, 0, b.length);
      return false;
    } catch (e) {
      if (e instanceof ProtocolError) return true;
      throw e;
    }
  };
  const head = "HTTP/1.1 200 OK\r\nX-Pad: ";
  assertEquals(refuses(head + "p".repeat(65535 - head.length)), false);
  assertEquals(refuses(head + "p".repeat(65536 - head.length)), true);
  assertEquals(refuses("HTTP/1.1 200" + "p".repeat(65535 - 12)), false, "in the status line");
  assertEquals(refuses("HTTP/1.1 200" + "p".repeat(65536 - 12)), true, "in the status line");
  const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  assertEquals(refuses(chunked + "1;" + "e".repeat(8190)), false);
  assertEquals(refuses(chunked + "1;" + "e".repeat(8191)), true);
  assertEquals(refuses(chunked + "1\r\nx\r\n0\r\nX-T: " + "t".repeat(8187)), false, "a trailer");
  assertEquals(refuses(chunked + "1\r\nx\r\n0\r\nX-T: " + "t".repeat(8188)), true, "a trailer");
});

Deno.test("parser: a framing line that is a bare LF at the very start of a new buffer: an empty trailer line ends the response, an empty chunk size is refused", () => {
  const p = new ResponseParser();
  p.begin(false);
  const head = enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
  assertEquals(p.advance(head, 0, head.length), head.length);
  assertEquals(p.advance(enc("\n"), 0, 1), 1);
  assert(p.done, "the empty trailer line did not end the response");
  const q = new ResponseParser();
  q.begin(false);
  const h2 = enc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  assertEquals(q.advance(h2, 0, h2.length), h2.length);
  let refused = false;
  try {
    q.advance(enc("\nxx"), 0, 3);
  } catch (e) {
    refused = e instanceof ProtocolError;
  }
  assert(refused, "an empty chunk-size line was not refused");
});

Deno.test("parser: lines ended by a bare LF: a 12-byte status line, 'chunked' ending its value at the LF, chunk-size and trailer lines", () => {
  assertEquals(parse("HTTP/1.1 204\nContent-Length: 0\n\n").status, 204);
  const text = "HTTP/1.1 200 OK\ntransfer-encoding: chunked\n\n1\nx\r\n0\n\n";
  assertEquals(parse(text), {
    status: 200,
    close: false,
    taken: enc(text).length,
    location: undefined,
  });
});

Deno.test("parser: a header's tokens are looked for in its own value only, not in the next line", () => {
  const text =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nX: chunked\r\nContent-Length: 2\r\n\r\nok";
  assertEquals(parse(text).taken, enc(text).length);
});

Deno.test("parser: a response that starts with a bare LF is refused at once", () => {
  assertEquals(parse("\nHTTP/1.1 200 OK\r\n\r\n"), { error: "response is not HTTP/1.x" });
});

Deno.test("parser: a head that starts deep in the buffer is measured from its own start", () => {
  const at = 40_000;
  /** Feeds `text` placed `at` bytes into a buffer; what the parser made of it. */
  const from = (text: string) => {
    const bytes = new Uint8Array(at + text.length);
    bytes.set(enc(text), at);
    const p = new ResponseParser();
    p.begin(false);
    try {
      return { next: p.advance(bytes, at, bytes.length), done: p.done };
    } catch (e) {
      if (e instanceof ProtocolError) return { error: e.message };
      throw e;
    }
  };
  // 30,000 bytes of an unfinished head: waiting for more, not too large (40,000 + 30,000 would be).
  assertEquals(from("HTTP/1.1 200" + "p".repeat(30_000 - 12)), { next: at, done: false });
  assertEquals(from("HTTP/1.1 200 OK\r\nX-Pad: " + "p".repeat(30_000)), { next: at, done: false });
  assertEquals(from("HTTP/1.1 20\n\n"), { error: "response is not HTTP/1.x" });
  const whole = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  assertEquals(from(whole), { next: at + whole.length, done: true });
});

Deno.test("parser: kept heads say Set-Cookie and read Location, empty or not, ended by CRLF or a bare LF", () => {
  for (const eol of ["\r\n", "\n"]) {
    for (const value of ["", " a=b"]) {
      const p = new ResponseParser();
      p.keep = true;
      p.wantLocation = true;
      p.begin(false);
      const head = enc(
        `HTTP/1.1 302 Found${eol}Server: x${eol}Set-Cookie:${value}${eol}Location:${value}${eol}Content-Length: 0${eol}${eol}`,
      );
      p.advance(head, 0, head.length);
      assertEquals(
        [p.done, p.setCookie, p.location],
        [true, true, value.trim()],
        JSON.stringify([eol, value]),
      );
      assertEquals(new TextDecoder().decode(p.headBytes), new TextDecoder().decode(head));
    }
  }
  // Without keep, Set-Cookie is not looked for.
  assertEquals(parse(ok("200", "Set-Cookie: a=b\r\n")).status, 200);
});
