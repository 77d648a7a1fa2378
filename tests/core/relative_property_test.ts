// Relative thresholds and A/B rounds on simulated data whose truth is known: a gate fails exactly
// when its figure regressed beyond the allowance (or cannot be judged), the rounds' interval covers the
// true ratio at its rate, a comparison of a run with itself is no change, and swapping A and B mirrors
// every verdict.
import { Either } from "effect";
import fc from "fast-check";
import * as Compare from "../../src/core/compare.ts";
import * as Relative from "../../src/core/relative.ts";
import * as Rounds from "../../src/core/rounds.ts";
import * as Thresholds from "../../src/core/thresholds.ts";
import { assert, assertEquals } from "../assert.ts";
import { normal } from "./seeded.ts";

const parsed = (s: string) => Either.getOrThrow(Thresholds.parse(s));

const mirror: Record<string, string> = {
  regressed: "improved",
  improved: "regressed",
  "no significant change": "no significant change",
  inconclusive: "inconclusive",
};

const result = (
  verdict: Compare.Verdict,
  changePct: number | undefined,
): Compare.Result => ({
  figure: "p99",
  verdict,
  changePct,
  lowPct: changePct,
  highPct: changePct,
  why: undefined,
});

Deno.test("a relative gate fails exactly when the figure regressed beyond its allowance, or could not be judged", () => {
  const verdicts = fc.constantFrom<Compare.Verdict>(
    "regressed",
    "improved",
    "no significant change",
    "inconclusive",
  );
  fc.assert(
    fc.property(
      verdicts,
      fc.double({ min: -100, max: 500, noNaN: true }),
      fc.integer({ min: 0, max: 50 }),
      (verdict, change, allowance) => {
        const up = parsed(`p99<+${allowance}%`);
        const down = parsed(`rps>-${allowance}%`);
        const beyondUp = change >= allowance, beyondDown = change <= -allowance;
        assertEquals(
          Relative.judge(up, result(verdict, change)),
          !(verdict === "inconclusive" || (verdict === "regressed" && beyondUp)),
        );
        assertEquals(
          Relative.judge(down, result(verdict, change)),
          !(verdict === "inconclusive" || (verdict === "regressed" && beyondDown)),
        );
      },
    ),
    { numRuns: 2000, seed: 30 },
  );
  // `<=` lets the allowance itself pass; `<` does not.
  assertEquals(Relative.judge(parsed("p99<=+10%"), result("regressed", 10)), true);
  assertEquals(Relative.judge(parsed("p99<+10%"), result("regressed", 10)), false);
});

Deno.test("relative thresholds parse with a sign and a percent; the wrong direction or metric says how to write it", () => {
  const t = parsed("p99 < +10%");
  assertEquals([t.relative, t.op, t.limit, Thresholds.relativeFigure(t.metric)], [
    true,
    "<",
    10,
    "p99",
  ]);
  assertEquals(parsed("rps>=-5.5%").limit, -5.5);
  assertEquals(Thresholds.relativeFigure(parsed("med<+1%").metric), "p50");
  assertEquals(Thresholds.relativeFigure(parsed("p(99.9)<+1%").metric), "p99.9");
  assertEquals(parsed("success_rate>99%").relative, undefined);
  const message = (s: string) =>
    Either.match(Thresholds.parse(s), { onLeft: (e) => e.message, onRight: () => "(parsed)" });
  assertEquals(
    message("rps<+5%"),
    "--threshold 'rps<+5%': bound how much rps may fall: rps>-5%",
  );
  assertEquals(
    message("p95<+5%"),
    "--threshold 'p95<+5%': a change from the baseline can bound rps, success_rate, p50, p90, p99, p99.9, max, not p95",
  );
});

Deno.test("rounds: the 99 % interval covers the true ratio at its rate, whatever each round's shared drift", () => {
  for (const [n, ratio] of [[3, 1], [5, 1.1], [10, 0.8]] as const) {
    const z = normal(n * 7);
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      // Each round's machine state moves A and B together (±30 %); each run adds its own 3 %.
      const drift = Array.from({ length: n }, () => Math.exp(0.3 * z()));
      const a = drift.map((d) => 1000 * d * Math.exp(0.03 * z()));
      const b = drift.map((d) => 1000 * ratio * d * Math.exp(0.03 * z()));
      const r = Rounds.compareRounds("p50", "up", a, b);
      const truth = (ratio - 1) * 100;
      if (r.lowPct! <= truth && truth <= r.highPct!) covered++;
    }
    assert(covered / trials >= 0.975, `${n} rounds, ratio ${ratio}: covered ${covered / trials}`);
  }
});

Deno.test("rounds: a run against itself is no significant change centred on zero; swapping A and B mirrors every verdict; too few rounds is inconclusive", () => {
  const values = fc.array(fc.double({ min: 0.1, max: 1e5, noNaN: true }), {
    minLength: 0,
    maxLength: 12,
  });
  fc.assert(
    fc.property(values, values, fc.constantFrom<"up" | "down">("up", "down"), (a, b0, worse) => {
      const b = b0.slice(0, a.length);
      while (b.length < a.length) b.push(a[b.length]!);
      const same = Rounds.compareRounds("x", worse, a, a);
      if (a.length >= Rounds.minRounds) {
        assertEquals([same.verdict, same.changePct, same.lowPct, same.highPct], [
          "no significant change",
          0,
          0,
          0,
        ]);
      } else assertEquals(same.verdict, "inconclusive");
      const ab = Rounds.compareRounds("x", worse, a, b);
      const ba = Rounds.compareRounds("x", worse, b, a);
      assertEquals(ba.verdict, mirror[ab.verdict]);
    }),
    { numRuns: 500, seed: 29 },
  );
});

Deno.test("rounds: a steady 1 % change is within the 2 % floor; 5 % is a verdict; with the floor at 0, 1 % is too", () => {
  const a = [2, 2.1, 1.9, 2.05, 1.95];
  assertEquals(
    Rounds.compareRounds("p50", "up", a, a.map((x) => x * 1.01)).verdict,
    "no significant change",
  );
  assertEquals(
    Rounds.compareRounds("p50", "up", a, a.map((x) => x * 1.01), 0).verdict,
    "regressed",
  );
  assertEquals(Rounds.compareRounds("p50", "up", a, a.map((x) => x * 1.05)).verdict, "regressed");
});

Deno.test("rounds: B 10× slower in every round regresses latency and throughput alike", () => {
  const a = [2, 2.1, 1.9, 2.05, 1.95];
  const b = a.map((x) => x * 10);
  assertEquals(Rounds.compareRounds("p50", "up", a, b).verdict, "regressed");
  assertEquals(Rounds.compareRounds("rps", "down", b, a).verdict, "regressed");
  assertEquals(Rounds.compareRounds("p50", "up", b, a).verdict, "improved");
});
