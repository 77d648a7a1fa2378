// Runs a plan: closed-model workers or open-model arrivals as supervised fibers in a scope, with a
// watchdog for timeouts and snapshots published into a Ref.
import { Duration, Effect, Fiber, Ref, Schedule } from "effect";
import process from "node:process";
import * as Histogram from "../core/histogram.ts";
import * as Pacing from "../core/pacing.ts";
import * as Summary from "../core/summary.ts";
import { concurrencyOf, type RunPlan } from "../domain/plan.ts";
import { version } from "../version.ts";
import * as Request from "../core/request.ts";
import { type Connection, encodeRequest, type Endpoint } from "./http1.ts";
import type { Target, Targets } from "./target.ts";
import { OpenLoad } from "./open.ts";
import { Redirects } from "./redirects.ts";
import * as Pacer from "./pacer.ts";
import { Watchdog } from "./watchdog.ts";
import { type ResultsSink, type Shared, Step, Worker } from "./worker.ts";

/** What the progress line and --abort-on-fail read while the run goes on. */
export interface Snapshot {
  readonly elapsedMs: number;
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  /** Largest latency so far, in microseconds. */
  readonly maxUs: number;
}

export const emptySnapshot: Snapshot = {
  elapsedMs: 0,
  requests: 0,
  successes: 0,
  failures: 0,
  maxUs: 0,
};

/** Everything measured by a run, finished or interrupted. */
export interface Outcome {
  readonly summary: Summary.Summary;
  readonly elapsedMs: number;
  /** Most workers (closed) or requests in flight (open) allowed at once. */
  readonly concurrency: number;
  readonly delayMs: number;
  /** Target arrival rate per second (open model), averaged over the run's plan. */
  readonly targetRps: number | undefined;
  /** Total time workers spent in --delay pauses, in milliseconds. */
  readonly pausedMs: number;
  /** How late the monitor's timer fired: the event loop's lag, in microseconds. */
  readonly loopLag: Histogram.Histogram;
  /** CPU time salvo's process used during the run (all threads), in milliseconds. */
  readonly cpuMs: number;
  readonly interrupted: boolean;
  /** Stopped early because `stopWhen` said so (--abort-on-fail). */
  readonly aborted: boolean;
  /** Why writing the results stream failed, if it did: the run stopped there and is not judged. */
  readonly outputFailure: string | undefined;
}

/** A prepared run: created before it starts, so an interrupted run can still be summarised. */
export interface Run {
  readonly plan: RunPlan;
  readonly shared: Shared;
  /** Closed model: the workers, each with its summary and connection. Open model: none. */
  readonly workers: ReadonlyArray<Worker>;
  /** Closed model: the summaries workers fold into, one each up to `maxSummaries`, then shared. */
  readonly summaries: ReadonlyArray<Summary.Summary>;
  /** Open model: the sender. */
  readonly open: OpenLoad | undefined;
  /** Every connection: the workers' (fixed), or the open model's (the live list it appends to). */
  readonly connections: ReadonlyArray<Connection>;
  readonly loopLag: Histogram.Histogram;
  readonly watchdog: Watchdog;
  startedAt: number;
  endedAt: number;
  cpuStartUs: number;
  cpuEndUs: number;
  interrupted: boolean;
  aborted: boolean;
}

/** How long in-flight requests may finish after an interrupt before their sockets are closed. */
const interruptGraceMs = 1000;
const monitorIntervalMs = 50;
/** At most this many summaries for the closed model's workers; beyond, workers share them. */
const maxSummaries = 64;
/** Connections the open model opens before its clock starts. */
const warmConnections = 16;
/** How often a parked worker (above the ramp's current count) looks again. */
const parkedMs = 10;

export const userAgent = `salvo/${version}`;

/** Encodes every target once; targets on one origin share an endpoint (and so connections). */
const targetsOf = (plan: RunPlan): Targets => {
  const endpoints: Endpoint[] = [];
  const byOrigin = new Map<string, number>();
  const all = plan.targets.map((spec): Target => {
    const { url, method, headers, body } = spec;
    let e = byOrigin.get(url.origin);
    if (e === undefined) {
      e = endpoints.length;
      byOrigin.set(url.origin, e);
      endpoints.push({
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: Number(url.port) || (url.protocol === "https:" ? 443 : 80),
        tls: url.protocol === "https:",
        insecure: plan.tls.insecure,
        ...(plan.tls.caCerts === undefined ? {} : { caCerts: plan.tls.caCerts }),
      });
    }
    return {
      request: encodeRequest(method, url, headers, body, userAgent),
      head: method === "HEAD",
      endpoint: e,
      nameJson: JSON.stringify(`${method} ${Request.maskUrl(url)}`),
      redirects: plan.followRedirects === undefined
        ? undefined
        : new Redirects(plan.followRedirects, spec, endpoints[e]!, userAgent),
    };
  });
  return { all, endpoints, random: plan.targetsOrder === "random", next: 0 };
};

export const prepare = (plan: RunPlan, results?: ResultsSink): Run => {
  const okByStatus = new Uint8Array(1000);
  for (let s = 0; s < 1000; s++) okByStatus[s] = plan.isSuccess(s) ? 1 : 0;
  const model = plan.model;
  const shared: Shared = {
    stopping: false,
    issued: 0,
    maxRequests: plan.maxRequests ?? Number.POSITIVE_INFINITY,
    endAt: Number.POSITIVE_INFINITY,
    active: model._tag === "Closed" ? Pacing.valueAt(model.workers, 0) : Number.POSITIVE_INFINITY,
    targets: targetsOf(plan),
    timeoutMs: plan.timeoutMs,
    okByStatus,
    results,
    followRedirects: plan.followRedirects !== undefined,
  };
  const summaries = Array.from(
    { length: Math.min(concurrencyOf(model), maxSummaries) },
    () => Summary.empty(),
  );
  const open = model._tag === "Open" ? new OpenLoad(shared, model.maxInFlight) : undefined;
  const workers = model._tag === "Closed"
    ? Array.from(
      { length: concurrencyOf(model) },
      (_, i) => new Worker(shared, i, summaries[i % summaries.length]!),
    )
    : [];
  const connections = open !== undefined ? open.connections : workers.flatMap((w) => w.connections);
  return {
    plan,
    shared,
    workers,
    connections,
    watchdog: new Watchdog(connections, plan.timeoutMs),
    summaries: model._tag === "Closed" ? summaries : [],
    open,
    loopLag: Histogram.make(),
    startedAt: 0,
    endedAt: 0,
    cpuStartUs: 0,
    cpuEndUs: 0,
    interrupted: false,
    aborted: false,
  };
};

const summaries = (run: Run): ReadonlyArray<Summary.Summary> =>
  run.open !== undefined ? [run.open.summary] : run.summaries;

const snapshot = (run: Run): Snapshot => {
  let requests = 0, successes = 0, maxUs = 0;
  for (const s of summaries(run)) {
    requests += s.requests;
    successes += s.successes;
    if (s.requests > 0) maxUs = Math.max(maxUs, s.latency.maxValue);
  }
  return {
    elapsedMs: performance.now() - run.startedAt,
    requests,
    successes,
    failures: requests - successes,
    maxUs,
  };
};

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Stops issuing; in-flight requests get a grace period, then the watchdog cuts them as `cancelled`. */
const stopNow = (run: Run): void => {
  run.shared.stopping = true;
  const cutoff = performance.now() + interruptGraceMs;
  for (const c of run.connections) if (c.deadline > cutoff) c.deadline = cutoff;
  run.watchdog.scan();
};

/**
 * Follows the worker ramp, measures event-loop lag, and flushes the results stream; true when that
 * stream failed, so the run must stop. (Deadlines are the watchdog's.)
 */
const monitorTick = (run: Run, last: { at: number }): boolean => {
  const now = performance.now();
  const lateUs = Math.max(0, (now - last.at - monitorIntervalMs) * 1000);
  last.at = now;
  run.loopLag.record(Math.round(lateUs));
  run.shared.results?.flush(now);
  const model = run.plan.model;
  if (model._tag === "Closed" && model.workers.stages.length > 0) {
    run.shared.active = Math.round(Pacing.valueAt(model.workers, now - run.startedAt));
  }
  return run.shared.results?.failure !== undefined;
};

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

/** The open model: the pacer dispatches each arrival at its intended start, then waits for in-flight sends. */
const openLoad = (run: Run, open: OpenLoad, rate: Pacing.Plan) =>
  Effect.gen(function* () {
    const { shared } = run;
    const endMs = run.plan.durationMs ?? Number.POSITIVE_INFINITY;
    let dispatched = 0;
    let origin = run.startedAt;
    yield* Pacer.drive(
      rate,
      endMs,
      (i, intendedMs) => {
        dispatched = i + 1;
        return Effect.sync(() => open.arrive(origin + intendedMs));
      },
      {
        stop: () => shared.stopping || dispatched >= shared.maxRequests,
        onStart: () => {
          origin = performance.now();
        },
      },
    );
    shared.stopping = true;
    // Every permit back means every send has finished.
    yield* Effect.promise(() => open.permits.idle());
  });

/**
 * Executes a prepared run. Snapshots are published to `progress` every `snapshotMs`; when `stopWhen`
 * holds for one, the run stops early as if its duration had ended. On interruption the run stops
 * issuing, lets in-flight requests finish within a grace period, and still fills `run`.
 */
export const execute = (
  run: Run,
  progress: Ref.Ref<Snapshot>,
  stopWhen: (s: Snapshot) => boolean = () => false,
  snapshotMs = 250,
): Effect.Effect<void> =>
  Effect.scoped(
    Effect.gen(function* () {
      const { plan, shared } = run;
      const model = plan.model;
      if (run.open !== undefined) yield* Effect.promise(() => run.open!.warm(warmConnections));
      run.startedAt = performance.now();
      run.cpuStartUs = cpuUs();
      if (plan.durationMs !== undefined) shared.endAt = run.startedAt + plan.durationMs;
      run.watchdog.scan();
      const load = model._tag === "Open"
        ? openLoad(run, run.open!, model.rate)
        : Effect.forEach(run.workers, (w) => workerLoop(w, model.delayMs), {
          concurrency: "unbounded",
          discard: true,
        });
      const fiber = yield* Effect.forkScoped(load);
      // Stop issuing; requests in flight finish, waits between requests are cut short.
      const stopAll = Effect.sync(() => {
        shared.stopping = true;
      }).pipe(Effect.andThen(model._tag === "Closed" ? Fiber.interrupt(fiber) : Effect.void));
      const last = { at: performance.now() };
      yield* Effect.forkScoped(
        Effect.repeat(
          // A failed results stream stops the run: going on would measure what nobody can read.
          Effect.suspend(() => monitorTick(run, last) && !shared.stopping ? stopAll : Effect.void),
          Schedule.spaced(monitorIntervalMs),
        ),
      );
      yield* Effect.forkScoped(
        Effect.repeat(
          Effect.suspend(() => {
            const s = snapshot(run);
            if (!shared.stopping && stopWhen(s)) {
              run.aborted = true;
              return Ref.set(progress, s).pipe(Effect.andThen(stopAll));
            }
            return Ref.set(progress, s);
          }),
          Schedule.spaced(snapshotMs),
        ),
      );
      if (plan.durationMs !== undefined) {
        yield* Effect.forkScoped(
          Effect.sleep(Duration.millis(plan.durationMs)).pipe(Effect.andThen(stopAll)),
        );
      }
      // Runs first when the scope closes (finalizers run in reverse): stop issuing before the load is awaited.
      yield* Effect.addFinalizer((exit) =>
        exit._tag === "Failure"
          ? Effect.sync(() => {
            run.interrupted = true;
            stopNow(run);
          }).pipe(
            Effect.andThen(Effect.promise(() => run.open?.permits.idle() ?? Promise.resolve())),
          )
          : Effect.void
      );
      yield* Fiber.await(fiber);
      run.endedAt = performance.now();
    }),
  ).pipe(
    Effect.ensuring(Effect.suspend(() => {
      if (run.endedAt === 0) run.endedAt = performance.now();
      run.cpuEndUs = cpuUs();
      run.watchdog.stop();
      for (const w of run.workers) w.endPause(run.endedAt);
      for (const c of run.connections) c.close();
      run.shared.results?.finish(run.endedAt);
      return Ref.set(progress, snapshot(run));
    })),
  );

/** CPU time salvo used per wall-clock time during the run; near 1, one core was saturated. */
export const cpuShare = (o: Outcome): number => (o.elapsedMs > 0 ? o.cpuMs / o.elapsedMs : 0);

/** The plan's mean arrival rate per second over its first `ms`. */
const targetRps = (rate: Pacing.Plan, ms: number): number =>
  ms > 0 ? (Pacing.integral(rate, ms) / ms) * 1000 : Pacing.valueAt(rate, 0) * 1000;

/** The run ended before its plan did: interrupted, aborted, its output failed, or -n reached. */
const stoppedEarly = (run: Run): boolean =>
  run.interrupted || run.aborted || run.shared.results?.failure !== undefined ||
  run.shared.issued >= run.shared.maxRequests;

export const outcome = (run: Run): Outcome => {
  const model = run.plan.model;
  const elapsedMs = Math.max(0, run.endedAt - run.startedAt);
  return {
    summary: Summary.mergeAll(summaries(run)),
    elapsedMs,
    concurrency: concurrencyOf(model),
    delayMs: model._tag === "Closed" ? model.delayMs : 0,
    // The plan's rate over its whole duration, unless the run was cut short: the last arrival comes
    // up to one interval before the end, so the elapsed time can fall a little short of it.
    targetRps: model._tag === "Open"
      ? targetRps(
        model.rate,
        run.plan.durationMs !== undefined && !stoppedEarly(run)
          ? run.plan.durationMs
          : Math.min(elapsedMs, run.plan.durationMs ?? elapsedMs),
      )
      : undefined,
    pausedMs: run.workers.reduce((t, w) => t + w.pausedMs, 0),
    loopLag: run.loopLag,
    cpuMs: Math.max(0, run.cpuEndUs - run.cpuStartUs) / 1000,
    interrupted: run.interrupted,
    aborted: run.aborted,
    outputFailure: run.shared.results?.failure,
  };
};
