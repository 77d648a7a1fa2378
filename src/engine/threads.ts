// Runs a plan on N load threads: Deno Workers, each running its share with the same engine, supervised
// by the main thread as Effect fibers in one scope; their figures are merged exactly, as `salvo merge`
// merges files (histograms added, moments combined).
import * as Deferred from "effect/Deferred";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Exit from "effect/Exit";
import * as Ref from "effect/Ref";
import * as Schedule from "effect/Schedule";
import * as Codec from "../core/histogram_codec.ts";
import * as Host from "../core/host.ts";
import { Tally } from "../core/scenario_tally.ts";
import * as Summary from "../core/summary.ts";
import { RunError } from "../domain/errors.ts";
import type { RunPlan } from "../domain/plan.ts";
import { fromTallyRecord } from "../io/tally_record.ts";
import { fromRecord } from "../io/summary_record.ts";
import * as HostSample from "../io/host_sample.ts";
import { threadUrl } from "./entry.ts";
import type { ResultsSink } from "../domain/results_sink.ts";
import { replay } from "./forward_sink.ts";
import * as Engine from "./run.ts";
import { type FromThread, type ThreadReport, type ToThread, toWire } from "./wire.ts";

/** Between "go" and the plan's time 0: long enough for every thread to get the message first. */
const startLeadMs = 20;
const monitorMs = 50;
/** A thread that posts nothing for this long (it posts every 250 ms) has stopped answering. */
const silentMs = 5000;
/** After an interrupt, how long threads get to report (their own grace period is 1 s). */
const reportWithinMs = 5000;

/** A run prepared for one or several load threads; execute it once, then read its outcome. */
export interface Execution {
  readonly execute: (
    progress: Ref.Ref<Engine.Snapshot>,
    stopWhen?: (s: Engine.Snapshot) => boolean,
  ) => Effect.Effect<void, RunError>;
  readonly outcome: () => Engine.Outcome;
  /** performance.now() of the plan's time 0. */
  readonly startedAt: () => number;
}

/**
 * On one thread the run stays in this thread: no Worker to start, nothing to post. A scenario runs on
 * load threads however many there are, one at least: its code could loop without ever awaiting, and
 * only another thread can then see that and stop it.
 */
export const prepare = (
  plan: RunPlan,
  threads: number,
  results: ResultsSink | undefined,
  detail = false,
): Execution => {
  if (threads <= 1 && plan.scenario === undefined) {
    const run = Engine.prepare(plan, results, undefined, detail);
    return {
      execute: (progress, stopWhen) => Engine.execute(run, progress, stopWhen),
      outcome: () => Engine.outcome(run),
      startedAt: () => run.startedAt,
    };
  }
  const t: Threaded = {
    plan,
    count: Math.max(1, threads),
    sink: results,
    detail,
    parts: [],
    startedAt: 0,
    cpuStartUs: 0,
    cpuEndUs: 0,
    hostStart: undefined,
    hostEnd: undefined,
    interrupted: false,
    aborted: false,
  };
  return {
    execute: (progress, stopWhen) => executeThreads(t, progress, stopWhen ?? (() => false)),
    outcome: () => outcomeOf(t),
    startedAt: () => t.startedAt,
  };
};

interface Threaded {
  readonly plan: RunPlan;
  readonly count: number;
  readonly sink: ResultsSink | undefined;
  readonly detail: boolean;
  /** Each thread's part, once it has reported. */
  readonly parts: Array<Engine.Part | undefined>;
  startedAt: number;
  cpuStartUs: number;
  cpuEndUs: number;
  hostStart: Host.HostSample | undefined;
  hostEnd: Host.HostSample | undefined;
  interrupted: boolean;
  aborted: boolean;
}

/** A thread's report on the main thread's clock, or why it does not decode (a bug). */
const partFromReport = (r: ThreadReport): Either.Either<Engine.Part, string> =>
  Either.all({
    summary: fromRecord(r.summary),
    loopLag: Either.mapLeft(Codec.decode(r.loopLag), (e) => e.message),
    byTarget: r.byTarget === undefined
      ? Either.right(undefined)
      : Either.all(r.byTarget.map(fromRecord)),
    tally: r.tally === undefined ? Either.right(undefined) : fromTallyRecord(r.tally),
  }).pipe(Either.map(({ summary, loopLag, byTarget, tally }) => ({
    summary,
    startedAt: r.startedAt - performance.timeOrigin,
    endedAt: r.endedAt - performance.timeOrigin,
    pausedMs: r.pausedMs,
    loopLag,
    cpuMs: r.cpuMs,
    waitMs: r.waitMs,
    budgetUsed: r.budgetUsed,
    streamLimit: r.streamLimit,
    byTarget,
    tally,
  })));

const outcomeOf = (t: Threaded): Engine.Outcome => {
  const parts = t.parts.filter((p): p is Engine.Part => p !== undefined);
  const cpuMs = Math.max(0, t.cpuEndUs - t.cpuStartUs) / 1000;
  return Engine.combine(
    t.plan,
    parts,
    {
      cpuMs,
      host: t.hostStart === undefined || t.hostEnd === undefined
        ? Host.notMeasured
        : Host.figures(t.hostStart, t.hostEnd, cpuMs),
      interrupted: t.interrupted,
      aborted: t.aborted,
      outputFailure: t.sink?.failure,
    },
  );
};

const executeThreads = (
  t: Threaded,
  progress: Ref.Ref<Engine.Snapshot>,
  stopWhen: (s: Engine.Snapshot) => boolean,
): Effect.Effect<void, RunError> =>
  Effect.scoped(Effect.gen(function* () {
    const n = t.count;
    const failed = yield* Deferred.make<never, RunError>();
    const ready = yield* Effect.forEach(Array.from({ length: n }), () => Deferred.make<void>());
    const done = yield* Effect.forEach(Array.from({ length: n }), () => Deferred.make<void>());
    const snaps: Array<Extract<FromThread, { type: "snapshot" }> | undefined> = Array.from(
      { length: n },
      () => undefined,
    );
    const heard = Array.from({ length: n }, () => performance.now());
    const reported = Array.from({ length: n }, () => false);
    const fail = (k: number, why: string) =>
      Deferred.unsafeDone(
        failed,
        Effect.fail(
          new RunError({
            reason: "internal",
            message: `load thread ${k + 1} of ${n} stopped: ${why}`,
          }),
        ),
      );
    const plan = toWire(t.plan);
    const workers = yield* Effect.acquireRelease(
      Effect.promise(threadUrl).pipe(
        Effect.map((u) => Array.from({ length: n }, () => new Worker(u, { type: "module" }))),
      ),
      (ws) => Effect.sync(() => ws.forEach((w) => w.terminate())),
    );
    workers.forEach((w, k) => {
      w.onmessage = (e: MessageEvent<FromThread>) => {
        heard[k] = performance.now();
        const m = e.data;
        switch (m.type) {
          case "loaded":
            w.postMessage(
              {
                type: "start",
                plan,
                share: { index: k, count: n },
                results: t.sink !== undefined,
                detail: t.detail,
              } satisfies ToThread,
            );
            break;
          case "ready":
            Deferred.unsafeDone(ready[k]!, Effect.void);
            break;
          case "snapshot":
            snaps[k] = m;
            break;
          case "results":
            if (t.sink !== undefined) replay(t.sink, m.fields, m.names);
            break;
          case "done": {
            const part = partFromReport(m.report);
            if (Either.isLeft(part)) fail(k, `its report does not decode: ${part.left}`);
            else t.parts[k] = part.right;
            reported[k] = true;
            Deferred.unsafeDone(done[k]!, Effect.void);
            break;
          }
          case "failed":
            fail(k, m.message);
            break;
        }
      };
      w.onerror = (e) => {
        e.preventDefault();
        fail(k, e.message);
      };
      w.onmessageerror = () => fail(k, "a message from it could not be read");
    });
    const post = (m: ToThread) => workers.forEach((w) => w.postMessage(m));
    /** Waits for `e`, or fails as soon as a thread does. */
    const unlessFailed = <A>(e: Effect.Effect<A>) => Effect.raceFirst(e, Deferred.await(failed));
    yield* unlessFailed(Effect.forEach(ready, Deferred.await, { discard: true }));
    const at = performance.timeOrigin + performance.now() + startLeadMs;
    t.startedAt = at - performance.timeOrigin;
    t.cpuStartUs = Engine.cpuUs();
    t.hostStart = HostSample.sample();
    post({ type: "go", at });
    let stopSent = false;
    const stopAll = () => {
      if (!stopSent) post({ type: "stop" });
      stopSent = true;
    };
    // Ctrl-C or SIGTERM: every thread stops issuing, cuts what is left after its grace period, reports.
    yield* Effect.addFinalizer((exit) =>
      Exit.isInterrupted(exit)
        ? Effect.sync(() => {
          t.interrupted = true;
          post({ type: "interrupt" });
        }).pipe(
          Effect.andThen(Effect.forEach(done, Deferred.await, { discard: true })),
          Effect.timeout(Duration.millis(reportWithinMs)),
          Effect.ignore,
        )
        : Effect.void
    );
    yield* Effect.forkScoped(Effect.repeat(
      Effect.sync(() => {
        const now = performance.now();
        t.sink?.flush(now);
        // A failed results stream stops the run: going on would measure what nobody can read.
        if (t.sink?.failure !== undefined) stopAll();
        heard.forEach((at, k) => {
          if (now - at > silentMs && !reported[k]) {
            fail(
              k,
              t.plan.scenario === undefined
                ? "it stopped answering"
                : `it stopped answering for ${
                  silentMs / 1000
                } s: the scenario's code ran all that time without awaiting (a loop with no await?)`,
            );
          }
        });
      }),
      Schedule.spaced(monitorMs),
    ));
    const merged = (): Engine.Snapshot => {
      let requests = 0, successes = 0, maxUs = 0, inFlight = 0;
      const summary = t.detail ? Summary.empty() : undefined;
      const tally = t.detail && t.plan.scenario !== undefined ? new Tally() : undefined;
      for (const s of snaps) {
        if (s === undefined) continue;
        requests += s.requests;
        successes += s.successes;
        maxUs = Math.max(maxUs, s.maxUs);
        if (summary !== undefined && s.detail !== undefined) {
          const part = fromRecord(s.detail.summary);
          if (Either.isRight(part)) summary.merge(part.right);
          inFlight += s.detail.inFlight;
          const steps = s.detail.tally === undefined ? undefined : fromTallyRecord(s.detail.tally);
          if (tally !== undefined && steps !== undefined && Either.isRight(steps)) {
            tally.merge(steps.right);
          }
        }
      }
      const elapsedMs = performance.now() - t.startedAt;
      return {
        elapsedMs,
        requests,
        successes,
        failures: requests - successes,
        maxUs,
        ...(summary === undefined
          ? {}
          : { detail: { summary, inFlight, ...(tally === undefined ? {} : { tally }) } }),
      };
    };
    yield* Effect.forkScoped(Effect.repeat(
      Effect.suspend(() => {
        const s = merged();
        if (!stopSent && stopWhen(s)) {
          t.aborted = true;
          stopAll();
        }
        return Ref.set(progress, s);
      }),
      Schedule.spaced(250),
    ));
    yield* unlessFailed(Effect.forEach(done, Deferred.await, { discard: true }));
  })).pipe(
    // Interrupted before the threads were under way (still loading): the run says so all the same.
    Effect.onInterrupt(() =>
      Effect.sync(() => {
        t.interrupted = true;
      })
    ),
    Effect.ensuring(Effect.suspend(() => {
      t.cpuEndUs = Engine.cpuUs();
      if (t.hostStart !== undefined) t.hostEnd = HostSample.sample();
      t.sink?.finish(performance.now());
      const o = outcomeOf(t);
      return Ref.set(progress, {
        elapsedMs: o.elapsedMs,
        requests: o.summary.requests,
        successes: o.summary.successes,
        failures: o.summary.failures,
        maxUs: o.summary.requests > 0 ? o.summary.latency.maxValue : 0,
        ...(t.detail
          ? {
            detail: {
              summary: o.summary,
              inFlight: 0,
              ...(o.scenario === undefined ? {} : { tally: o.scenario }),
            },
          }
          : {}),
      });
    })),
  );
