// A log-linear HDR histogram of non-negative integers (salvo records microseconds): O(1) record, bounded memory, exact merge.
//
// Layout and index math follow HdrHistogram (lowest discernible value 1, so unit magnitude 0):
// values below `subBucketCount` are stored exactly; above, each power-of-two bucket is split in
// `subBucketHalfCount` linear sub-buckets, so a stored value is within 1 / subBucketHalfCount
// (< 10^-digits) of the recorded one. The counts array grows on demand up to the layout's size, so a
// histogram that only saw milliseconds stays small however long the run.
//
// Quantile convention (HdrHistogram's): `valueAtPercentile(p)` finds the smallest index whose
// cumulative count reaches max(1, ceil(p/100 · total)) — the nearest-rank element of the sorted values —
// and returns the highest value equivalent to it (the lowest for p = 0).
//
// Mean and standard deviation come from running moments of the recorded values (Welford, merged with
// Chan's formula), not from buckets; they agree with exact values to about 1e-12 relative.

export interface Layout {
  readonly significantDigits: number;
  readonly highestTrackableValue: number;
  readonly subBucketHalfCountMagnitude: number;
  readonly subBucketCount: number;
  readonly subBucketHalfCount: number;
  readonly bucketCount: number;
  readonly countsLength: number;
}

export const defaultSignificantDigits = 3;
/** One hour in microseconds. */
export const defaultHighestTrackableValue = 3_600_000_000;

const layouts = new Map<string, Layout>();

/** The shared, immutable layout for a precision and range (cached: histograms compare layouts by identity). */
export const layout = (
  significantDigits: number = defaultSignificantDigits,
  highestTrackableValue: number = defaultHighestTrackableValue,
): Layout => {
  const key = `${significantDigits}/${highestTrackableValue}`;
  const cached = layouts.get(key);
  if (cached !== undefined) return cached;
  if (!Number.isInteger(significantDigits) || significantDigits < 1 || significantDigits > 5) {
    throw new RangeError(`significant digits must be 1..5, got ${significantDigits}`);
  }
  if (!Number.isSafeInteger(highestTrackableValue) || highestTrackableValue < 2) {
    throw new RangeError(
      `highest trackable value must be an integer >= 2, got ${highestTrackableValue}`,
    );
  }
  const largestValueWithSingleUnitResolution = 2 * 10 ** significantDigits;
  const subBucketCountMagnitude = Math.ceil(Math.log2(largestValueWithSingleUnitResolution));
  const subBucketHalfCountMagnitude = subBucketCountMagnitude - 1;
  const subBucketCount = 2 ** subBucketCountMagnitude;
  const subBucketHalfCount = subBucketCount / 2;
  let smallestUntrackableValue = subBucketCount;
  let bucketCount = 1;
  while (smallestUntrackableValue <= highestTrackableValue) {
    smallestUntrackableValue *= 2;
    bucketCount++;
  }
  const made: Layout = {
    significantDigits,
    highestTrackableValue,
    subBucketHalfCountMagnitude,
    subBucketCount,
    subBucketHalfCount,
    bucketCount,
    countsLength: (bucketCount + 1) * subBucketHalfCount,
  };
  layouts.set(key, made);
  return made;
};

const floorLog2 = (v: number): number =>
  v < 4294967296 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / 4294967296));

const bucketIndexOf = (l: Layout, v: number): number =>
  v < l.subBucketCount ? 0 : floorLog2(v) - l.subBucketHalfCountMagnitude;

/** Index in the counts array of an in-range integer value. */
export const indexOf = (l: Layout, v: number): number => {
  const b = bucketIndexOf(l, v);
  return b * l.subBucketHalfCount + Math.floor(v / 2 ** b);
};

/** The lowest value stored at `index`. */
export const valueFromIndex = (l: Layout, index: number): number => {
  let b = Math.floor(index / l.subBucketHalfCount) - 1;
  let sub = (index % l.subBucketHalfCount) + l.subBucketHalfCount;
  if (b < 0) {
    sub -= l.subBucketHalfCount;
    b = 0;
  }
  return sub * 2 ** b;
};

/** Width of the range of values that share `v`'s slot. */
export const equivalentRange = (l: Layout, v: number): number => {
  const b = bucketIndexOf(l, v);
  const sub = Math.floor(v / 2 ** b);
  return 2 ** (sub >= l.subBucketCount ? b + 1 : b);
};

export const lowestEquivalent = (l: Layout, v: number): number => {
  const b = bucketIndexOf(l, v);
  return Math.floor(v / 2 ** b) * 2 ** b;
};

export const highestEquivalent = (l: Layout, v: number): number =>
  lowestEquivalent(l, v) + equivalentRange(l, v) - 1;

export class Histogram {
  /** Counts per index; grown on demand, never longer than `layout.countsLength`. */
  counts: Float64Array;
  totalCount = 0;
  /** Exact smallest and largest recorded (after clamping); meaningless while totalCount is 0. */
  minValue = Number.POSITIVE_INFINITY;
  maxValue = 0;
  /** Running mean and sum of squared deviations (Welford). */
  mean = 0;
  m2 = 0;
  /** Values that were outside [0, highestTrackableValue] or not integers and were clamped or rounded to fit. */
  clampedCount = 0;

  constructor(readonly layout: Layout = defaultLayout) {
    this.counts = new Float64Array(Math.min(layout.countsLength, 4 * layout.subBucketHalfCount));
  }

  /** Records one value. Out-of-range values are clamped into range and counted in `clampedCount`. */
  record(value: number): void {
    this.recordCount(value, 1);
  }

  /** Records `count` occurrences of `value` (count a positive integer). */
  recordCount(value: number, count: number): void {
    let v = value;
    if (!(v >= 0 && v <= this.layout.highestTrackableValue && v === Math.floor(v))) {
      v = v > 0 ? Math.min(Math.round(v), this.layout.highestTrackableValue) : 0;
      this.clampedCount += count;
    }
    const i = indexOf(this.layout, v);
    if (i >= this.counts.length) this.grow(i);
    this.counts[i]! += count;
    const n = this.totalCount + count;
    const delta = v - this.mean;
    this.mean += (delta * count) / n;
    this.m2 += delta * (v - this.mean) * count;
    this.totalCount = n;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  private grow(index: number): void {
    const half = this.layout.subBucketHalfCount;
    const wanted = Math.max(index + 1, this.counts.length * 2);
    const length = Math.min(this.layout.countsLength, Math.ceil(wanted / half) * half);
    const next = new Float64Array(length);
    next.set(this.counts);
    this.counts = next;
  }

  get stdev(): number {
    return this.totalCount > 0 ? Math.sqrt(this.m2 / this.totalCount) : 0;
  }

  /** Smallest recorded value, as the lowest value of its slot (exact below subBucketCount); 0 when empty. */
  get min(): number {
    return this.totalCount === 0 ? 0 : lowestEquivalent(this.layout, this.minValue);
  }

  /** Largest recorded value, as the highest value of its slot, so that p100 = max; 0 when empty. */
  get max(): number {
    return this.totalCount === 0 ? 0 : highestEquivalent(this.layout, this.maxValue);
  }

  /** See the quantile convention at the top of this file; 0 when empty. */
  valueAtPercentile(percentile: number): number {
    if (this.totalCount === 0) return 0;
    const p = Math.min(Math.max(percentile, 0), 100);
    const exact = (p / 100) * this.totalCount;
    // Guard against a product like 0.99 * 100 = 98.99999999999999 rounding the rank down.
    const rank = Math.max(1, Math.ceil(exact - exact * Number.EPSILON * 4));
    let seen = 0;
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i]!;
      if (seen >= rank) {
        const v = valueFromIndex(this.layout, i);
        return p === 0 ? lowestEquivalent(this.layout, v) : highestEquivalent(this.layout, v);
      }
    }
    return this.max;
  }

  /** Adds every count of `other` into this histogram (exact when layouts match, else re-recorded by slot). */
  add(other: Histogram): this {
    if (other.totalCount === 0) return this;
    const before = this.totalCount;
    const { mean: mA, m2: m2A } = this;
    const oc = other.counts;
    if (other.layout === this.layout) {
      let last = oc.length - 1;
      while (last >= 0 && oc[last] === 0) last--;
      if (last >= this.counts.length) this.grow(last);
      const counts = this.counts;
      for (let i = 0; i <= last; i++) counts[i]! += oc[i]!;
    } else {
      for (let i = 0; i < oc.length; i++) {
        const c = oc[i]!;
        if (c === 0) continue;
        const v = Math.min(valueFromIndex(other.layout, i), this.layout.highestTrackableValue);
        const j = indexOf(this.layout, v);
        if (j >= this.counts.length) this.grow(j);
        this.counts[j]! += c;
      }
    }
    const n = before + other.totalCount;
    const delta = other.mean - mA;
    this.mean = mA + (delta * other.totalCount) / n;
    this.m2 = m2A + other.m2 + (delta * delta * before * other.totalCount) / n;
    this.totalCount = n;
    this.clampedCount += other.clampedCount;
    if (other.minValue < this.minValue) this.minValue = other.minValue;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
    return this;
  }

  copy(): Histogram {
    return new Histogram(this.layout).add(this);
  }

  reset(): void {
    this.counts.fill(0);
    this.totalCount = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
    this.mean = 0;
    this.m2 = 0;
    this.clampedCount = 0;
  }

  /** Estimated bytes held: the counts array plus a small fixed part. */
  get byteSize(): number {
    return this.counts.byteLength + 96;
  }
}

const defaultLayout = layout();

export const make = (
  significantDigits: number = defaultSignificantDigits,
  highestTrackableValue: number = defaultHighestTrackableValue,
): Histogram => new Histogram(layout(significantDigits, highestTrackableValue));

/** Histogram of `values` in the default layout. */
export const of = (values: Iterable<number>): Histogram => {
  const h = make();
  for (const v of values) h.record(v);
  return h;
};

/** Same layout, same total, same min and max slots, same count at every index. */
export const sameCounts = (a: Histogram, b: Histogram): boolean => {
  if (a.layout !== b.layout || a.totalCount !== b.totalCount || a.clampedCount !== b.clampedCount) {
    return false;
  }
  if (a.min !== b.min || a.max !== b.max) return false;
  const n = Math.max(a.counts.length, b.counts.length);
  for (let i = 0; i < n; i++) if ((a.counts[i] ?? 0) !== (b.counts[i] ?? 0)) return false;
  return true;
};

export const merge = (a: Histogram, b: Histogram): Histogram => a.copy().add(b);
