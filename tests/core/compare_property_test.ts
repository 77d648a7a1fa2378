// The comparison's statistics on simulated runs whose truth is known: its 99 % interval covers the
// true change at its rate with window-to-window correlation, a run against itself is no change, and
// swapping the runs mirrors every verdict.
import fc from "fast-check";
import * as Compare from "../../src/core/compare.ts";
import type { Row } from "../../src/core/timeline.ts";
import { assert, assertEquals } from "../assert.ts";
import { normal as rng } from "./seeded.ts";

/** `n` windows around `mean` with AR(1) noise: each window's deviation carries `phi` of the last's. */
const windows = (n: number, mean: number, sd: number, phi: number, normal: () => number) => {
  const out: number[] = [];
  let e = normal() * sd;
  for (let i = 0; i < n; i++) {
    out.push(mean + e);
    e = phi * e + Math.sqrt(1 - phi * phi) * sd * normal();
  }
  return out;
};

Deno.test("the 99 % interval covers the true difference at its rate, windows correlated or not", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 }),
      fc.integer({ min: 10, max: 60 }),
      fc.double({ min: 0, max: 0.5, noNaN: true }),
      fc.double({ min: -0.2, max: 0.2, noNaN: true }),
      (seed, n, phi, change) => {
        const normal = rng(seed);
        const trials = 1000;
        let covered = 0;
        for (let k = 0; k < trials; k++) {
          const xs = Compare.batchMeans(windows(n, 100, 5, phi, normal));
          const ys = Compare.batchMeans(windows(n, 100 * (1 + change), 5, phi, normal));
          const d = Compare.welch(xs, ys);
          if (d.low <= 100 * change && 100 * change <= d.high) covered++;
        }
        // 99 % stated; batch means leave a little correlation (the worst case, 30 windows at φ = 0.5,
        // covers 96.5 % over 20,000 pairs), and 1,000 trials a little noise (±0.6 %).
        assert(covered / trials >= 0.945, `covered ${covered} of ${trials} (n ${n}, phi ${phi})`);
      },
    ),
    // A fixed seed: the same 20 cases each run, so a rare unlucky draw cannot fail CI.
    { numRuns: 20, seed: 20261203 },
  );
});

const rowsOf = (values: ReadonlyArray<number>): Row[] =>
  values.map((v, i) => ({
    startMs: i * 1000,
    endMs: (i + 1) * 1000,
    requests: Math.max(1, Math.round(v)),
    successes: Math.max(1, Math.round(v)),
    rps: v,
    dropped: 0,
    p50: v / 10,
    p90: v / 8,
    p99: v / 5,
    p999: v / 5,
    max: v / 2,
    status: {},
    errors: {},
  }));

const runValues = fc.array(fc.double({ min: 1, max: 1e5, noNaN: true }), {
  minLength: 6,
  maxLength: 40,
});

Deno.test("a run compared with itself is no significant change, its interval centred on zero", () => {
  fc.assert(
    fc.property(runValues, (vs) => {
      for (const r of Compare.compare(rowsOf(vs), rowsOf(vs))) {
        assertEquals(r.verdict, "no significant change", r.figure);
        assert(Math.abs(r.changePct!) < 1e-9, `${r.figure} change ${r.changePct}`);
        assert(Math.abs(r.lowPct! + r.highPct!) < 1e-6, `${r.figure} [${r.lowPct}, ${r.highPct}]`);
      }
    }),
    { numRuns: 200 },
  );
});

const mirror: Record<Compare.Verdict, Compare.Verdict> = {
  regressed: "improved",
  improved: "regressed",
  "no significant change": "no significant change",
  inconclusive: "inconclusive",
};

Deno.test("identical windows with no spread at all are no significant change, not a zero-width regression", () => {
  const flat = rowsOf([500, 500, 500, 500, 500, 500, 500]);
  // With the floor at 0 too: a zero-width interval at 0 touches the floor and is no verdict.
  for (const floor of [undefined, 0]) {
    for (const r of Compare.compare(flat, flat, floor)) {
      assertEquals([r.verdict, r.lowPct, r.highPct], ["no significant change", 0, 0], r.figure);
    }
  }
});

Deno.test("swapping base and new mirrors every verdict", () => {
  const short = fc.array(fc.double({ min: 1, max: 1e5, noNaN: true }), { maxLength: 40 });
  fc.assert(
    fc.property(short, short, (a, b) => {
      const ab = Compare.compare(rowsOf(a), rowsOf(b));
      const ba = Compare.compare(rowsOf(b), rowsOf(a));
      ab.forEach((r, i) => assertEquals(ba[i]!.verdict, mirror[r.verdict], r.figure));
    }),
    { numRuns: 300 },
  );
});

Deno.test("a clear slowdown regresses latency and throughput; fewer than 6 windows is inconclusive", () => {
  const normal = rng(7);
  const fast = windows(10, 1000, 20, 0.3, normal), slow = fast.map((v) => v * 0.8);
  const byName = Object.fromEntries(
    Compare.compare(rowsOf(fast), rowsOf(slow)).map((r) => [r.figure, r]),
  );
  // rowsOf makes latency rise with the rate: here only the rate fell, so latency "improved".
  assertEquals(byName.rps!.verdict, "regressed");
  assertEquals(byName.p50!.verdict, "improved");
  assert(Math.abs(byName.rps!.changePct! + 20) < 2, `change ${byName.rps!.changePct}`);
  const few = Compare.compare(rowsOf([1, 2, 3, 4, 5]), rowsOf(fast));
  assert(few.every((r) => r.verdict === "inconclusive" && r.why !== undefined), "inconclusive");
});

Deno.test("a change the interval places within ±2 % is no significant change; beyond it, or with the floor at 0, a verdict", () => {
  const normal = rng(11);
  const base = windows(30, 1000, 2, 0, normal);
  const verdicts = (factor: number, floor?: number) =>
    Compare.compareFigure(
      Compare.figureNamed("rps"),
      rowsOf(base),
      rowsOf(base.map((v) => v * factor)),
      floor,
    );
  // Windows this steady put a 1 % fall in an interval well away from 0, yet inside the floor.
  const small = verdicts(0.99);
  assert(small.highPct! < 0 && small.lowPct! > -2, JSON.stringify(small));
  assertEquals(small.verdict, "no significant change");
  assertEquals(verdicts(0.99, 0).verdict, "regressed");
  assertEquals(verdicts(0.95).verdict, "regressed");
  assertEquals(verdicts(1.05).verdict, "improved");
});

Deno.test("batch means: at most 10 equal batches of 3 or more, the first windows that do not fill one left out", () => {
  assertEquals(Compare.batchMeans([1, 2, 3]), [2]);
  assertEquals(Compare.batchMeans([9, 1, 2, 3, 4, 5, 6]), [2, 5]);
  assertEquals(Compare.batchMeans(Array.from({ length: 40 }, (_, i) => i)).length, 10);
  assertEquals(Compare.batchMeans(Array.from({ length: 29 }, (_, i) => i)).length, 9);
  assertEquals(Compare.batchMeans([5, 6]), []);
  // Between rows the lower df's (wider); the normal's 2.576 only for infinitely many.
  assertEquals(
    [1, 4.7, 1e9, Infinity].map(Compare.tQuantile),
    [63.657, 4.604, 2.617, 2.576],
  );
});
