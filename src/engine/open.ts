// The open model: a pacer dispatches arrivals at their intended times; each takes a permit (at most
// max-in-flight) or is dropped, then goes out on an idle connection of a pool sized by Little's law.
import * as Effect from "effect/Effect";
import * as Pacing from "../core/pacing.ts";
import * as Summary from "../core/summary.ts";
import { ArrivalQueue } from "./arrival_queue.ts";
import { noError, send, settle, type Shared } from "./exchange.ts";
import type { Channel } from "./channel.ts";
import type { Load, Share } from "./load.ts";
import * as Pacer from "./pacer.ts";
import { Permits } from "./permits.ts";
import { pick, type Target } from "./target.ts";

/** Connections opened before the clock starts, at least (more when the rate asks for them). */
const warmConnections = 16;
/** The warm-up opens enough connections for this many ms of arrivals, each answered in as long. */
const warmHorizonMs = 2;
/** The pool keeps this many times the connections busy on average (Little's law), plus `spare`. */
const poolMargin = 2;
const spare = 4;
/** Connects an arrival may start while others are under way; more wait for a connection to free up. */
const maxConnecting = 4;

/** One endpoint's connections: idle ones, arrivals waiting for one, and how many are opening. */
interface Lane {
  readonly endpoint: number;
  readonly idle: Channel[];
  readonly waiting: ArrivalQueue;
  /** Connections made for this endpoint, whatever they are doing. */
  open: number;
  connecting: number;
  /** Exchanges in flight now, and since when that count holds (performance.now()). */
  inFlight: number;
  changedAt: number;
  /**
   * ∫ in-flight dt since the last tick, ms: over the window, the connections busy on average. Each
   * exchange counts only the part of it inside the window: one that spanned a 1 s stall, summed at
   * its end, once made the pool open ~800 connections at once and stall salvo's sends by 95 ms.
   */
  busyMs: number;
}

/** Brings `lane`'s busy integral up to `now`, then changes its in-flight count by `by`. */
const account = (lane: Lane, now: number, by: number): void => {
  lane.busyMs += lane.inFlight * Math.max(0, now - lane.changedAt);
  lane.changedAt = now;
  lane.inFlight += by;
};

/**
 * The open model's load for one thread: arrivals i = index, index + count, … of the run's plan (their
 * intended times are the plan's own, so the threads' arrivals merge into the plan) and its part of
 * --max-in-flight.
 *
 * An arrival with a permit goes out at once on an idle connection. When none is idle it waits, first
 * in first out, for the next connection to finish or open (its latency still counts from its intended
 * time), and at most `maxConnecting` connects start for it: a stall then never turns into a burst of
 * connects that stalls the thread further. Each connection serves waiting arrivals in its own loop, as
 * a closed-model worker does. Every tick the pool grows to the connections the last window kept busy
 * (Little's law: arrivals × latency) times a margin, so connects happen ahead of need.
 */
export class OpenLoad implements Load {
  readonly summary = Summary.empty();
  readonly summaries = [this.summary];
  readonly interruptToStop = false;
  /** Every connection opened, idle or busy: the watchdog checks them all. */
  readonly connections: Channel[] = [];
  private readonly lanes: Lane[];
  readonly permits: Permits;
  /** The pacer has dispatched the whole plan: arrivals still waiting are sent, not dropped. */
  private planEnded = false;
  private lastTick = 0;

  constructor(
    private readonly shared: Shared,
    private readonly rate: Pacing.Plan,
    private readonly durationMs: number | undefined,
    maxInFlight: number,
    private readonly share: Share,
    private readonly spinMs = 0,
  ) {
    this.permits = new Permits(maxInFlight);
    this.lanes = shared.targets.endpoints.map((_, endpoint) => ({
      endpoint,
      idle: [],
      waiting: new ArrivalQueue(),
      open: 0,
      connecting: 0,
      inFlight: 0,
      changedAt: 0,
      busyMs: 0,
    }));
  }

  /**
   * Opens connections before the clock starts, so the first arrivals find them ready: at least
   * `warmConnections`, more when this thread's starting rate needs them.
   */
  async warm(): Promise<void> {
    const perMs = Pacing.valueAt(this.rate, 0) / this.share.count;
    const n = Math.max(warmConnections, Math.ceil(perMs * warmHorizonMs * poolMargin));
    const each = Math.max(1, Math.floor(Math.min(n, this.permits.size) / this.lanes.length));
    const opened = this.lanes.map((lane) => Array.from({ length: each }, () => this.make(lane)));
    await Promise.all(opened.flat().map((c) => c.warm()));
    opened.forEach((conns, e) => this.lanes[e]!.idle.push(...conns));
  }

  /**
   * One arrival: sent at once if a permit is free, else counted as dropped, never delayed. The drop
   * is the server's when every slot was already busy at the arrival's intended time; when a slot
   * was still free then, salvo's own lateness lost it (see Summary.droppedByClient).
   */
  arrive(intended: number): void {
    if (!this.permits.tryAcquire()) {
      this.drop(intended, this.permits.fullSince > intended);
      return;
    }
    const t = pick(this.shared.targets);
    const lane = this.lanes[t.endpoint]!;
    const conn = lane.idle.pop();
    if (conn !== undefined) {
      this.serve(lane, conn, intended, t);
      return;
    }
    lane.waiting.push(intended, t);
    if (lane.connecting < maxConnecting && lane.open < this.permits.size) this.grow(lane);
  }

  /**
   * Sends on `conn` the arrival given, then those waiting for this endpoint, oldest first, until none
   * waits; the connection is then idle.
   */
  private async serve(lane: Lane, conn: Channel, intended: number, t: Target): Promise<void> {
    const s = this.shared;
    for (;;) {
      s.issued++;
      const sentAt = performance.now();
      const lagUs = Math.max(0, Math.round((sentAt - intended) * 1000));
      this.summary.recordLag(lagUs);
      account(lane, sentAt, 1);
      conn.begin(sentAt + s.timeoutMs);
      let error: unknown = noError;
      try {
        await send(conn, t);
      } catch (e) {
        error = e;
      }
      const now = settle(s, conn, this.summary, intended, sentAt, error, t, lagUs);
      account(lane, now, -1);
      this.permits.release();
      // Stopped before the plan's end (Ctrl-C, --abort-on-fail): what waits is never sent.
      if (s.stopping && !this.planEnded) this.dropWaiting(lane);
      if (lane.waiting.length === 0) break;
      intended = lane.waiting.shift();
      t = lane.waiting.shiftedTarget!;
    }
    lane.idle.push(conn);
  }

  /** Opens one more connection for `lane`; once open it serves what waits, or idles. */
  private async grow(lane: Lane): Promise<void> {
    const conn = this.make(lane);
    lane.connecting++;
    await conn.warm();
    lane.connecting--;
    if (this.shared.stopping && !this.planEnded) this.dropWaiting(lane);
    if (lane.waiting.length === 0) lane.idle.push(conn);
    else {
      const intended = lane.waiting.shift();
      this.serve(lane, conn, intended, lane.waiting.shiftedTarget!);
    }
  }

  private dropWaiting(lane: Lane): void {
    while (lane.waiting.length > 0) {
      this.drop(lane.waiting.shift(), true);
      this.permits.release();
    }
  }

  private drop(intended: number, byClient: boolean): void {
    this.summary.dropped++;
    if (byClient) this.summary.droppedByClient++;
    this.shared.results?.drop(intended, byClient);
  }

  /** The pacer dispatches each arrival at its intended start, then waits for in-flight sends. */
  drive(startAt: number): Effect.Effect<void> {
    const shared = this.shared;
    const endMs = this.durationMs ?? Number.POSITIVE_INFINITY;
    let dispatched = 0;
    // The plan's time 0 is `startAt`, exactly: every thread stamps its arrivals on that one origin.
    // The pacer's own clock starts that far from when it reads it (a little in the past when this
    // thread starts at once: its first arrivals then go straight away).
    const origin = startAt;
    const lead = () => startAt - performance.now();
    return Pacer.drive(
      this.rate,
      endMs,
      (_i, intendedMs) => {
        dispatched++;
        this.arrive(origin + intendedMs);
      },
      {
        stop: () => shared.stopping || dispatched >= shared.maxRequests,
        startInMs: lead,
        spinMs: this.spinMs,
        first: this.share.index,
        stride: this.share.count,
      },
    ).pipe(
      Effect.andThen(Effect.sync(() => {
        this.planEnded = !shared.stopping;
        shared.stopping = true;
      })),
      // Every permit back means every send has finished.
      Effect.andThen(Effect.promise(() => this.permits.idle())),
    );
  }

  /** Grows each endpoint's pool to what the last window kept busy (Little's law), with a margin. */
  tick(elapsedMs: number): void {
    const window = elapsedMs - this.lastTick;
    this.lastTick = elapsedMs;
    if (window <= 0 || this.shared.stopping) return;
    const now = performance.now();
    for (const lane of this.lanes) {
      account(lane, now, 0);
      const busy = lane.busyMs / window;
      lane.busyMs = 0;
      const want = Math.min(this.permits.size, Math.ceil(busy * poolMargin) + spare);
      // The whole way at once: capped at 64 a tick, an overloaded server's growing queue left arrivals
      // waiting and the event loop lagging past the knee's client bar (tests/e2e/knee_test.ts).
      while (lane.open < want) this.grow(lane);
    }
  }

  idle(): Promise<void> {
    return this.permits.idle();
  }

  pausedMs(): number {
    return 0;
  }

  private make(lane: Lane): Channel {
    const c = this.shared.channels.make(lane.endpoint);
    this.connections.push(c);
    lane.open++;
    return c;
  }
}
