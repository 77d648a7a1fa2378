// The text summary for people: counts, rate, latency percentiles, status codes and failure reasons.
import type { Stats } from "../core/summary.ts";
import { formatDuration } from "../core/units.ts";

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const rate = (rps: number): string => rps >= 100 ? rps.toFixed(0) : rps.toFixed(1);

const tally = (counts: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(counts)
    .filter((e): e is [string, number] => e[1] !== undefined)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join("  ");

export interface Heading {
  readonly method: string;
  readonly url: string;
  readonly concurrency: number;
  readonly interrupted: boolean;
}

export const render = (s: Stats, h: Heading): string => {
  const l = s.latency;
  const lines = [
    `salvo ${h.method} ${h.url} · ${h.concurrency} worker${h.concurrency === 1 ? "" : "s"}` +
    (h.interrupted ? " · interrupted" : ""),
    `  requests   ${s.requests} in ${formatDuration(s.durationS * 1000)} · ${rate(s.rps)} req/s`,
    `  success    ${s.successes} (${pct(s.successRate)}) · failed ${s.failures}`,
    `  latency    min ${formatDuration(l.min)} · mean ${formatDuration(l.mean)} · stdev ${
      formatDuration(l.stdev)
    } · max ${formatDuration(l.max)}`,
    `  percentile p50 ${formatDuration(l.p50)} · p90 ${formatDuration(l.p90)} · p95 ${
      formatDuration(l.p95)
    } · p99 ${formatDuration(l.p99)} · p99.9 ${formatDuration(l.p99_9)}`,
  ];
  const codes = tally(s.statusCodes);
  if (codes !== "") lines.push(`  status     ${codes}`);
  const errors = tally(s.errors);
  if (errors !== "") lines.push(`  errors     ${errors}`);
  return lines.join("\n");
};

export const progressLine = (elapsedMs: number, requests: number, failures: number): string =>
  `${formatDuration(elapsedMs)} · ${requests} requests · ${failures} failed · ${
    rate(elapsedMs > 0 ? requests / (elapsedMs / 1000) : 0)
  } req/s`;
