// Diagnosis: from a run's own measurements, what limited its throughput, said in one sentence with numbers.
import { formatDuration } from "./units.ts";

export type Verdict =
  | "pacing-limited"
  | "server-bound"
  | "client-saturated"
  | "client-starved"
  | "error-bound"
  | "inconclusive";

/** What the diagnosis reads; all durations in milliseconds. */
export interface Evidence {
  readonly concurrency: number;
  readonly elapsedMs: number;
  readonly requests: number;
  readonly failures: number;
  readonly rps: number;
  /** Mean time from send to response. */
  readonly meanLatencyMs: number;
  readonly delayMs: number;
  /** Total time all workers spent in --delay pauses. */
  readonly pausedMs: number;
  /** The event loop's lag, 99th percentile: how late a timer fired. */
  readonly loopLagP99Ms: number;
  /** CPU time of salvo's busiest load thread per wall-clock time; near 1, its core was saturated. */
  readonly cpuShare: number;
  /** What the machine did meanwhile; absent, or a figure undefined, where it was not measured. */
  readonly machine?: Machine;
  /** Over HTTP/2: the streams per connection (-m); each stream is one of `concurrency`. */
  readonly http2Streams?: number;
  /** With several load threads: which was the busiest (from 0), of how many. */
  readonly thread?: { readonly index: number; readonly count: number };
  /** The most frequent failure: a reason like `timeout` or a status like `503`, with its count. */
  readonly topFailure: { readonly what: string; readonly count: number } | undefined;
  /** Names of metrics whose thresholds failed (`success_rate`, `p99`, …). */
  readonly failedMetrics: ReadonlyArray<string>;
  /** Open model: the planned arrival rate per second, arrivals dropped, and how late sends went out. */
  readonly open?: {
    readonly targetRps: number;
    readonly dropped: number;
    /** Of `dropped`, those with a slot free when they were due, which salvo sent late (0 when absent). */
    readonly droppedByClient?: number;
    readonly maxInFlight: number;
    readonly scheduleLagP99Ms: number;
    /** --precise-pacing: the pacer spins, so a thread's CPU share says nothing of its load. */
    readonly precisePacing?: boolean;
  };
}

/** The machine around salvo: who else used the CPU, and how long salvo waited for one. */
export interface Machine {
  /** Share of all cores' time spent working (steal apart), 0..1. */
  readonly busyShare: number | undefined;
  /** Share of all cores' time the hypervisor gave to other machines, 0..1. */
  readonly stealShare: number | undefined;
  /** Of `busyShare`, the part outside salvo's process. */
  readonly othersShare: number | undefined;
  /** Time salvo's threads were ready to run but waited for a CPU, all threads added, ms. */
  readonly waitMs: number | undefined;
  /** The load thread that waited most: its share of the run spent waiting for a CPU, 0..1. */
  readonly waitShare: number | undefined;
  /** Time a container's CPU quota held salvo back, ms. */
  readonly throttledMs: number | undefined;
}

export interface Diagnosis {
  readonly verdict: Verdict;
  readonly explanation: string;
  /** Share of worker time spent in --delay pauses, 0..1. */
  readonly idleShare: number;
  /** Share of worker time spent waiting for responses, 0..1. */
  readonly busyShare: number;
}

/** Above this event-loop lag (p99), or this CPU share, salvo itself was the bottleneck. */
export const saturatedLagMs = 20;
/**
 * With --precise-pacing salvo promises sends within µs of plan: a send lag p99 above this means it fell
 * behind. Timer pacing has a grain of its own (a timer fires up to ~2 ms late, then the burst it
 * releases goes out in order: lag p99 3–7 ms with the client idle), so there `saturatedLagMs` holds.
 */
export const precisePacingLagMs = 1;
export const saturatedCpuShare = 0.9;
/**
 * A timer lag sets salvo's pace only where it is a noticeable part of each request's time: at least
 * `saturatedLagMs` and this share of the mean latency (20 ms of lag is 10 % of a 200 ms answer, and
 * the server set that run's pace).
 */
export const lagShareOfLatency = 0.25;
/** A lag with at least this share of a core in use, and no one else holding the CPU, is salvo's own work. */
export const ownWorkCpuShare = 0.5;
/**
 * Starvation: a load thread spent at least this share of the run ready to run but waiting for a CPU
 * (its run-queue wait in /proc/…/schedstat)…
 */
export const starvedWaitShare = 0.05;
/** …or this share, which stands as starvation even where its timers kept their time. */
export const starvedAloneWaitShare = 0.2;
/**
 * …while someone else held the CPU: the machine's cores this busy (stolen time included), the
 * hypervisor stealing this share, or a container quota holding salvo back this share of the run.
 */
export const contendedBusyShare = 0.85;
export const contendedStealShare = 0.05;
export const contendedThrottledShare = 0.05;
const errorMetrics = new Set(["failures", "successes", "success_rate", "error_rate"]);
/**
 * A verdict needs evidence: at least this many requests or this much load. Below both, start-up
 * (compiling, the first connect) dominates the CPU and latency figures, so nothing can be judged. The
 * anchor case, 9 requests in 2.5 s behind a --delay, is judged: 1 s of load shows the pacing.
 */
export const minRequests = 100;
export const minElapsedMs = 1000;
/** "server-bound" needs workers waiting for responses at least this share of the time. */
export const serverBoundBusyShare = 0.5;

const pct = (x: number): string => `${Math.round(x * 100)}%`;

/**
 * Who took the CPU from salvo, in words, when the machine's figures show that it waited for one while
 * another held it; undefined when they do not (or were not measured).
 */
export const starvation = (m: Machine | undefined, elapsedMs: number): string | undefined => {
  if (m?.waitShare === undefined || m.waitShare < starvedWaitShare) return undefined;
  const busy = (m.busyShare ?? 0) + (m.stealShare ?? 0);
  const takers: string[] = [];
  if (m.busyShare !== undefined && busy >= contendedBusyShare) {
    takers.push(
      `the machine was ${pct(busy)} busy` +
        (m.othersShare === undefined ? "" : `, ${pct(m.othersShare)} of it outside salvo`),
    );
  }
  if ((m.stealShare ?? 0) >= contendedStealShare) {
    takers.push(`the hypervisor took ${pct(m.stealShare!)} of the CPU for other machines`);
  }
  if (elapsedMs > 0 && (m.throttledMs ?? 0) >= contendedThrottledShare * elapsedMs) {
    takers.push(`the container's CPU quota held salvo back ${formatDuration(m.throttledMs!)}`);
  }
  if (takers.length === 0) return undefined;
  return `${takers.join("; ")}; salvo waited ${formatDuration(m.waitMs ?? 0)} for a CPU (${
    pct(m.waitShare)
  } of the run for its most delayed thread)`;
};

/** The machine's figures were read (Linux): a lag they do not explain was salvo's own work. */
const measured = (e: Evidence): boolean =>
  e.machine?.waitShare !== undefined && e.machine.busyShare !== undefined;

const starved = (e: Evidence, who: string, late: string, achieved = ""): string =>
  `salvo was starved of CPU, not saturated: ${late} while it used only ${
    pct(e.cpuShare)
  } of a CPU core, because ${who}; latency figures above p90 include that wait${achieved}; ` +
  `give salvo and the server cores of their own (or fewer --threads), or run where nothing else competes`;
const rate = (r: number): string => (r >= 100 ? r.toFixed(0) : r.toFixed(1));

export const diagnose = (e: Evidence): Diagnosis => {
  const d = judge(e);
  const who = starvation(e.machine, e.elapsedMs);
  // Contention too small to have set the pace is still said: every figure includes those waits.
  return who === undefined || d.verdict === "client-starved" ? d : {
    ...d,
    explanation:
      `${d.explanation}; salvo was starved of CPU at times: ${who}; the figures include those waits`,
  };
};

const judge = (e: Evidence): Diagnosis => {
  const workerMs = e.concurrency * e.elapsedMs;
  const idleShare = workerMs > 0 ? Math.min(1, e.pausedMs / workerMs) : 0;
  const busyShare = workerMs > 0 ? Math.min(1, (e.meanLatencyMs * e.requests) / workerMs) : 0;
  const failureShare = e.requests > 0 ? e.failures / e.requests : 0;
  const base = { idleShare, busyShare };
  if (
    e.topFailure !== undefined &&
    (failureShare >= 0.5 || e.failedMetrics.some((m) => errorMetrics.has(m)))
  ) {
    const { what, count } = e.topFailure;
    return {
      ...base,
      verdict: "error-bound",
      explanation: `${
        pct(failureShare)
      } of ${e.requests} requests failed; the most frequent failure was ${what} (${count}×)`,
    };
  }
  if (e.requests === 0 || (e.requests < minRequests && e.elapsedMs < minElapsedMs)) {
    return {
      ...base,
      verdict: "inconclusive",
      explanation: `too little to judge: ${e.requests} request${e.requests === 1 ? "" : "s"} in ${
        formatDuration(e.elapsedMs)
      }; a verdict needs ${minRequests} requests or ${formatDuration(minElapsedMs)} of load`,
    };
  }
  if (e.open !== undefined) return diagnoseOpen(e, e.open, base);
  const saturated = {
    ...base,
    verdict: "client-saturated" as const,
    explanation:
      `salvo itself was the limit: ${
        e.thread === undefined ? "it" : `load thread ${e.thread.index + 1} of ${e.thread.count}`
      } used ${pct(e.cpuShare)} of a CPU core and its event loop ` +
      `lagged ${formatDuration(e.loopLagP99Ms)} (p99) at ${rate(e.rps)} req/s; ` +
      `give salvo more cores and --threads, or run several salvo processes`,
  };
  if (e.cpuShare >= saturatedCpuShare) return saturated;
  const lagging = e.loopLagP99Ms >= saturatedLagMs &&
    e.loopLagP99Ms >= lagShareOfLatency * e.meanLatencyMs;
  const who = starvation(e.machine, e.elapsedMs);
  if (who !== undefined && (lagging || e.machine!.waitShare! >= starvedAloneWaitShare)) {
    return {
      ...base,
      verdict: "client-starved",
      explanation: starved(e, who, `its event loop lagged ${formatDuration(e.loopLagP99Ms)} (p99)`),
    };
  }
  if (lagging) {
    // Late with most of a core in use and no one else holding the CPU: salvo's own work held it.
    if (e.cpuShare >= ownWorkCpuShare) return saturated;
    return {
      ...base,
      verdict: "inconclusive",
      explanation: `salvo's event loop lagged ${
        formatDuration(e.loopLagP99Ms)
      } (p99) while it used only ${pct(e.cpuShare)} of a CPU core; ${
        measured(e)
          ? `the machine's figures show no one else holding the CPU long enough to explain it (it was ${
            pct((e.machine!.busyShare ?? 0) + (e.machine!.stealShare ?? 0))
          } busy; salvo waited ${formatDuration(e.machine!.waitMs ?? 0)} for a CPU)`
          : "the machine's CPU figures could not be read here"
      }, so neither salvo's own work nor other processes clearly set the pace`,
    };
  }
  if (e.delayMs > 0 && idleShare >= 0.5) {
    return {
      ...base,
      verdict: "pacing-limited",
      explanation:
        `workers were idle ${pct(idleShare)} of the time in --delay ${
          formatDuration(e.delayMs)
        }; ` +
        `the server answered in ${formatDuration(e.meanLatencyMs)}; raise -c or lower --delay`,
    };
  }
  const ceiling = e.meanLatencyMs > 0 ? (e.concurrency * 1000) / e.meanLatencyMs : 0;
  if (busyShare < serverBoundBusyShare) {
    return {
      ...base,
      verdict: "inconclusive",
      explanation: `workers were busy only ${
        pct(busyShare)
      } of the time waiting for responses and idle ${
        pct(idleShare)
      } in --delay; the rest went to salvo's own work (connecting, its event loop at ${
        pct(e.cpuShare)
      } of a CPU core) or to workers parked by --stages: no single limit stands out`,
    };
  }
  // Over HTTP/2 the closed model's workers are streams, -c connections × -m each.
  const m = e.http2Streams;
  const noun = m === undefined ? "workers" : "streams";
  const split = m === undefined ? "" : ` (${e.concurrency / m} connections × ${m})`;
  return {
    ...base,
    verdict: "server-bound",
    explanation: `${noun} were busy ${pct(busyShare)} of the time waiting for responses (mean ${
      formatDuration(e.meanLatencyMs)
    }): ${e.concurrency} ${noun}${split} ÷ ${formatDuration(e.meanLatencyMs)} ≈ ${
      rate(ceiling)
    } req/s, achieved ${rate(e.rps)}; raise ${
      m === undefined ? "-c" : "-c or -m"
    } for more throughput if the server has room`,
  };
};

/** The open model: the plan sets the pace unless arrivals were dropped or sends fell behind it. */
const diagnoseOpen = (
  e: Evidence,
  o: NonNullable<Evidence["open"]>,
  base: { idleShare: number; busyShare: number },
): Diagnosis => {
  const arrivals = e.requests + o.dropped;
  const byClient = o.droppedByClient ?? 0;
  const byServer = o.dropped - byClient;
  const threads = e.thread?.count ?? 1;
  const lagBar = o.precisePacing ? precisePacingLagMs : saturatedLagMs;
  // Late sends while salvo waited for a CPU someone else held: starved, not saturated.
  const who = e.cpuShare < saturatedCpuShare || o.precisePacing
    ? starvation(e.machine, e.elapsedMs)
    : undefined;
  const starvedOpen = (late: string): Diagnosis => ({
    ...base,
    verdict: "client-starved",
    explanation: starved(e, who!, late, `; ${rate(e.rps)} of ${rate(o.targetRps)} req/s achieved`),
  });
  const ceiling = `salvo sent at most ~${rate(e.rps / threads)}/s per load thread (${
    pct(e.cpuShare)
  } of a CPU core at the busiest); add --threads or machines`;
  // Drops while salvo was behind its plan say nothing of the server: the slots it found full may
  // have held responses it had not read yet.
  if (byClient > 0 && byClient >= byServer) {
    if (who !== undefined) {
      return starvedOpen(`${byClient} of ${arrivals} arrivals were dropped as salvo sent late`);
    }
    return {
      ...base,
      verdict: "client-saturated",
      explanation: `salvo fell behind its plan: ${byClient} of ${arrivals} arrivals were dropped ` +
        `though a slot was free when they were due (salvo sent them late; schedule lag p99 ${
          formatDuration(o.scheduleLagP99Ms)
        }), ${rate(e.rps)} of ${rate(o.targetRps)} req/s achieved; ${ceiling}`,
    };
  }
  // A saturated thread that fell short of its plan: whatever it dropped, it could not have sent.
  const short = o.dropped > 0 || e.rps < o.targetRps * 0.95 || o.scheduleLagP99Ms > lagBar;
  if (short && !o.precisePacing && e.cpuShare >= saturatedCpuShare) {
    return {
      ...base,
      verdict: "client-saturated",
      explanation: `salvo was the limit: ${
        e.thread === undefined ? "it" : `load thread ${e.thread.index + 1} of ${e.thread.count}`
      } used ${pct(e.cpuShare)} of a CPU core; ${o.dropped} of ${arrivals} arrivals dropped, ${
        rate(e.rps)
      } of ${rate(o.targetRps)} req/s achieved; ${ceiling}`,
    };
  }
  if (byServer > 0) {
    return {
      ...base,
      verdict: "server-bound",
      explanation:
        `${byServer} of ${arrivals} arrivals (${
          pct(byServer / arrivals)
        }) were dropped: all ${o.maxInFlight} ` +
        `in-flight slots were busy (mean response ${
          formatDuration(e.meanLatencyMs)
        }); the server could not keep up with ${rate(o.targetRps)} req/s`,
    };
  }
  if (o.scheduleLagP99Ms > lagBar || e.rps < o.targetRps * 0.95) {
    if (who !== undefined) {
      return starvedOpen(
        `sends went out late against the plan (schedule lag p99 ${
          formatDuration(o.scheduleLagP99Ms)
        })`,
      );
    }
    return {
      ...base,
      verdict: "client-saturated",
      explanation:
        `sends went out late against the plan: schedule lag ${
          formatDuration(o.scheduleLagP99Ms)
        } (p99), ` +
        `${rate(e.rps)} of ${rate(o.targetRps)} req/s achieved; ${ceiling}`,
    };
  }
  return {
    ...base,
    verdict: "pacing-limited",
    explanation: `the rate plan set the pace: ${rate(e.rps)} of ${
      rate(o.targetRps)
    } req/s achieved, sends at most ${
      formatDuration(o.scheduleLagP99Ms)
    } late (p99); the server answered in ${formatDuration(e.meanLatencyMs)} (mean)`,
  };
};
