// The JSON summary: the schema documented in the README; keys are only ever added, never renamed.
import { type LatencyStats, ownShareOfP99, type Stats, type TimingStats } from "../core/summary.ts";
import type { Evaluation } from "../core/thresholds.ts";
import type { Row } from "../core/timeline.ts";

const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

const latency = (l: LatencyStats) => ({
  min: round(l.min),
  mean: round(l.mean),
  stdev: round(l.stdev),
  p50: round(l.p50),
  p90: round(l.p90),
  p95: round(l.p95),
  p99: round(l.p99),
  p99_9: round(l.p99_9),
  max: round(l.max),
});

const timing = (t: TimingStats) => ({
  count: t.count,
  p50: round(t.p50),
  p90: round(t.p90),
  p99: round(t.p99),
  max: round(t.max),
});

export const toJson = (s: Stats, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  requests: s.requests,
  successes: s.successes,
  failures: s.failures,
  success_rate: round(s.successRate, 6),
  duration_s: round(s.durationS, 6),
  rps: round(s.rps, 3),
  bytes: s.bytes,
  latency_ms: latency(s.latency),
  latency_uncorrected_ms: latency(s.latencyUncorrected),
  status_codes: s.statusCodes,
  errors: s.errors,
  ...(Object.keys(s.errorMessages).length === 0 ? {} : { error_messages: s.errorMessages }),
  retried: s.retried,
  dropped: s.dropped,
  ...(s.dropped === 0 ? {} : {
    dropped_by: { server: s.dropped - s.droppedByClient, client: s.droppedByClient },
  }),
  ...(s.connect === undefined ? {} : { connect_ms: timing(s.connect) }),
  ...(s.tls === undefined ? {} : { tls_handshake_ms: timing(s.tls) }),
  ...(s.queue === undefined ? {} : { queue_ms: timing(s.queue) }),
  ...(s.scheduleLag === undefined ? {} : {
    schedule_lag_ms: {
      p50: round(s.scheduleLag.p50),
      p99: round(s.scheduleLag.p99),
      max: round(s.scheduleLag.max),
      share_of_p99: round(ownShareOfP99(s) ?? 0, 4),
    },
  }),
  ...extra,
});

/** A run's windows, times in ms from `originMs` (the run's start): what `salvo compare` reads back. */
export const windows = (rows: ReadonlyArray<Row>, originMs = 0) =>
  rows.map((r) => ({
    start_ms: round(r.startMs - originMs),
    end_ms: round(r.endMs - originMs),
    requests: r.requests,
    successes: r.successes,
    rps: round(r.rps),
    p50: round(r.p50),
    p90: round(r.p90),
    p99: round(r.p99),
    p99_9: round(r.p999),
    max: round(r.max),
  }));

const roundOrNull = (x: number | undefined, digits: number) =>
  x === undefined || Number.isNaN(x) ? null : round(x, digits);

/** A threshold as judged; `judged` false when the run cannot be trusted (none is said to pass). */
export const threshold = (e: Evaluation, judged = true) => ({
  expression: e.threshold.expression,
  passed: judged && e.passed,
  actual: roundOrNull(e.actual, 6),
  limit: e.threshold.limit,
  ...(judged ? {} : { judged: false }),
  ...(e.threshold.scope === undefined ? {} : { scope: e.threshold.scope }),
  ...(e.missing === undefined ? {} : { missing: e.missing }),
  ...(e.change === undefined ? {} : {
    relative: {
      verdict: e.change.verdict,
      base: round(e.change.base, 6),
      new: round(e.change.next, 6),
      change_pct: roundOrNull(e.change.changePct, 2),
      interval_pct: e.change.lowPct === undefined || e.change.highPct === undefined
        ? null
        : [round(e.change.lowPct, 2), round(e.change.highPct, 2)],
      ...(e.change.why === undefined ? {} : { why: e.change.why }),
    },
  }),
});
