// Properties of the HDR histogram: percentile error, exact merge, conservation, order, codec, moments.
import fc from "fast-check";
import { Either } from "effect";
import * as Histogram from "../../src/core/histogram.ts";
import * as Codec from "../../src/core/histogram_codec.ts";
import { assert, assertEquals } from "../assert.ts";

const runs = { numRuns: 1000 };
const highest = Histogram.defaultHighestTrackableValue;

/** Latency-like values: mostly µs to seconds, sometimes anywhere in range. */
const value = fc.oneof(
  fc.integer({ min: 0, max: 5_000 }),
  fc.integer({ min: 0, max: 2_000_000 }),
  fc.integer({ min: 0, max: highest }),
);
const values = fc.array(value, { maxLength: 300, size: "medium" });
const nonEmpty = fc.array(value, { minLength: 1, maxLength: 300, size: "medium" });

/** Nearest rank of percentile k/1000 among n sorted values, in exact integer arithmetic. */
const nearestRank = (k: number, n: number): number => Math.max(1, Math.ceil((k * n) / 100_000));

Deno.test("histogram percentile is within 0.1% of the exact nearest-rank quantile", () => {
  fc.assert(
    fc.property(nonEmpty, fc.integer({ min: 0, max: 100_000 }), (xs, k) => {
      const h = Histogram.of(xs);
      const sorted = [...xs].sort((a, b) => a - b);
      const exact = sorted[nearestRank(k, xs.length) - 1]!;
      const got = h.valueAtPercentile(k / 1000);
      assert(Math.abs(got - exact) <= exact / 1000, `p${k / 1000}: got ${got}, exact ${exact}`);
    }),
    runs,
  );
});

Deno.test("histogram merge equals recording both inputs", () => {
  fc.assert(
    fc.property(values, values, (a, b) => {
      assert(
        Histogram.sameCounts(
          Histogram.merge(Histogram.of(a), Histogram.of(b)),
          Histogram.of([...a, ...b]),
        ),
      );
    }),
    runs,
  );
});

Deno.test("histogram merge is associative and commutative, with the empty histogram as identity", () => {
  fc.assert(
    fc.property(values, values, values, (a, b, c) => {
      const [ha, hb, hc] = [Histogram.of(a), Histogram.of(b), Histogram.of(c)];
      const { merge, sameCounts } = Histogram;
      assert(sameCounts(merge(merge(ha, hb), hc), merge(ha, merge(hb, hc))));
      assert(sameCounts(merge(ha, hb), merge(hb, ha)));
      assert(sameCounts(merge(ha, Histogram.make()), ha));
      assert(sameCounts(merge(Histogram.make(), ha), ha));
    }),
    runs,
  );
});

Deno.test("histogram total count equals values recorded, and percentiles are ordered", () => {
  fc.assert(
    fc.property(
      nonEmpty,
      fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 2 }),
      (xs, ps) => {
        const h = Histogram.of(xs);
        assertEquals(h.totalCount, xs.length);
        const at = (p: number) => h.valueAtPercentile(p);
        assert(h.min <= at(50) && at(50) <= at(90) && at(90) <= at(99) && at(99) <= h.max);
        const sorted = [...ps].sort((a, b) => a - b);
        for (let i = 1; i < sorted.length; i++) assert(at(sorted[i - 1]!) <= at(sorted[i]!));
        assertEquals(at(100), h.max);
      },
    ),
    runs,
  );
});

Deno.test("histogram codec: decode(encode(h)) has exactly h's counts", () => {
  fc.assert(
    fc.property(values, (xs) => {
      const h = Histogram.of(xs);
      const back = Either.getOrThrow(Codec.decode(Codec.encode(h)));
      assert(Histogram.sameCounts(back, h), `${xs.length} values`);
    }),
    runs,
  );
});

/** Exact mean and population standard deviation with BigInt sums. */
const exactMoments = (xs: ReadonlyArray<number>) => {
  const n = BigInt(xs.length);
  const sum = xs.reduce((s, x) => s + BigInt(x), 0n);
  const sumSq = xs.reduce((s, x) => s + BigInt(x) * BigInt(x), 0n);
  // variance = (n·Σx² − (Σx)²) / n², computed exactly, then scaled into a double.
  const num = n * sumSq - sum * sum;
  return { mean: Number(sum) / Number(n), variance: Number(num) / Number(n * n) };
};

const close = (got: number, want: number) =>
  Math.abs(got - want) <= 1e-9 * Math.max(Math.abs(want), 1e-300) || Math.abs(got - want) < 1e-6;

Deno.test("histogram mean and stdev agree with exact values to 1e-9, recorded or merged", () => {
  fc.assert(
    fc.property(nonEmpty, values, (a, b) => {
      const all = [...a, ...b];
      const { mean, variance } = exactMoments(all);
      for (const h of [Histogram.of(all), Histogram.merge(Histogram.of(a), Histogram.of(b))]) {
        assert(close(h.mean, mean), `mean ${h.mean} vs ${mean}`);
        assert(close(h.stdev, Math.sqrt(variance)), `stdev ${h.stdev} vs ${Math.sqrt(variance)}`);
      }
    }),
    runs,
  );
});
