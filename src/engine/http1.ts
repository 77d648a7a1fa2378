// A raw HTTP/1.1 keep-alive client over Deno.connect / Deno.connectTls: one connection, one reused buffer.
//
// The hot path. `exchange()` writes a pre-encoded request and reads exactly one response, handling
// Content-Length, chunked bodies, bodies delimited by close, responses without a body (HEAD, 1xx, 204,
// 304) and `Connection: close`. Failures throw a `TransportError` (or a Deno error) that the worker
// turns into a result with a reason; nothing here allocates per request except what Deno's read does.
import type { Reason } from "../domain/reason.ts";

export interface Endpoint {
  readonly hostname: string;
  readonly port: number;
  readonly tls: boolean;
  readonly caCerts?: ReadonlyArray<string>;
}

export class TransportError extends Error {
  constructor(readonly reason: Reason, message: string) {
    super(message);
  }
}

const CR = 13;
const LF = 10;
const bufferSize = 64 * 1024;

/** State of the body reader; `Chunk*` states walk a chunked body. */
const enum Body {
  None,
  Length,
  UntilClose,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
}

export class Connection {
  private conn: Deno.Conn | undefined;
  private readonly buf = new Uint8Array(bufferSize);
  private start = 0;
  private end = 0;
  /** Responses read on the current connection. */
  private served = 0;
  /** Set by the run's watchdog when the request in flight outlived its deadline. */
  timedOut = false;
  /** performance.now() after which the watchdog aborts the exchange; 0 when idle. */
  deadline = 0;
  private rejectConnect: ((e: Error) => void) | undefined;

  /** Status of the last response, and the bytes it took on the wire (head and body). */
  status = 0;
  bytes = 0;

  constructor(private readonly endpoint: Endpoint) {}

  /** Aborts the exchange in flight: closes the socket so the pending read or write rejects. */
  abort(): void {
    this.timedOut = true;
    this.rejectConnect?.(new TransportError("timeout", "connect timed out"));
    this.close();
  }

  close(): void {
    const c = this.conn;
    this.conn = undefined;
    this.start = this.end = 0;
    this.served = 0;
    if (c !== undefined) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
  }

  private async connect(): Promise<Deno.Conn> {
    const { hostname, port, tls, caCerts } = this.endpoint;
    const pending: Promise<Deno.Conn> = tls
      ? Deno.connectTls({ hostname, port, ...(caCerts ? { caCerts: [...caCerts] } : {}) })
      : Deno.connect({ hostname, port });
    const timeout = new Promise<never>((_, reject) => {
      this.rejectConnect = reject;
    });
    let conn: Deno.Conn;
    try {
      conn = await Promise.race([pending, timeout]);
    } catch (e) {
      // A connect that loses the race to the watchdog may still succeed later: close it then.
      pending.then((c) => c.close(), () => {});
      throw e;
    } finally {
      this.rejectConnect = undefined;
    }
    if (this.timedOut) {
      conn.close();
      throw new TransportError("timeout", "connect timed out");
    }
    if (!tls) (conn as Deno.TcpConn).setNoDelay(true);
    this.conn = conn;
    return conn;
  }

  /** Arms the watchdog for one exchange. */
  begin(deadline: number): void {
    this.timedOut = false;
    this.deadline = deadline;
  }

  /**
   * Sends `request` and reads one response into `status` and `bytes`. `head` marks a HEAD request,
   * whose response has no body whatever its headers say. A keep-alive connection that the server
   * closed while idle is re-opened once, silently: the server never saw the request.
   */
  async exchange(request: Uint8Array, head: boolean): Promise<void> {
    const reused = this.conn !== undefined;
    try {
      await this.exchangeOnce(request, head);
    } catch (e) {
      if (reused && !this.timedOut && e instanceof IdleClose) {
        this.close();
        await this.exchangeOnce(request, head);
      } else {
        throw e;
      }
    }
  }

  private async exchangeOnce(request: Uint8Array, head: boolean): Promise<void> {
    const conn = this.conn ?? await this.connect();
    let written = 0;
    try {
      while (written < request.length) {
        written += await conn.write(written === 0 ? request : request.subarray(written));
      }
    } catch (e) {
      if (this.served > 0 && isPeerClose(e)) throw new IdleClose();
      throw e;
    }
    await this.readResponse(conn, head);
  }

  /** Reads more bytes after `end`; returns false at end of stream. */
  private async fill(conn: Deno.Conn): Promise<boolean> {
    if (this.end === this.buf.length) {
      if (this.start === 0) throw new TransportError("protocol_error", "response head too large");
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    const n = await conn.read(this.end === 0 ? this.buf : this.buf.subarray(this.end));
    if (n === null) return false;
    this.end += n;
    this.bytes += n;
    return true;
  }

  private async readResponse(conn: Deno.Conn, head: boolean): Promise<void> {
    const buf = this.buf;
    this.bytes = this.end - this.start;
    // Head: find the blank line that ends it.
    let scan = this.start;
    let headEnd = -1;
    for (;;) {
      for (let i = Math.max(scan, this.start + 3); i < this.end; i++) {
        if (buf[i] === LF && buf[i - 1] === CR && buf[i - 2] === LF && buf[i - 3] === CR) {
          headEnd = i + 1;
          break;
        }
      }
      if (headEnd >= 0) break;
      scan = this.end;
      const before = this.start;
      if (!(await this.fill(conn))) {
        if (this.end === this.start && this.served > 0) throw new IdleClose();
        throw new TransportError(
          this.end === this.start ? "connection_closed" : "protocol_error",
          this.end === this.start
            ? "connection closed before a response"
            : "response head cut short",
        );
      }
      scan -= before - this.start;
    }
    // Status line: "HTTP/1.x NNN".
    const s = this.start;
    if (
      headEnd - s < 12 || buf[s] !== 72 || buf[s + 1] !== 84 || buf[s + 2] !== 84 ||
      buf[s + 3] !== 80 || buf[s + 4] !== 47 || buf[s + 5] !== 49 || buf[s + 6] !== 46 ||
      buf[s + 8] !== 32
    ) {
      throw new TransportError("protocol_error", "response is not HTTP/1.x");
    }
    const d0 = buf[s + 9]! - 48, d1 = buf[s + 10]! - 48, d2 = buf[s + 11]! - 48;
    if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      throw new TransportError("protocol_error", "bad status code");
    }
    const status = d0 * 100 + d1 * 10 + d2;
    const http10 = buf[s + 7] === 48;
    // Headers that frame the body.
    let contentLength = -1;
    let chunked = false;
    let close = http10;
    let line = s;
    while (buf[line] !== LF) line++;
    line++;
    while (line < headEnd - 2) {
      let eol = line;
      while (buf[eol] !== LF) eol++;
      const c = buf[line]! | 0x20;
      if (c === 99 /* c */ || c === 116 /* t */) {
        const colon = buf.indexOf(58, line);
        if (colon > line && colon < eol) {
          const name = headerName(buf, line, colon);
          if (name === Header.ContentLength) {
            let v = 0, digits = 0;
            for (let i = colon + 1; i < eol; i++) {
              const b = buf[i]!;
              if (b >= 48 && b <= 57) {
                v = v * 10 + b - 48;
                digits++;
              } else if (b !== 32 && b !== 9 && b !== CR) {
                throw new TransportError("protocol_error", "bad Content-Length");
              }
            }
            if (digits === 0) throw new TransportError("protocol_error", "bad Content-Length");
            contentLength = v;
          } else if (name === Header.TransferEncoding) {
            chunked = containsToken(buf, colon + 1, eol, "chunked");
          } else if (name === Header.Connection) {
            if (containsToken(buf, colon + 1, eol, "close")) close = true;
            else if (containsToken(buf, colon + 1, eol, "keep-alive")) close = false;
          }
        }
      }
      line = eol + 1;
    }
    this.start = headEnd;
    const noBody = head || status < 200 || status === 204 || status === 304;
    if (status < 200 && status !== 101) {
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      await this.readResponse(conn, head);
      this.bytes += headEnd - s;
      return;
    }
    let mode = noBody
      ? Body.None
      : chunked
      ? Body.ChunkSize
      : contentLength >= 0
      ? Body.Length
      : Body.UntilClose;
    let remaining = contentLength;
    while (mode !== Body.None) {
      if (this.start === this.end) {
        this.start = this.end = 0;
        if (!(await this.fill(conn))) {
          if (mode === Body.UntilClose) break;
          throw new TransportError("connection_closed", "connection closed mid-body");
        }
      }
      switch (mode) {
        case Body.Length: {
          const take = Math.min(remaining, this.end - this.start);
          this.start += take;
          remaining -= take;
          if (remaining === 0) mode = Body.None;
          break;
        }
        case Body.UntilClose:
          this.start = this.end;
          close = true;
          break;
        case Body.ChunkSize: {
          const eol = buf.indexOf(LF, this.start);
          if (eol < 0 || eol >= this.end) {
            if (this.end - this.start > 1024) {
              throw new TransportError("protocol_error", "bad chunk size");
            }
            await this.need(conn);
            break;
          }
          let size = 0, digits = 0;
          for (let i = this.start; i < eol; i++) {
            const h = hexValue(buf[i]!);
            if (h < 0) break;
            size = size * 16 + h;
            digits++;
          }
          if (digits === 0 || digits > 12) {
            throw new TransportError("protocol_error", "bad chunk size");
          }
          this.start = eol + 1;
          if (size === 0) mode = Body.Trailers;
          else {
            remaining = size;
            mode = Body.ChunkData;
          }
          break;
        }
        case Body.ChunkData: {
          const take = Math.min(remaining, this.end - this.start);
          this.start += take;
          remaining -= take;
          if (remaining === 0) {
            remaining = 2;
            mode = Body.ChunkDataEnd;
          }
          break;
        }
        case Body.ChunkDataEnd: {
          // The CRLF after a chunk's data.
          while (remaining > 0 && this.start < this.end) {
            const b = buf[this.start++]!;
            if ((remaining === 2 && b !== CR) || (remaining === 1 && b !== LF)) {
              throw new TransportError("protocol_error", "chunk not followed by CRLF");
            }
            remaining--;
          }
          if (remaining === 0) mode = Body.ChunkSize;
          break;
        }
        case Body.Trailers: {
          const eol = buf.indexOf(LF, this.start);
          if (eol < 0 || eol >= this.end) {
            if (this.end - this.start > 8192) {
              throw new TransportError("protocol_error", "trailers too large");
            }
            await this.need(conn);
            break;
          }
          const empty = eol === this.start || (eol === this.start + 1 && buf[this.start] === CR);
          this.start = eol + 1;
          if (empty) mode = Body.None;
          break;
        }
      }
    }
    this.bytes -= this.end - this.start;
    this.status = status;
    this.served++;
    if (close) this.close();
    else if (this.start === this.end) this.start = this.end = 0;
  }

  /** Reads at least one more byte, keeping what is unread; a close here means a cut body. */
  private async need(conn: Deno.Conn): Promise<void> {
    if (!(await this.fill(conn))) {
      throw new TransportError("connection_closed", "connection closed mid-body");
    }
  }
}

/** The server closed a kept-alive connection before reading the request: safe to retry once. */
class IdleClose extends Error {}

const isPeerClose = (e: unknown): boolean =>
  e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset;

const enum Header {
  Other,
  ContentLength,
  TransferEncoding,
  Connection,
}

const names: ReadonlyArray<readonly [string, Header]> = [
  ["content-length", Header.ContentLength],
  ["transfer-encoding", Header.TransferEncoding],
  ["connection", Header.Connection],
];

const headerName = (buf: Uint8Array, from: number, colon: number): Header => {
  const len = colon - from;
  outer: for (const [name, id] of names) {
    if (name.length !== len) continue;
    for (let i = 0; i < len; i++) {
      if ((buf[from + i]! | 0x20) !== name.charCodeAt(i)) continue outer;
    }
    return id;
  }
  return Header.Other;
};

const containsToken = (buf: Uint8Array, from: number, to: number, token: string): boolean => {
  const n = token.length;
  outer: for (let i = from; i + n <= to; i++) {
    for (let j = 0; j < n; j++) {
      if ((buf[i + j]! | 0x20) !== token.charCodeAt(j)) continue outer;
    }
    return true;
  }
  return false;
};

const hexValue = (b: number): number =>
  b >= 48 && b <= 57 ? b - 48 : b >= 97 && b <= 102 ? b - 87 : b >= 65 && b <= 70 ? b - 55 : -1;

/** Encodes a request once per run. Adds Host, User-Agent and Content-Length unless the user set them. */
export const encodeRequest = (
  method: string,
  url: URL,
  headers: ReadonlyArray<readonly [string, string]>,
  body: Uint8Array | undefined,
  userAgent: string,
): Uint8Array => {
  const has = (n: string) => headers.some(([k]) => k.toLowerCase() === n);
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  if (!has("host")) head += `Host: ${url.host}\r\n`;
  if (!has("user-agent")) head += `User-Agent: ${userAgent}\r\n`;
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  if (body !== undefined && !has("content-length")) head += `Content-Length: ${body.length}\r\n`;
  else if (
    body === undefined && ["POST", "PUT", "PATCH"].includes(method) && !has("content-length")
  ) {
    head += "Content-Length: 0\r\n";
  }
  head += "\r\n";
  const h = new TextEncoder().encode(head);
  if (body === undefined || body.length === 0) return h;
  const out = new Uint8Array(h.length + body.length);
  out.set(h);
  out.set(body, h.length);
  return out;
};
