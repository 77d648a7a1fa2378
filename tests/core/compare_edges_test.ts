// The comparison at its edges, with numbers worked by hand: Welch's interval on three values a side, success rates as ratios, empty windows left out, the floor as a share at any scale, and which last window is too short to judge.
import * as Compare from "../../src/core/compare.ts";
import type { Row } from "../../src/core/timeline.ts";
import { assert, assertEquals } from "../assert.ts";

const row = (over: Partial<Row> = {}, i = 0): Row => ({
  startMs: 5000 + i * 1000,
  endMs: 6000 + i * 1000,
  requests: 100,
  successes: 100,
  rps: 100,
  dropped: 0,
  p50: 10,
  p90: 10,
  p99: 10,
  p999: 10,
  max: 10,
  status: {},
  errors: {},
  ...over,
});
const rows = (n: number, over: (i: number) => Partial<Row>) =>
  Array.from({ length: n }, (_, i) => row(over(i), i));
const near = (a: number, b: number, what: string) =>
  assert(Math.abs(a - b) < 1e-3, `${what}: ${a}, expected ${b}`);

Deno.test("welch: [1, 2, 3] against [4, 5, 6] is a difference of 3 within ±4.604 × √(2/3) (sample variances, 4 degrees of freedom)", () => {
  const d = Compare.welch([1, 2, 3], [4, 5, 6]);
  assertEquals([d.base, d.next, d.diff], [2, 5, 3]);
  const half = 4.604 * Math.sqrt(2 / 3);
  near(d.low, 3 - half, "low");
  near(d.high, 3 + half, "high");
  // Unequal spreads and sizes: variances 1 and 10, df = (1/3 + 2)² / ((1/3)²/2 + 2²/4) = 5.16 → 5.
  const u = Compare.welch([1, 2, 3], [2, 4, 6, 8, 10].map((x) => x - 2));
  near(u.high - u.diff, 4.032 * Math.sqrt(1 / 3 + 10 / 5), "half width");
  const v = Compare.welch([2, 4, 6, 8, 10].map((x) => x - 2), [1, 2, 3]);
  near(v.high - v.diff, 4.032 * Math.sqrt(1 / 3 + 10 / 5), "half width, swapped");
});

Deno.test("too few windows is inconclusive, and says that each run needs 6", () => {
  assertEquals(Compare.minWindows, 6);
  const r = Compare.compareFigure(
    Compare.figureNamed("rps"),
    rows(5, () => ({})),
    rows(6, () => ({})),
  );
  assertEquals([r.verdict, r.why], [
    "inconclusive",
    "too few windows with requests: each run needs 6",
  ]);
});

Deno.test("a success rate is each window's successes over its requests, whatever the windows' sizes", () => {
  // The new run's windows hold twice the requests, half of them failed: a success rate of 0.5.
  const base = rows(12, () => ({ requests: 100, successes: 100 }));
  const next = rows(12, () => ({ requests: 200, successes: 100 }));
  const r = Compare.compareFigure(Compare.figureNamed("success_rate"), base, next);
  assertEquals(r.verdict, "regressed");
  near(r.changePct!, -50, "change");
});

Deno.test("windows without requests say nothing of latency: left out, not counted as 0 ms", () => {
  const base = rows(12, () => ({ p99: 10 }));
  const next = rows(24, (i) => (i % 2 === 0 ? { p99: 10 } : { requests: 0, successes: 0, p99: 0 }));
  const r = Compare.compareFigure(Compare.figureNamed("p99"), base, next);
  assertEquals([r.verdict, r.changePct], ["no significant change", 0]);
});

Deno.test("the floor is a share of the runs' mean at any scale: 1 % of 100,000 is within it, 5 % is not", () => {
  const base = rows(30, (i) => ({ rps: 100_000 + (i % 3) }));
  const scaled = (f: number) =>
    Compare.compareFigure(
      Compare.figureNamed("rps"),
      base,
      base.map((r) => ({ ...r, rps: r.rps * f })),
    ).verdict;
  assertEquals([scaled(0.99), scaled(1.01), scaled(0.95)], [
    "no significant change",
    "no significant change",
    "regressed",
  ]);
});

Deno.test("full windows: a last window shorter than half the typical one is left out; half or more is kept", () => {
  const lengths = (ms: number[]) =>
    ms.map((len, i) => row({ startMs: 7000 + i * 1000, endMs: 7000 + i * 1000 + len }));
  const kept = (ms: number[]) => Compare.fullWindows(lengths(ms)).length;
  assertEquals(kept([]), 0);
  assertEquals(kept([300]), 1);
  assertEquals(kept([1000, 400]), 1);
  assertEquals(kept([1000, 1000, 1000, 499]), 3);
  assertEquals(kept([1000, 1000, 1000, 500]), 4);
  assertEquals(kept([1000, 1000, 1000, 1000]), 4);
  // The typical length is the median's: one long window does not make the rest look short.
  assertEquals(kept([1000, 1000, 5000, 600]), 4);
});
