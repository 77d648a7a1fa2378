// The latency distribution for people: a few log-spaced bins from the fastest to the slowest answer.
import { highestEquivalent, type Histogram, valueFromIndex } from "./histogram.ts";

export interface Bin {
  /** The bin holds the values up to this one (µs), above the previous bin's. */
  readonly upToUs: number;
  readonly count: number;
}

/**
 * Splits `h` into at most `rows` bins, log-spaced between its min and max. Every recorded value lands
 * in exactly one bin (each histogram slot goes whole to the first bin whose bound reaches its
 * highest value), so the counts add up to the histogram's total.
 */
export const bins = (h: Histogram, rows = 8): ReadonlyArray<Bin> => {
  if (h.totalCount === 0) return [];
  const lo = Math.max(1, h.min), hi = Math.max(lo, h.max);
  const wanted = hi / lo < 1.5 ? 1 : rows;
  // Whole microseconds: near 1 µs several bounds round to one, and a bin is kept once.
  const bounds = Array.from(
    { length: wanted },
    (_, k) => (k === wanted - 1 ? hi : Math.round(lo * (hi / lo) ** ((k + 1) / wanted))),
  ).filter((x, k, all) => k === all.length - 1 || x < all[k + 1]!);
  const n = bounds.length;
  const counts = new Array<number>(n).fill(0);
  let b = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i]!;
    if (c === 0) continue;
    const top = highestEquivalent(h.layout, valueFromIndex(h.layout, i));
    while (b < n - 1 && top > bounds[b]!) b++;
    counts[b]! += c;
  }
  return bounds.map((upToUs, k) => ({ upToUs, count: counts[k]! }));
};
