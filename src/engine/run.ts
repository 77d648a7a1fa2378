// Runs a plan, or one load thread's share of it: the load model's fibers in a scope, with a watchdog
// for timeouts, a monitor (ramp, event-loop lag, results flushing) and snapshots published into a Ref.
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Fiber from "effect/Fiber";
import * as Ref from "effect/Ref";
import * as Schedule from "effect/Schedule";
import process from "node:process";
import * as Histogram from "../core/histogram.ts";
import * as Host from "../core/host.ts";
import * as Pacing from "../core/pacing.ts";
import * as Summary from "../core/summary.ts";
import * as Tally from "../core/scenario_tally.ts";
import { concurrencyOf, type RunPlan } from "../domain/plan.ts";
import { version } from "../version.ts";
import * as HostSample from "../io/host_sample.ts";
import * as Request from "../core/request.ts";
import { ClosedLoad } from "./closed.ts";
import type { ResultsSink } from "../domain/results_sink.ts";
import type { Shared } from "./exchange.ts";
import { Channels } from "./channel.ts";
import { encodeH2 } from "./h2_request.ts";
import { encodeRequest, type Endpoint } from "./http1.ts";
import { type Load, part, type Share, whole } from "./load.ts";
import { OpenLoad } from "./open.ts";
import { Redirects } from "./redirects.ts";
import { ScenarioLoad } from "./scenario_load.ts";
import type { Target, Targets } from "./target.ts";
import { Watchdog } from "./watchdog.ts";

/** What the progress line and --abort-on-fail read while the run goes on. */
export interface Snapshot {
  readonly elapsedMs: number;
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  /** Largest latency so far, in microseconds. */
  readonly maxUs: number;
  /**
   * Only when the run was prepared with `detail` (the live view, the HTML report): everything
   * counted so far, a copy, and the requests in flight now.
   */
  readonly detail?: {
    readonly summary: Summary.Summary;
    readonly inFlight: number;
    /** A scenario's steps, iterations and checks so far. */
    readonly tally?: Tally.Tally;
  };
}

export const emptySnapshot: Snapshot = {
  elapsedMs: 0,
  requests: 0,
  successes: 0,
  failures: 0,
  maxUs: 0,
};

export interface ThreadFigures {
  /** CPU time of the thread per wall-clock time: near 1, it had a core to itself and used it all. */
  readonly cpuShare: number;
  readonly loopLagP99Ms: number;
  readonly requests: number;
  /** Time the thread was ready to run but waited for a CPU, ms (undefined: not measured). */
  readonly waitMs: number | undefined;
  /** Its share of the run's wall-clock time spent so waiting, 0..1 (undefined: not measured). */
  readonly waitShare: number | undefined;
}

/** Everything measured by a run, finished or interrupted. */
export interface Outcome {
  readonly summary: Summary.Summary;
  /** Each target's summary, in the plan's order, when the run kept them (several targets, --html). */
  readonly byTarget: ReadonlyArray<Summary.Summary> | undefined;
  /** A scenario run's steps, groups, iterations and checks, merged over threads. */
  readonly scenario: Tally.Tally | undefined;
  /** From the first send to the last response. */
  readonly elapsedMs: number;
  /**
   * The span rates are measured over: the open model's schedule (its duration, or as much of it as
   * ran when cut short), whose in-flight tail (`elapsedMs` − this) is reported apart; `elapsedMs`
   * for the closed model and for an open model bounded by -n only.
   */
  readonly scheduleMs: number;
  /**
   * Open model: the arrivals the plan holds over `scheduleMs` (arrival i is due when Λ(t) reaches i,
   * so 0.5/s over 3 s holds two, at 0 and 2 s); undefined for the closed model.
   */
  readonly plannedArrivals: number | undefined;
  /**
   * HTTP/2: the server's limit on concurrent streams per connection (the least any connection
   * announced); undefined over HTTP/1.1 or when no server said.
   */
  readonly streamLimit: number | undefined;
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
  /** The open model's pacer spun (--precise-pacing): CPU share then says nothing of the load. */
  readonly precisePacing: boolean;
  /** Each load thread: its own share of a CPU core, its event loop's lag, its requests. */
  readonly threads: ReadonlyArray<ThreadFigures>;
  /** What the machine did meanwhile: its busy and stolen time, salvo's waits for a CPU. */
  readonly host: Host.HostFigures;
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
  readonly share: Share;
  /** The closed or the open model, for this thread's share of the run. */
  readonly load: Load;
  readonly loopLag: Histogram.Histogram;
  readonly watchdog: Watchdog;
  startedAt: number;
  endedAt: number;
  cpuStartUs: number;
  cpuEndUs: number;
  /** This thread's own CPU time, at the start and at the end. */
  threadCpuStartUs: number;
  threadCpuEndUs: number;
  /** This thread's scheduler statistics at the start and at the end (undefined: not readable). */
  schedStart: Host.Sched | undefined;
  schedEnd: Host.Sched | undefined;
  /** The machine, read by a run on one thread (threads.ts reads it for a run on several). */
  hostStart: Host.HostSample | undefined;
  hostEnd: Host.HostSample | undefined;
  interrupted: boolean;
  aborted: boolean;
  /** Snapshots carry the whole summary so far (see Snapshot.detail). */
  detail: boolean;
}

/** How long in-flight requests may finish after an interrupt before their sockets are closed. */
const interruptGraceMs = 500;
const monitorIntervalMs = 50;

export const userAgent = `salvo/${version}`;

/** Methods a client may send again without asking (RFC 9110 §9.2.2). */
const idempotent = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** The endpoint a request to `url` connects to, with the plan's TLS and transport. */
const endpointOf = (plan: RunPlan) => (url: URL): Endpoint => {
  const { connectTo, unixSocket, keepAlive } = plan.transport;
  return {
    hostname: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port) || (url.protocol === "https:" ? 443 : 80),
    tls: url.protocol === "https:",
    insecure: plan.tls.insecure,
    ...(plan.tls.caCerts === undefined ? {} : { caCerts: plan.tls.caCerts }),
    ...(connectTo === undefined ? {} : { connectTo }),
    ...(unixSocket === undefined ? {} : { unixSocket }),
    ...(keepAlive ? {} : { closeEach: true }),
  };
};

/**
 * Encodes every target once; targets on one origin share an endpoint (and so connections). With
 * `byTarget` (and several targets), each target keeps a summary of its own.
 */
const targetsOf = (plan: RunPlan, byTarget: boolean): Targets => {
  const endpoints: Endpoint[] = [];
  const byOrigin = new Map<string, number>();
  const { keepAlive, http2 } = plan.transport;
  const all = plan.targets.map((spec): Target => {
    const { url, method, body } = spec;
    // A connection per request: asked of the server too, so that it closes its side at once.
    const headers = keepAlive || spec.headers.some(([k]) => k.toLowerCase() === "connection")
      ? spec.headers
      : [...spec.headers, ["Connection", "close"] as const];
    let e = byOrigin.get(url.origin);
    if (e === undefined) {
      e = endpoints.length;
      byOrigin.set(url.origin, e);
      endpoints.push({ ...endpointOf(plan)(url), ...(http2 ? { http2: true } : {}) });
    }
    return {
      request: encodeRequest(method, url, headers, body, userAgent),
      h2: http2 ? encodeH2(method, url, spec.headers, body, userAgent) : undefined,
      head: method === "HEAD",
      retry: plan.transport.retry && idempotent.has(method),
      endpoint: e,
      nameJson: JSON.stringify(`${method} ${Request.maskUrl(url)}`),
      redirects: plan.followRedirects === undefined
        ? undefined
        : new Redirects(plan.followRedirects, spec, endpoints[e]!, userAgent),
      summary: byTarget && plan.targets.length > 1 ? Summary.empty() : undefined,
    };
  });
  return { all, endpoints, random: plan.targetsOrder === "random", next: 0 };
};

/** The load model's implementation for this thread's share of the plan. */
const loadOf = (plan: RunPlan, shared: Shared, share: Share): Load => {
  const m = plan.model;
  if (plan.scenario !== undefined) {
    const http2 = plan.transport.http2;
    const endpoint = endpointOf(plan);
    return new ScenarioLoad(
      shared,
      plan.scenario,
      m,
      plan.durationMs,
      share,
      (url) => ({ ...endpoint(url), ...(http2 ? { http2: true } : {}) }),
      { userAgent, keepAlive: plan.transport.keepAlive, retry: plan.transport.retry, http2 },
    );
  }
  return m._tag === "Closed"
    ? new ClosedLoad(shared, m.workers, m.delayMs, concurrencyOf(m), share)
    : new OpenLoad(shared, m.rate, plan.durationMs, part(m.maxInFlight, share), share, m.spinMs);
};

/** Prepares this thread's `share` of `plan` (the whole of it by default). */
export const prepare = (
  plan: RunPlan,
  results?: ResultsSink,
  share: Share = whole,
  detail = false,
): Run => {
  const okByStatus = new Uint8Array(1000);
  for (let s = 0; s < 1000; s++) okByStatus[s] = plan.isSuccess(s) ? 1 : 0;
  const model = plan.model;
  const targets = targetsOf(plan, detail);
  // Threads take turns through the targets from different places.
  targets.next = share.index % targets.all.length;
  const shared: Shared = {
    stopping: false,
    issued: 0,
    maxRequests: plan.maxRequests === undefined
      ? Number.POSITIVE_INFINITY
      : part(plan.maxRequests, share),
    endAt: Number.POSITIVE_INFINITY,
    active: model._tag === "Closed"
      ? Pacing.valueAt(model.workers, 0) * plan.transport.streams
      : Number.POSITIVE_INFINITY,
    targets,
    timeoutMs: plan.timeoutMs,
    okByStatus,
    results,
    followRedirects: plan.followRedirects !== undefined,
    lastReason: -1,
    channels: new Channels(
      targets.endpoints,
      plan.followRedirects !== undefined,
      // 1 unless HTTP/2: -m without --http2 or --h2c is refused (cli/flag_rules.ts).
      plan.transport.streams,
    ),
  };
  const load = loadOf(plan, shared, share);
  return {
    plan,
    shared,
    share,
    load,
    watchdog: new Watchdog(load.connections, plan.timeoutMs),
    loopLag: Histogram.make(),
    startedAt: 0,
    endedAt: 0,
    cpuStartUs: -1,
    cpuEndUs: 0,
    threadCpuStartUs: -1,
    threadCpuEndUs: 0,
    schedStart: undefined,
    schedEnd: undefined,
    hostStart: undefined,
    hostEnd: undefined,
    interrupted: false,
    aborted: false,
    detail,
  };
};

/** Requests in flight on `connections`: those with an exchange begun and not yet settled. */
export const inFlight = (connections: ReadonlyArray<{ readonly deadline: number }>): number => {
  let n = 0;
  for (const c of connections) if (c.deadline > 0) n++;
  return n;
};

const snapshot = (run: Run): Snapshot => {
  let requests = 0, successes = 0, maxUs = 0;
  for (const s of run.load.summaries) {
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
    ...(run.detail
      ? {
        detail: {
          summary: Summary.mergeAll(run.load.summaries),
          inFlight: inFlight(run.load.connections),
          ...(run.load instanceof ScenarioLoad ? { tally: Tally.mergeAll([run.load.tally]) } : {}),
        },
      }
      : {}),
  };
};

/** CPU time of the whole process (every thread), in µs. */
export const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** CPU time of this thread alone, in µs. */
export const threadCpuUs = (): number => {
  const u = process.threadCpuUsage();
  return u.user + u.system;
};

/** A run on one thread reads the machine itself; the threads of a run leave that to the main thread. */
const measuresHost = (run: Run): boolean => run.share.count === 1;

/** Stops issuing; in-flight requests get a grace period, then the watchdog cuts them as `cancelled`. */
const stopNow = (run: Run): void => {
  run.shared.stopping = true;
  const cutoff = performance.now() + interruptGraceMs;
  for (const c of run.load.connections) if (c.deadline > cutoff) c.deadline = cutoff;
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
  run.load.tick(now - run.startedAt);
  return run.shared.results?.failure !== undefined;
};

/**
 * Executes a prepared run. Snapshots are published to `progress` every `snapshotMs`; when `stopWhen`
 * holds for one, the run stops early as if its duration had ended. On interruption the run stops
 * issuing, lets in-flight requests finish within a grace period, and still fills `run`. A load
 * thread passes `startAt` (performance.now() of the plan's time 0, after its warm-up): the threads of
 * a run start on one clock.
 */
export const execute = (
  run: Run,
  progress: Ref.Ref<Snapshot>,
  stopWhen: (s: Snapshot) => boolean = () => false,
  snapshotMs = 250,
  startAt?: () => Promise<number>,
): Effect.Effect<void> =>
  Effect.scoped(
    Effect.gen(function* () {
      const { plan, shared, load } = run;
      yield* Effect.promise(() => load.warm());
      run.startedAt = startAt === undefined ? performance.now() : yield* Effect.promise(startAt);
      // The CPU clock's first reading loads Deno's node:process (~10 ms): it is read once the load
      // is under way (a timer after the first sends), so the first request never waits for it.
      setTimeout(() => {
        if (run.endedAt !== 0) return;
        run.cpuStartUs = cpuUs();
        run.threadCpuStartUs = threadCpuUs();
        run.schedStart = HostSample.threadSched();
        if (measuresHost(run)) run.hostStart = HostSample.sample();
      }, 0);
      if (plan.durationMs !== undefined) shared.endAt = run.startedAt + plan.durationMs;
      run.watchdog.scan();
      const fiber = yield* Effect.forkScoped(load.drive(run.startedAt));
      // Stop issuing; requests in flight finish, waits between requests are cut short.
      const stopAll = Effect.sync(() => {
        shared.stopping = true;
      }).pipe(Effect.andThen(load.interruptToStop ? Fiber.interrupt(fiber) : Effect.void));
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
      // The open model's pacer ends by itself at the plan's end, so its last arrivals are never cut
      // by a timer that fires first; the closed model's workers run until told.
      if (plan.durationMs !== undefined && load.interruptToStop) {
        yield* Effect.forkScoped(
          Effect.suspend(() =>
            Effect.sleep(Duration.millis(Math.max(0, shared.endAt - performance.now())))
          ).pipe(Effect.andThen(stopAll)),
        );
      }
      // Runs first when the scope closes (finalizers run in reverse): stop issuing before the load is awaited.
      yield* Effect.addFinalizer((exit) =>
        exit._tag === "Failure"
          ? Effect.sync(() => {
            run.interrupted = true;
            stopNow(run);
          }).pipe(
            Effect.andThen(Effect.promise(() => load.idle())),
          )
          : Effect.void
      );
      yield* Fiber.await(fiber);
      run.endedAt = performance.now();
    }),
  ).pipe(
    // Interrupted before the load was under way (connections warming): the run says so all the same.
    Effect.onInterrupt(() =>
      Effect.sync(() => {
        run.interrupted = true;
      })
    ),
    Effect.ensuring(Effect.suspend(() => {
      if (run.endedAt === 0) run.endedAt = performance.now();
      run.cpuEndUs = cpuUs();
      run.threadCpuEndUs = threadCpuUs();
      run.schedEnd = HostSample.threadSched();
      if (measuresHost(run)) run.hostEnd = HostSample.sample();
      // Ended before the start was read: too short to have measured any CPU.
      if (run.cpuStartUs < 0) {
        run.cpuStartUs = run.cpuEndUs;
        run.threadCpuStartUs = run.threadCpuEndUs;
        run.schedStart = run.schedEnd;
        run.hostStart = run.hostEnd;
      }
      run.watchdog.stop();
      for (const c of run.load.connections) c.shutdown();
      run.shared.results?.finish(run.endedAt);
      return Ref.set(progress, snapshot(run));
    })),
  );

/** CPU time salvo used per wall-clock time (all threads); near the thread count, every one was busy. */
export const cpuShare = (o: Outcome): number => (o.elapsedMs > 0 ? o.cpuMs / o.elapsedMs : 0);

/** The busiest load thread: the one nearest to a full core, and its event loop's lag. */
export const busiestThread = (o: Outcome): { index: number; thread: ThreadFigures } => {
  let index = 0;
  o.threads.forEach((t, i) => {
    if (t.cpuShare > o.threads[index]!.cpuShare) index = i;
  });
  return {
    index,
    thread: o.threads[index] ??
      { cpuShare: 0, loopLagP99Ms: 0, requests: 0, waitMs: undefined, waitShare: undefined },
  };
};

/** The plan's mean arrival rate per second over its first `ms`. */
const targetRps = (rate: Pacing.Plan, ms: number): number =>
  ms > 0 ? (Pacing.integral(rate, ms) / ms) * 1000 : Pacing.valueAt(rate, 0) * 1000;

/** What one load thread measured of its share; times are performance.now() of the main thread. */
export interface Part {
  readonly summary: Summary.Summary;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly pausedMs: number;
  readonly loopLag: Histogram.Histogram;
  /** CPU time of that thread alone, ms. */
  readonly cpuMs: number;
  /** Time that thread waited for a CPU while ready to run, ms (undefined: not measured). */
  readonly waitMs: number | undefined;
  /** It stopped because its share of -n was used up. */
  readonly budgetUsed: boolean;
  /** HTTP/2: the server's limit on concurrent streams per connection, as announced. */
  readonly streamLimit: number | undefined;
  /** Each target's own summary, in the plan's order, when they were kept. */
  readonly byTarget: ReadonlyArray<Summary.Summary> | undefined;
  /** A scenario's steps, groups, iterations and checks. */
  readonly tally: Tally.Tally | undefined;
}

/** This thread's part, once `execute` has returned. */
export const partOf = (run: Run): Part => ({
  summary: Summary.mergeAll(run.load.summaries),
  startedAt: run.startedAt,
  endedAt: run.endedAt,
  pausedMs: run.load.pausedMs(run.endedAt),
  loopLag: run.loopLag,
  cpuMs: Math.max(0, run.threadCpuEndUs - run.threadCpuStartUs) / 1000,
  waitMs: run.schedStart === undefined || run.schedEnd === undefined
    ? undefined
    : Math.max(0, run.schedEnd.waitNs - run.schedStart.waitNs) / 1e6,
  budgetUsed: run.shared.issued >= run.shared.maxRequests,
  streamLimit: run.shared.channels.seen.limit,
  byTarget: run.shared.targets.all[0]!.summary === undefined
    ? undefined
    : run.shared.targets.all.map((t) => t.summary!),
  tally: run.load instanceof ScenarioLoad ? run.load.tally : undefined,
});

/** How the run as a whole went, beside what its threads measured. */
export interface Ending {
  /** CPU time of the whole process during the run, ms. */
  readonly cpuMs: number;
  /** The machine during the run (Host.notMeasured where it could not be read). */
  readonly host: Host.HostFigures;
  readonly interrupted: boolean;
  readonly aborted: boolean;
  readonly outputFailure: string | undefined;
}

/** The outcome of a run from its threads' parts (one for a run on one thread), merged exactly. */
export const combine = (plan: RunPlan, parts: ReadonlyArray<Part>, ending: Ending): Outcome => {
  const model = plan.model;
  // No part at all: interrupted before any thread had started.
  const startedAt = parts.length > 0 ? Math.min(...parts.map((p) => p.startedAt)) : 0;
  const endedAt = parts.length > 0 ? Math.max(...parts.map((p) => p.endedAt)) : 0;
  const elapsedMs = Math.max(0, endedAt - startedAt);
  // The run ended before its plan did: interrupted, aborted, its output failed, or -n reached.
  const stoppedEarly = ending.interrupted || ending.aborted || ending.outputFailure !== undefined ||
    parts.every((p) => p.budgetUsed);
  const scheduleMs = model._tag === "Open" && plan.durationMs !== undefined
    ? (stoppedEarly ? Math.min(elapsedMs, plan.durationMs) : plan.durationMs)
    : elapsedMs;
  const loopLag = Histogram.make();
  for (const p of parts) loopLag.add(p.loopLag);
  return {
    summary: Summary.mergeAll(parts.map((p) => p.summary)),
    byTarget: parts.length === 0 || parts.some((p) => p.byTarget === undefined)
      ? undefined
      : plan.targets.map((_, i) => Summary.mergeAll(parts.map((p) => p.byTarget![i]!))),
    scenario: plan.scenario === undefined
      ? undefined
      : Tally.mergeAll(parts.flatMap((p) => (p.tally === undefined ? [] : [p.tally]))),
    elapsedMs,
    scheduleMs,
    streamLimit: parts.reduce<number | undefined>(
      (least, p) =>
        p.streamLimit === undefined ? least : Math.min(least ?? p.streamLimit, p.streamLimit),
      undefined,
    ),
    plannedArrivals: model._tag === "Open"
      ? Math.min(
        plan.maxRequests ?? Number.POSITIVE_INFINITY,
        // Those due strictly before the schedule's end (the pacer sends none at its end).
        scheduleMs > 0 ? Pacing.arrivalsBy(model.rate, scheduleMs - 1e-6) : 0,
      )
      : undefined,
    // Over HTTP/2 the closed model keeps -c connections × -m streams busy.
    concurrency: concurrencyOf(model) * (model._tag === "Closed" ? plan.transport.streams : 1),
    delayMs: model._tag === "Closed" ? model.delayMs : 0,
    // The plan's rate over its whole duration, unless the run was cut short: the last arrival comes
    // up to one interval before the end, so the elapsed time can fall a little short of it.
    targetRps: model._tag === "Open"
      ? targetRps(
        model.rate,
        plan.durationMs !== undefined && !stoppedEarly
          ? plan.durationMs
          : Math.min(elapsedMs, plan.durationMs ?? elapsedMs),
      )
      : undefined,
    pausedMs: parts.reduce((t, p) => t + p.pausedMs, 0),
    precisePacing: model._tag === "Open" && (model.spinMs ?? 0) > 0,
    loopLag,
    cpuMs: ending.cpuMs,
    threads: parts.map((p) => {
      const ms = p.endedAt - p.startedAt;
      return {
        cpuShare: ms > 0 ? p.cpuMs / ms : 0,
        loopLagP99Ms: p.loopLag.valueAtPercentile(99) / 1000,
        requests: p.summary.requests,
        waitMs: p.waitMs,
        waitShare: p.waitMs === undefined || ms <= 0 ? undefined : Math.min(1, p.waitMs / ms),
      };
    }),
    host: ending.host,
    interrupted: ending.interrupted,
    aborted: ending.aborted,
    outputFailure: ending.outputFailure,
  };
};

/** The outcome of a run executed in this thread. */
export const outcome = (run: Run): Outcome => {
  const cpuMs = Math.max(0, run.cpuEndUs - run.cpuStartUs) / 1000;
  return combine(run.plan, [partOf(run)], {
    cpuMs,
    host: run.hostStart === undefined || run.hostEnd === undefined
      ? Host.notMeasured
      : Host.figures(run.hostStart, run.hostEnd, cpuMs),
    interrupted: run.interrupted,
    aborted: run.aborted,
    outputFailure: run.shared.results?.failure,
  });
};
