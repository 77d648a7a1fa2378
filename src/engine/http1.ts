// A raw HTTP/1.1 keep-alive client over Deno.connect / Deno.connectTls: one connection, one reused buffer.
//
// The hot path: `exchange()` is the one async function per request. It writes a pre-encoded request and
// feeds what it reads to a synchronous ResponseParser. Failures throw a `TransportError` (or a Deno
// error) that the worker turns into a result with a reason.
import type { Reason } from "../domain/reason.ts";
import { type ByteConn, connectInsecure } from "./insecure_tls.ts";
import { ResponseParser } from "./response_parser.ts";

export interface Endpoint {
  readonly hostname: string;
  readonly port: number;
  readonly tls: boolean;
  /** PEM certificates to trust besides the system's (--cacert). */
  readonly caCerts?: ReadonlyArray<string>;
  /** Skip certificate verification (--insecure). */
  readonly insecure?: boolean;
}

export class TransportError extends Error {
  constructor(readonly reason: Reason, message: string) {
    super(message);
  }
}

/** The read buffer starts small (thousands of workers each hold one) and grows to fit a long head. */
const initialBuffer = 16 * 1024;
const maxBuffer = 64 * 1024;
/** Requests up to this size are written without awaiting the write. */
const smallRequest = 4096;

export class Connection {
  private conn: ByteConn | undefined;
  private buf = new Uint8Array(initialBuffer);
  private readonly parser = new ResponseParser();
  /** Unconsumed bytes are buf[start..end). */
  private start = 0;
  private end = 0;
  /** Responses read on the current connection. */
  private served = 0;
  /** Why salvo cut the exchange in flight: its deadline passed, or the run was interrupted. */
  aborted: "timeout" | "cancelled" | undefined;
  /** performance.now() after which the watchdog aborts the exchange; 0 when idle. */
  deadline = 0;
  private rejectConnect: ((e: Error) => void) | undefined;

  /** Status of the last response, and the bytes it took on the wire (head and body). */
  status = 0;
  bytes = 0;
  /** The last response's Location header, when the connection was made to follow redirects. */
  location: string | undefined;

  /** The unawaited write in flight: its length and connection (see `exchange`). */
  private writing = 0;
  private writingOn: ByteConn | undefined;
  /** Bound once, not per request: a short unawaited write closes the connection it was made on. */
  private readonly onWritten = (n: number): void => {
    if (n < this.writing && this.conn === this.writingOn) this.close();
  };

  constructor(private readonly endpoint: Endpoint, wantLocation = false) {
    this.parser.wantLocation = wantLocation;
  }

  /** Opens the connection ahead of the first exchange; a failure is left for that exchange to meet. */
  async warm(): Promise<void> {
    if (this.conn === undefined) await this.connect().catch(() => {});
  }

  /** Arms the watchdog for one exchange. */
  begin(deadline: number): void {
    this.aborted = undefined;
    this.deadline = deadline;
  }

  /** Aborts the exchange in flight: closes the socket so the pending read or write rejects. */
  abort(as: "timeout" | "cancelled" = "timeout"): void {
    this.aborted = as;
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

  private async connect(): Promise<ByteConn> {
    const { hostname, port, tls, caCerts, insecure } = this.endpoint;
    const pending: Promise<ByteConn> = tls && insecure
      ? connectInsecure(hostname, port)
      : tls
      ? Deno.connectTls({ hostname, port, ...(caCerts ? { caCerts: [...caCerts] } : {}) })
      : Deno.connect({ hostname, port });
    const timeout = new Promise<never>((_, reject) => {
      this.rejectConnect = reject;
    });
    let conn: ByteConn;
    try {
      conn = await Promise.race([pending, timeout]);
    } catch (e) {
      // A connect that lost the race to the watchdog may still succeed later: close it then.
      pending.then((c) => c.close(), () => {});
      throw e;
    } finally {
      this.rejectConnect = undefined;
    }
    if (this.aborted !== undefined) {
      conn.close();
      throw new TransportError("timeout", "connect timed out");
    }
    if (!tls) (conn as Deno.TcpConn).setNoDelay(true);
    this.conn = conn;
    return conn;
  }

  /**
   * Sends `request` and reads one response into `status` and `bytes`. `head` marks a HEAD request.
   * A kept-alive connection that the server closed while idle (end of stream before any byte of the
   * response, or a failed write) is re-opened once, silently: the server never read the request.
   */
  async exchange(request: Uint8Array, head: boolean): Promise<void> {
    let buf = this.buf;
    const parser = this.parser;
    for (let attempt = 0;; attempt++) {
      const conn = this.conn ?? await this.connect();
      const reused = this.served > 0;
      if (request.length <= smallRequest) {
        // A small request fits the socket buffer whole: start reading without waiting for the write to
        // settle (one await less per request). A short or failed write still surfaces, as a failed read.
        this.writing = request.length;
        this.writingOn = conn;
        conn.write(request).then(this.onWritten, ignore);
      } else {
        try {
          let written = 0;
          while (written < request.length) {
            written += await conn.write(written === 0 ? request : request.subarray(written));
          }
        } catch (e) {
          if (reused && attempt === 0 && this.aborted === undefined && isPeerClose(e)) {
            this.close();
            continue;
          }
          throw e;
        }
      }
      parser.begin(head);
      let start = this.start, end = this.end;
      let bytes = end - start;
      let idleClose = false;
      for (;;) {
        if (start < end) {
          start = parser.advance(buf, start, end);
          if (parser.done) break;
        }
        if (start === end) start = end = 0;
        else if (end === buf.length) {
          if (start > 0) {
            buf.copyWithin(0, start, end);
            end -= start;
            start = 0;
          } else if (buf.length < maxBuffer) {
            const bigger = new Uint8Array(Math.min(maxBuffer, buf.length * 2));
            bigger.set(buf);
            this.buf = buf = bigger;
          } else {
            throw new TransportError("protocol_error", "response head larger than 64 KiB");
          }
        }
        const n = await conn.read(end === 0 ? buf : buf.subarray(end));
        if (n === null) {
          parser.finishAtClose();
          if (parser.done) break;
          idleClose = reused && bytes === 0;
          if (!idleClose) {
            throw new TransportError(
              parser.inHead && bytes > 0 ? "protocol_error" : "connection_closed",
              parser.inHead
                ? "connection closed before a whole response head"
                : "connection closed mid-body",
            );
          }
          break;
        }
        end += n;
        bytes += n;
      }
      if (idleClose) {
        this.close();
        if (attempt === 0 && this.aborted === undefined) continue;
        throw new TransportError("connection_closed", "connection closed before a response");
      }
      this.status = parser.status;
      this.location = parser.location;
      this.bytes = bytes - (end - start);
      this.served++;
      if (parser.close) this.close();
      else {
        this.start = start;
        this.end = end;
      }
      return;
    }
  }
}

const ignore = (): void => {};

const isPeerClose = (e: unknown): boolean =>
  e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset;

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
