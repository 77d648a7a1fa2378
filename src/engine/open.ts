// The open model: a pacer dispatches arrivals at their intended times; each takes a permit (at most
// max-in-flight) and an idle connection, or is dropped.
import { Effect } from "effect";
import type * as Pacing from "../core/pacing.ts";
import * as Summary from "../core/summary.ts";
import { noError, send, settle, type Shared } from "./exchange.ts";
import { Connection } from "./http1.ts";
import type { Load, Share } from "./load.ts";
import * as Pacer from "./pacer.ts";
import { Permits } from "./permits.ts";
import { pick } from "./target.ts";

/** Connections opened before the clock starts. */
const warmConnections = 16;

/**
 * The open model's load for one thread: arrivals i = index, index + count, … of the run's plan (their
 * intended times are the plan's own, so the threads' arrivals merge into the plan) and its part of
 * --max-in-flight.
 */
export class OpenLoad implements Load {
  readonly summary = Summary.empty();
  readonly summaries = [this.summary];
  readonly interruptToStop = false;
  /** Every connection opened, idle or busy: the watchdog checks them all. */
  readonly connections: Connection[] = [];
  /** Idle connections, per endpoint. */
  private readonly idleConns: Connection[][];

  readonly permits: Permits;

  constructor(
    private readonly shared: Shared,
    private readonly rate: Pacing.Plan,
    private readonly durationMs: number | undefined,
    maxInFlight: number,
    private readonly share: Share,
    private readonly spinMs = 0,
  ) {
    this.permits = new Permits(maxInFlight);
    this.idleConns = shared.targets.endpoints.map(() => []);
  }

  /** Sends one request intended to start at `intended` (performance.now() time) on an idle connection. */
  async send(intended: number): Promise<void> {
    const s = this.shared;
    const t = pick(s.targets);
    const conn = this.idleConns[t.endpoint]!.pop() ?? this.open(t.endpoint);
    s.issued++;
    const sentAt = performance.now();
    const lagUs = Math.max(0, Math.round((sentAt - intended) * 1000));
    this.summary.recordLag(lagUs);
    conn.begin(sentAt + s.timeoutMs);
    let error: unknown = noError;
    try {
      await send(conn, t);
    } catch (e) {
      error = e;
    }
    settle(s, conn, this.summary, intended, sentAt, error, t, lagUs);
    this.idleConns[t.endpoint]!.push(conn);
  }

  /**
   * Opens `n` connections before the clock starts, so the first arrivals find some ready instead of
   * all opening connections at once.
   */
  async warm(n = warmConnections): Promise<void> {
    const endpoints = this.idleConns.length;
    const each = Math.max(1, Math.floor(Math.min(n, this.permits.size) / endpoints));
    const opened = this.idleConns.map((_, e) => Array.from({ length: each }, () => this.open(e)));
    await Promise.all(opened.flat().map((c) => c.warm()));
    opened.forEach((conns, e) => this.idleConns[e]!.push(...conns));
  }

  /**
   * One arrival: sent at once if a permit is free, else counted as dropped, never delayed. The drop
   * is the server's when every slot was already busy at the arrival's intended time; when a slot
   * was still free then, salvo's own lateness lost it (see Summary.droppedByClient).
   */
  arrive(intended: number): void {
    if (!this.permits.tryAcquire()) {
      const byClient = this.permits.fullSince > intended;
      this.summary.dropped++;
      if (byClient) this.summary.droppedByClient++;
      this.shared.results?.drop(intended, byClient);
      return;
    }
    this.send(intended).finally(() => this.permits.release());
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
        return Effect.sync(() => this.arrive(origin + intendedMs));
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
        shared.stopping = true;
      })),
      // Every permit back means every send has finished.
      Effect.andThen(Effect.promise(() => this.permits.idle())),
    );
  }

  tick(): void {}

  idle(): Promise<void> {
    return this.permits.idle();
  }

  pausedMs(): number {
    return 0;
  }

  private open(endpoint: number): Connection {
    const c = new Connection(this.shared.targets.endpoints[endpoint]!, this.shared.followRedirects);
    this.connections.push(c);
    return c;
  }
}
