// A run's figures as Prometheus metric families: counters, gauges, and latency as histograms whose
// buckets are read off salvo's HDR histograms, so that they add up exactly across threads and runs.
import { reasons } from "../domain/reason.ts";
import { highestEquivalent, Histogram, valueFromIndex } from "./histogram.ts";
import type { Summary } from "./summary.ts";

export type Labels = ReadonlyArray<readonly [string, string]>;

export interface Sample {
  /** The series' name: the family's, or with `_bucket`, `_sum`, `_count` for a histogram. */
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: "counter" | "gauge" | "histogram";
  readonly help: string;
  readonly samples: ReadonlyArray<Sample>;
}

/** What the exporter reads: the latest snapshot's figures, and what the plan says of this instant. */
export interface View {
  readonly summary: Summary;
  readonly elapsedMs: number;
  readonly inFlight: number;
  readonly threads: number;
  /** The open model's planned arrivals per second now; undefined in the closed model. */
  readonly targetRps: number | undefined;
}

/**
 * Default latency bucket bounds, seconds: 1, 1.5, 2, 3, 5 and 7 of each decade from 100 µs to 7 s,
 * then 10, 15, 20, 30 and 60 s.
 * Each is a whole number of microseconds, and so a bound HDR's slots never straddle below 2 ms.
 */
export const defaultBuckets: ReadonlyArray<number> = [
  ...[1e-4, 1e-3, 1e-2, 1e-1, 1].flatMap((d) =>
    [1, 1.5, 2, 3, 5, 7].map((m) => Number((m * d).toPrecision(2)))
  ),
  10,
  15,
  20,
  30,
  60,
];

/**
 * Cumulative counts of `h` at each bound (seconds), as Prometheus's `le` means: values at or below
 * it. An HDR slot counts at a bound when the highest value it stands for is at or below the bound, so
 * a bucket never claims a request faster than HDR's resolution (0.1 %) can show.
 */
export const cumulative = (h: Histogram, boundsS: ReadonlyArray<number>): ReadonlyArray<number> => {
  const n = boundsS.length;
  const boundsUs = boundsS.map((b) => b * 1e6);
  // Slots rise with their index: each one's count goes to the first bound that holds it, then the
  // counts are summed up the bounds.
  const within = new Array<number>(n).fill(0);
  let k = 0;
  for (let i = 0; i < h.counts.length && k < n; i++) {
    const c = h.counts[i]!;
    if (c === 0) continue;
    const top = highestEquivalent(h.layout, valueFromIndex(h.layout, i));
    while (k < n && top > boundsUs[k]!) k++;
    if (k < n) within[k]! += c;
  }
  let sum = 0;
  return within.map((c) => (sum += c));
};

/** The series of one histogram family: a bucket per bound, +Inf, the sum and the count, in seconds. */
const histogramSamples = (
  name: string,
  labels: Labels,
  h: Histogram,
  boundsS: ReadonlyArray<number>,
): ReadonlyArray<Sample> => [
  ...cumulative(h, boundsS).map((value, k) => ({
    name: `${name}_bucket`,
    labels: [...labels, ["le", String(boundsS[k])] as const],
    value,
  })),
  { name: `${name}_bucket`, labels: [...labels, ["le", "+Inf"]], value: h.totalCount },
  // Microseconds to seconds: the mean is kept exact (Welford), so the sum is the mean times the count.
  { name: `${name}_sum`, labels, value: (h.mean * h.totalCount) / 1e6 },
  { name: `${name}_count`, labels, value: h.totalCount },
];

const one = (name: string, labels: Labels, value: number): ReadonlyArray<Sample> => [
  { name, labels, value },
];

/** Every family of a view, each sample labelled with `labels` first. */
export const families = (
  v: View,
  labels: Labels,
  boundsS: ReadonlyArray<number> = defaultBuckets,
): ReadonlyArray<Family> => {
  const s = v.summary;
  const byStatus: Array<Sample> = [];
  let answered = 0;
  s.statusCounts.forEach((n, code) => {
    if (n === 0) return;
    answered += n;
    byStatus.push({
      name: "salvo_requests_total",
      labels: [...labels, ["status", String(code)]],
      value: n,
    });
  });
  // No status: a transport failure (or a status outside 1..999): "0", as k6 counts them.
  if (s.requests - answered > 0) {
    byStatus.unshift({
      name: "salvo_requests_total",
      labels: [...labels, ["status", "0"]],
      value: s.requests - answered,
    });
  }
  // Every reason from the first scrape on, zeros included: increase() then counts a reason's first
  // failures too (a series that appears mid-run has no earlier point to count from).
  let transport = 0;
  const failures: Array<Sample> = reasons.map((reason, i) => {
    transport += s.errorCounts[i]!;
    return {
      name: "salvo_request_failures_total",
      labels: [...labels, ["reason", reason]],
      value: s.errorCounts[i]!,
    };
  });
  failures.push({
    name: "salvo_request_failures_total",
    labels: [...labels, ["reason", "http_status"]],
    value: s.requests - s.successes - transport,
  });
  const open = v.targetRps !== undefined;
  const out: Array<Family> = [
    {
      name: "salvo_requests_total",
      type: "counter",
      help:
        'Requests that ended, by HTTP status ("0": no answer, see salvo_request_failures_total).',
      samples: byStatus,
    },
    {
      name: "salvo_request_failures_total",
      type: "counter",
      help:
        "Requests that failed, by reason: the transport's, or http_status for a status outside --success-status.",
      samples: failures,
    },
    {
      name: "salvo_received_bytes_total",
      type: "counter",
      help: "Response bytes received, heads and bodies.",
      samples: one("salvo_received_bytes_total", labels, s.bytes),
    },
    {
      name: "salvo_requests_retried_total",
      type: "counter",
      help:
        "Requests sent a second time after their kept-alive connection closed before an answer.",
      samples: one("salvo_requests_retried_total", labels, s.retried),
    },
    {
      name: "salvo_requests_in_flight",
      type: "gauge",
      help: "Requests sent and not yet answered.",
      samples: one("salvo_requests_in_flight", labels, v.inFlight),
    },
    {
      name: "salvo_load_threads",
      type: "gauge",
      help: "Load threads sending the run's requests.",
      samples: one("salvo_load_threads", labels, v.threads),
    },
    {
      name: "salvo_run_elapsed_seconds",
      type: "gauge",
      help: "Time since the run's first send.",
      samples: one("salvo_run_elapsed_seconds", labels, Math.max(0, v.elapsedMs) / 1000),
    },
    {
      name: "salvo_request_duration_seconds",
      type: "histogram",
      help:
        "Latency from each request's intended start to the end of its response (corrected for coordinated omission).",
      samples: histogramSamples("salvo_request_duration_seconds", labels, s.latency, boundsS),
    },
  ];
  if (!open) return out;
  return [
    ...out,
    {
      name: "salvo_target_requests_per_second",
      type: "gauge",
      help: "Open model: the planned arrival rate now.",
      samples: one("salvo_target_requests_per_second", labels, v.targetRps),
    },
    {
      name: "salvo_requests_dropped_total",
      type: "counter",
      help: "Open model: arrivals that found --max-in-flight requests in flight and were not sent.",
      samples: one("salvo_requests_dropped_total", labels, s.dropped),
    },
    {
      name: "salvo_request_sent_duration_seconds",
      type: "histogram",
      help: "Open model: latency from each request's actual send (uncorrected).",
      samples: histogramSamples("salvo_request_sent_duration_seconds", labels, s.sent, boundsS),
    },
    {
      name: "salvo_schedule_lag_seconds",
      type: "histogram",
      help: "Open model: how late each send went out against the plan (salvo's own lateness).",
      samples: histogramSamples(
        "salvo_schedule_lag_seconds",
        labels,
        s.lag ?? new Histogram(s.latency.layout),
        boundsS,
      ),
    },
  ];
};

/** Label names of Prometheus's data model; `__` is reserved for Prometheus itself. */
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels salvo sets itself, and those a histogram or Prometheus's scrape adds. */
export const reservedLabels: ReadonlySet<string> = new Set([
  "run_id",
  "method",
  "url",
  "status",
  "reason",
  "le",
  "job",
  "instance",
]);

/** Why `name` cannot be a `--tag` label, or undefined when it can. */
export const tagNameProblem = (name: string): string | undefined =>
  !labelName.test(name)
    ? "a label name is letters, digits and _, not starting with a digit"
    : name.startsWith("__")
    ? "names starting with __ are Prometheus's own"
    : reservedLabels.has(name)
    ? "salvo or Prometheus sets that label itself"
    : undefined;
