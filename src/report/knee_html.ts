// salvo knee's HTML report: latency and success rate against the offered rate, the SLO drawn, the knee
// marked. One self-contained file: inline SVG and styles, no script, nothing fetched.

import { escape, fmt, linScale, logScale, logTicks } from "./svg.ts";

export interface Point {
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly successRate: number;
  readonly outcome: "pass" | "fail" | "client" | "starved";
}

/** An SLO line to draw: a latency limit (ms) on the latency chart, or a success rate (0..1). */
export interface Limit {
  readonly expression: string;
  readonly kind: "latency" | "rate";
  readonly value: number;
}

export interface Report {
  readonly title: string;
  readonly points: ReadonlyArray<Point>;
  readonly limits: ReadonlyArray<Limit>;
  readonly kneeRps: number | undefined;
  /** One line under the title: the verdict. */
  readonly verdict: string;
}

const width = 720, height = 300, left = 64, right = 16, top = 16, bottom = 44;
const colours = {
  pass: "#1a7f37",
  fail: "#cf222e",
  client: "#8c959f",
  starved: "#9a6700",
} as const;

interface Series {
  readonly name: string;
  readonly value: (p: Point) => number;
  readonly dash: string;
}

const chart = (
  r: Report,
  label: string,
  series: ReadonlyArray<Series>,
  y: (v: number) => number,
  yTicks: ReadonlyArray<number>,
  yFormat: (v: number) => string,
  limits: ReadonlyArray<Limit>,
  x: (v: number) => number,
  xTicks: ReadonlyArray<number>,
): string => {
  const sorted = [...r.points].sort((a, b) => a.offeredRps - b.offeredRps);
  const parts: string[] = [];
  for (const t of yTicks) {
    parts.push(
      `<line class="grid" x1="${left}" x2="${width - right}" y1="${y(t)}" y2="${y(t)}"/>`,
      `<text class="tick" x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${yFormat(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<line class="grid" y1="${top}" y2="${height - bottom}" x1="${x(t)}" x2="${x(t)}"/>`,
      `<text class="tick" x="${x(t)}" y="${height - bottom + 16}" text-anchor="middle">${
        fmt(t)
      }</text>`,
    );
  }
  parts.push(
    `<text class="axis" x="${(left + width - right) / 2}" y="${
      height - 6
    }" text-anchor="middle">offered rate (req/s)</text>`,
    `<text class="axis" x="14" y="${(top + height - bottom) / 2}" transform="rotate(-90 14 ${
      (top + height - bottom) / 2
    })" text-anchor="middle">${escape(label)}</text>`,
  );
  for (const l of limits) {
    parts.push(
      `<line class="slo" x1="${left}" x2="${width - right}" y1="${y(l.value)}" y2="${
        y(l.value)
      }"/>`,
      `<text class="slo-label" x="${width - right - 4}" y="${
        y(l.value) - 5
      }" text-anchor="end">SLO ${escape(l.expression)}</text>`,
    );
  }
  if (r.kneeRps !== undefined) {
    parts.push(
      `<line class="knee" y1="${top}" y2="${height - bottom}" x1="${x(r.kneeRps)}" x2="${
        x(r.kneeRps)
      }"/>`,
      `<text class="knee-label" x="${x(r.kneeRps) + 4}" y="${top + 12}">knee ${
        fmt(r.kneeRps)
      }/s</text>`,
    );
  }
  for (const s of series) {
    const points = sorted.map((p) => `${x(p.offeredRps).toFixed(1)},${y(s.value(p)).toFixed(1)}`);
    parts.push(
      `<polyline class="series" stroke-dasharray="${s.dash}" points="${points.join(" ")}"><title>${
        escape(s.name)
      }</title></polyline>`,
    );
    for (const p of sorted) {
      parts.push(
        `<circle cx="${x(p.offeredRps).toFixed(1)}" cy="${y(s.value(p)).toFixed(1)}" r="4" fill="${
          colours[p.outcome]
        }"><title>${escape(s.name)} at ${fmt(p.offeredRps)}/s: ${
          yFormat(s.value(p))
        } (${p.outcome})</title></circle>`,
      );
    }
  }
  const legend = series.map((s, i) =>
    `<g transform="translate(${left + 10 + i * 120} ${
      top + 4
    })"><line class="series" x1="0" x2="24" y1="0" y2="0" stroke-dasharray="${s.dash}"/><text class="tick" x="30" y="4">${
      escape(s.name)
    }</text></g>`
  );
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${
    escape(label)
  } against offered rate">${parts.join("")}${legend.join("")}</svg>`;
};

export const render = (r: Report): string => {
  const rates = r.points.map((p) => p.offeredRps);
  const xLo = Math.min(...rates) / 1.3, xHi = Math.max(...rates) * 1.3;
  const x = logScale(xLo, xHi, left, width - right);
  const xTicks = logTicks(xLo, xHi);
  const latencyLimits = r.limits.filter((l) => l.kind === "latency");
  const latencies = [
    ...r.points.flatMap((p) => [p.p50Ms, p.p99Ms]),
    ...latencyLimits.map((l) => l.value),
  ].filter((v) => v > 0);
  const yLo = Math.max(0.001, Math.min(...latencies) / 1.5), yHi = Math.max(...latencies) * 1.5;
  const latency = chart(
    r,
    "latency (ms)",
    [
      { name: "p50", value: (p) => p.p50Ms, dash: "6 4" },
      { name: "p99", value: (p) => p.p99Ms, dash: "" },
    ],
    logScale(yLo, yHi, height - bottom, top),
    logTicks(yLo, yHi),
    (v) => `${fmt(v)}ms`,
    latencyLimits,
    x,
    xTicks,
  );
  const rateLimits = r.limits.filter((l) => l.kind === "rate");
  const lowest = Math.min(...r.points.map((p) => p.successRate), ...rateLimits.map((l) => l.value));
  const sLo = Math.max(0, Math.floor(lowest * 10) / 10 - 0.05);
  const success = chart(
    r,
    "success rate",
    [{ name: "success rate", value: (p) => p.successRate, dash: "" }],
    linScale(sLo, 1, height - bottom, top),
    [0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 1].filter((t) => t >= sLo),
    (v) => `${(v * 100).toFixed(v >= 0.99 && v < 1 ? 1 : 0)}%`,
    rateLimits,
    x,
    xTicks,
  );
  const rows = [...r.points].map((p, i) =>
    `<tr><td>${i + 1}</td><td>${fmt(p.offeredRps)}/s</td><td>${fmt(p.achievedRps)}/s</td><td>${
      fmt(p.p50Ms)
    }ms</td><td>${fmt(p.p99Ms)}ms</td><td>${
      (p.successRate * 100).toFixed(2)
    }%</td><td class="${p.outcome}">${p.outcome}</td></tr>`
  );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(r.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328;max-width:760px}
h1{font-size:18px;margin:0 0 4px}p.verdict{margin:0 0 16px}
svg{display:block;margin:8px 0 20px;background:#fff}
.grid{stroke:#eaeef2}.tick{font-size:11px;fill:#57606a}.axis{font-size:12px;fill:#1f2328}
.series{fill:none;stroke:#0969da;stroke-width:2}.slo{stroke:#bf8700;stroke-width:1.5;stroke-dasharray:8 4}
.slo-label{font-size:11px;fill:#9a6700}.knee{stroke:#1a7f37;stroke-width:1.5}.knee-label{font-size:11px;fill:#1a7f37}
table{border-collapse:collapse}td,th{padding:3px 10px;text-align:right;border-bottom:1px solid #eaeef2}
td.pass{color:#1a7f37}td.fail{color:#cf222e}td.client{color:#57606a}td.starved{color:#9a6700}
</style></head><body>
<h1>${escape(r.title)}</h1>
<p class="verdict">${escape(r.verdict)}</p>
${latency}
${success}
<table><thead><tr><th>step</th><th>offered</th><th>achieved</th><th>p50</th><th>p99</th><th>success</th><th>verdict</th></tr></thead>
<tbody>${rows.join("")}</tbody></table>
</body></html>
`;
};
