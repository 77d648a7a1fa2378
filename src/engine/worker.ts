// One worker: a plain loop of exchanges over its own connection, folding results into its own summary.
import * as Summary from "../core/summary.ts";
import { classifyIndex } from "./classify.ts";
import { Connection, type Endpoint } from "./http1.ts";

/** State every worker of a run reads and claims from; one JS thread, so plain fields are enough. */
export interface Shared {
  stopping: boolean;
  issued: number;
  readonly maxRequests: number;
  /** performance.now() after which no request starts. */
  readonly endAt: number;
  readonly request: Uint8Array;
  readonly head: boolean;
  readonly timeoutMs: number;
  /** okByStatus[status] is 1 when that status counts as a success. */
  readonly okByStatus: Uint8Array;
}

/** Takes a ticket for one more request at time `now`, or marks the run as stopping. */
const claim = (s: Shared, now: number): boolean => {
  if (s.stopping || s.issued >= s.maxRequests || now >= s.endAt) {
    s.stopping = true;
    return false;
  }
  s.issued++;
  return true;
};

export class Worker {
  readonly summary = Summary.empty();
  readonly connection: Connection;
  /** Time spent in --delay pauses between requests, in ms: tells pacing from server time. */
  pausedMs = 0;
  /** performance.now() when the pause in progress began; 0 when not pausing. */
  pauseStart = 0;

  constructor(private readonly shared: Shared, endpoint: Endpoint) {
    this.connection = new Connection(endpoint);
  }

  /** Sends up to `limit` requests back to back; resolves whether the run has room for more. */
  async batch(limit: number): Promise<boolean> {
    const s = this.shared;
    const conn = this.connection;
    const summary = this.summary;
    let now = performance.now();
    this.endPause(now);
    for (let i = 0; i < limit && claim(s, now); i++) {
      const t0 = now;
      conn.begin(t0 + s.timeoutMs);
      let status = 0, reason = -1, bytes = 0;
      try {
        await conn.exchange(s.request, s.head);
        status = conn.status;
        bytes = conn.bytes;
      } catch (e) {
        reason = classifyIndex(e, conn.timedOut);
        conn.close();
      }
      conn.deadline = 0;
      // One clock read per request: the end of this one is the start of the next.
      now = performance.now();
      const us = Math.round((now - t0) * 1000);
      summary.record(status, reason, reason < 0 && s.okByStatus[status] === 1, us, us, bytes);
    }
    const more = !s.stopping && s.issued < s.maxRequests && now < s.endAt;
    if (more) this.pauseStart = now;
    return more;
  }

  /** Closes the pause in progress, if any, at `now`. */
  endPause(now: number): void {
    if (this.pauseStart > 0) {
      this.pausedMs += Math.max(0, now - this.pauseStart);
      this.pauseStart = 0;
    }
  }
}
