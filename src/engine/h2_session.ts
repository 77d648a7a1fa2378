// One HTTP/2 connection: many streams over it, frames written in batches, flow control, SETTINGS, PING and GOAWAY.
//
// Requests become streams; each stream's end settles a promise. Frames queued during one turn of
// the event loop go out in one write (a microtask flushes them), so ten streams cost one write op,
// not ten. The read loop parses frames as they arrive (core/h2/frame.ts) and decodes each header
// block with HPACK (core/hpack/), reading only `:status` of what need not enter the table.
import {
  defaultMaxFrameSize,
  ErrorCode,
  errorName,
  Flag,
  frameTooLarge,
  FrameType,
  FrameWriter,
  parseFrames,
  preface,
  Setting,
  u32,
  unpad,
  unpadded,
} from "../core/h2/frame.ts";
import { Decoder } from "../core/hpack/decoder.ts";
import { Encoder } from "../core/hpack/encoder.ts";
import type { Reason } from "../domain/reason.ts";
import type { ByteConn } from "./byte_conn.ts";
import { openSocket } from "./h2_connect.ts";
import type { H2Request } from "./h2_request.ts";
import { copyOf } from "./slab.ts";
import { type Endpoint, TransportError } from "./http1.ts";

/** A stream that ended without a response. `unprocessed`: the server never acted on it, so it may go again. */
export class H2Error extends TransportError {
  constructor(reason: Reason, message: string, readonly unprocessed = false) {
    super(reason, message);
  }
}

/** What a stream reports its end to: the status and the bytes its response took. */
export interface StreamOwner {
  status: number;
  bytes: number;
  /** The stream in flight for this owner, so that it can be cancelled. */
  stream: Stream | undefined;
  /** How long its last stream waited for the server's concurrency limit before it began, µs. */
  queuedUs: number;
  /** Keep the response's header fields and body (a scenario reads them); absent on a plain run. */
  readonly keep?: H2Kept | undefined;
}

/** A response as a scenario reads it: its header fields (names in lower case) and body pieces. */
export interface H2Kept {
  fields: Array<readonly [string, string]>;
  body: Uint8Array[];
}

/** The least SETTINGS_MAX_CONCURRENT_STREAMS any server connection of a load thread announced. */
export interface StreamLimit {
  limit: number | undefined;
}

/** The windows this side announces: large, so that the server never waits for a WINDOW_UPDATE. */
const ourWindow = 2 ** 30 - 1;
/** A window is topped up once this much of it has been used. */
const topUpAt = 2 ** 29;
/** The server's limit on streams until its SETTINGS arrive (RFC 9113 suggests no fewer than 100). */
const assumedMaxStreams = 100;
/** Stream ids stop here, a little short of 2^31: the session then takes no new streams. */
const lastId = 2 ** 31 - 64;

export class Stream {
  id = 0;
  status = 0;
  bytes = 0;
  /** Bytes of the server's DATA since this stream's window was last topped up. */
  used = 0;
  /** Body bytes sent so far, and what the server's window for this stream still allows. */
  sent = 0;
  window = 0;
  /** performance.now() when it was queued behind the server's limit; 0 when it began at once. */
  queuedAt = 0;
  constructor(
    readonly session: H2Session,
    readonly owner: StreamOwner,
    readonly request: H2Request,
    readonly resolve: () => void,
    readonly reject: (e: Error) => void,
  ) {}
}

export class H2Session {
  private readonly streams = new Map<number, Stream>();
  /** Streams waiting for the server's concurrency limit, oldest first. */
  private readonly queued: Stream[] = [];
  /** Streams with body left to send, waiting for window. */
  private readonly blocked = new Set<Stream>();
  private nextId = 1;
  private out = new FrameWriter();
  private spare = new FrameWriter();
  private writing = false;
  private flushQueued = false;
  private buf = new Uint8Array(64 * 1024);
  private start = 0;
  private end = 0;
  private readonly encoder = new Encoder();
  private readonly decoder = new Decoder();
  /** Each request's header block, reusable while the encoder's table is as it was. */
  private readonly blocks = new Map<H2Request, { block: Uint8Array; inserts: number }>();
  /**
   * One stream until the server's SETTINGS arrive (its first frame), so that a burst never exceeds
   * a limit not yet known (nginx refused streams beyond its 8 before salvo had read them).
   */
  private peerMaxStreams = 1;
  private settingsSeen = false;
  private peerWindow = 65535;
  private peerMaxFrame = defaultMaxFrameSize;
  private sendWindow = 65535;
  /** Bytes of DATA received since the connection's window was last topped up. */
  private used = 0;
  /** A header block split over CONTINUATION frames: its stream (0: none), parts and flags. */
  private blockStream = 0;
  private blockParts: Uint8Array[] = [];
  private blockEndStream = false;
  private blockBytes = 0;
  private status = 0;
  /** The server's GOAWAY: streams above `last` were never processed. */
  goaway: { readonly last: number; readonly code: number } | undefined;
  closed = false;

  private constructor(private readonly conn: ByteConn, private readonly seen: StreamLimit) {
    const w = this.out;
    w.raw(preface);
    w.settings([[Setting.EnablePush, 0], [Setting.InitialWindowSize, ourWindow]]);
    w.words(FrameType.WindowUpdate, 0, 0, ourWindow - 65535);
    this.flush();
    this.readLoop();
  }

  /** Connects and sends the preface; requests may follow at once (the server's SETTINGS need not have come). */
  static async open(e: Endpoint, seen: StreamLimit = { limit: undefined }): Promise<H2Session> {
    return new H2Session(await openSocket(e), seen);
  }

  /** Takes new streams: open, no GOAWAY, stream ids left. */
  get usable(): boolean {
    return !this.closed && this.goaway === undefined && this.nextId < lastId;
  }

  /** Nothing in flight or waiting. */
  get idle(): boolean {
    return this.streams.size === 0 && this.queued.length === 0;
  }

  /** Sends `request` on a new stream; resolves when its response has ended (owner.status set). */
  request(request: H2Request, owner: StreamOwner): Promise<void> {
    if (!this.usable) {
      return Promise.reject(new H2Error("goaway", "the connection takes no new streams", true));
    }
    return new Promise<void>((resolve, reject) => {
      const s = new Stream(this, owner, request, resolve, reject);
      owner.stream = s;
      owner.queuedUs = 0;
      if (this.streams.size >= this.peerMaxStreams) {
        // A wait for the server's limit is timed apart; the first round trip's wait for its SETTINGS is not.
        if (this.settingsSeen) s.queuedAt = performance.now();
        this.queued.push(s);
      } else this.begin(s);
    });
  }

  /** Cuts `s` short (a timeout, an interrupt): RST_STREAM CANCEL, and its promise rejects with `why`. */
  cancel(s: Stream, why: Error): void {
    if (s.id === 0) {
      const i = this.queued.indexOf(s);
      if (i < 0) return;
      this.queued.splice(i, 1);
      this.end_(s, why);
    } else if (this.streams.get(s.id) === s) this.reset(s, ErrorCode.Cancel, why);
  }

  /** Closes the socket; whatever is in flight fails as closed. */
  close(): void {
    this.fail(new H2Error("connection_closed", "connection closed"));
  }

  private begin(s: Stream): void {
    if (s.queuedAt > 0) s.owner.queuedUs = Math.round((performance.now() - s.queuedAt) * 1000);
    s.id = this.nextId;
    this.nextId += 2;
    s.window = this.peerWindow;
    this.streams.set(s.id, s);
    const body = s.request.body;
    const hasBody = body !== undefined && body.length > 0;
    const block = this.block(s.request);
    const w = this.out;
    const max = this.peerMaxFrame;
    if (block.length <= max) {
      w.frame(FrameType.Headers, Flag.EndHeaders | (hasBody ? 0 : Flag.EndStream), s.id, block);
    } else {
      w.frame(FrameType.Headers, hasBody ? 0 : Flag.EndStream, s.id, block, 0, max);
      for (let at = max; at < block.length; at += max) {
        const end = Math.min(block.length, at + max);
        w.frame(
          FrameType.Continuation,
          end === block.length ? Flag.EndHeaders : 0,
          s.id,
          block,
          at,
          end,
        );
      }
    }
    if (hasBody) this.pump(s);
    this.queueFlush();
  }

  /** The request's header block: encoded once, then reused while the encoder's table stays put. */
  private block(request: H2Request): Uint8Array {
    const e = this.encoder;
    const cached = this.blocks.get(request);
    if (cached !== undefined && cached.inserts === e.table.inserts && !e.pendingUpdate) {
      return cached.block;
    }
    const before = e.table.inserts;
    const pending = e.pendingUpdate;
    const block = e.encode(request.fields);
    // Reusable only if encoding it changed nothing: every field was already indexed.
    if (e.table.inserts === before && !pending) {
      this.blocks.set(request, { block, inserts: before });
    } else this.blocks.delete(request);
    return block;
  }

  /** Sends as much of `s`'s body as the windows allow; what is left waits for WINDOW_UPDATE. */
  private pump(s: Stream): void {
    const body = s.request.body!;
    while (s.sent < body.length) {
      const n = Math.min(body.length - s.sent, s.window, this.sendWindow, this.peerMaxFrame);
      if (n <= 0) {
        this.blocked.add(s);
        return;
      }
      const end = s.sent + n;
      this.out.frame(
        FrameType.Data,
        end === body.length ? Flag.EndStream : 0,
        s.id,
        body,
        s.sent,
        end,
      );
      s.sent = end;
      s.window -= n;
      this.sendWindow -= n;
    }
    this.blocked.delete(s);
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(this.flush);
  }

  /** Writes everything queued, in one write; what is queued meanwhile goes in the next. */
  private readonly flush = (): void => {
    this.flushQueued = false;
    if (this.writing || this.out.length === 0 || this.closed) return;
    const w = this.out;
    this.out = this.spare;
    this.spare = w;
    this.writing = true;
    this.writeAll(w.take()).then(() => {
      this.writing = false;
      if (this.out.length > 0) this.flush();
    }, (e) => this.fail(e));
  };

  private async writeAll(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) at += await this.conn.write(at === 0 ? bytes : bytes.subarray(at));
  }

  private async readLoop(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.end === this.buf.length) this.makeRoom();
        const n = await this.conn.read(this.buf.subarray(this.end));
        if (n === 0) {
          this.fail(new H2Error("connection_closed", "the server closed the connection"));
          return;
        }
        this.end += n;
        const at = parseFrames(this.buf, this.start, this.end, defaultMaxFrameSize, this);
        if (at === frameTooLarge) {
          this.connectionError(ErrorCode.FrameSizeError, "protocol_error", "frame too large");
          return;
        }
        this.start = at;
        if (this.start === this.end) this.start = this.end = 0;
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private makeRoom(): void {
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    } else {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
  }

  /** Each frame as the parser finds it (core/h2/frame.ts's FrameSink). */
  frame(
    type: number,
    flags: number,
    id: number,
    buf: Uint8Array,
    start: number,
    end: number,
  ): void {
    if (this.closed) return;
    if (this.blockStream !== 0 && type !== FrameType.Continuation) {
      this.connectionError(ErrorCode.ProtocolError, "protocol_error", "header block interrupted");
      return;
    }
    switch (type) {
      case FrameType.Data:
        return this.data(flags, id, buf, start, end);
      case FrameType.Headers: {
        const from = unpad(type, flags, buf, start, end);
        if (from < 0 || id === 0) {
          return this.connectionError(ErrorCode.ProtocolError, "protocol_error", "bad HEADERS");
        }
        const endStream = (flags & Flag.EndStream) !== 0;
        if (flags & Flag.EndHeaders) {
          return this.headerBlock(id, endStream, buf, from, unpadded.end, end - start + 9);
        }
        this.blockStream = id;
        this.blockParts = [buf.slice(from, unpadded.end)];
        this.blockEndStream = endStream;
        this.blockBytes = end - start + 9;
        return;
      }
      case FrameType.Continuation: {
        if (id !== this.blockStream || id === 0) {
          return this.connectionError(
            ErrorCode.ProtocolError,
            "protocol_error",
            "stray CONTINUATION",
          );
        }
        this.blockParts.push(buf.slice(start, end));
        this.blockBytes += end - start + 9;
        if ((flags & Flag.EndHeaders) === 0) return;
        const parts = this.blockParts;
        const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          whole.set(p, at);
          at += p.length;
        }
        this.blockStream = 0;
        this.blockParts = [];
        return this.headerBlock(id, this.blockEndStream, whole, 0, whole.length, this.blockBytes);
      }
      case FrameType.RstStream: {
        const s = this.streams.get(id);
        if (end - start !== 4) {
          return this.connectionError(ErrorCode.FrameSizeError, "protocol_error", "bad RST_STREAM");
        }
        if (s !== undefined) this.resetByServer(s, u32(buf, start));
        return;
      }
      case FrameType.Settings:
        return this.settings(flags, id, buf, start, end);
      case FrameType.Ping:
        if (end - start !== 8 || id !== 0) {
          return this.connectionError(ErrorCode.FrameSizeError, "protocol_error", "bad PING");
        }
        if ((flags & Flag.Ack) === 0) {
          this.out.frame(FrameType.Ping, Flag.Ack, 0, buf, start, end);
          this.queueFlush();
        }
        return;
      case FrameType.Goaway:
        if (end - start < 8) {
          return this.connectionError(ErrorCode.FrameSizeError, "protocol_error", "bad GOAWAY");
        }
        return this.goAway(u32(buf, start) & 0x7fffffff, u32(buf, start + 4));
      case FrameType.WindowUpdate: {
        if (end - start !== 4) {
          return this.connectionError(
            ErrorCode.FrameSizeError,
            "protocol_error",
            "bad WINDOW_UPDATE",
          );
        }
        const increment = u32(buf, start) & 0x7fffffff;
        if (id === 0) this.sendWindow += increment;
        else {
          const s = this.streams.get(id);
          if (s !== undefined) s.window += increment;
        }
        for (const s of [...this.blocked]) this.pump(s);
        this.queueFlush();
        return;
      }
      case FrameType.PushPromise:
        // This side said SETTINGS_ENABLE_PUSH 0.
        return this.connectionError(ErrorCode.ProtocolError, "protocol_error", "PUSH_PROMISE");
      default:
        // PRIORITY, and frame types this side does not know: ignored (§5.5).
        return;
    }
  }

  private data(flags: number, id: number, buf: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.used += length;
    if (this.used > ourWindow) {
      return this.connectionError(
        ErrorCode.FlowControlError,
        "flow_control",
        "DATA beyond the window",
      );
    }
    const payload = unpad(FrameType.Data, flags, buf, start, end);
    if (payload < 0) {
      return this.connectionError(ErrorCode.ProtocolError, "protocol_error", "bad padding");
    }
    const payloadEnd = unpadded.end;
    if (this.used >= topUpAt) {
      this.out.words(FrameType.WindowUpdate, 0, 0, this.used);
      this.used = 0;
      this.queueFlush();
    }
    const s = this.streams.get(id);
    if (s === undefined) return;
    s.bytes += length + 9;
    s.used += length;
    const keep = s.owner.keep;
    if (keep !== undefined && payloadEnd > payload) {
      keep.body.push(copyOf(buf, payload, payloadEnd));
    }
    if (s.used > ourWindow) {
      return this.reset(
        s,
        ErrorCode.FlowControlError,
        new H2Error("flow_control", "the server sent DATA beyond the stream's window"),
      );
    }
    if (flags & Flag.EndStream) this.complete(s);
    else if (s.used >= topUpAt) {
      this.out.words(FrameType.WindowUpdate, 0, id, s.used);
      s.used = 0;
      this.queueFlush();
    }
  }

  /** The header block being decoded for a stream that keeps its fields: they go here. */
  private keeping: Array<readonly [string, string]> | undefined;
  private readonly onField = (name: string, value: string): void => {
    if (name === ":status") this.status = Number(value);
    else if (this.keeping !== undefined && name[0] !== ":") this.keeping.push([name, value]);
  };
  private readonly skipField = (name: string): boolean =>
    name !== ":status" && this.keeping === undefined;

  private headerBlock(
    id: number,
    endStream: boolean,
    buf: Uint8Array,
    start: number,
    end: number,
    wireBytes: number,
  ): void {
    this.status = 0;
    const s = this.streams.get(id);
    const keep = s?.owner.keep;
    this.keeping = keep === undefined ? undefined : [];
    // Every block is decoded, a cancelled stream's too: the table must stay in step with the server's.
    const error = this.decoder.decode(buf, start, end, this.onField, this.skipField);
    const fields = this.keeping;
    this.keeping = undefined;
    if (error !== undefined) {
      return this.connectionError(ErrorCode.CompressionError, "protocol_error", `HPACK: ${error}`);
    }
    if (s === undefined) return;
    // The final head's fields, then any trailers' (a 1xx head's are not the response's).
    if (keep !== undefined && fields !== undefined && !(this.status >= 100 && this.status < 200)) {
      keep.fields = s.status === 0 ? fields : [...keep.fields, ...fields];
    }
    s.bytes += wireBytes;
    const status = this.status;
    if (s.status === 0) {
      // 1xx heads come before the response's own; a head without a valid :status is malformed.
      if (status >= 100 && status < 200 && !endStream) return;
      if (!(status >= 200 && status <= 999)) {
        return this.reset(
          s,
          ErrorCode.ProtocolError,
          new H2Error("protocol_error", "a response without a valid :status"),
        );
      }
      s.status = status;
    }
    if (endStream) this.complete(s);
  }

  private settings(flags: number, id: number, buf: Uint8Array, start: number, end: number): void {
    if (id !== 0 || (end - start) % 6 !== 0 || (flags & Flag.Ack && end > start)) {
      return this.connectionError(ErrorCode.FrameSizeError, "protocol_error", "bad SETTINGS");
    }
    if (flags & Flag.Ack) return;
    if (!this.settingsSeen) {
      this.settingsSeen = true;
      this.peerMaxStreams = assumedMaxStreams;
    }
    for (let at = start; at < end; at += 6) {
      const key = (buf[at]! << 8) | buf[at + 1]!;
      const value = u32(buf, at + 2);
      if (key === Setting.HeaderTableSize) this.encoder.setLimit(value);
      else if (key === Setting.MaxConcurrentStreams) {
        this.peerMaxStreams = value;
        this.seen.limit = Math.min(this.seen.limit ?? value, value);
      } else if (key === Setting.InitialWindowSize) {
        if (value > 2 ** 31 - 1) {
          return this.connectionError(
            ErrorCode.FlowControlError,
            "flow_control",
            "window too large",
          );
        }
        for (const s of this.streams.values()) s.window += value - this.peerWindow;
        this.peerWindow = value;
      } else if (key === Setting.MaxFrameSize) {
        if (value < defaultMaxFrameSize || value > 2 ** 24 - 1) {
          return this.connectionError(
            ErrorCode.ProtocolError,
            "protocol_error",
            "bad MAX_FRAME_SIZE",
          );
        }
        this.peerMaxFrame = value;
      }
    }
    this.out.settings([], Flag.Ack);
    for (const s of [...this.blocked]) this.pump(s);
    this.next();
    this.queueFlush();
  }

  /**
   * The server is going away: streams above `last` were never processed and go again elsewhere;
   * those at or below it finish here; the socket closes once they have.
   */
  private goAway(last: number, code: number): void {
    this.goaway = { last, code };
    const why = `the server sent GOAWAY (${errorName(code)})`;
    // Ending these lets `next` send what waits for a slot: elsewhere, as the session is going away.
    for (const s of [...this.streams.values()]) {
      if (s.id > last) this.drop(s, new H2Error("goaway", why, true));
    }
    for (const s of this.queued.splice(0)) this.end_(s, new H2Error("goaway", why, true));
    if (this.streams.size === 0) this.fail(new H2Error("goaway", why));
  }

  /** The server reset `s`: a failure under the reason its code names. */
  private resetByServer(s: Stream, code: number): void {
    const reason: Reason = code === ErrorCode.RefusedStream
      ? "refused_stream"
      : code === ErrorCode.FlowControlError
      ? "flow_control"
      : code === ErrorCode.ProtocolError
      ? "protocol_error"
      : "stream_reset";
    this.drop(s, new H2Error(reason, `the server reset the stream (${errorName(code)})`));
  }

  /** This side resets `s` (RST_STREAM with `code`): cut short, or the server broke the rules. */
  private reset(s: Stream, code: number, why: Error): void {
    if (!this.closed) {
      this.out.words(FrameType.RstStream, 0, s.id, code);
      this.queueFlush();
    }
    this.drop(s, why);
  }

  private complete(s: Stream): void {
    this.streams.delete(s.id);
    this.blocked.delete(s);
    const o = s.owner;
    o.status = s.status;
    o.bytes = s.bytes;
    o.stream = undefined;
    s.resolve();
    this.next();
  }

  private drop(s: Stream, e: Error): void {
    this.streams.delete(s.id);
    this.blocked.delete(s);
    this.end_(s, e);
    this.next();
  }

  private end_(s: Stream, e: Error): void {
    if (s.owner.stream === s) s.owner.stream = undefined;
    s.reject(e);
  }

  /** A stream ended: start those waiting for the concurrency limit; after GOAWAY, close once idle. */
  private next(): void {
    if (!this.usable) {
      // After GOAWAY (or with stream ids spent) no stream starts here: what waits goes elsewhere.
      for (const s of this.queued.splice(0)) {
        this.end_(s, new H2Error("goaway", "the connection takes no new streams", true));
      }
    }
    while (this.queued.length > 0 && this.streams.size < this.peerMaxStreams) {
      this.begin(this.queued.shift()!);
    }
    if (this.goaway !== undefined && this.idle && !this.closed) {
      this.fail(new H2Error("goaway", "the connection has gone away"));
    }
  }

  /** This side ends the connection for the server's fault: GOAWAY with `code`, then close. */
  private connectionError(code: number, reason: Reason, message: string): void {
    if (this.closed) return;
    // Best effort, unless a write is under way: the last stream id is 0 (the server opens none).
    if (!this.writing) {
      this.out.words(FrameType.Goaway, 0, 0, 0, code);
      this.conn.write(this.out.take().slice()).catch(() => {});
    }
    this.fail(new H2Error(reason, `HTTP/2: ${message} (${errorName(code)})`));
  }

  /** The connection is over: every stream still open fails with `e` (after GOAWAY, as `goaway`). */
  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch { /* already closed */ }
    const gone = this.goaway;
    for (const s of this.streams.values()) {
      this.end_(
        s,
        gone !== undefined && !(e instanceof H2Error && e.reason !== "connection_closed")
          ? new H2Error("goaway", `the connection closed after GOAWAY (${errorName(gone.code)})`)
          : e,
      );
    }
    this.streams.clear();
    this.blocked.clear();
    // Never sent: they go again on another connection.
    for (const s of this.queued.splice(0)) {
      this.end_(s, new H2Error("connection_closed", "connection closed", true));
    }
  }
}
