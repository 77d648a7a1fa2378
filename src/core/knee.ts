// The knee search: the highest arrival rate a server sustains within its SLO, found step by step.
//
// MLPerf LoadGen's FindPeakPerformance, for HTTP. Grow the rate geometrically from `startRate`
// (×`growth` a step) until a step fails its SLO or `maxRate` passes; if the start itself fails, shrink
// it the same way until one passes. Then bisect between the highest passing rate and the lowest
// failing one until they are within `precision` of each other: the knee is the passing end. A step
// where salvo itself was the limit is no evidence about the server, so the search stops there. A step
// where salvo was starved of CPU by other work on the machine is no evidence either, but the machine may
// be calmer a moment later: it is measured again, at most `starvedTries` times in all, then the search
// stops there too (so a search with starved steps can take up to `starvedTries` × `maxSteps`).
//
// Steps, at most (see `maxSteps`): 1 + ⌈log_growth(maxRate/startRate)⌉ growing (or
// ⌈log_growth(startRate/minRate)⌉ shrinking), then ⌈log2((growth − 1)/precision)⌉ bisecting: the
// bracket starts at most `growth` wide and each step halves it.
import * as Effect from "effect/Effect";
import { saturatedCpuShare, saturatedLagMs } from "./diagnosis.ts";
import { minimumSamples, type Threshold } from "./thresholds.ts";

export interface Config {
  /** Rates are per second. */
  readonly startRate: number;
  readonly maxRate: number;
  /** Bisect until (failing − passing) ≤ precision × passing; 0.05 is 5 %. */
  readonly precision: number;
  /** Factor between growing (or shrinking) steps. */
  readonly growth: number;
  /** Below this rate the search stops shrinking: nothing passes. */
  readonly minRate: number;
}

/**
 * How a step went: within the SLO, outside it, salvo itself was the limit, or other work on the machine
 * starved salvo of CPU (the last two are no evidence about the server).
 */
export type Outcome = "pass" | "fail" | "client" | "starved";

/** How often a rate is measured while each try finds salvo starved, before the search stops. */
export const starvedTries = 3;

export interface Step {
  readonly rate: number;
  readonly outcome: Outcome;
}

/**
 * Why the search ended: a knee between a pass and a fail, nothing broke up to maxRate, salvo was the
 * limit, or salvo stayed starved of CPU.
 */
export type LimitedBy = "slo" | "max-rate" | "client" | "starved";

export interface Result {
  readonly limitedBy: LimitedBy;
  /** The highest passing rate below the lowest failing one; undefined when none passed. */
  readonly kneeRps: number | undefined;
  /** The lowest failing rate above the knee, when one failed. */
  readonly failedRps: number | undefined;
}

export type Next =
  | { readonly _tag: "Step"; readonly rate: number }
  | { readonly _tag: "Done"; readonly result: Result };

const step = (rate: number): Next => ({ _tag: "Step", rate });
const done = (limitedBy: LimitedBy, kneeRps: number | undefined, failedRps?: number): Next => ({
  _tag: "Done",
  result: { limitedBy, kneeRps, failedRps },
});

/** The next rate to try after `steps`, or the result. */
export const next = (c: Config, steps: ReadonlyArray<Step>): Next => {
  const last = steps.at(-1);
  if (last === undefined) return step(Math.min(c.startRate, c.maxRate));
  const failing = steps.filter((s) => s.outcome === "fail").map((s) => s.rate);
  const hi = failing.length > 0 ? Math.min(...failing) : undefined;
  const passing = steps
    .filter((s) => s.outcome === "pass" && (hi === undefined || s.rate < hi))
    .map((s) => s.rate);
  const lo = passing.length > 0 ? Math.max(...passing) : undefined;
  if (last.outcome === "client") return done("client", lo, hi);
  if (last.outcome === "starved") {
    let tries = 0;
    for (let i = steps.length - 1; i >= 0 && steps[i]!.outcome === "starved"; i--) tries++;
    return tries < starvedTries ? step(last.rate) : done("starved", lo, hi);
  }
  if (hi === undefined) {
    // Nothing failed yet: grow, up to maxRate.
    if (lo! >= c.maxRate) return done("max-rate", lo);
    return step(Math.min(lo! * c.growth, c.maxRate));
  }
  if (lo === undefined) {
    // Nothing passed yet: shrink, down to minRate.
    const lower = hi / c.growth;
    return lower < c.minRate ? done("slo", undefined, hi) : step(lower);
  }
  if (hi - lo <= c.precision * lo) return done("slo", lo, hi);
  return step((lo + hi) / 2);
};

/** The most steps a search can take (the bound in this file's comment), counted as `next` steps. */
export const maxSteps = (c: Config): number => {
  let growing = 0, shrinking = 0, bisecting = 0;
  for (let r = Math.min(c.startRate, c.maxRate); r < c.maxRate; growing++) {
    r = Math.min(r * c.growth, c.maxRate);
  }
  for (let r = c.startRate; r / c.growth >= c.minRate; shrinking++) r /= c.growth;
  for (let width = c.growth - 1; width > c.precision; bisecting++) width /= 2;
  return 1 + Math.max(growing, shrinking) + bisecting;
};

/**
 * Runs the search: `run(rate, index)` runs one step and says how it went. Yields every step and the
 * result; `onStep` sees each step as it ends (for a live table).
 */
export const search = <E, R>(
  c: Config,
  run: (rate: number, index: number) => Effect.Effect<Outcome, E, R>,
  onStep: (s: Step, index: number) => Effect.Effect<void> = () => Effect.void,
): Effect.Effect<{ readonly steps: ReadonlyArray<Step>; readonly result: Result }, E, R> =>
  Effect.gen(function* () {
    const steps: Step[] = [];
    for (;;) {
      const n = next(c, steps);
      if (n._tag === "Done") return { steps, result: n.result };
      const outcome = yield* run(n.rate, steps.length);
      const s = { rate: n.rate, outcome };
      steps.push(s);
      yield* onStep(s, steps.length - 1);
    }
  });

/** What a step's run says about salvo itself. */
export interface ClientEvidence {
  /** CPU time salvo used per wall-clock time. */
  readonly cpuShare: number;
  /**
   * How late salvo's own timers fired, sustained: the p90 of the monitor's samples. It samples every
   * 50 ms, so a step of 1–2 s holds 20–40 of them and its p99 is its maximum: one time slice lost to
   * another process on a shared machine, which says nothing about salvo's pace (a knee test saw 18 ms
   * at an overloaded step while salvo used 6 % of a core).
   */
  readonly loopLagMs: number;
  /** How late sends went out against the plan (p99 over every arrival). */
  readonly scheduleLagP99Ms: number;
  /** Arrivals not sent: every --max-in-flight slot was busy. */
  readonly dropped: number;
  /** Slots the server's own pace needs (Little's law: rate × mean latency from the send). */
  readonly slotsNeeded: number;
  readonly maxInFlight: number;
  /** The machine's figures show salvo waited for a CPU that other work held (Diagnosis.starvation). */
  readonly starved: boolean;
}

/**
 * A step's outcome. Salvo being the limit wins over the SLO: a step where salvo used most of a core,
 * or its timers or sends ran late, measured salvo, whatever the latency says; where salvo was late
 * with CPU to spare while other work held the machine, it was starved. Dropped arrivals mean
 * the rate was not offered: when the server's pace needs at least half the slots (rate × latency ≥
 * max-in-flight ÷ 2), the server held them and did not sustain the rate, a failure whatever the SLO
 * says; when it needs fewer, salvo's own stalls held them, and the step is salvo's.
 */
export const judge = (sloPassed: boolean, e: ClientEvidence): Outcome => {
  // Late while salvo had CPU to spare and waited for one that other work held: starved.
  const salvos: Outcome = e.cpuShare < saturatedCpuShare && e.starved ? "starved" : "client";
  if (
    e.cpuShare >= saturatedCpuShare || e.loopLagMs >= saturatedLagMs ||
    e.scheduleLagP99Ms >= saturatedLagMs
  ) return salvos;
  if (e.dropped > 0) return e.slotsNeeded >= e.maxInFlight / 2 ? "fail" : salvos;
  return sloPassed ? "pass" : "fail";
};

/**
 * Requests a step needs before its SLO can be judged: 10 × the fewest on which a percentile means
 * anything (p99: 1,000, so that the 1 % above it is 10 requests and one stray slow answer cannot
 * decide the verdict); 100 for the other metrics.
 */
export const samplesNeeded = (slo: ReadonlyArray<Threshold>): number =>
  Math.max(
    100,
    ...slo.map((
      t,
    ) => (t.metric.kind === "percentile" ? 10 * minimumSamples(t.metric.percentile) : 100)),
  );
