// The HTML report of a run or of results read back: one self-contained file (inline SVG, styles and
// data; no script runs, nothing is fetched) rendered from the report document.
//
// Every figure in the summary table carries `data-key`, the JSON summary's path to the same number,
// and shows it exactly as the JSON has it: the browser test compares the two.
import { passRate } from "../core/scenario_tally.ts";
import { formatDuration } from "../core/units.ts";
import type { Row } from "../core/timeline.ts";
import type { Document } from "./document.ts";
import { line as thresholdLine } from "./gate.ts";
import { escape, fmt, type Line, lineChart } from "./svg.ts";

export const palette = [
  "#0969da",
  "#bf8700",
  "#cf222e",
  "#8250df",
  "#1a7f37",
  "#57606a",
  "#e16f24",
];

/** The JSON summary's value at a dotted path. */
const at = (json: Record<string, unknown>, path: string): unknown =>
  path.split(".").reduce<unknown>(
    (v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined),
    json,
  );

const figure = (d: Document, label: string, path: string, unit = ""): string => {
  const v = at(d.json, path);
  return `<tr><th>${escape(label)}</th><td data-key="${path}">${escape(String(v))}</td><td>${
    escape(unit)
  }</td></tr>`;
};

const summaryTable = (d: Document): string => {
  const rows = [
    figure(d, "requests", "requests"),
    figure(d, "successes", "successes"),
    figure(d, "failures", "failures"),
    ...(d.stats.retried > 0 ? [figure(d, "retried", "retried")] : []),
    figure(d, "success rate", "success_rate"),
    figure(d, "duration", "duration_s", "s"),
    figure(d, "throughput", "rps", "req/s"),
    ...["min", "mean", "p50", "p90", "p95", "p99", "p99_9", "max"].map((k) =>
      figure(d, `latency ${k.replace("_", ".")}`, `latency_ms.${k}`, "ms")
    ),
    ...(d.json.target_rps === undefined ? [] : [
      figure(d, "target rate", "target_rps", "req/s"),
      figure(d, "dropped", "dropped"),
    ]),
  ];
  return `<table class="figures"><tbody>${rows.join("")}</tbody></table>`;
};

const gate = (d: Document): string => {
  if (d.outputFailure !== undefined) {
    return `<p class="fail">NOT JUDGED: ${escape(d.outputFailure)}</p>`;
  }
  const items = d.evaluations.map((e) =>
    `<li class="${e.passed ? "pass" : "fail"}">${escape(thresholdLine(e))}</li>`
  );
  const diagnosis = d.diagnosis === undefined
    ? ""
    : `<p class="diagnosis"><b>${escape(d.diagnosis.verdict)}</b>: ${
      escape(d.diagnosis.explanation)
    }</p>`;
  const warnings = d.warnings.map((w) => `<p class="warning">warning: ${escape(w)}</p>`).join("");
  return (items.length > 0 ? `<ul class="gate">${items.join("")}</ul>` : "") + diagnosis + warnings;
};

const counts = (title: string, entries: ReadonlyArray<readonly [string, number]>): string => {
  if (entries.length === 0) return "";
  const most = Math.max(...entries.map((e) => e[1]));
  const rows = entries.map(([k, n]) =>
    `<tr><th>${escape(k)}</th><td>${n}</td><td><span class="bar" style="width:${
      Math.max(1, Math.round((n / most) * 300))
    }px"></span></td></tr>`
  );
  return `<h2>${escape(title)}</h2><table class="counts"><tbody>${rows.join("")}</tbody></table>`;
};

/** A scenario's iterations and its checks, each with its pass rate. */
const scenarioSection = (d: Document): string => {
  const t = d.scenario?.tally;
  if (t === undefined) return "";
  const it = t.iterations;
  const ms = (p: number) => Number((it.durations.valueAtPercentile(p) / 1000).toFixed(3));
  const checks = [...t.checks].map(([name, c]) =>
    `<tr><th>${escape(name)}</th><td>${c.passed}</td><td>${c.failed}</td><td>${
      (passRate(t, name) * 100).toFixed(1)
    }%</td></tr>`
  );
  return `<h2>Iterations</h2><p class="iterations">${it.count} iterations${
    it.count === 0 ? "" : ` · p50 ${ms(50)} ms · p95 ${ms(95)} ms · max ${ms(100)} ms`
  }${t.scriptErrors > 0 ? ` · ${t.scriptErrors} script errors` : ""}${
    t.cut > 0 ? ` · ${t.cut} cut by the end` : ""
  }${
    t.scriptWhy === undefined ? "" : `</p><p class="why">script_error: ${escape(t.scriptWhy)}`
  }</p>${
    checks.length === 0
      ? ""
      : `<h2>Checks</h2><table class="checks"><thead><tr><th>check</th><th>passed</th><th>failed</th><th>rate</th></tr></thead><tbody>${
        checks.join("")
      }</tbody></table>`
  }`;
};

/** A row per target (a scenario's steps): its requests, success, throughput, latency and status codes. */
const byTarget = (d: Document): string => {
  if (d.targets === undefined || (d.targets.length < 2 && d.scenario === undefined)) return "";
  const ms = (x: number) => Number(x.toFixed(3));
  const rows = d.targets.map(({ name, stats: s }) =>
    `<tr><th>${escape(name)}</th><td>${s.requests}</td><td>${
      (s.successRate * 100).toFixed(1)
    }%</td><td>${s.rps.toFixed(1)}</td><td>${ms(s.latency.p50)}</td><td>${
      ms(s.latency.p90)
    }</td><td>${ms(s.latency.p99)}</td><td>${ms(s.latency.max)}</td><td>${
      escape(Object.entries(s.statusCodes).map(([c, n]) => `${c} ×${n}`).join(" "))
    }</td></tr>`
  );
  const what = d.scenario === undefined ? "target" : "step";
  return `<h2>By ${what}</h2><table class="targets"><thead><tr><th>${what}</th><th>requests</th><th>success</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>status</th></tr></thead><tbody>${
    rows.join("")
  }</tbody></table>`;
};

/** The percentile plot's x: how many nines, -log10(1 - p/100), capped where 100 % would be infinite. */
export const nines = (p: number): number => (p >= 100 ? 6 : -Math.log10(1 - p / 100));

/** The percentile plot's x ticks, in nines. */
export const ninesTicks: ReadonlyArray<readonly [number, string]> = [
  [0, "0%"],
  [1, "90%"],
  [2, "99%"],
  [3, "99.9%"],
  [4, "99.99%"],
  [5, "99.999%"],
  [6, "100%"],
];

/** The page's styles, shared by every salvo report. */
export const style =
  `body{font:14px system-ui,sans-serif;margin:24px auto;color:#1f2328;max-width:800px;padding:0 12px}
h1{font-size:18px;margin:0 0 4px;word-break:break-all}h2{font-size:15px;margin:24px 0 6px}
p.load{margin:0 0 12px;color:#57606a}.verdict{font-weight:600;font-size:16px}
.pass{color:#1a7f37}.fail{color:#cf222e}.warning{color:#9a6700}
ul.gate{padding-left:18px;font-family:ui-monospace,monospace;font-size:13px}
table{border-collapse:collapse}th,td{padding:2px 10px;border-bottom:1px solid #eaeef2;text-align:right}
th{font-weight:500;color:#57606a;text-align:left}table.counts td:last-child{text-align:left}
table.figures{float:right;margin:0 0 12px 16px}
.bar{display:inline-block;height:10px;background:#0969da;vertical-align:middle}
figure{margin:16px 0;clear:right}figcaption{font-weight:600;margin-bottom:4px}
svg.chart{display:block;max-width:100%;height:auto;background:#fff}
.grid{stroke:#eaeef2}.tick{font-size:11px;fill:#57606a}.axis{font-size:12px;fill:#1f2328}`;

const charts = (d: Document): string[] => {
  const out: string[] = [];
  const rows = d.timeline ?? [];
  if (rows.length > 0) {
    /** A window's value held across the window: a step from its start to its end. */
    const steps = (value: (r: Row, i: number) => number, of: ReadonlyArray<Row> = rows) =>
      of.flatMap((r, i): Array<readonly [number, number]> => [
        [r.startMs / 1000, value(r, i)],
        [r.endMs / 1000, value(r, i)],
      ]);
    const throughput: Line[] = [
      { name: "achieved", colour: palette[0]!, points: steps((r) => r.rps) },
    ];
    if (d.intendedRps !== undefined) {
      throughput.push({
        name: "intended",
        colour: palette[1]!,
        dash: "6 4",
        points: steps((_, i) => d.intendedRps![i] ?? 0),
      });
    }
    out.push(lineChart({
      id: "throughput",
      title: "Throughput",
      xLabel: "time (s)",
      yLabel: "req/s",
      lines: throughput,
      logY: false,
      yFormat: fmt,
    }));
    const reasons = [
      ...new Set(rows.flatMap((r) => [
        ...Object.keys(r.errors),
        ...Object.keys(r.status).filter((c) => Number(c) >= 400).map((c) => `status ${c}`),
      ])),
    ];
    const failures: Line[] = reasons.map((name, i) => ({
      name,
      colour: palette[(i + 2) % palette.length]!,
      points: steps((r) =>
        name.startsWith("status ") ? r.status[name.slice(7)] ?? 0 : r.errors[name] ?? 0
      ),
    }));
    out.push(lineChart({
      id: "failures",
      title: "Failures by reason (per window)",
      xLabel: "time (s)",
      yLabel: "failures",
      lines: failures.length > 0
        ? failures
        : [{ name: "none", colour: palette[4]!, points: steps(() => 0) }],
      logY: false,
      yFormat: fmt,
    }));
    const answered = rows.filter((r) => r.requests > 0);
    out.push(lineChart({
      id: "latency",
      title: "Latency per window",
      xLabel: "time (s)",
      yLabel: "latency (ms)",
      lines: (["p50", "p90", "p99", "max"] as const).map((k, i) => ({
        name: k,
        colour: palette[i]!,
        points: steps((r) => r[k], answered),
      })),
      logY: true,
      yFormat: (v) => `${fmt(v)}`,
    }));
  }
  if (d.percentiles.length > 0) {
    out.push(lineChart({
      id: "percentiles",
      title: "Latency by percentile (HdrHistogram's percentile plot)",
      xLabel: "percentile",
      yLabel: "latency (ms)",
      lines: [
        {
          name: d.scenario === undefined ? "latency" : "all steps",
          colour: palette[0]!,
          points: d.percentiles.map((p) => [nines(p.percentile), p.ms]),
        },
        // A line per step (or target), the busiest first: at most as many as the palette has left.
        ...[...(d.targets ?? [])]
          .filter((t) =>
            t.percentiles.length > 0 && (d.targets!.length > 1 || d.scenario !== undefined)
          )
          .sort((a, b) => b.stats.requests - a.stats.requests)
          .slice(0, palette.length - 1)
          .map((t, i) => ({
            name: t.name,
            colour: palette[i + 1]!,
            points: t.percentiles.map((p) => [nines(p.percentile), p.ms] as const),
          })),
      ],
      logY: true,
      xTicks: ninesTicks,
      yFormat: (v) => `${fmt(v)}`,
    }));
  }
  return out;
};

export const render = (d: Document): string => {
  const h = d.heading;
  const title = `salvo ${[h.method, h.url].filter((x) => x !== "").join(" ")}`;
  const verdict = d.failed
    ? `<p class="verdict fail">FAILED</p>`
    : d.evaluations.length > 0
    ? `<p class="verdict pass">PASSED</p>`
    : "";
  const distribution = counts(
    "Latency distribution",
    d.distribution.map((b) => [`≤ ${formatDuration(b.upToUs / 1000)}`, b.count] as const),
  );
  const status = counts("Status codes", Object.entries(d.stats.statusCodes));
  const errors = counts(
    "Failure reasons",
    Object.entries(d.stats.errors).map(([k, n]) => [k, n ?? 0] as const),
  );
  // Inline data for whoever wants the numbers behind the page; `<` escaped so it cannot end the element.
  const data = JSON.stringify({ summary: d.json, timeline: d.timeline ?? [] }).replace(
    /</g,
    "\\u003c",
  );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
${style}
</style></head><body>
<h1>${escape(title)}</h1>
<p class="load">${escape(h.load)}${h.interrupted ? " · interrupted" : ""}</p>
${summaryTable(d)}
${verdict}
${gate(d)}
${charts(d).join("\n")}
${scenarioSection(d)}
${byTarget(d)}
${distribution}
${status}
${errors}
<script type="application/json" id="salvo-data">${data}</script>
</body></html>
`;
};
