// The JSON summary: the schema documented in the README; keys are only ever added, never renamed.
import { type LatencyStats, ownShareOfP99, type Stats, type TimingStats } from "../core/summary.ts";

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
