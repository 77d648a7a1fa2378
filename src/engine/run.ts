// Runs a plan: workers as supervised fibers in a scope, a watchdog for timeouts, snapshots into a Ref.
import { Duration, Effect, Fiber, Ref, Schedule } from "effect";
import process from "node:process";
import * as Histogram from "../core/histogram.ts";
import * as Summary from "../core/summary.ts";
import type { RunPlan } from "../domain/plan.ts";
import { encodeRequest, type Endpoint } from "./http1.ts";
import { type Shared, Worker } from "./worker.ts";

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
  readonly concurrency: number;
  readonly delayMs: number;
  /** Total time workers spent in --delay pauses, in milliseconds. */
  readonly pausedMs: number;
  /** How late the monitor's timer fired: the event loop's lag, in microseconds. */
  readonly loopLag: Histogram.Histogram;
  /** CPU time salvo's process used during the run (all threads), in milliseconds. */
  readonly cpuMs: number;
  readonly interrupted: boolean;
  /** Stopped early because `stopWhen` said so (--abort-on-fail). */
  readonly aborted: boolean;
}

/** A prepared run: created before it starts, so an interrupted run can still be summarised. */
export interface Run {
  readonly plan: RunPlan;
  readonly shared: Shared;
  readonly workers: ReadonlyArray<Worker>;
  readonly loopLag: Histogram.Histogram;
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

export const userAgent = "salvo/0.1";

export const prepare = (plan: RunPlan): Run => {
  const { url, method, headers, body } = plan.request;
  const okByStatus = new Uint8Array(1000);
  for (let s = 0; s < 1000; s++) okByStatus[s] = plan.isSuccess(s) ? 1 : 0;
  const shared: Shared = {
    stopping: false,
    issued: 0,
    maxRequests: plan.maxRequests ?? Number.POSITIVE_INFINITY,
    endAt: Number.POSITIVE_INFINITY,
    request: encodeRequest(method, url, headers, body, userAgent),
    head: method === "HEAD",
    timeoutMs: plan.timeoutMs,
    okByStatus,
  };
  const endpoint: Endpoint = {
    hostname: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port) || (url.protocol === "https:" ? 443 : 80),
    tls: url.protocol === "https:",
  };
  return {
    plan,
    shared,
    workers: Array.from({ length: plan.concurrency }, () => new Worker(shared, endpoint)),
    loopLag: Histogram.make(),
    startedAt: 0,
    endedAt: 0,
    cpuStartUs: 0,
    cpuEndUs: 0,
    interrupted: false,
    aborted: false,
  };
};

const snapshot = (run: Run): Snapshot => {
  let requests = 0, successes = 0, maxUs = 0;
  for (const w of run.workers) {
    requests += w.summary.requests;
    successes += w.summary.successes;
    if (w.summary.requests > 0) maxUs = Math.max(maxUs, w.summary.latency.maxValue);
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

/** Stops issuing; in-flight requests get a grace period, then their sockets are closed. */
const stopNow = (run: Run): void => {
  run.shared.stopping = true;
  const cutoff = performance.now() + interruptGraceMs;
  for (const w of run.workers) {
    const c = w.connection;
    if (c.deadline > cutoff) c.deadline = cutoff;
  }
  setTimeout(() => {
    for (const w of run.workers) if (w.connection.deadline > 0) w.connection.abort();
  }, interruptGraceMs);
};

/** Aborts exchanges past their deadline and measures event-loop lag; one tick of the monitor fiber. */
const monitorTick = (run: Run, last: { at: number }): void => {
  const now = performance.now();
  const lateUs = Math.max(0, (now - last.at - monitorIntervalMs) * 1000);
  last.at = now;
  run.loopLag.record(Math.round(lateUs));
  for (const w of run.workers) {
    const c = w.connection;
    if (c.deadline > 0 && now > c.deadline) c.abort();
  }
};

const workerLoop = (run: Run, w: Worker): Effect.Effect<void> => {
  const delayMs = run.plan.delayMs;
  if (delayMs <= 0) {
    return Effect.uninterruptible(Effect.promise(() => w.batch(Number.POSITIVE_INFINITY)));
  }
  // One request per step; the Schedule spaces steps by --delay. A step is never cut short, but the
  // pause between steps is interruptible, so the end of the run does not wait out a long delay.
  const step = Effect.uninterruptible(Effect.promise(() => w.batch(1)));
  return Effect.repeat(step, {
    schedule: Schedule.spaced(Duration.millis(delayMs)),
    while: (more) => more,
  }).pipe(Effect.asVoid);
};

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
      run.startedAt = performance.now();
      run.cpuStartUs = cpuUs();
      if (plan.durationMs !== undefined) {
        (shared as { endAt: number }).endAt = run.startedAt + plan.durationMs;
      }
      const fibers = yield* Effect.forEach(
        run.workers,
        (w) => Effect.forkScoped(workerLoop(run, w)),
      );
      // Stop issuing; workers finish the request in flight, pauses between requests are cut short.
      const stopAll = Effect.sync(() => {
        shared.stopping = true;
      }).pipe(Effect.andThen(Fiber.interruptAll(fibers)));
      const last = { at: performance.now() };
      yield* Effect.forkScoped(
        Effect.repeat(
          Effect.sync(() => monitorTick(run, last)),
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
      // Runs first when the scope closes (finalizers run in reverse): stop issuing before workers are awaited.
      yield* Effect.addFinalizer((exit) =>
        Effect.sync(() => {
          if (exit._tag === "Failure") {
            run.interrupted = true;
            stopNow(run);
          }
        })
      );
      yield* Fiber.awaitAll(fibers);
      run.endedAt = performance.now();
    }),
  ).pipe(
    Effect.ensuring(Effect.suspend(() => {
      if (run.endedAt === 0) run.endedAt = performance.now();
      run.cpuEndUs = cpuUs();
      for (const w of run.workers) w.endPause(run.endedAt);
      for (const w of run.workers) w.connection.close();
      return Ref.set(progress, snapshot(run));
    })),
  );

export const outcome = (run: Run): Outcome => ({
  summary: Summary.mergeAll(run.workers.map((w) => w.summary)),
  elapsedMs: Math.max(0, run.endedAt - run.startedAt),
  concurrency: run.plan.concurrency,
  delayMs: run.plan.delayMs,
  pausedMs: run.workers.reduce((t, w) => t + w.pausedMs, 0),
  loopLag: run.loopLag,
  cpuMs: Math.max(0, run.cpuEndUs - run.cpuStartUs) / 1000,
  interrupted: run.interrupted,
  aborted: run.aborted,
});
