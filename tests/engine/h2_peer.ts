// A scriptable HTTP/2 server for the engine's tests: the test reads the client's frames one by one and writes what it likes back.
import {
  Flag,
  FrameType,
  FrameWriter,
  parseFrames,
  preface,
  u32,
} from "../../src/core/h2/frame.ts";
import { Encoder } from "../../src/core/hpack/encoder.ts";

/** One frame as the client sent it. */
export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly id: number;
  readonly payload: Uint8Array;
}

/** One client connection, seen from the server's side. */
export class PeerConn {
  private readonly frames: Frame[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  readonly encoder = new Encoder();
  private readonly out = new FrameWriter();

  /** `ready`: called by the test once the connection is set up as it wants (handshake done). */
  constructor(private readonly conn: Deno.Conn, readonly ready: () => void = () => {}) {
    this.read();
  }

  private async read(): Promise<void> {
    let buf = new Uint8Array(0);
    let prefaceSeen = false;
    const chunk = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await this.conn.read(chunk);
        if (n === null) break;
        const joined = new Uint8Array(buf.length + n);
        joined.set(buf);
        joined.set(chunk.subarray(0, n), buf.length);
        let start = 0;
        if (!prefaceSeen) {
          if (joined.length < preface.length) {
            buf = joined;
            continue;
          }
          prefaceSeen = true;
          start = preface.length;
        }
        const at = parseFrames(joined, start, joined.length, 1 << 24, {
          frame: (type, flags, id, b, s, e) => {
            this.frames.push({ type, flags, id, payload: b.slice(s, e) });
          },
        });
        buf = joined.slice(at);
        this.wake();
      }
    } catch {
      // the client went away
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  /**
   * The client's next frame that `match` accepts (those before it are dropped); undefined once it
   * closed, or when none came within `ms` (a client that stops sending fails the test, never hangs it).
   */
  async next(match: (f: Frame) => boolean = () => true, ms = 5000): Promise<Frame | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.frames.length > 0) {
        const f = this.frames.shift()!;
        if (match(f)) return f;
      }
      const left = deadline - Date.now();
      if (this.ended || left <= 0) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.waiting = r;
        timer = setTimeout(r, left);
      });
      clearTimeout(timer);
    }
  }

  /** Frames received and not yet taken by next(). */
  get buffered(): ReadonlyArray<Frame> {
    return [...this.frames];
  }

  /** The client's next frame of `type`. */
  nextOf(type: number): Promise<Frame | undefined> {
    return this.next((f) => f.type === type);
  }

  /** Whether the client has closed the connection (after the frames it sent). */
  get closed(): boolean {
    return this.ended && this.frames.length === 0;
  }

  /** Queues a frame; `send()` writes what is queued. */
  frame(type: number, flags: number, id: number, payload: Uint8Array = new Uint8Array(0)): this {
    this.out.frame(type, flags, id, payload);
    return this;
  }

  settings(pairs: ReadonlyArray<readonly [number, number]>, flags = 0): this {
    this.out.settings(pairs, flags);
    return this;
  }

  words(type: number, flags: number, id: number, ...words: number[]): this {
    this.out.words(type, flags, id, ...words);
    return this;
  }

  /** A response head (HPACK-encoded by this connection's encoder). */
  head(id: number, fields: ReadonlyArray<readonly [string, string]>, flags: number): this {
    return this.frame(FrameType.Headers, flags | Flag.EndHeaders, id, this.encoder.encode(fields));
  }

  /** A whole 200 response with no body. */
  ok(id: number): this {
    return this.head(id, [[":status", "200"]], Flag.EndStream);
  }

  async send(): Promise<void> {
    const bytes = this.out.take().slice();
    if (bytes.length > 0) await this.conn.write(bytes).catch(() => 0);
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* closed */ }
  }
}

/** A loopback listener whose connections are handed to `serve`, each as a PeerConn. */
export const h2Peer = (serve: (c: PeerConn) => Promise<void>) => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let markReady = () => {};
  const ready = new Promise<void>((r) => markReady = r);
  const conns: PeerConn[] = [];
  const done: Promise<void>[] = [];
  (async () => {
    for await (const conn of listener) {
      const c = new PeerConn(conn, markReady);
      conns.push(c);
      done.push(serve(c).catch(() => {}).finally(() => c.close()));
    }
  })().catch(() => {});
  return {
    endpoint: { hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port, tls: false },
    /** Resolves once a connection's test has called its `ready()`. */
    ready,
    /** Resolves once every connection's `serve` has returned. */
    served: () => Promise.all(done).then(() => {}),
    stop: async () => {
      listener.close();
      for (const c of conns) c.close();
      await Promise.all(done);
    },
  };
};

/** The 32-bit words of a frame's payload (WINDOW_UPDATE, RST_STREAM, GOAWAY). */
export const wordsOf = (f: Frame): number[] =>
  Array.from({ length: f.payload.length / 4 }, (_, i) => u32(f.payload, i * 4));
