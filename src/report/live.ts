// The live view's renderer: a frame of the run so far → the lines that fill a terminal of a given size.
//
// Pure: (frame, width, height, colour) → lines, each at most `width - 1` columns (a line as wide as
// the terminal would wrap, and a wrapped frame cannot be redrawn in place), at most `height - 1` of
// them (the cursor's row is left free, so the screen never scrolls).
import type { Bin } from "../core/distribution.ts";
import { formatDuration } from "../core/units.ts";

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** A scenario's step in the live view: its requests so far and their latency (ms). */
export interface StepRow {
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  readonly p50: number;
  readonly p99: number;
}

/** A scenario's figures beside its requests. */
export interface ScenarioFrame {
  readonly iterations: number;
  /** Iterations per second over the run so far. */
  readonly iterationsPerSec: number;
  /** Share of checks passed (0..1); undefined while no check has run. */
  readonly checksPassed: number | undefined;
  /** Iterations that threw, and rejections no iteration awaited. */
  readonly scriptErrors: number;
  /** The first steps, in the order the run met them. */
  readonly steps: ReadonlyArray<StepRow>;
  /** Steps the run has beyond `steps`. */
  readonly moreSteps: number;
}

export interface Frame {
  /** What is being run: `GET http://…` and how load is made. */
  readonly title: string;
  readonly elapsedMs: number;
  /** The planned duration, when the run has one. */
  readonly durationMs: number | undefined;
  /** The -n budget, when the run has one. */
  readonly maxRequests: number | undefined;
  readonly requests: number;
  readonly failures: number;
  /** Requests per second in the last window. */
  readonly rpsNow: number;
  /** Requests per second of each window so far, oldest first. */
  readonly rpsHistory: ReadonlyArray<number>;
  /** Latency (ms) of the last window's requests, and of the whole run. */
  readonly last: Percentiles | undefined;
  readonly whole: Percentiles;
  /** The whole run's latency distribution. */
  readonly bins: ReadonlyArray<Bin>;
  readonly status: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly inFlight: number;
  /** The open model's figures. */
  readonly open:
    | {
      readonly targetRps: number;
      readonly dropped: number;
      /** Send lag p99 so far, ms. */
      readonly lagP99Ms: number;
    }
    | undefined;
  readonly threads: number;
  /** A scenario's iterations, checks and steps. */
  readonly scenario?: ScenarioFrame;
}

type Style = "dim" | "bold" | "good" | "bad" | "bar";
type Part = string | readonly [string, Style];

const sgr: Record<Style, string> = {
  dim: "\x1b[2m",
  bold: "\x1b[1m",
  good: "\x1b[32m",
  bad: "\x1b[31m",
  bar: "\x1b[36m",
};

/** Joins `parts` into a line cut to `width` columns (every character used is one column wide). */
const line = (parts: ReadonlyArray<Part>, width: number, colour: boolean): string => {
  let out = "", used = 0;
  for (const p of parts) {
    const [text, style] = typeof p === "string" ? [p, undefined] : p;
    const chars = [...text];
    const take = chars.slice(0, Math.max(0, width - used)).join("");
    used += Math.min(chars.length, Math.max(0, width - used));
    out += colour && style !== undefined && take !== "" ? `${sgr[style]}${take}\x1b[0m` : take;
    if (used >= width) break;
  }
  return out;
};

const group = (n: number): string => Math.round(n).toLocaleString("en-US");
const rate = (n: number): string => (n >= 100 ? group(n) : n.toFixed(1));
const ms = (x: number): string => formatDuration(x);

const sparks = "▁▂▃▄▅▆▇█";
/** The last `width` values as a sparkline scaled to their own maximum. */
export const sparkline = (values: ReadonlyArray<number>, width: number): string => {
  const shown = values.slice(Math.max(0, values.length - width));
  const most = Math.max(0, ...shown);
  return shown.map((v) =>
    most <= 0 ? sparks[0] : sparks[Math.min(7, Math.floor((v / most) * 7.999))]
  ).join("");
};

const tally = (counts: Readonly<Record<string, number>>): Array<[string, number]> =>
  Object.entries(counts).sort((a, b) => b[1] - a[1]);

/** The progress bar and what it measures: time against the duration, or requests against -n. */
const progress = (f: Frame): { done: number; label: string } | undefined => {
  if (f.durationMs !== undefined && f.durationMs > 0) {
    const done = Math.min(1, f.elapsedMs / f.durationMs);
    return {
      done,
      label: `${ms(f.elapsedMs)} of ${ms(f.durationMs)} · ${
        ms(Math.max(0, f.durationMs - f.elapsedMs))
      } left`,
    };
  }
  if (f.maxRequests !== undefined && f.maxRequests > 0) {
    return {
      done: Math.min(1, f.requests / f.maxRequests),
      label: `${group(f.requests)} of ${group(f.maxRequests)} requests · ${ms(f.elapsedMs)}`,
    };
  }
  return undefined;
};

export const render = (f: Frame, width: number, height: number, colour: boolean): string[] => {
  const w = Math.max(20, width - 1);
  const out: string[] = [];
  const push = (...parts: Part[]) => out.push(line(parts, w, colour));
  push(["salvo ", "bold"], f.title, f.threads > 1 ? ` · ${f.threads} threads` : "");
  const p = progress(f);
  if (p === undefined) {
    push(["  elapsed   ", "dim"], ms(f.elapsedMs));
  } else {
    const barWidth = Math.max(10, Math.min(40, w - 12 - 7 - p.label.length));
    const full = Math.round(p.done * barWidth);
    push(
      ["  progress  ", "dim"],
      ["█".repeat(full), "bar"],
      ["░".repeat(barWidth - full), "dim"],
      ` ${String(Math.floor(p.done * 100)).padStart(3)}%  ${p.label}`,
    );
  }
  const failedShare = f.requests > 0 ? f.failures / f.requests : 0;
  push(
    ["  requests  ", "dim"],
    `${group(f.requests)} · `,
    [
      `failed ${group(f.failures)} (${(failedShare * 100).toFixed(1)}%)`,
      f.failures > 0 ? "bad" : "good",
    ],
    ` · ${rate(f.rpsNow)} req/s now`,
  );
  if (f.open !== undefined) {
    push(
      ["  open      ", "dim"],
      `target ${rate(f.open.targetRps)} req/s · in flight ${group(f.inFlight)} · `,
      [`dropped ${group(f.open.dropped)}`, f.open.dropped > 0 ? "bad" : "good"],
      ` · send lag p99 ${ms(f.open.lagP99Ms)}`,
    );
  } else {
    push(["  in flight ", "dim"], group(f.inFlight));
  }
  const most = Math.max(0, ...f.rpsHistory);
  const sparkLabel = ` peak ${rate(most)}`;
  push(
    ["  req/s     ", "dim"],
    [sparkline(f.rpsHistory, Math.max(1, w - 12 - sparkLabel.length)), "bar"],
    sparkLabel,
  );
  const col = (x: number | undefined) => (x === undefined ? "—" : ms(x)).padStart(10);
  push(["  latency   ", "dim"], ["       p50       p90       p99       max", "dim"]);
  const lat = (label: string, q: Percentiles | undefined) =>
    push(["  " + label.padEnd(10), "dim"], col(q?.p50), col(q?.p90), col(q?.p99), col(q?.max));
  lat("last 1s", f.last);
  lat("whole run", f.whole);
  const tail: string[] = [];
  const codes = tally(f.status);
  const errors = tally(f.errors);
  const tailLines = (codes.length > 0 ? 1 : 0) + (errors.length > 0 ? 1 : 0);
  if (f.scenario !== undefined) {
    scenarioLines(f.scenario, w, height - 1 - out.length - tailLines, push);
  }
  // The histogram gets the rows left over, up to the bins there are.
  const rows = Math.min(f.bins.length, Math.max(0, height - 1 - out.length - tailLines));
  if (rows > 0) {
    const bins = mergeBins(f.bins, rows);
    const labels = bins.map((b) => `≤ ${ms(b.upToUs / 1000)}`);
    const labelWidth = Math.max(...labels.map((l) => l.length));
    const biggest = Math.max(1, ...bins.map((b) => b.count));
    const countWidth = Math.max(...bins.map((b) => group(b.count).length));
    const barWidth = Math.max(1, Math.min(100, w - 14 - labelWidth - countWidth));
    bins.forEach((b, i) =>
      push(
        [i === 0 ? "  histogram " : "            ", "dim"],
        `${labels[i]!.padEnd(labelWidth)} `,
        ["█".repeat(Math.round((b.count / biggest) * barWidth)).padEnd(barWidth), "bar"],
        ` ${group(b.count).padStart(countWidth)}`,
      )
    );
  }
  /** Counts side by side, most frequent first; failing ones in red. */
  const counts = (
    label: string,
    entries: ReadonlyArray<[string, number]>,
    bad: (k: string) => boolean,
  ) =>
    tail.push(line(
      [
        [label, "dim"],
        ...entries.flatMap(([k, n], i): Part[] => [
          i === 0 ? "" : "  ",
          [`${k} ×${group(n)}`, bad(k) ? "bad" : "good"],
        ]),
      ],
      w,
      colour,
    ));
  if (codes.length > 0) counts("  status    ", codes, (code) => Number(code) >= 400);
  if (errors.length > 0) counts("  errors    ", errors, () => true);
  return [...out, ...tail].slice(0, Math.max(1, height - 1));
};

/** Rows a scenario's lines leave to the histogram below them, when the terminal has them. */
const histogramRows = 4;

/**
 * A scenario's iterations and checks on one line, then a table of its steps in the `room` rows
 * there are (less a few for the histogram): as many steps as fit, and how many more there are.
 */
const scenarioLines = (
  sc: ScenarioFrame,
  w: number,
  room: number,
  push: (...parts: Part[]) => void,
): void => {
  if (room < 1) return;
  const checks: Part[] = sc.checksPassed === undefined ? [] : [
    " · ",
    [`checks ${(sc.checksPassed * 100).toFixed(1)}%`, sc.checksPassed < 1 ? "bad" : "good"],
  ];
  push(
    ["  iterations ", "dim"],
    `${group(sc.iterations)} · ${rate(sc.iterationsPerSec)}/s`,
    ...checks,
    " · ",
    [`script errors ${group(sc.scriptErrors)}`, sc.scriptErrors > 0 ? "bad" : "good"],
  );
  const rows = room - 1 - histogramRows;
  const total = sc.steps.length + sc.moreSteps;
  const figures = 10 + 9 + 10 + 10;
  // A header and one step at least, names of 8 columns at least; the last row says how many steps
  // are left out, when any are.
  if (rows < 2 || sc.steps.length === 0 || w < 3 + 8 + figures) return;
  const shown = total <= rows - 1 ? sc.steps.length : Math.min(sc.steps.length, rows - 2);
  const steps = sc.steps.slice(0, shown);
  const nameWidth = Math.max(
    4,
    Math.min(Math.max(...steps.map((r) => [...r.name].length)), w - 3 - figures),
  );
  const cut = (name: string) => {
    const chars = [...name];
    return chars.length <= nameWidth
      ? name.padEnd(nameWidth)
      : chars.slice(0, nameWidth - 1).join("") + "…";
  };
  push(["  " + "step".padEnd(nameWidth) + "  requests   failed       p50       p99", "dim"]);
  for (const r of steps) {
    push(
      `  ${cut(r.name)}`,
      group(r.requests).padStart(10),
      [group(r.failures).padStart(9), r.failures > 0 ? "bad" : "good"],
      ms(r.p50).padStart(10),
      ms(r.p99).padStart(10),
    );
  }
  if (total > shown) {
    push(["  … " + `${group(total - shown)} more step${total - shown === 1 ? "" : "s"}`, "dim"]);
  }
};

/** Fewer bins: neighbours added together, so the counts still sum to the same total. */
const mergeBins = (bins: ReadonlyArray<Bin>, rows: number): ReadonlyArray<Bin> => {
  if (bins.length <= rows) return bins;
  const per = Math.ceil(bins.length / rows);
  const out: Bin[] = [];
  for (let i = 0; i < bins.length; i += per) {
    const group = bins.slice(i, i + per);
    out.push({
      upToUs: group[group.length - 1]!.upToUs,
      count: group.reduce((n, b) => n + b.count, 0),
    });
  }
  return out;
};
