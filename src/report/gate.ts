// The CI gate's block: each threshold with observed value, limit and margin, the run in one line, the diagnosis.
import type { Diagnosis } from "../core/diagnosis.ts";
import type { Stats } from "../core/summary.ts";
import type { Change, Evaluation, Metric } from "../core/thresholds.ts";
import { formatDuration } from "../core/units.ts";

/** A metric's value as people read it: latency as a duration, rates as percentages. */
export const formatValue = (metric: Metric, v: number): string => {
  switch (metric.kind) {
    case "latency":
    case "percentile":
      return formatDuration(v);
    case "rate":
      return `${(v * 100).toFixed(1)}%`;
    case "rps":
      return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} req/s`;
    case "count":
      return String(v);
  }
};

const margin = (e: Evaluation): string => {
  const { metric, op, limit } = e.threshold;
  const d = Math.abs(e.actual - limit);
  if (op === "==" || op === "!=") return "";
  const amount = metric.kind === "rate" ? `${(d * 100).toFixed(1)} points` : formatValue(metric, d);
  const over = e.actual > limit;
  if (e.passed) return ` (margin ${amount})`;
  return ` (${amount} ${over ? "over" : "under"})`;
};

const pct = (x: number | undefined): string =>
  x === undefined ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;

/** A relative threshold's line: the change, its interval, the two runs' values, the verdict. */
const relativeLine = (e: Evaluation, c: Change): string => {
  const { expression, metric } = e.threshold;
  const head = `${e.passed ? "PASS" : "FAIL"} ${expression}:`;
  if (c.verdict === "inconclusive") return `${head} inconclusive: ${c.why ?? "no windows"}`;
  const values = `base ${formatValue(metric, c.base)}, new ${formatValue(metric, c.next)}`;
  const interval = `[${pct(c.lowPct)}, ${pct(c.highPct)}]`;
  return `${head} ${pct(c.changePct)} ${interval} (${values}): ${c.verdict}${
    e.passed ? "" : " beyond the allowance"
  }`;
};

export const line = (e: Evaluation): string => {
  if (e.change !== undefined) return relativeLine(e, e.change);
  if (e.missing !== undefined) return `FAIL ${e.threshold.expression}: ${e.missing}`;
  const { expression, metric, op, limit } = e.threshold;
  const got = formatValue(metric, e.actual);
  return e.passed
    ? `PASS ${expression}: got ${got}${margin(e)}`
    : `FAIL ${expression}: got ${got}, needs ${op} ${formatValue(metric, limit)}${margin(e)}`;
};

/** One line with the figures a failed gate is judged by. */
export const runLine = (s: Stats): string =>
  `attempts ${s.requests} · failed ${s.failures} · success rate ${
    (s.successRate * 100).toFixed(1)
  }% · ${s.rps >= 100 ? s.rps.toFixed(0) : s.rps.toFixed(1)} req/s · mean ${
    formatDuration(s.latency.mean)
  }`;

export const diagnosisLine = (d: Diagnosis): string => `diagnosis: ${d.verdict}: ${d.explanation}`;

/**
 * The whole block: failing thresholds first, then passing ones, the run line, the diagnosis, warnings.
 * With `notJudged` (why the run cannot be trusted) no threshold is said to pass.
 */
export const render = (
  evaluations: ReadonlyArray<Evaluation>,
  stats: Stats,
  diagnosis: Diagnosis | undefined,
  warnings: ReadonlyArray<string>,
  notJudged?: string,
): string => {
  const failed = evaluations.filter((e) => !e.passed);
  const lines = notJudged !== undefined
    ? [`NOT JUDGED: ${notJudged}`]
    : [...failed, ...evaluations.filter((e) => e.passed)].map(line);
  if (evaluations.length > 0 && notJudged === undefined) {
    lines.push(
      failed.length > 0
        ? `${failed.length} of ${evaluations.length} thresholds failed · ${runLine(stats)}`
        : `all ${evaluations.length} thresholds passed · ${runLine(stats)}`,
    );
  }
  if (diagnosis !== undefined) lines.push(diagnosisLine(diagnosis));
  for (const w of warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
};
