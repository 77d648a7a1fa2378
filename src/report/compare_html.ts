// The HTML report of `salvo compare`: the verdicts in a table, and both runs overlaid: their
// percentile plots on HdrHistogram's nines axis and their throughput over time (or, with --run, each
// round's figures). One self-contained file, like the run's report (src/report/html.ts).
import type { Row } from "../core/timeline.ts";
import type { Comparison } from "./comparison.ts";
import { line as thresholdLine } from "./gate.ts";
import { nines, ninesTicks, palette, style } from "./html.ts";
import { escape, fmt, type Line, lineChart } from "./svg.ts";

/** What one side brings to the pictures. */
export interface Picture {
  readonly label: string;
  /** Latency (ms) by percentile, HdrHistogram's plot; empty when unknown. */
  readonly percentiles: ReadonlyArray<{ readonly percentile: number; readonly ms: number }>;
  /** Its windows (times from its start), for throughput over time. */
  readonly rows: ReadonlyArray<Row>;
  /** With --run: each round's figures. */
  readonly rounds?: ReadonlyArray<Readonly<Record<string, number>>>;
}

const signed = (x: number | undefined) =>
  x === undefined ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;

const verdictClass = (v: string) => v === "regressed" ? "fail" : v === "improved" ? "pass" : "";

const table = (v: Comparison): string =>
  `<table class="verdicts"><thead><tr><th>figure</th><th>base</th><th>new</th><th>change</th><th>99 % interval</th><th>verdict</th></tr></thead><tbody>${
    v.results.map((r) =>
      `<tr><th>${escape(r.figure)}</th><td>${fmt(v.base(r.figure))}</td><td>${
        fmt(v.next(r.figure))
      }</td><td>${signed(r.changePct)}</td><td>${
        r.lowPct === undefined ? "n/a" : `[${signed(r.lowPct)}, ${signed(r.highPct)}]`
      }</td><td class="${verdictClass(r.verdict)}">${escape(r.verdict)}</td></tr>`
    ).join("")
  }</tbody></table>`;

const colours = [palette[0]!, palette[2]!] as const;

const charts = (pictures: readonly [Picture, Picture]): string[] => {
  const out: string[] = [];
  const both = (f: (p: Picture, i: number) => Line | undefined) =>
    pictures.flatMap((p, i) => {
      const l = f(p, i);
      return l === undefined ? [] : [l];
    });
  const percentiles = both((p, i) =>
    p.percentiles.length === 0 ? undefined : {
      name: p.label,
      colour: colours[i]!,
      ...(i === 1 ? { dash: "6 4" } : {}),
      points: p.percentiles.map((x) => [nines(x.percentile), x.ms] as const),
    }
  );
  if (percentiles.length > 0) {
    out.push(lineChart({
      id: "percentiles",
      title: "Latency by percentile, both runs (HdrHistogram's percentile plot)",
      xLabel: "percentile",
      yLabel: "latency (ms)",
      lines: percentiles,
      logY: true,
      xTicks: ninesTicks,
      yFormat: fmt,
    }));
  }
  const throughput = both((p, i) =>
    p.rows.length === 0 ? undefined : {
      name: p.label,
      colour: colours[i]!,
      points: p.rows.flatMap((r) => [[r.startMs / 1000, r.rps], [r.endMs / 1000, r.rps]] as const),
    }
  );
  if (throughput.length > 0) {
    out.push(lineChart({
      id: "throughput",
      title: "Throughput over time, both runs",
      xLabel: "time from each run's start (s)",
      yLabel: "req/s",
      lines: throughput,
      logY: false,
      yFormat: fmt,
    }));
  }
  for (const [id, figure, unit] of [["rounds-rps", "rps", "req/s"], ["rounds-p99", "p99", "ms"]]) {
    const lines = both((p, i) =>
      p.rounds === undefined ? undefined : {
        name: p.label,
        colour: colours[i]!,
        points: p.rounds.map((f, k) => [k + 1, f[figure!]!] as const),
      }
    );
    if (lines.length > 0) {
      out.push(lineChart({
        id: id!,
        title: `${figure} by round`,
        xLabel: "round",
        yLabel: unit!,
        lines,
        logY: false,
        yFormat: fmt,
      }));
    }
  }
  return out;
};

export const render = (v: Comparison): string => {
  const failed = v.evaluations.some((e) => !e.passed);
  const verdict = v.evaluations.length === 0
    ? ""
    : `<p class="verdict ${failed ? "fail" : "pass"}">${failed ? "FAILED" : "PASSED"}</p>`;
  const gate = v.evaluations.length === 0
    ? ""
    : `<ul class="gate">${
      v.evaluations.map((e) =>
        `<li class="${e.passed ? "pass" : "fail"}">${escape(thresholdLine(e))}</li>`
      ).join("")
    }</ul>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>salvo compare</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
${style}
table.verdicts{margin:8px 0 12px}
</style></head><body>
<h1>salvo compare</h1>
${v.sides.map((s) => `<p class="load">${escape(s)}</p>`).join("\n")}
${verdict}
${gate}
${v.warnings.map((w) => `<p class="warning">warning: ${escape(w)}</p>`).join("")}
${table(v)}
<p class="load">${escape(v.method)}</p>
${v.pictures === undefined ? "" : charts(v.pictures).join("\n")}
</body></html>
`;
};
