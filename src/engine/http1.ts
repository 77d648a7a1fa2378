// A raw HTTP/1.1 keep-alive client over Deno.connect / Deno.connectTls: one connection, one reused buffer.
//
// An exchange writes a pre-encoded request and feeds what it reads to a synchronous ResponseParser.
// `exchange()` does it all; the closed model's hot path drives the same steps (`sendSmall`, `readMore`,
// `received`) from its own loop, so that a request costs no async call besides the read. Failures
// throw a `TransportError` (or a Deno error) that the worker turns into a result with a reason.
import type { Reason } from "../domain/reason.ts";
import { type ByteConn, byteConn } from "./byte_conn.ts";
import { connectInsecure } from "./insecure_tls.ts";
import { ResponseParser } from "./response_parser.ts";

export interface Endpoint {
  readonly hostname: string;
  readonly port: number;
  readonly tls: boolean;
  /** PEM certificates to trust besides the system's (--cacert). */
  readonly caCerts?: ReadonlyArray<string>;
  /** Skip certificate verification (--insecure). */
  readonly insecure?: boolean;
  /** Where to connect instead of hostname:port, the hostname still verified and sent as SNI. */
  readonly connectTo?: { readonly hostname: string; readonly port: number };
  /** Connect over this unix socket instead. */
  readonly unixSocket?: string;
  /** Close after each response, and time each connect and TLS handshake (--no-keepalive). */
  readonly closeEach?: boolean;
  /** Speak HTTP/2 (engine/h2_session.ts): over TLS with ALPN when `tls`, with prior knowledge when not. */
  readonly http2?: boolean;
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
  /** Not an HTTP/2 channel (engine/channel.ts). */
  readonly h2 = false;
  private conn: ByteConn | undefined;
  private buf = new Uint8Array(initialBuffer);
  private readonly parser = new ResponseParser();
  /** Unconsumed bytes are buf[start..end). */
  private start = 0;
  private end = 0;
  /** Responses read on the current connection. */
  private served = 0;
  /** Bytes the exchange in progress has received, its head and body so far. */
  private receivedBytes = 0;
  /** Why salvo cut the exchange in flight: its deadline passed, or the run was interrupted. */
  aborted: "timeout" | "cancelled" | undefined;

  /** performance.now() after which the watchdog aborts the exchange; 0 when idle. */
  deadline = 0;
  /**
   * When the exchange times out: `deadline` as `begin` set it. An interrupt may bring `deadline`
   * earlier (the grace period); cut then, the exchange is `cancelled`, not timed out.
   */
  timeoutAt = 0;
  private rejectConnect: ((e: Error) => void) | undefined;

  /** 1 when the exchange begun last was sent a second time (see `exchange`). */
  resent = 0;
  /** Status of the last response, and the bytes it took on the wire (head and body). */
  status = 0;
  bytes = 0;
  /** The last response's Location header, when the connection was made to follow redirects. */
  location: string | undefined;
  /**
   * With `closeEach`: how long the last connect took (TCP, µs) and its TLS handshake (µs; -1 for
   * none), until the exchange that used it is settled; -1 when there is nothing to report.
   */
  connectUs = -1;
  tlsUs = -1;

  /** The unawaited write in flight: its length and connection (see `exchange`). */
  private writing = 0;
  private writingOn: ByteConn | undefined;
  /** Bound once, not per request: a short unawaited write closes the connection it was made on. */
  private readonly onWritten = (n: number): void => {
    if (n < this.writing && this.conn === this.writingOn) this.close();
  };

  constructor(private readonly endpoint: Endpoint, wantLocation = false, keep = false) {
    this.parser.wantLocation = wantLocation;
    this.parser.keep = keep;
  }

  /** Made with `keep`: the last response's head bytes (status line and headers). */
  get head(): Uint8Array | undefined {
    return this.parser.headBytes;
  }

  /** Made with `keep`: the last response's head has a Set-Cookie header. */
  get setsCookie(): boolean {
    return this.parser.setCookie;
  }

  /** Made with `keep`: the last response's body. */
  body(): Uint8Array {
    return this.parser.body();
  }

  /** Opens the connection ahead of the first exchange; a failure is left for that exchange to meet. */
  async warm(): Promise<void> {
    if (this.conn === undefined) await this.connect().catch(() => {});
  }

  /** Arms the watchdog for one exchange. */
  begin(deadline: number): void {
    this.aborted = undefined;
    this.resent = 0;
    this.deadline = this.timeoutAt = deadline;
  }

  /** Aborts the exchange in flight: closes the socket so the pending read or write rejects. */
  abort(as: "timeout" | "cancelled" = "timeout"): void {
    this.aborted = as;
    this.rejectConnect?.(new TransportError("timeout", "connect timed out"));
    this.close();
  }

  /** At the end of the run. */
  shutdown(): void {
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
    const { hostname, port, tls, caCerts, insecure, connectTo, unixSocket, closeEach } =
      this.endpoint;
    const pending: Promise<ByteConn> = unixSocket !== undefined
      ? this.timed(Deno.connect({ transport: "unix", path: unixSocket }), closeEach).then(byteConn)
      : connectTo !== undefined || (closeEach && !insecure)
      ? this.split(connectTo ?? { hostname, port })
      : tls && insecure
      ? connectInsecure(hostname, port)
      : tls
      ? Deno.connectTls({ hostname, port, ...(caCerts ? { caCerts: [...caCerts] } : {}) }).then(
        byteConn,
      )
      : Deno.connect({ hostname, port }).then(noDelay);
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
    this.conn = conn;
    return conn;
  }

  /** `connecting`, timed into `connectUs` when asked. */
  private async timed<C>(connecting: Promise<C>, time = false): Promise<C> {
    const t0 = performance.now();
    const c = await connecting;
    if (time) {
      this.connectUs = Math.round((performance.now() - t0) * 1000);
      this.tlsUs = -1;
    }
    return c;
  }

  /**
   * TCP to `to`, then TLS on it for the URL's host (its name verified, and sent as SNI): how
   * --connect-to reaches another address, and how --no-keepalive times the connect and the handshake
   * apart.
   */
  private async split(to: { readonly hostname: string; readonly port: number }): Promise<ByteConn> {
    const { hostname, tls, caCerts, closeEach } = this.endpoint;
    const tcp = await this.timed(Deno.connect(to), closeEach);
    tcp.setNoDelay(true);
    if (!tls) return byteConn(tcp);
    const t0 = performance.now();
    try {
      const conn = await Deno.startTls(tcp, {
        hostname,
        ...(caCerts ? { caCerts: [...caCerts] } : {}),
      });
      if (closeEach) this.tlsUs = Math.round((performance.now() - t0) * 1000);
      return byteConn(conn);
    } catch (e) {
      // The handshake's error is the one to report, whatever closing the socket says.
      try {
        tcp.close();
      } catch { /* startTls may have taken it already */ }
      throw e;
    }
  }

  /**
   * Sends `request` and reads one response into `status` and `bytes`. `head` marks a HEAD request.
   * A kept-alive connection that closed before any byte of the response (or a failed write) may be
   * the server's idle close, or the server may have read the request and closed without answering:
   * a request that `may` be sent again (RFC 9110 §9.2.2: an idempotent method) goes again once, on a
   * new connection, and `resent` counts it; any other fails as `connection_closed`. `retried` says
   * the caller already met one such close (see `sendSmall`).
   */
  async exchange(request: Uint8Array, head: boolean, retried = false, may = true): Promise<void> {
    if (retried) this.again(may);
    for (let attempt = retried ? 1 : 0;; attempt++) {
      const conn = this.conn ?? await this.connect();
      let progress = this.sendSmall(request, head);
      if (progress === Progress.Slow) {
        try {
          let written = 0;
          while (written < request.length) {
            written += await conn.write(written === 0 ? request : request.subarray(written));
          }
        } catch (e) {
          if (this.served > 0 && attempt === 0 && this.aborted === undefined && isPeerClose(e)) {
            this.close();
            this.again(may);
            continue;
          }
          throw e;
        }
        progress = this.expect(head);
      }
      while (progress === Progress.More) progress = this.received(await this.readMore());
      if (progress === Progress.Done) return;
      if (attempt === 0 && this.aborted === undefined) {
        this.again(may);
        continue;
      }
      throw new TransportError("connection_closed", "connection closed before a response");
    }
  }

  /** The connection closed before an answer: counts the resend, or fails when it may not go again. */
  private again(may: boolean): void {
    if (!may) {
      throw new TransportError(
        "connection_closed",
        "connection closed before a response; not sent again (not an idempotent method, or --no-retry)",
      );
    }
    this.resent = 1;
  }

  /**
   * The steady state's first step, without an async call of its own: on an open connection, writes a
   * small request without waiting for the write to settle (a small request fits the socket buffer
   * whole; a short or failed write still surfaces, as a failed read). Then the caller loops
   * `received(await readMore())` while it says More. `Slow` (no connection yet, or a request too large
   * to write unawaited) and `Retry` (the server had closed the idle connection) send the caller to
   * `exchange`.
   */
  sendSmall(request: Uint8Array, head: boolean): Progress {
    const conn = this.conn;
    if (conn === undefined || request.length > smallRequest) return Progress.Slow;
    this.writing = request.length;
    this.writingOn = conn;
    conn.write(request).then(this.onWritten, ignore);
    return this.expect(head);
  }

  /** Starts reading a response; bytes left over from the last one are parsed first. */
  private expect(head: boolean): Progress {
    this.parser.begin(head);
    this.receivedBytes = this.end - this.start;
    return this.start < this.end ? this.parse() : Progress.More;
  }

  /** Reads more of the response into the buffer, compacting or growing it first when it is full. */
  readMore(): Promise<number> {
    const conn = this.conn;
    if (conn === undefined) throw new TransportError("connection_closed", "connection closed");
    let buf = this.buf;
    if (this.start === this.end) this.start = this.end = 0;
    else if (this.end === buf.length) {
      if (this.start > 0) {
        buf.copyWithin(0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      } else if (buf.length < maxBuffer) {
        const bigger = new Uint8Array(Math.min(maxBuffer, buf.length * 2));
        bigger.set(buf);
        this.buf = buf = bigger;
      } else {
        throw new TransportError("protocol_error", "response head larger than 64 KiB");
      }
    }
    return conn.read(this.end === 0 ? buf : buf.subarray(this.end));
  }

  /** Takes the `n` bytes `readMore` read (0: end of stream) and parses what it can. */
  received(n: number): Progress {
    if (n === 0) {
      const parser = this.parser;
      parser.finishAtClose();
      if (parser.done) return this.finish();
      // `served` counts this connection's earlier responses: it changes only when one completes.
      if (this.served > 0 && this.receivedBytes === 0 && this.aborted === undefined) {
        this.close();
        return Progress.Retry;
      }
      throw new TransportError(
        parser.inHead && this.receivedBytes > 0 ? "protocol_error" : "connection_closed",
        parser.inHead
          ? "connection closed before a whole response head"
          : "connection closed mid-body",
      );
    }
    this.end += n;
    this.receivedBytes += n;
    return this.parse();
  }

  private parse(): Progress {
    this.start = this.parser.advance(this.buf, this.start, this.end);
    return this.parser.done ? this.finish() : Progress.More;
  }

  private finish(): Progress {
    const parser = this.parser;
    this.status = parser.status;
    this.location = parser.location;
    this.bytes = this.receivedBytes - (this.end - this.start);
    this.served++;
    if (parser.close || this.endpoint.closeEach) this.close();
    return Progress.Done;
  }
}

/** Where an exchange stands: see `Connection.sendSmall`. */
export const Progress = { Done: 0, More: 1, Retry: 2, Slow: 3 } as const;
export type Progress = typeof Progress[keyof typeof Progress];

const ignore = (): void => {};

const noDelay = (c: Deno.TcpConn): ByteConn => {
  c.setNoDelay(true);
  return byteConn(c);
};

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
