// The text summary for people: counts, rate, latency percentiles, status codes and failure reasons.
import type { Bin } from "../core/distribution.ts";
import type { Document, Heading } from "./document.ts";
import {
  type LatencyStats,
  ownLagNoticeable,
  ownShareOfP99,
  type Stats,
  type TimingStats,
} from "../core/summary.ts";
import { formatDuration } from "../core/units.ts";

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const rate = (rps: number): string => rps >= 100 ? rps.toFixed(0) : rps.toFixed(1);

const tally = (counts: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(counts)
    .filter((e): e is [string, number] => e[1] !== undefined)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join("  ");

const latencyLines = (label: string, l: LatencyStats): ReadonlyArray<string> => [
  `  ${label.padEnd(10)} min ${formatDuration(l.min)} · mean ${formatDuration(l.mean)} · stdev ${
    formatDuration(l.stdev)
  } · max ${formatDuration(l.max)}`,
  `  ${"".padEnd(10)} p50 ${formatDuration(l.p50)} · p90 ${formatDuration(l.p90)} · p95 ${
    formatDuration(l.p95)
  } · p99 ${formatDuration(l.p99)} · p99.9 ${formatDuration(l.p99_9)}`,
];

/** Bars of the latency distribution: a row per bin, the longest bar `width` wide. */
export const distributionLines = (bins: ReadonlyArray<Bin>, width = 30): ReadonlyArray<string> => {
  const most = Math.max(1, ...bins.map((b) => b.count));
  const labels = bins.map((b) => `≤ ${formatDuration(b.upToUs / 1000)}`);
  const labelWidth = Math.max(...labels.map((l) => l.length));
  return bins.map((b, i) =>
    `  ${i === 0 ? "histogram " : "          "} ${labels[i]!.padEnd(labelWidth)} ${
      "█".repeat(Math.round((b.count / most) * width)).padEnd(width)
    } ${b.count}`
  );
};

export const render = (s: Stats, h: Heading, distribution: ReadonlyArray<Bin> = []): string => {
  const lines = [
    `salvo ${[h.method, h.url].filter((x) => x !== "").join(" ")} · ${h.load}` +
    (h.interrupted ? " · interrupted" : "") +
    (h.outputFailed ? " · stopped: output failed" : ""),
    ...(h.headers.length === 0
      ? []
      : [`  headers    ${h.headers.map(([k, v]) => `${k}: ${v}`).join(" · ")}`]),
    `  requests   ${s.requests} in ${formatDuration(s.durationS * 1000)} · ${rate(s.rps)} req/s`,
    `  success    ${s.successes} (${pct(s.successRate)}) · failed ${s.failures}`,
    ...(s.retried === 0 ? [] : [
      `  retried    ${s.retried}: sent again after the connection closed before an answer; the server may have received ${
        s.requests + s.retried
      }`,
    ]),
  ];
  if (h.targetRps !== undefined) {
    const lag = s.scheduleLag;
    lines.push(
      `  rate       target ${rate(h.targetRps)} req/s · achieved ${rate(s.rps)}${
        h.plannedArrivals === undefined
          ? ""
          : ` (${s.requests} of ${h.plannedArrivals} planned arrivals sent)`
      } · dropped ${s.dropped}` +
        (h.tailMs === undefined || h.tailMs < 10
          ? ""
          : ` · last answer ${formatDuration(h.tailMs)} after the schedule`) +
        (lag === undefined
          ? ""
          : ` · send lag p50 ${formatDuration(lag.p50)} · p99 ${formatDuration(lag.p99)} · max ${
            formatDuration(lag.max)
          }`),
    );
    lines.push(...latencyLines("latency", s.latency));
    const own = ownShareOfP99(s);
    if (own !== undefined && own >= ownLagNoticeable && lag !== undefined) {
      lines.push(
        `  ${"".padEnd(10)} of that p99, ${formatDuration(lag.p99)} (${
          Math.round(own * 100)
        }%) is salvo's own send lag, not the server's`,
      );
    }
    lines.push(...latencyLines("uncorrect.", s.latencyUncorrected));
  } else {
    lines.push(...latencyLines("latency", s.latency));
  }
  const timing = (label: string, t: TimingStats | undefined) => {
    if (t === undefined) return;
    lines.push(
      `  ${label.padEnd(10)} ${t.count} · p50 ${formatDuration(t.p50)} · p90 ${
        formatDuration(t.p90)
      } · p99 ${formatDuration(t.p99)} · max ${formatDuration(t.max)}`,
    );
  };
  timing("connect", s.connect);
  timing("tls", s.tls);
  timing("queue", s.queue);
  lines.push(...distributionLines(distribution));
  const codes = tally(s.statusCodes);
  if (codes !== "") lines.push(`  status     ${codes}`);
  const errors = tally(s.errors);
  if (errors !== "") lines.push(`  errors     ${errors}`);
  for (const [reason, why] of Object.entries(s.errorMessages)) {
    lines.push(`  why        ${reason}: ${why}`);
  }
  return lines.join("\n");
};

/** The whole text report: the summary, the distribution, then the gate. */
export const ofDocument = (d: Document): string =>
  `${render(d.stats, d.heading, d.distribution)}${
    d.scenarioLines.length === 0 ? "" : `\n${d.scenarioLines.join("\n")}`
  }${d.gate === "" ? "" : `\n\n${d.gate}`}${d.aborted ? "\nstopped early: --abort-on-fail" : ""}`;
