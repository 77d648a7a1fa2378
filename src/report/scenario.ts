// A scenario's own part of the reports: iterations, each step, groups and checks, as text lines and as the JSON summary's `scenario` section.
import { latencyStats } from "../core/summary.ts";
import * as Summary from "../core/summary.ts";
import { passRate, type Tally, type Timed } from "../core/scenario_tally.ts";
import { formatDuration } from "../core/units.ts";
import type { TallyRecord } from "../io/tally_record.ts";

const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const perS = (n: number, elapsedMs: number): string => {
  const r = elapsedMs > 0 ? (n / elapsedMs) * 1000 : 0;
  return r >= 100 ? r.toFixed(0) : r.toFixed(1);
};

const durations = (t: Timed) => {
  const l = latencyStats(t.durations);
  return t.count === 0
    ? { p50: 0, p95: 0, p99: 0, max: 0 }
    : { p50: l.p50, p95: l.p95, p99: l.p99, max: l.max };
};

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")
      .trimEnd()
  );
};

/** A row per summary (a step, a target), then `extra` rows, under a header; none when empty. */
const stepTable = (
  label: string,
  what: string,
  entries: ReadonlyArray<readonly [string, Summary.Summary]>,
  extra: ReadonlyArray<ReadonlyArray<string>> = [],
): ReadonlyArray<string> => {
  const rows: ReadonlyArray<ReadonlyArray<string>> = [
    [what, "requests", "failed", "p50", "p95", "p99", "max"],
    ...entries.map(([name, s]) => {
      const l = latencyStats(s.latency);
      return [
        name,
        String(s.requests),
        String(s.requests - s.successes),
        ...[l.p50, l.p95, l.p99, l.max].map(formatDuration),
      ];
    }),
    ...extra,
  ];
  return rows.length === 1
    ? []
    : table(rows).map((l, i) => `  ${(i === 0 ? label : "").padEnd(10)} ${l}`);
};

/** The text summary's table of targets (`salvo report` of several, or of a scenario's steps). */
export const targetLines = (
  entries: ReadonlyArray<{ readonly name: string; readonly summary: Summary.Summary }>,
): ReadonlyArray<string> =>
  stepTable("by target", "target", entries.map((e) => [e.name, e.summary] as const));

/** The text summary's scenario lines, under the run's own. */
export const lines = (t: Tally, elapsedMs: number): ReadonlyArray<string> => {
  const out: string[] = [];
  const it = durations(t.iterations);
  out.push(
    `  iterations ${t.iterations.count} · ${perS(t.iterations.count, elapsedMs)}/s · p50 ${
      formatDuration(it.p50)
    } · p95 ${formatDuration(it.p95)} · max ${formatDuration(it.max)}` +
      (t.scriptErrors > 0 ? ` · script errors ${t.scriptErrors}` : "") +
      (t.strays > 0
        ? ` · ${t.strays} rejected promise${t.strays === 1 ? "" : "s"} never awaited`
        : "") +
      (t.cut > 0 ? ` · cut by the end ${t.cut}` : ""),
  );
  if (t.scriptWhy !== undefined) out.push(`  why        script_error: ${t.scriptWhy}`);
  if (t.exhausted) {
    out.push("  data       the --data rows dealt unique were all used: users stopped");
  }
  const groups = [...t.groups].map(([name, g]) => {
    const d = durations(g);
    return [
      `${name} (group)`,
      String(g.count),
      "",
      ...[d.p50, d.p95, d.p99, d.max].map(formatDuration),
    ];
  });
  out.push(...stepTable("steps", "step", [...t.steps], groups));
  if (t.checks.size > 0) {
    let passed = 0, total = 0;
    for (const c of t.checks.values()) {
      passed += c.passed;
      total += c.passed + c.failed;
    }
    out.push(`  checks     ${pct(passRate(t))} passed (${passed} of ${total})`);
    const checkRows = [...t.checks].map(([name, c]) => [
      name,
      pct(passRate(t, name)),
      `${c.passed}/${c.passed + c.failed}`,
    ]);
    for (const l of table(checkRows)) out.push(`             ${l}`);
  }
  return out;
};

/** Each step's (or target's) figures, as the JSON carries them. */
export const targetsJson = (
  entries: ReadonlyArray<{ readonly name: string; readonly summary: Summary.Summary }>,
  elapsedMs: number,
) =>
  entries.map(({ name, summary }) => {
    const st = Summary.describe(summary, elapsedMs);
    const l = st.latency;
    return {
      name,
      requests: st.requests,
      successes: st.successes,
      failures: st.failures,
      success_rate: round(st.successRate, 6),
      rps: round(st.rps),
      latency_ms: {
        mean: round(l.mean),
        p50: round(l.p50),
        p90: round(l.p90),
        p95: round(l.p95),
        p99: round(l.p99),
        max: round(l.max),
      },
      status_codes: st.statusCodes,
      errors: st.errors,
    };
  });

/** The JSON summary's `scenario` section: figures people read, and the tally `salvo merge` adds up. */
export const json = (module: string, t: Tally, elapsedMs: number, record: TallyRecord) => {
  const it = durations(t.iterations);
  return {
    module,
    iterations: {
      count: t.iterations.count,
      rate: round(elapsedMs > 0 ? (t.iterations.count / elapsedMs) * 1000 : 0),
      script_errors: t.scriptErrors,
      ...(t.strays > 0 ? { unawaited_rejections: t.strays } : {}),
      ...(t.scriptWhy === undefined ? {} : { script_error: t.scriptWhy }),
      cut: t.cut,
      duration_ms: {
        p50: round(it.p50),
        p95: round(it.p95),
        p99: round(it.p99),
        max: round(it.max),
      },
    },
    ...(t.exhausted ? { data_exhausted: true } : {}),
    steps: targetsJson([...t.steps].map(([name, summary]) => ({ name, summary })), elapsedMs),
    groups: [...t.groups].map(([name, g]) => {
      const d = durations(g);
      return {
        name,
        count: g.count,
        duration_ms: { p50: round(d.p50), p95: round(d.p95), p99: round(d.p99), max: round(d.max) },
      };
    }),
    checks: [...t.checks].map(([name, c]) => ({
      name,
      passed: c.passed,
      failed: c.failed,
      rate: round(passRate(t, name), 6),
    })),
    checks_rate: round(passRate(t), 6),
    tally: record,
  };
};
