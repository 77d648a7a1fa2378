// salvo knee's text and JSON: the table of steps, the closing verdict, each step as JSON.
import * as Knee from "../core/knee.ts";
import type * as Summary from "../core/summary.ts";
import type * as Thresholds from "../core/thresholds.ts";
import { formatDuration } from "../core/units.ts";
import * as Json from "./json.ts";
import type * as KneeHtml from "./knee_html.ts";

/** One step as measured: the rate offered, how it went, its summary and the SLO's evaluations. */
export interface Step {
  readonly index: number;
  readonly rate: number;
  readonly outcome: Knee.Outcome;
  readonly stats: Summary.Stats;
  readonly evaluations: ReadonlyArray<Thresholds.Evaluation>;
  /** CPU time salvo used per wall-clock time, and its timers' lateness (p99), during the step. */
  readonly cpuShare: number;
  readonly loopLagP99Ms: number;
  /** A starved step: who took the CPU, in words (Diagnosis.starvation). */
  readonly starvation?: string | undefined;
}

export const rps = (r: number): string => (r >= 100 ? r.toFixed(0) : r.toFixed(1));

export const headerRow = "step  offered     achieved    p50        p99        errors  verdict  SLO";

export const row = (m: Step): string =>
  [
    String(m.index + 1).padEnd(4),
    `${rps(m.rate)}/s`.padEnd(10),
    `${rps(m.stats.rps)}/s`.padEnd(10),
    formatDuration(m.stats.latency.p50).padEnd(9),
    formatDuration(m.stats.latency.p99).padEnd(9),
    String(m.stats.failures + m.stats.dropped).padEnd(6),
    m.outcome.padEnd(7),
    m.evaluations.map((e) => `${e.passed ? "✓" : "✗"} ${e.threshold.expression}`).join(" "),
  ].join("  ");

/** The closing lines: the knee and what bounds it, or why there is none. */
export const verdict = (
  r: Knee.Result,
  steps: ReadonlyArray<Step>,
  requireRate: number | undefined,
): string => {
  const last = steps.at(-1);
  switch (r.limitedBy) {
    case "client":
      return `no knee: salvo itself was the limit at ${rps(last!.rate)} req/s (it used ${
        Math.round(last!.cpuShare * 100)
      }% of a CPU core, send lag p99 ${formatDuration(last!.stats.scheduleLag?.p99 ?? 0)}, ${
        last!.stats.dropped
      } arrivals dropped while the server answered in ${
        formatDuration(last!.stats.latencyUncorrected.mean)
      })` +
        (r.kneeRps === undefined ? "" : `; the server met the SLO up to ${rps(r.kneeRps)} req/s`) +
        "; give salvo more CPU or run it from several machines";
    case "starved":
      return `no knee: salvo was starved of CPU at ${
        rps(last!.rate)
      } req/s in ${Knee.starvedTries} tries (${
        last!.starvation ?? "other work held the machine"
      }; it used ${Math.round(last!.cpuShare * 100)}% of a CPU core)` +
        (r.kneeRps === undefined ? "" : `; the server met the SLO up to ${rps(r.kneeRps)} req/s`) +
        "; run the search where nothing else competes for the CPU";
    case "max-rate":
      return `knee at least ${rps(r.kneeRps!)} req/s: nothing broke up to --max-rate` +
        gap(r.kneeRps, requireRate);
    case "slo": {
      if (r.kneeRps === undefined) {
        return `no knee: no rate down to ${rps(r.failedRps!)} req/s met the SLO`;
      }
      const failed = steps.find((m) => m.rate === r.failedRps);
      const why = failed?.evaluations.filter((e) => !e.passed).map((e) =>
        `${e.threshold.expression}: got ${
          e.threshold.metric.kind === "rate"
            ? `${(e.actual * 100).toFixed(1)}%`
            : e.threshold.metric.kind === "latency" || e.threshold.metric.kind === "percentile"
            ? formatDuration(e.actual)
            : String(e.actual)
        }`
      ).join(", ");
      // A step can fail on its drops alone: the server held every slot (see Knee.judge).
      const dropped = failed !== undefined && failed.stats.dropped > 0
        ? `${failed.stats.dropped} arrivals found every slot busy`
        : "";
      return `knee ${rps(r.kneeRps)} req/s: the highest rate that met the SLO; ${
        rps(r.failedRps!)
      } req/s did not (${[why, dropped].filter((x) => x !== "").join("; ")})` +
        gap(r.kneeRps, requireRate);
    }
  }
};

const gap = (knee: number | undefined, requireRate: number | undefined): string =>
  requireRate === undefined || knee === undefined
    ? ""
    : knee >= requireRate
    ? `; --require-rate ${rps(requireRate)} met`
    : `; --require-rate ${rps(requireRate)} NOT met: ${rps(requireRate - knee)} req/s (${
      Math.round((1 - knee / requireRate) * 100)
    }%) short`;

export const stepJson = (m: Step) => ({
  step: m.index + 1,
  offered_rps: Number(m.rate.toFixed(3)),
  outcome: m.outcome,
  ...Json.toJson(m.stats),
  slo: m.evaluations.map((e) => ({
    expression: e.threshold.expression,
    passed: e.passed,
    actual: e.actual,
    limit: e.threshold.limit,
  })),
  cpu_share: Number(m.cpuShare.toFixed(4)),
  loop_lag_p99_ms: m.loopLagP99Ms,
  ...(m.starvation === undefined ? {} : { starvation: m.starvation }),
});

/** The SLO thresholds that can be drawn: latency limits, and success or error rates as success. */
const limitsOf = (slo: ReadonlyArray<Thresholds.Threshold>): ReadonlyArray<KneeHtml.Limit> =>
  slo.flatMap((t): KneeHtml.Limit[] => {
    const m = t.metric;
    if (m.kind === "latency" || m.kind === "percentile") {
      return [{ expression: t.expression, kind: "latency", value: t.limit }];
    }
    if (m.kind === "rate") {
      const value = m.name === "success_rate" ? t.limit : 1 - t.limit;
      return [{ expression: t.expression, kind: "rate", value }];
    }
    return [];
  });

/** The page `--html` draws: the steps in the order of their rate, the SLO lines, the knee. */
export const html = (
  title: string,
  slo: ReadonlyArray<Thresholds.Threshold>,
  steps: ReadonlyArray<Step>,
  /** Undefined when the search was interrupted: the steps so far, and no knee. */
  result: Knee.Result | undefined,
  requireRate: number | undefined,
): KneeHtml.Report => ({
  title,
  points: steps.map((m) => ({
    offeredRps: m.rate,
    achievedRps: m.stats.rps,
    p50Ms: m.stats.latency.p50,
    p99Ms: m.stats.latency.p99,
    // Dropped arrivals were not served: they count against the success rate drawn.
    successRate: m.stats.successes / Math.max(1, m.stats.requests + m.stats.dropped),
    outcome: m.outcome,
  })),
  limits: limitsOf(slo),
  kneeRps: result === undefined || result.limitedBy === "client" || result.limitedBy === "starved"
    ? undefined
    : result.kneeRps,
  verdict: result === undefined
    ? `interrupted after ${steps.length} step${steps.length === 1 ? "" : "s"}: no knee`
    : verdict(result, steps, requireRate),
});
