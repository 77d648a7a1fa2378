// A scenario's load for one thread: virtual users running iterations of the module's default export, in the closed model (-c users looping) or the open model (--rate iterations started per second).
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Pacing from "../core/pacing.ts";
import { Dealer } from "../core/scenario_data.ts";
import { Tally } from "../core/scenario_tally.ts";
import * as Summary from "../core/summary.ts";
import type { LoadModel, ScenarioPlan } from "../domain/plan.ts";
import { describeThrown, type Iteration, loadScenario } from "../io/scenario_module.ts";
import type { Shared } from "./exchange.ts";
import type { Channel } from "./channel.ts";
import type { Endpoint } from "./http1.ts";
import { type Load, part, type Share } from "./load.ts";
import * as Pacer from "./pacer.ts";
import { Permits } from "./permits.ts";
import { pause, type ScenarioEnv, stopSignal, VirtualUser } from "./scenario_user.ts";

/**
 * The scenario load running in this thread, if any: a rejection no iteration awaited (a promise the
 * script left behind) is its script error, not the thread's end (thread_main.ts asks here first).
 */
export let running: ScenarioLoad | undefined;

/** What an iteration's end tells its user's loop. */
const Next = { Stop: 0, More: 1 } as const;
type Next = typeof Next[keyof typeof Next];

/** What an iteration that threw nothing threw. */
const none: unique symbol = Symbol("nothing thrown");

/** How often a parked user (above the ramp's current count) looks again. */
const parkedMs = 10;

export class ScenarioLoad implements Load {
  readonly tally = new Tally();
  /** The open model's dropped arrivals (no request, so no step). */
  private readonly drops = Summary.empty();
  readonly connections: Channel[] = [];
  /**
   * Users end by themselves at the end of the run (sleeps end there too), and at a stop once `tick`
   * wakes them: nothing is cut mid-iteration but the requests the end refuses.
   */
  readonly interruptToStop = false;
  readonly env: ScenarioEnv;
  private readonly users: VirtualUser[];
  private readonly dealer: Dealer | undefined;
  private iterate: Iteration | undefined;
  private pausedTotal = 0;
  /** The closed model's users, all running; resolves when the last one stops. */
  private looping: Promise<unknown> = Promise.resolve();
  /** Open model: the users free to take an arrival (as many as the permits free). */
  private readonly free: VirtualUser[] = [];
  private readonly permits: Permits | undefined;

  constructor(
    private readonly shared: Shared,
    private readonly scenario: ScenarioPlan,
    private readonly model: LoadModel,
    private readonly durationMs: number | undefined,
    private readonly share: Share,
    endpointOf: (url: URL) => Endpoint,
    options: { userAgent: string; keepAlive: boolean; retry: boolean; http2: boolean },
  ) {
    this.env = {
      shared,
      tally: this.tally,
      baseUrl: scenario.baseUrl === undefined ? undefined : new URL(scenario.baseUrl),
      connections: this.connections,
      endpointOf,
      userAgent: options.userAgent,
      keepAlive: options.keepAlive,
      retry: options.retry,
      cookies: scenario.cookies,
      setup: scenario.setup,
      sleepers: new Set(),
      prepared: new Map(),
      steps: new Map(),
      http2: options.http2,
      seen: shared.channels.seen,
    };
    const n = model._tag === "Closed"
      ? part(
        Math.ceil(Math.max(model.workers.start, ...model.workers.stages.map((s) => s.target))),
        share,
      )
      : part(model.maxInFlight, share);
    this.users = Array.from(
      { length: n },
      (_, j) => new VirtualUser(this.env, share.index + j * share.count),
    );
    if (model._tag === "Open") {
      this.permits = new Permits(n);
      this.free.push(...this.users.slice().reverse());
    }
    this.dealer = scenario.data === undefined
      ? undefined
      : new Dealer(scenario.data.rows, scenario.data.order, share);
  }

  /** Every request, step by step, and the drops: the run's summary is theirs merged. */
  get summaries(): ReadonlyArray<Summary.Summary> {
    return [this.drops, ...this.tally.steps.values()];
  }

  /** Loads the module in this thread (each load thread loads it once). */
  async warm(): Promise<void> {
    this.iterate = (await loadScenario(this.scenario.url)).iterate;
    running = this;
  }

  /** Counts a rejection no iteration awaited as a script error. */
  stray(reason: unknown): void {
    this.tally.stray(describeThrown(reason, this.scenario.url));
  }

  /**
   * Starts an iteration of `u`: its start time, or -1 when the run is over or `--data`'s unique rows
   * are used up. The iteration itself runs in the caller (`await this.iterate(u)`), not in an async
   * call of its own: one promise and one microtask less per iteration (the one-request scenario is
   * the seam's benchmark, scripts/bench_scenario.sh).
   */
  private begin(u: VirtualUser): number {
    const s = this.shared;
    const now = performance.now();
    if (s.stopping || s.issued >= s.maxRequests || now >= s.endAt) {
      s.stopping = true;
      return -1;
    }
    let row;
    if (this.dealer !== undefined) {
      row = this.dealer.next();
      if (row === undefined) {
        this.tally.exhausted = true;
        return -1;
      }
    }
    s.issued++;
    u.begin(row);
    return now;
  }

  /** Ends the iteration of `u` begun at `start`, which threw `thrown` (or `none`); what comes next. */
  private end(u: VirtualUser, start: number, thrown: unknown): Next {
    const s = this.shared;
    const end = performance.now();
    if (u.cut) this.tally.cut++;
    else {
      const error = thrown === none || thrown === stopSignal
        ? undefined
        : describeThrown(thrown, this.scenario.url);
      this.tally.iteration(Math.round((end - start) * 1000), error);
    }
    u.iteration++;
    return s.stopping || end >= s.endAt ? Next.Stop : Next.More;
  }

  /** Runs one iteration of `u` (the open model's arrivals); what comes next. */
  private async once(u: VirtualUser): Promise<Next> {
    const start = this.begin(u);
    if (start < 0) return Next.Stop;
    let thrown: unknown = none;
    try {
      await this.iterate!(u);
    } catch (e) {
      thrown = e;
    }
    return this.end(u, start, thrown);
  }

  /**
   * A closed-model user: a plain async loop of iterations, --delay between them, waiting while the
   * ramp has not reached it. Every user of the thread runs under one fiber (`drive`), not one each:
   * a fiber and its Schedule per user held ~20 KB per idle user, and an Effect step with its timer
   * per iteration held each user ~4 ms (0.14× the throughput of `salvo run URL`).
   */
  private async userLoop(u: VirtualUser, delayMs: number): Promise<void> {
    const s = this.shared;
    for (;;) {
      if (u.index >= s.active && !s.stopping) {
        // Parked until the ramp reaches it, or until the end of the run.
        if (performance.now() >= s.endAt) return;
        await pause(this.env, parkedMs);
        continue;
      }
      // `once`, inlined (see `begin`).
      const start = this.begin(u);
      if (start < 0) return;
      let thrown: unknown = none;
      try {
        await this.iterate!(u);
      } catch (e) {
        thrown = e;
      }
      if (this.end(u, start, thrown) === Next.Stop) return;
      if (delayMs > 0) {
        const t0 = performance.now();
        await pause(this.env, delayMs);
        this.pausedTotal += performance.now() - t0;
      }
    }
  }

  /** Open model: an arrival takes a free user, or is dropped when every user is busy. */
  private arrive(intended: number): void {
    const permits = this.permits!;
    if (!permits.tryAcquire()) {
      const byClient = permits.fullSince > intended;
      this.drops.dropped++;
      if (byClient) this.drops.droppedByClient++;
      this.shared.results?.drop(intended, byClient);
      return;
    }
    // A permit taken is a user free: they are taken and given back together.
    const u = this.free.pop()!;
    this.once(u).finally(() => {
      this.free.push(u);
      this.permits!.release();
    });
  }

  drive(startAt: number): Effect.Effect<void> {
    const m = this.model;
    if (m._tag === "Closed") {
      return Effect.sleep(Duration.millis(Math.max(0, startAt - performance.now()))).pipe(
        Effect.andThen(Effect.promise(() => {
          this.looping = Promise.all(this.users.map((u) => this.userLoop(u, m.delayMs)));
          return this.looping;
        })),
        Effect.asVoid,
      );
    }
    const shared = this.shared;
    let dispatched = 0;
    return Pacer.drive(
      m.rate,
      this.durationMs ?? Number.POSITIVE_INFINITY,
      (_i, intendedMs) => {
        dispatched++;
        this.arrive(startAt + intendedMs);
      },
      {
        stop: () => shared.stopping || dispatched >= shared.maxRequests,
        startInMs: () => startAt - performance.now(),
        ...(m.spinMs === undefined ? {} : { spinMs: m.spinMs }),
        first: this.share.index,
        stride: this.share.count,
      },
    ).pipe(
      Effect.andThen(Effect.sync(() => {
        shared.stopping = true;
        this.wake();
      })),
      Effect.andThen(Effect.promise(() => this.permits!.idle())),
    );
  }

  /** Ends every sleep in progress (the run is stopping). */
  private wake(): void {
    for (const done of [...this.env.sleepers]) done();
  }

  tick(elapsedMs: number): void {
    if (this.shared.stopping) this.wake();
    const m = this.model;
    if (m._tag === "Closed" && m.workers.stages.length > 0) {
      this.shared.active = Math.round(Pacing.valueAt(m.workers, elapsedMs));
    }
  }

  /** Resolves once every user has stopped (the closed model) or every iteration ended (open). */
  async idle(): Promise<void> {
    this.wake();
    await (this.permits?.idle() ?? this.looping);
  }

  pausedMs(): number {
    return this.pausedTotal;
  }
}
