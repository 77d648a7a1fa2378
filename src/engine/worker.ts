// One worker of the closed model: a plain loop of exchanges over its own connections, folding into its summary.
import * as Summary from "../core/summary.ts";
import { reasonIndex } from "../domain/reason.ts";
import { classifyIndex } from "./classify.ts";
import { Connection, Progress } from "./http1.ts";
import { isRedirect } from "./redirects.ts";
import { pick, type Target, type Targets } from "./target.ts";

/** Receives every finished request when --results is given (io/ writes them out). */
export interface ResultsSink {
  push(
    intended: number,
    sentAt: number,
    end: number,
    status: number,
    reasonIndex: number,
    ok: boolean,
    bytes: number,
    targetJson: string,
  ): void;
  /** Called every few tens of milliseconds with performance.now(): write what is due. */
  flush(now: number): void;
  /** The run is over: write everything left. */
  finish(now: number): void;
  /** Why a write failed, once one has: the run then stops and exits 3 (nothing is written after it). */
  readonly failure: string | undefined;
}

/** State every worker of a run reads and claims from; one JS thread, so plain fields are enough. */
export interface Shared {
  stopping: boolean;
  issued: number;
  readonly maxRequests: number;
  /** performance.now() after which no request starts. */
  endAt: number;
  /** Workers with an index below this may send (a ramp of --stages changes it); Infinity otherwise. */
  active: number;
  readonly targets: Targets;
  readonly timeoutMs: number;
  /** okByStatus[status] is 1 when that status counts as a success. */
  readonly okByStatus: Uint8Array;
  /** Where each request is streamed when --results is given. */
  readonly results: ResultsSink | undefined;
  /** Connections read Location headers (--follow-redirects). */
  readonly followRedirects: boolean;
}

/** What a worker's batch ends with: the run is over, there is room for more, or the worker is parked. */
export const Step = { Stop: 0, More: 1, Parked: 2 } as const;
export type Step = typeof Step[keyof typeof Step];

/** Takes a ticket for one more request at time `now`, or marks the run as stopping. */
const claim = (s: Shared, now: number): boolean => {
  if (s.stopping || s.issued >= s.maxRequests || now >= s.endAt) {
    s.stopping = true;
    return false;
  }
  s.issued++;
  return true;
};

const timeoutIndex = reasonIndex.timeout;

/** Marks an exchange that threw nothing. */
export const noError: unique symbol = Symbol("noError");

/**
 * Folds the exchange that just ended on `conn` into `summary`: `error` is what it threw, or `noError`.
 * Latency is measured from `intended` (corrected) and from `sentAt`; returns the time now.
 */
export const settle = (
  s: Shared,
  conn: Connection,
  summary: Summary.Summary,
  intended: number,
  sentAt: number,
  error: unknown,
  target: Target,
): number => {
  conn.deadline = 0;
  let status = 0, reason = -1, bytes = 0;
  const now = performance.now();
  let end = now;
  if (error !== noError) {
    reason = classifyIndex(error, conn.aborted);
    // Cut by the watchdog: it ended at its limit, however late the watchdog's timer fired.
    if (conn.aborted === "timeout") end = conn.timeoutAt;
    conn.close();
  } else if (now > conn.timeoutAt) {
    // Answered after the limit, before the watchdog got to it: a timeout all the same.
    reason = timeoutIndex;
    end = conn.timeoutAt;
  } else {
    status = conn.status;
    bytes = conn.bytes;
  }
  const ok = reason < 0 && s.okByStatus[status] === 1;
  summary.record(
    status,
    reason,
    ok,
    Math.round((end - intended) * 1000),
    Math.round((end - sentAt) * 1000),
    bytes,
  );
  s.results?.push(intended, sentAt, end, status, reason, ok, bytes, target.nameJson);
  return now;
};

/** Sends `t` over `conn` (following redirects when asked); throws what the exchange threw. */
export const send = async (conn: Connection, t: Target): Promise<void> => {
  await conn.exchange(t.request, t.head);
  if (t.redirects !== undefined && isRedirect(conn.status)) await t.redirects.follow(conn);
};

export class Worker {
  /** One connection per endpoint of the run's targets, opened when first needed. */
  readonly connections: Connection[];
  /** Time spent in --delay pauses between requests, in ms: tells pacing from server time. */
  pausedMs = 0;
  /** performance.now() when the pause in progress began; 0 when not pausing. */
  pauseStart = 0;

  /**
   * `summary` is this worker's own, or shared with a few others when there are many workers: on one JS
   * thread a shared fold needs no lock, and thousands of workers would otherwise hold thousands of
   * histograms.
   */
  constructor(
    private readonly shared: Shared,
    readonly index: number,
    readonly summary: Summary.Summary,
  ) {
    this.connections = shared.targets.endpoints.map((e) =>
      new Connection(e, shared.followRedirects)
    );
  }

  /** Sends up to `limit` requests back to back. */
  async batch(limit: number): Promise<Step> {
    const s = this.shared;
    let now = performance.now();
    this.endPause(now);
    for (let i = 0; i < limit; i++) {
      if (this.index >= s.active) {
        if (!s.stopping) return Step.Parked;
      }
      if (!claim(s, now)) return Step.Stop;
      const t = pick(s.targets);
      const conn = this.connections[t.endpoint]!;
      conn.begin(now + s.timeoutMs);
      let error: unknown = noError;
      try {
        // `conn.exchange(t.request, t.head)`, with its steady state inlined: no async call of its
        // own per request on the hot path (a few per cent of throughput against a fast server).
        let progress = conn.sendSmall(t.request, t.head);
        while (progress === Progress.More) progress = conn.received(await conn.readMore());
        if (progress !== Progress.Done) {
          await conn.exchange(t.request, t.head, progress === Progress.Retry);
        }
        if (t.redirects !== undefined && isRedirect(conn.status)) await t.redirects.follow(conn);
      } catch (e) {
        error = e;
      }
      // One clock read per request: the end of this one is the start of the next.
      now = settle(s, conn, this.summary, now, now, error, t);
    }
    const more = !s.stopping && s.issued < s.maxRequests && now < s.endAt;
    if (more) this.pauseStart = now;
    return more ? Step.More : Step.Stop;
  }

  /** Closes the pause in progress, if any, at `now`. */
  endPause(now: number): void {
    if (this.pauseStart > 0) {
      this.pausedMs += Math.max(0, now - this.pauseStart);
      this.pauseStart = 0;
    }
  }
}
