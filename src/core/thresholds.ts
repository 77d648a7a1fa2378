// Thresholds: parse `METRIC OP VALUE`, evaluate against a run's figures, tell when one can no longer pass.
//
// Grammar (whitespace allowed between tokens):
//
//   threshold  = metric op value
//   metric     = "requests" | "successes" | "failures" | "success_rate" | "error_rate" | "rps"
//              | "min" | "mean" | "avg" | "stdev" | "max" | "med" | percentile
//   percentile = "p" number | "p(" number ")"            ; 0 <= number <= 100, e.g. p99, p99.9, p(95)
//   op         = "<" | "<=" | ">" | ">=" | "==" | "!="
//   value      = number [unit]
//   unit       = "us" | "µs" | "ms" | "s" | "m"           ; latency metrics: required
//              | "%"                                      ; success_rate, error_rate: optional (else 0..1)
//   relative   = metric op ("+" | "-") number "%"         ; against --baseline, e.g. p99<+10%, rps>-5%
//   scoped     = name ":" whitespace threshold            ; a scenario's step, group, check, or
//                                                          ; "iterations": 'POST /login: p99<200ms'
//   checks     = "checks" op value                        ; a scenario's checks passed, like a rate
//
// Counts and rps take plain numbers. Latencies are compared in milliseconds, rates as fractions 0..1.
// A relative threshold bounds the change from a baseline run (src/core/relative.ts): latencies may
// grow by at most +N% (< or <=), rps and success_rate fall by at most -N% (> or >=).
import * as Either from "effect/Either";
import { UsageError } from "../domain/errors.ts";

export type Op = "<" | "<=" | ">" | ">=" | "==" | "!=";

export type Metric =
  | { readonly kind: "count"; readonly name: "requests" | "successes" | "failures" }
  | { readonly kind: "rate"; readonly name: "success_rate" | "error_rate" | "checks" }
  | { readonly kind: "rps"; readonly name: "rps" }
  | { readonly kind: "latency"; readonly name: "min" | "mean" | "stdev" | "max" }
  | { readonly kind: "percentile"; readonly name: string; readonly percentile: number };

export interface Threshold {
  /** As the user wrote it, trimmed. */
  readonly expression: string;
  readonly metric: Metric;
  readonly op: Op;
  /** In the metric's unit: milliseconds for latency, 0..1 for rates; a relative one's in percent. */
  readonly limit: number;
  /** A change from the baseline in percent (`p99<+10%`), not a value. */
  readonly relative?: boolean;
  /** A scenario's step, group or check it bounds (`login: p99<200ms`), or "iterations". */
  readonly scope?: string;
}

/** What thresholds are evaluated against; latency in milliseconds. */
export interface Figures {
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  readonly rps: number;
  readonly latencyMs: (name: "min" | "mean" | "stdev" | "max") => number;
  readonly percentileMs: (p: number) => number;
  /** A scenario's checks that passed, 0..1 (1 when none ran); undefined outside a scenario. */
  readonly checks?: number;
}

/** A relative threshold's comparison with the baseline (src/core/relative.ts). */
export interface Change {
  readonly verdict: "regressed" | "improved" | "no significant change" | "inconclusive";
  /** The whole runs' values, in the metric's unit. */
  readonly base: number;
  readonly next: number;
  /** The change in percent and its interval; undefined when inconclusive. */
  readonly changePct: number | undefined;
  readonly lowPct: number | undefined;
  readonly highPct: number | undefined;
  readonly why: string | undefined;
}

export interface Evaluation {
  readonly threshold: Threshold;
  readonly passed: boolean;
  /** The value judged: a relative threshold's change in percent (NaN when inconclusive). */
  readonly actual: number;
  readonly change?: Change;
  /** Why a scoped threshold could not be judged: the run has no such step, group or check. */
  readonly missing?: string;
}

const metricNames =
  "requests, successes, failures, success_rate, error_rate, rps, min, mean, stdev, max, p50, p90, p95, p99, p99.9, p(NN), checks";

const latencyUnits: Readonly<Record<string, number>> = {
  us: 0.001,
  "µs": 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
};

const fail = (expression: string, why: string) =>
  Either.left(
    new UsageError({ reason: "threshold", message: `--threshold '${expression}': ${why}` }),
  );

const parseMetric = (expression: string, text: string): Either.Either<Metric, UsageError> => {
  switch (text) {
    case "requests":
    case "successes":
    case "failures":
      return Either.right({ kind: "count", name: text });
    case "success_rate":
    case "error_rate":
    case "checks":
      return Either.right({ kind: "rate", name: text });
    case "rps":
      return Either.right({ kind: "rps", name: "rps" });
    case "min":
    case "mean":
    case "stdev":
    case "max":
      return Either.right({ kind: "latency", name: text });
    case "avg":
      return Either.right({ kind: "latency", name: "mean" });
    case "med":
      return Either.right({ kind: "percentile", name: "p50", percentile: 50 });
  }
  const m = /^p(?:\(\s*([0-9.]+)\s*\)|([0-9.]+))$/.exec(text);
  if (m !== null) {
    const digits = m[1] ?? m[2]!;
    const p = /^\d+(\.\d+)?$/.test(digits) ? Number(digits) : NaN;
    if (Number.isNaN(p)) {
      return fail(expression, `'${text}' is not a percentile like p99 or p(99.9)`);
    }
    if (p < 0 || p > 100) return fail(expression, `percentile ${digits} is out of range 0..100`);
    return Either.right({ kind: "percentile", name: `p${digits}`, percentile: p });
  }
  return fail(expression, `unknown metric '${text}'; use one of ${metricNames}`);
};

const parseValue = (
  expression: string,
  metric: Metric,
  op: string,
  text: string,
): Either.Either<number, UsageError> => {
  if (text === "") return fail(expression, `missing value after '${op}'`);
  const m = /^(-?(?:\d+(?:\.\d+)?|\.\d+))\s*(us|µs|ms|s|m|%)?$/.exec(text);
  if (m === null) return fail(expression, `expected a number after '${op}', found '${text}'`);
  const n = Number(m[1]);
  const unit = m[2];
  switch (metric.kind) {
    case "latency":
    case "percentile":
      if (unit === undefined || unit === "%") {
        return fail(
          expression,
          `${metric.name} is a latency: give the value a unit, like ${m[1]}ms`,
        );
      }
      return Either.right(n * latencyUnits[unit]!);
    case "rate":
      if (unit === "%") return Either.right(n / 100);
      if (unit !== undefined) {
        return fail(expression, `${metric.name} is a rate: write it as 85% or 0.85`);
      }
      if (n > 1) {
        return fail(expression, `${metric.name} is a rate between 0 and 1; did you mean ${n}%?`);
      }
      return Either.right(n);
    case "count":
    case "rps":
      if (unit !== undefined) {
        return fail(expression, `${metric.name} takes a plain number, not '${unit}'`);
      }
      return Either.right(n);
  }
};

/** The metrics a relative threshold may bound, by the name `salvo compare` gives their figure. */
export const relativeFigure = (m: Metric): string | undefined => {
  if (m.kind === "rps" || (m.kind === "rate" && m.name === "success_rate")) return m.name;
  if (m.kind === "latency" && m.name === "max") return "max";
  if (m.kind === "percentile" && [50, 90, 99, 99.9].includes(m.percentile)) {
    return `p${m.percentile}`;
  }
  return undefined;
};

const relativeMetrics = "rps, success_rate, p50, p90, p99, p99.9, max";

/** `p99<+10%`, `rps>-5%`: a bound on the change from a baseline. */
const parseRelative = (
  expression: string,
  metric: Metric,
  op: Op,
  sign: string,
  amount: string,
): Either.Either<Threshold, UsageError> => {
  if (relativeFigure(metric) === undefined) {
    return fail(
      expression,
      `a change from the baseline can bound ${relativeMetrics}, not ${metric.name}`,
    );
  }
  const up = metric.kind === "latency" || metric.kind === "percentile";
  if (up && !(sign === "+" && (op === "<" || op === "<="))) {
    return fail(
      expression,
      `bound how much ${metric.name} may grow: ${metric.name}<+${amount}%`,
    );
  }
  if (!up && !(sign === "-" && (op === ">" || op === ">="))) {
    return fail(
      expression,
      `bound how much ${metric.name} may fall: ${metric.name}>-${amount}%`,
    );
  }
  return Either.right({
    expression,
    metric,
    op,
    limit: Number(`${sign}${amount}`),
    relative: true,
  });
};

/** Parses one threshold expression; the error message points at the part that is wrong. */
export const parse = (text: string): Either.Either<Threshold, UsageError> => {
  const scoped = /^(\S.*?):\s+(\S.*)$/s.exec(text.trim());
  if (scoped === null) return parseUnscoped(text);
  const scope = scoped[1]!;
  return Either.flatMap(
    parseUnscoped(scoped[2]!),
    (t) =>
      t.relative === true
        ? fail(text.trim(), "a change from the baseline bounds the whole run, not one step")
        : Either.right({ ...t, expression: text.trim(), scope }),
  );
};

const parseUnscoped = (text: string): Either.Either<Threshold, UsageError> => {
  const expression = text.trim();
  const m = /^([A-Za-z_][A-Za-z0-9_.]*(?:\([^)]*\))?)\s*(<=|>=|==|!=|<|>|=)?\s*(.*)$/.exec(
    expression,
  );
  if (m === null || m[1] === undefined) {
    return fail(expression, `expected METRIC OP VALUE, like p95<300ms`);
  }
  const op = m[2];
  if (op === undefined) {
    return fail(expression, `missing comparison after '${m[1]}'; use one of < <= > >= == !=`);
  }
  if (op === "=") return fail(expression, `'=' is not a comparison; use '=='`);
  const relative = /^([+-])\s*(\d+(?:\.\d+)?)\s*%$/.exec(m[3]!.trim());
  if (relative !== null) {
    return Either.flatMap(
      parseMetric(expression, m[1]),
      (metric) => parseRelative(expression, metric, op as Op, relative[1]!, relative[2]!),
    );
  }
  return Either.flatMap(
    parseMetric(expression, m[1]),
    (metric) =>
      Either.flatMap(parseValue(expression, metric, op, m[3]!.trim()), (limit) => {
        const never = neverPasses(metric, op as Op, limit);
        return never === undefined
          ? Either.right({ expression, metric, op: op as Op, limit })
          : fail(expression, `it can never pass: ${never}`);
      }),
  );
};

/**
 * Why a threshold can never pass, whatever the run measures: its limit lies outside what the metric
 * can be (latencies, counts and rates are never below 0; shares never above 100 %).
 */
const neverPasses = (metric: Metric, op: Op, limit: number): string | undefined => {
  const hi = metric.kind === "rate" ? 1 : Number.POSITIVE_INFINITY;
  const what = `${metric.name} is ${metric.kind === "rate" ? "between 0% and 100%" : "at least 0"}`;
  const impossible = (op === "<" && limit <= 0) || (op === "<=" && limit < 0) ||
    (op === ">" && limit >= hi) || (op === ">=" && limit > hi) ||
    (op === "==" && (limit < 0 || limit > hi));
  return impossible ? what : undefined;
};

export const actual = (metric: Metric, f: Figures): number => {
  switch (metric.kind) {
    case "count":
      return f[metric.name];
    case "rate": {
      if (metric.name === "checks") return f.checks ?? Number.NaN;
      if (f.requests === 0) return 0;
      return metric.name === "success_rate" ? f.successes / f.requests : f.failures / f.requests;
    }
    case "rps":
      return f.rps;
    case "latency":
      return f.latencyMs(metric.name);
    case "percentile":
      return f.percentileMs(metric.percentile);
  }
};

export const compare = (op: Op, a: number, b: number): boolean => {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
};

export const evaluate = (t: Threshold, f: Figures): Evaluation => {
  const value = actual(t.metric, f);
  return { threshold: t, passed: compare(t.op, value, t.limit), actual: value };
};

/** Why `t` needs a scenario's figures (a step, group or check, or `checks`); undefined when it does not. */
export const scenarioOnly = (t: Threshold): string | undefined =>
  t.scope !== undefined || (t.metric.kind === "rate" && t.metric.name === "checks")
    ? `--threshold '${t.expression}': steps, groups and checks are a scenario's (salvo run FLOW.ts)`
    : undefined;

/**
 * True when, mid-run, a threshold already cannot pass whatever happens next: counts and max latency
 * only grow, so an upper bound they have crossed stays crossed.
 */
export const cannotPass = (t: Threshold, f: Figures): boolean => {
  if (t.relative === true) return false;
  const growing = t.metric.kind === "count" ||
    (t.metric.kind === "latency" && t.metric.name === "max");
  if (!growing || f.requests === 0) return false;
  const value = actual(t.metric, f);
  switch (t.op) {
    case "<":
      return value >= t.limit;
    case "<=":
    case "==":
      return value > t.limit;
    default:
      return false;
  }
};

/** The fewest samples on which percentile p means anything: p99 needs 100, p99.9 needs 1000. */
export const minimumSamples = (p: number): number =>
  p >= 100 ? 1 : Math.ceil(100 / (100 - p) - 1e-9);

/** A warning for each percentile threshold that rests on too few samples. */
export const sampleWarnings = (
  ts: ReadonlyArray<Threshold>,
  requests: number,
): ReadonlyArray<string> =>
  ts.flatMap((t) => {
    if (t.metric.kind !== "percentile") return [];
    const need = minimumSamples(t.metric.percentile);
    return requests < need
      ? [
        `${t.expression} rests on ${requests} sample${
          requests === 1 ? "" : "s"
        }; ${t.metric.name} needs at least ${need}`,
      ]
      : [];
  });
