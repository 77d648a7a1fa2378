// Rounds worked by hand: the median of odd and even counts, the interval of four known log-ratios, and rounds left out when their ratio is zero or undefined.
import { compareRounds, median } from "../../src/core/rounds.ts";
import { assert, assertEquals } from "../assert.ts";

const near = (got: number | undefined, want: number, what: string) =>
  assert(
    got !== undefined && Math.abs(got - want) < 1e-9 * Math.max(1, Math.abs(want)),
    `${what}: ${got} ≠ ${want}`,
  );

Deno.test("the median is the middle value, or the mean of the middle two, of the values in numeric order", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([10, 1, 3, 2]), 2.5);
  assertEquals(median([100, 9, 20]), 20); // Numeric order, not "100" < "20" < "9".
  assertEquals(median([7]), 7);
});

Deno.test("four rounds whose log-ratios are 0.1 to 0.4: the change, the interval and the verdict worked by hand", () => {
  const b = [0.1, 0.2, 0.3, 0.4].map(Math.exp);
  const r = compareRounds("p50", "up", [1, 1, 1, 1], b);
  // Mean 0.25; deviations ±0.15, ±0.05 give s² = 0.05 / 3; t(3 df, 99 %) = 5.841; n = 4.
  const half = (5.841 * Math.sqrt(0.05 / 3)) / 2;
  near(r.changePct, ((Math.exp(0.2) + Math.exp(0.3)) / 2 - 1) * 100, "change (median ratio)");
  near(r.lowPct, (Math.exp(0.25 - half) - 1) * 100, "low");
  near(r.highPct, (Math.exp(0.25 + half) - 1) * 100, "high");
  // The interval (−11.9 %, +87.2 %) spans 0: not significant.
  assertEquals([r.verdict, r.why], ["no significant change", undefined]);
});

Deno.test("a round whose ratio is zero or undefined is left out, and too few rounds remain for an interval", () => {
  const r = compareRounds("rps", "down", [1, 0, 1, 1], [0, 1, 1, 1]);
  assertEquals([r.verdict, r.why], ["inconclusive", "2 rounds with a ratio; 3 are needed"]);
  assertEquals([r.changePct, r.lowPct, r.highPct], [undefined, undefined, undefined]);
});
