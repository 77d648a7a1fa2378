// The summary's latency distribution: its bars count every request once, in bins that only grow.
import fc from "fast-check";
import * as Distribution from "../../src/core/distribution.ts";
import * as Histogram from "../../src/core/histogram.ts";
import { distributionLines } from "../../src/report/text.ts";
import { assert, assertEquals } from "../assert.ts";

const latencies = fc.array(
  fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 60_000_000 })),
  { minLength: 1, maxLength: 400 },
);

Deno.test("distribution: bar counts sum to the requests, bounds increase, the last reaches the max", () => {
  fc.assert(
    fc.property(latencies, fc.integer({ min: 1, max: 12 }), (values, rows) => {
      const h = Histogram.of(values);
      const bins = Distribution.bins(h, rows);
      assert(bins.length >= 1 && bins.length <= rows, `${bins.length} bins`);
      assertEquals(bins.reduce((n, b) => n + b.count, 0), values.length);
      for (let i = 1; i < bins.length; i++) {
        assert(bins[i]!.upToUs > bins[i - 1]!.upToUs, JSON.stringify(bins));
      }
      assertEquals(bins.at(-1)!.upToUs, Math.max(1, h.max));
      // Each value is counted in the first bin whose bound reaches its slot.
      const expected = bins.map(() => 0);
      for (const v of values) {
        const top = Histogram.highestEquivalent(h.layout, v);
        const i = bins.findIndex((b) => top <= b.upToUs);
        expected[i === -1 ? bins.length - 1 : i]!++;
      }
      assertEquals(bins.map((b) => b.count), expected);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("distribution: nothing recorded draws nothing; the bars' lengths follow the counts", () => {
  assertEquals(Distribution.bins(Histogram.make()), []);
  const lines = distributionLines([{ upToUs: 1000, count: 10 }, { upToUs: 5000, count: 5 }], 10);
  assertEquals(lines, [
    "  histogram  ≤ 1.00ms ██████████ 10",
    "             ≤ 5.00ms █████      5",
  ]);
});

Deno.test("distribution: a spread under 1.5× is one bin; from 1.5× on, log-spaced bins", () => {
  const of = (...values: number[]) => {
    const h = Histogram.make();
    for (const v of values) h.record(v);
    return Distribution.bins(h, 8);
  };
  assertEquals(of(4, 5), [{ upToUs: 5, count: 2 }]);
  assertEquals(of(2, 3), [{ upToUs: 2, count: 1 }, { upToUs: 3, count: 1 }]);
  // Eight bounds, each the last times the eighth root of max ÷ min (the max being 8000's bucket top).
  const bounds = of(1000, 1000, 8000).map((b) => b.upToUs);
  assertEquals(bounds.length, 8);
  const step = (bounds.at(-1)! / 1000) ** (1 / 8);
  bounds.forEach((b, k) => assert(Math.abs(b - 1000 * step ** (k + 1)) <= 0.5, `bound ${k}: ${b}`));
});
