// The closed model: workers, each a plain loop of exchanges over its own connections, run as fibers
// whose waits (--delay, a parked worker) come from an Effect Schedule.
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Schedule from "effect/Schedule";
import * as Pacing from "../core/pacing.ts";
import * as Summary from "../core/summary.ts";
import type { Curve } from "../domain/plan.ts";
import { noError, settle, type Shared } from "./exchange.ts";
import type { Channel } from "./channel.ts";
import { Progress } from "./http1.ts";
import type { Load, Share } from "./load.ts";
import { part } from "./load.ts";
import { isRedirect } from "./redirects.ts";
import { pick } from "./target.ts";

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

/** How often a parked worker (above the ramp's current count) looks again. */
const parkedMs = 10;
/** At most this many summaries for one thread's workers; beyond, workers share them. */
const maxSummaries = 64;

export class Worker {
  /** One connection per endpoint of the run's targets, opened when first needed. */
  readonly connections: Channel[];
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
    /** The worker's index in the whole run (across load threads): the ramp reaches it in this order. */
    readonly index: number,
    readonly summary: Summary.Summary,
  ) {
    this.connections = shared.targets.endpoints.map((_, e) => shared.channels.make(e));
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
        if (conn.h2) await conn.send(t.h2!);
        else {
          // `conn.exchange(t.request, t.head)`, with its steady state inlined: no async call of its
          // own per request on the hot path (a few per cent of throughput against a fast server).
          let progress = conn.sendSmall(t.request, t.head);
          while (progress === Progress.More) progress = conn.received(await conn.readMore());
          if (progress !== Progress.Done) {
            await conn.exchange(t.request, t.head, progress === Progress.Retry, t.retry);
          }
          if (t.redirects !== undefined && isRedirect(conn.status)) await t.redirects.follow(conn);
        }
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

/**
 * One worker's fiber. A step is a batch of requests, never cut short; between steps the Schedule
 * waits for --delay (or, for a parked worker, for the ramp to reach it). Those waits are
 * interruptible, so the end of the run does not wait them out.
 */
const workerLoop = (w: Worker, delayMs: number): Effect.Effect<void> => {
  const perStep = delayMs > 0 ? 1 : Number.POSITIVE_INFINITY;
  const step = Effect.uninterruptible(Effect.promise(() => w.batch(perStep)));
  return Effect.repeat(
    step,
    Schedule.identity<Step>().pipe(
      Schedule.whileInput((s: Step) => s !== Step.Stop),
      Schedule.addDelay((s) => Duration.millis(s === Step.Parked ? parkedMs : delayMs)),
    ),
  ).pipe(Effect.asVoid);
};

/**
 * The closed model's load for one thread: of the run's workers, those whose index is this thread's
 * (worker i runs on thread i mod count), so a ramp reaches workers in the same order on any split.
 */
export class ClosedLoad implements Load {
  readonly workers: ReadonlyArray<Worker>;
  readonly summaries: ReadonlyArray<Summary.Summary>;
  readonly connections: ReadonlyArray<Channel>;
  readonly interruptToStop = true;

  constructor(
    private readonly shared: Shared,
    private readonly curve: Curve,
    private readonly delayMs: number,
    concurrency: number,
    share: Share,
  ) {
    // Over HTTP/2 each of this thread's connections carries `streams` workers, one stream each.
    const streams = shared.channels.streams;
    const n = part(concurrency, share) * streams;
    this.summaries = Array.from({ length: Math.min(n, maxSummaries) }, () => Summary.empty());
    this.workers = Array.from(
      { length: n },
      (_, j) =>
        new Worker(
          shared,
          (share.index + Math.floor(j / streams) * share.count) * streams + j % streams,
          this.summaries[j % this.summaries.length]!,
        ),
    );
    this.connections = this.workers.flatMap((w) => w.connections);
  }

  warm(): Promise<void> {
    return Promise.resolve();
  }

  drive(startAt: number): Effect.Effect<void> {
    return Effect.sleep(Duration.millis(Math.max(0, startAt - performance.now()))).pipe(
      Effect.andThen(
        Effect.forEach(this.workers, (w) => workerLoop(w, this.delayMs), {
          concurrency: "unbounded",
          discard: true,
        }),
      ),
    );
  }

  tick(elapsedMs: number): void {
    if (this.curve.stages.length > 0) {
      this.shared.active = Math.round(Pacing.valueAt(this.curve, elapsedMs)) *
        this.shared.channels.streams;
    }
  }

  idle(): Promise<void> {
    return Promise.resolve();
  }

  pausedMs(now: number): number {
    for (const w of this.workers) w.endPause(now);
    return this.workers.reduce((t, w) => t + w.pausedMs, 0);
  }
}
