// The figures a scoped threshold (`login: p99<200ms`, `iterations: p95<2s`, `read back: checks>=99%`) is judged on: one step, group or check of a scenario's tally.
import type { Histogram } from "./histogram.ts";
import { passRate, type Tally, type Timed } from "./scenario_tally.ts";
import * as Summary from "./summary.ts";
import type { Evaluation, Figures, Threshold } from "./thresholds.ts";
import { evaluate } from "./thresholds.ts";

/** A summary's figures as thresholds read them, from what Summary.describe said of it. */
export const ofStats = (s: Summary.Summary, stats: Summary.Stats): Figures => ({
  requests: stats.requests,
  successes: stats.successes,
  failures: stats.failures,
  rps: stats.rps,
  latencyMs: (name) => stats.latency[name],
  percentileMs: (p) => s.latency.valueAtPercentile(p) / 1000,
});

/** A step's requests, as the whole run's are judged. */
const ofSummary = (s: Summary.Summary, elapsedMs: number, checks: number): Figures => ({
  ...ofStats(s, Summary.describe(s, elapsedMs)),
  checks,
});

const ms = (h: Histogram, count: number, read: (h: Histogram) => number): number =>
  count === 0 ? 0 : read(h) / 1000;

/** Timed things (iterations, a group): their count, and their durations as latencies. */
const ofTimed = (t: Timed, failed: number, elapsedMs: number, checks: number): Figures => {
  const h = t.durations;
  return {
    requests: t.count,
    successes: t.count - failed,
    failures: failed,
    rps: elapsedMs > 0 ? (t.count / elapsedMs) * 1000 : 0,
    latencyMs: (name) =>
      ms(
        h,
        t.count,
        (x) => name === "min" ? x.min : name === "max" ? x.max : name === "mean" ? x.mean : x.stdev,
      ),
    percentileMs: (p) => ms(h, t.count, (x) => x.valueAtPercentile(p)),
    checks,
  };
};

/** The figures of `scope` in `tally`: a step first, then a group, "iterations", then a check. */
export const figuresOf = (tally: Tally, scope: string, elapsedMs: number): Figures | undefined => {
  const step = tally.steps.get(scope);
  if (step !== undefined) return ofSummary(step, elapsedMs, passRate(tally));
  if (scope === "iterations") {
    return ofTimed(tally.iterations, tally.scriptErrors, elapsedMs, passRate(tally));
  }
  const group = tally.groups.get(scope);
  if (group !== undefined) return ofTimed(group, 0, elapsedMs, passRate(tally));
  const check = tally.checks.get(scope);
  if (check === undefined) return undefined;
  const total = check.passed + check.failed;
  return {
    requests: total,
    successes: check.passed,
    failures: check.failed,
    rps: 0,
    latencyMs: () => 0,
    percentileMs: () => 0,
    checks: passRate(tally, scope),
  };
};

/** Judges a scoped threshold; one whose scope the run never saw fails, and says so. */
export const evaluateScoped = (t: Threshold, tally: Tally, elapsedMs: number): Evaluation => {
  const f = figuresOf(tally, t.scope!, elapsedMs);
  if (f !== undefined) return evaluate(t, f);
  const known = [...tally.steps.keys(), ...tally.groups.keys(), ...tally.checks.keys()];
  return {
    threshold: t,
    passed: false,
    actual: Number.NaN,
    missing: `the run has no step, group or check named '${t.scope}'${
      known.length === 0
        ? ""
        : ` (it has ${known.slice(0, 8).map((k) => `'${k}'`).join(", ")}${
          known.length > 8 ? ", …" : ""
        })`
    }`,
  };
};
