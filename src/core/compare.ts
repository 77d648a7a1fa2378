// Is a change real? Two runs compared figure by figure over their time windows: batch means of the
// windows (a run's requests are not independent samples; its windows, batched, nearly are), Welch's
// interval on the difference of the means, and a verdict only when the interval excludes no change.
import type { Stats } from "./summary.ts";
import type { Row } from "./timeline.ts";

export type Verdict = "regressed" | "improved" | "no significant change" | "inconclusive";

/** A figure compared: what a window says of it, and which way is worse. */
export interface Figure {
  readonly name: string;
  /** Up: a larger value is worse (latency); down: a smaller one is (throughput, success rate). */
  readonly worse: "up" | "down";
  /** The window's value; undefined when the window cannot say (no request in it). */
  readonly of: (r: Row) => number | undefined;
  /** The whole run's value, in the same unit. */
  readonly whole: (s: Stats) => number;
}

export const figures: ReadonlyArray<Figure> = [
  { name: "rps", worse: "down", of: (r) => r.rps, whole: (s) => s.rps },
  {
    name: "success_rate",
    worse: "down",
    of: (r) => (r.requests > 0 ? r.successes / r.requests : undefined),
    whole: (s) => s.successRate,
  },
  ...([["p50", "p50", "p50"], ["p90", "p90", "p90"], ["p99", "p99", "p99"], [
    "p99.9",
    "p999",
    "p99_9",
  ], ["max", "max", "max"]] as const).map(([name, row, whole]): Figure => ({
    name,
    worse: "up",
    of: (r) => (r.requests > 0 ? r[row] : undefined),
    whole: (s) => s.latency[whole],
  })),
];

/** The figure of that name (one of `figures`). */
export const figureNamed = (name: string): Figure => figures.find((f) => f.name === name)!;

/** The two-sided confidence of every interval: 99 %, so that a verdict is a false alarm 1 time in 100. */
export const confidence = 0.99;

/** Student's t at 0.995 (two-sided 99 %) by degrees of freedom; between rows, the next lower df's. */
const t995: ReadonlyArray<readonly [number, number]> = [
  [1, 63.657],
  [2, 9.925],
  [3, 5.841],
  [4, 4.604],
  [5, 4.032],
  [6, 3.707],
  [7, 3.499],
  [8, 3.355],
  [9, 3.25],
  [10, 3.169],
  [11, 3.106],
  [12, 3.055],
  [13, 3.012],
  [14, 2.977],
  [15, 2.947],
  [16, 2.921],
  [17, 2.898],
  [18, 2.878],
  [19, 2.861],
  [20, 2.845],
  [25, 2.787],
  [30, 2.75],
  [40, 2.704],
  [60, 2.66],
  [120, 2.617],
  [Infinity, 2.576],
];

/** t for `df` degrees of freedom (fractional, as Welch's are): the table's value at or below it. */
export const tQuantile = (df: number): number => {
  let t = t995[0]![1];
  for (const [d, v] of t995) if (df >= d) t = v;
  return t;
};

/** Most batches a run is cut into. */
const maxBatches = 10;
/**
 * Fewest windows in a batch. Simulated (AR(1) window noise, 20,000 pairs each): with batches of 2,
 * windows that carry half their neighbour's noise (φ = 0.5) left the 99 % interval covering 95.7 % of
 * the time over 10 windows; with 3, 99.1 % over 10, 96.5 % over 30 and 98.5 % over 60 (φ = 0.3: 98.3
 * % or more; independent windows: 99.2 % or more).
 */
const minBatchSize = 3;
/** Fewest batches a side needs for a variance: 2 (so 6 windows). */
export const minBatches = 2;
export const minWindows = minBatches * minBatchSize;

/**
 * Means of consecutive batches of `xs`: as many batches of at least 3 values as there are, at most
 * 10, of equal size; the first values that do not fill a batch are left out (the run's start).
 */
export const batchMeans = (xs: ReadonlyArray<number>): ReadonlyArray<number> => {
  const batches = Math.min(maxBatches, Math.floor(xs.length / minBatchSize));
  if (batches < 1) return [];
  const size = Math.floor(xs.length / batches);
  const skip = xs.length - batches * size;
  return Array.from({ length: batches }, (_, b) => {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += xs[skip + b * size + i]!;
    return sum / size;
  });
};

const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: ReadonlyArray<number>, m: number) =>
  xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);

export interface Difference {
  readonly base: number;
  readonly next: number;
  /** next - base, and its interval. */
  readonly diff: number;
  readonly low: number;
  readonly high: number;
}

/** Welch's interval for the difference of the means of `ys` and `xs` (each at least 2 values). */
export const welch = (xs: ReadonlyArray<number>, ys: ReadonlyArray<number>): Difference => {
  const mx = mean(xs), my = mean(ys);
  const vx = variance(xs, mx) / xs.length, vy = variance(ys, my) / ys.length;
  const se = Math.sqrt(vx + vy);
  const df = se === 0
    ? Infinity
    : (vx + vy) ** 2 / (vx ** 2 / (xs.length - 1) + vy ** 2 / (ys.length - 1));
  const half = tQuantile(df) * se;
  const diff = my - mx;
  return { base: mx, next: my, diff, low: diff - half, high: diff + half };
};

export interface Result {
  readonly figure: string;
  readonly verdict: Verdict;
  /** Change of the windows' mean in percent of the base's, and its interval; undefined when inconclusive or the base is 0. */
  readonly changePct: number | undefined;
  readonly lowPct: number | undefined;
  readonly highPct: number | undefined;
  /** Why a verdict is inconclusive. */
  readonly why: string | undefined;
}

const valuesOf = (rows: ReadonlyArray<Row>, f: Figure): number[] =>
  rows.flatMap((r) => {
    const v = f.of(r);
    return v === undefined || !Number.isFinite(v) ? [] : [v];
  });

/**
 * The smallest change a verdict names by default, in percent: `regressed` and `improved` need the
 * whole interval beyond ±2 %. Two runs of one target on a shared 2-core machine differ by a few
 * percent in ways no run's windows can see (A/A at 2 ms: throughput -5.3 %, interval [-9.1, -1.5];
 * BENCHMARKS.md); a change the interval cannot place beyond the floor is `no significant change`.
 */
export const minChangePct = 2;

/** The verdict of an interval [low, high] on a figure worse `up` or `down`, with a floor in its unit. */
export const verdictOf = (
  worse: "up" | "down",
  low: number,
  high: number,
  floor: number,
): Verdict => {
  const up = low > floor, down = high < -floor;
  return (worse === "up" ? up : down)
    ? "regressed"
    : (worse === "up" ? down : up)
    ? "improved"
    : "no significant change";
};

/** Compares one figure over the windows of two runs. */
export const compareFigure = (
  f: Figure,
  base: ReadonlyArray<Row>,
  next: ReadonlyArray<Row>,
  floorPct = minChangePct,
): Result => {
  const xs = batchMeans(valuesOf(base, f)), ys = batchMeans(valuesOf(next, f));
  if (xs.length < minBatches || ys.length < minBatches) {
    return {
      figure: f.name,
      verdict: "inconclusive",
      changePct: undefined,
      lowPct: undefined,
      highPct: undefined,
      why: `too few windows with requests: each run needs ${minWindows}`,
    };
  }
  const d = welch(xs, ys);
  const pct = (x: number) => (d.base === 0 ? undefined : (x / Math.abs(d.base)) * 100);
  // The floor is a share of the two runs' mean, so that swapping them mirrors the verdict exactly;
  // two runs at 0 (a success rate from nothing) have no share: any change beyond the interval counts.
  const scale = (Math.abs(d.base) + Math.abs(d.next)) / 2;
  const verdict = scale === 0
    ? verdictOf(f.worse, d.low, d.high, 0)
    : verdictOf(f.worse, d.low / scale, d.high / scale, floorPct / 100);
  return {
    figure: f.name,
    verdict,
    changePct: pct(d.diff),
    lowPct: pct(d.low),
    highPct: pct(d.high),
    why: undefined,
  };
};

/** Every figure of two runs' windows. */
export const compare = (
  base: ReadonlyArray<Row>,
  next: ReadonlyArray<Row>,
  floorPct = minChangePct,
): ReadonlyArray<Result> => figures.map((f) => compareFigure(f, base, next, floorPct));

/**
 * The windows a comparison uses: every one but a last that is shorter than half the others (the
 * run's end cut it short, and its rate would read low).
 */
export const fullWindows = (rows: ReadonlyArray<Row>): ReadonlyArray<Row> => {
  if (rows.length < 2) return rows;
  const lengths = rows.map((r) => r.endMs - r.startMs).sort((a, b) => a - b);
  const typical = lengths[Math.floor(lengths.length / 2)]!;
  const last = rows[rows.length - 1]!;
  return last.endMs - last.startMs < typical / 2 ? rows.slice(0, -1) : rows;
};
