// A run as a series of windows: what each stretch of time carried, from cumulative summaries or results.
//
// The live view and the HTML report draw from it. A window is the difference between two cumulative
// summaries (the live run) or the summary of the results that ended in it (a results stream): its
// requests, outcomes, drops and latency percentiles, compact enough to keep an hour of seconds.
import { reasons } from "../domain/reason.ts";
import * as Histogram from "./histogram.ts";
import { Summary } from "./summary.ts";

export interface Row {
  /** The window's span, ms since the run's start. */
  readonly startMs: number;
  readonly endMs: number;
  readonly requests: number;
  readonly successes: number;
  /** Requests that ended in the window, per second of it. */
  readonly rps: number;
  readonly dropped: number;
  /** Latency percentiles of the window's requests (from the intended start), ms; 0 when none. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Status code → count, for codes seen in the window. */
  readonly status: Readonly<Record<string, number>>;
  /** Failure reason → count, for reasons seen in the window. */
  readonly errors: Readonly<Record<string, number>>;
}

/** The histogram of what `now` recorded since `before` (a histogram `now` grew from). */
export const histogramSince = (
  now: Histogram.Histogram,
  before: Histogram.Histogram | undefined,
): Histogram.Histogram => {
  const out = new Histogram.Histogram(now.layout);
  const b = before?.counts;
  now.counts.forEach((c, i) => {
    const d = c - (b !== undefined && i < b.length ? b[i]! : 0);
    if (d > 0) out.recordCount(Histogram.valueFromIndex(now.layout, i), d);
  });
  return out;
};

/** What `now` counted since `before`, a cumulative summary `now` grew from. */
export const since = (now: Summary, before: Summary): Summary => {
  const s = new Summary();
  s.requests = now.requests - before.requests;
  s.successes = now.successes - before.successes;
  s.bytes = now.bytes - before.bytes;
  s.dropped = now.dropped - before.dropped;
  s.droppedByClient = now.droppedByClient - before.droppedByClient;
  now.statusCounts.forEach((n, i) => (s.statusCounts[i] = n - before.statusCounts[i]!));
  now.errorCounts.forEach((n, i) => (s.errorCounts[i] = n - before.errorCounts[i]!));
  s.latency.add(histogramSince(now.latency, before.latency));
  return s;
};

/** The row of a window's summary `s`, spanning [startMs, endMs). */
export const rowOf = (s: Summary, startMs: number, endMs: number): Row => {
  const status: Record<string, number> = {};
  s.statusCounts.forEach((n, code) => {
    if (n > 0) status[String(code)] = n;
  });
  const errors: Record<string, number> = {};
  s.errorCounts.forEach((n, i) => {
    if (n > 0) errors[reasons[i]!] = n;
  });
  const ms = (p: number) => s.latency.valueAtPercentile(p) / 1000;
  const spanS = (endMs - startMs) / 1000;
  return {
    startMs,
    endMs,
    requests: s.requests,
    successes: s.successes,
    rps: spanS > 0 ? s.requests / spanS : 0,
    dropped: s.dropped,
    p50: ms(50),
    p90: ms(90),
    p99: ms(99),
    p999: ms(99.9),
    max: s.latency.max / 1000,
    status,
    errors,
  };
};

/**
 * Cuts a run into windows of about `windowMs` from the cumulative summaries it is shown over time:
 * a window closes at the first summary at least `windowMs` after the window's start.
 */
export class Timeline {
  readonly rows: Row[] = [];
  private before = new Summary();
  private beforeMs = 0;

  constructor(readonly windowMs: number) {}

  /** Takes the run's cumulative summary at `elapsedMs`; closes a window when one is due. */
  push(elapsedMs: number, cumulative: Summary): void {
    if (elapsedMs - this.beforeMs < this.windowMs) return;
    this.close(elapsedMs, cumulative);
  }

  /** Closes the window in progress at `elapsedMs`, however short (the run's end). */
  close(elapsedMs: number, cumulative: Summary): void {
    if (elapsedMs <= this.beforeMs) return;
    this.rows.push(rowOf(since(cumulative, this.before), this.beforeMs, elapsedMs));
    this.before = new Summary().merge(cumulative);
    this.beforeMs = elapsedMs;
  }
}

/**
 * Windows from results read back in about time order (a results stream): each result goes to the
 * window its time falls in, on a grid of `windowMs` from the Unix epoch; a window more than `keepOpen`
 * windows behind the newest is closed into a row, so memory stays flat however long the stream. A
 * result for a window already closed counts in the oldest one still open.
 */
export class Bucketer {
  private readonly open = new Map<number, Summary>();
  private readonly closed: Row[] = [];
  private newest = Number.NEGATIVE_INFINITY;
  private oldestOpen = Number.NEGATIVE_INFINITY;

  constructor(readonly windowMs: number, private readonly keepOpen = 16) {}

  /** The summary of the window holding time `atUs` (µs since the Unix epoch), to record into. */
  at(atUs: number): Summary {
    const k = Math.max(this.oldestOpen, Math.floor(atUs / 1000 / this.windowMs));
    let s = this.open.get(k);
    if (s === undefined) this.open.set(k, s = new Summary());
    if (k > this.newest) {
      this.newest = k;
      const old = [...this.open.keys()].filter((o) => o < k - this.keepOpen);
      for (const o of old.sort((a, b) => a - b)) this.closeWindow(o);
    }
    return s;
  }

  private closeWindow(k: number): void {
    this.closed.push(rowOf(this.open.get(k)!, k * this.windowMs, (k + 1) * this.windowMs));
    this.open.delete(k);
    this.oldestOpen = Math.max(this.oldestOpen, k + 1);
  }

  /**
   * Every window, oldest first, in ms since `originUs` (µs since the Unix epoch); a window with
   * nothing in it between two that have something is a row of zeros. The first window starts no
   * earlier than `originUs` and the last ends no later than `endUs`: a partial window's rate is over
   * the time it covers, never over a whole window (which drew a fake drop at the end of a run).
   */
  rows(originUs: number, endUs = Number.POSITIVE_INFINITY): ReadonlyArray<Row> {
    for (const k of [...this.open.keys()].sort((a, b) => a - b)) this.closeWindow(k);
    const shift = originUs / 1000;
    const out: Row[] = [];
    for (const r of this.closed.sort((a, b) => a.startMs - b.startMs)) {
      const last = out[out.length - 1];
      for (
        let t = last === undefined ? r.startMs : last.endMs + shift;
        t < r.startMs;
        t += this.windowMs
      ) {
        out.push(rowOf(new Summary(), t - shift, t - shift + this.windowMs));
      }
      out.push({ ...r, startMs: r.startMs - shift, endMs: r.endMs - shift });
    }
    const clip = (i: number, startMs: number, endMs: number) => {
      const r = out[i]!;
      if (startMs === r.startMs && endMs === r.endMs) return;
      const spanS = (endMs - startMs) / 1000;
      out[i] = { ...r, startMs, endMs, rps: spanS > 0 ? r.requests / spanS : 0 };
    };
    if (out.length > 0) clip(0, Math.max(0, out[0]!.startMs), out[0]!.endMs);
    const last = out.length - 1;
    if (last >= 0) {
      const r = out[last]!;
      clip(last, r.startMs, Math.max(r.startMs, Math.min(r.endMs, endUs / 1000 - shift)));
    }
    return out;
  }
}

/**
 * The windows of runs that went on side by side (`salvo merge`), joined on one grid: each run's
 * windows (times from `startMs`, its start in ms since the epoch) land in the merged window nearest
 * their start. Counts and rates add up; a merged window's percentiles are its parts' weighted by
 * requests (an approximation: the windows keep no histogram) and its max the largest. None when a run
 * has none.
 */
export const mergeWindows = (
  runs: ReadonlyArray<{ readonly startMs: number; readonly rows: ReadonlyArray<Row> }>,
): ReadonlyArray<Row> => {
  if (runs.length === 0 || runs.some((r) => r.rows.length === 0)) return [];
  const first = runs[0]!.rows[0]!;
  const size = first.endMs - first.startMs;
  const origin = Math.min(...runs.map((r) => r.startMs));
  const cells = new Map<number, Row[]>();
  for (const run of runs) {
    for (const row of run.rows) {
      const k = Math.round((run.startMs + row.startMs - origin) / size);
      cells.set(k, [...(cells.get(k) ?? []), row]);
    }
  }
  return [...cells.entries()].sort(([a], [b]) => a - b).map(([k, rows]) => {
    const requests = rows.reduce((n, r) => n + r.requests, 0);
    const weighted = (p: "p50" | "p90" | "p99" | "p999") =>
      requests === 0 ? 0 : rows.reduce((n, r) => n + r[p] * r.requests, 0) / requests;
    return {
      startMs: k * size,
      endMs: (k + 1) * size,
      requests,
      successes: rows.reduce((n, r) => n + r.successes, 0),
      rps: rows.reduce((n, r) => n + r.rps, 0),
      dropped: rows.reduce((n, r) => n + r.dropped, 0),
      p50: weighted("p50"),
      p90: weighted("p90"),
      p99: weighted("p99"),
      p999: weighted("p999"),
      max: Math.max(...rows.map((r) => r.max)),
      status: {},
      errors: {},
    };
  });
};
