// What a closed-model worker or an open-model pool slot sends HTTP/2 through: one stream at a time on a shared connection.
//
// `--streams N` puts N channels on one H2Group, the connection they share; the group opens it when
// first needed and again after the server closes it or sends GOAWAY. A channel has the fields the
// watchdog and `settle` read on an HTTP/1.1 Connection, so both load models treat the two alike.
import type { H2Request } from "./h2_request.ts";
import {
  H2Error,
  type H2Kept,
  H2Session,
  type Stream,
  type StreamLimit,
  type StreamOwner,
} from "./h2_session.ts";
import { type Endpoint, TransportError } from "./http1.ts";

/** A request the server never processed (GOAWAY above its id, a connection that closed first) goes again, this often at most. */
const maxAttempts = 4;

/** The connection N channels share: the current session, and those draining after a GOAWAY. */
export class H2Group {
  private current: H2Session | undefined;
  private opening: Promise<H2Session> | undefined;
  private readonly all = new Set<H2Session>();

  constructor(private readonly endpoint: Endpoint, private readonly seen: StreamLimit) {}

  /** A session that takes new streams, opened when there is none. */
  session(): H2Session | Promise<H2Session> {
    const s = this.current;
    if (s !== undefined && s.usable) return s;
    if (s !== undefined && s.idle) {
      s.close();
      this.all.delete(s);
    }
    this.current = undefined;
    return this.opening ??= H2Session.open(this.endpoint, this.seen).then((opened) => {
      this.opening = undefined;
      this.current = opened;
      this.all.add(opened);
      for (const old of this.all) if (old.closed) this.all.delete(old);
      return opened;
    }, (e) => {
      this.opening = undefined;
      throw e;
    });
  }

  close(): void {
    for (const s of this.all) s.close();
    this.all.clear();
    this.current = undefined;
  }
}

export class H2Channel implements StreamOwner {
  readonly h2 = true;
  deadline = 0;
  timeoutAt = 0;
  aborted: "timeout" | "cancelled" | undefined;
  status = 0;
  bytes = 0;
  readonly location: string | undefined = undefined;
  /** A stream the server never processed (RFC 9113 §8.7) goes again, uncounted: never `resent`. */
  readonly resent = 0;
  /** Connects are not timed per request over HTTP/2 (see --no-keepalive). */
  connectUs = -1;
  tlsUs = -1;
  stream: Stream | undefined;
  queuedUs = 0;
  /** Rejects the wait for a connection when the exchange is aborted during it. */
  private rejectWait: ((e: Error) => void) | undefined;

  /** With `keep` (a scenario's user): the last response's header fields and body. */
  readonly keep: H2Kept | undefined;

  constructor(readonly group: H2Group, keep = false) {
    this.keep = keep ? { fields: [], body: [] } : undefined;
  }

  /** Opens the shared connection ahead of the first exchange; a failure is left for that exchange. */
  async warm(): Promise<void> {
    try {
      await this.group.session();
    } catch { /* the first exchange meets it */ }
  }

  begin(deadline: number): void {
    this.aborted = undefined;
    this.queuedUs = 0;
    this.deadline = this.timeoutAt = deadline;
  }

  /** Cancels this channel's stream (RST_STREAM), or its wait for a connection; the connection stays. */
  abort(as: "timeout" | "cancelled" = "timeout"): void {
    this.aborted = as;
    const why = new TransportError(as, as === "timeout" ? "timed out" : "cancelled");
    const s = this.stream;
    if (s !== undefined) s.session.cancel(s, why);
    else this.rejectWait?.(why);
  }

  /** After a failed exchange: nothing to do, its stream has already ended. */
  close(): void {}

  /** At the end of the run: closes the connection (every channel of the group may call it). */
  shutdown(): void {
    this.group.close();
  }

  /** Sends `request` on a stream and waits for the whole response; throws what ended it otherwise. */
  async send(request: H2Request): Promise<void> {
    if (this.keep !== undefined) {
      this.keep.fields = [];
      this.keep.body = [];
    }
    for (let attempt = 1;; attempt++) {
      let session = this.group.session();
      if (session instanceof Promise) session = await this.waitFor(session);
      try {
        await session.request(request, this);
        return;
      } catch (e) {
        if (
          !(e instanceof H2Error && e.unprocessed) || attempt >= maxAttempts ||
          this.aborted !== undefined
        ) throw e;
      }
    }
  }

  private async waitFor(opening: Promise<H2Session>): Promise<H2Session> {
    const aborted = new Promise<never>((_, reject) => (this.rejectWait = reject));
    try {
      return await Promise.race([opening, aborted]);
    } finally {
      this.rejectWait = undefined;
    }
  }
}
