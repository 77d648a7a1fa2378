// The knee search at its edges, worked by hand: the step bound, a bracket exactly the precision wide, a shrink that lands on minRate, starved from the first step, and each step's index.
import { Effect } from "effect";
import * as Knee from "../../src/core/knee.ts";
import { assertEquals } from "../assert.ts";

const c: Knee.Config = { startRate: 100, maxRate: 10_000, precision: 0.05, growth: 2, minRate: 1 };
const pass = (rate: number): Knee.Step => ({ rate, outcome: "pass" });
const fail = (rate: number): Knee.Step => ({ rate, outcome: "fail" });

Deno.test("the step bound: growing, or shrinking, whichever is longer, then bisecting, plus the first step", () => {
  // Growing 100 → 200 … 6400 → 10000 is 7 steps; shrinking 100 → 1.5625 is 6; the bracket's width
  // 1 halves to 0.03125 in 5. 1 + 7 + 5.
  assertEquals(Knee.maxSteps(c), 13);
  // Shrinking lands on minRate exactly (100 → 50 → 25) and counts it; a width of exactly the
  // precision is not halved again (1 → 0.5).
  assertEquals(
    Knee.maxSteps({ startRate: 100, maxRate: 100, precision: 0.5, growth: 2, minRate: 25 }),
    4,
  );
  assertEquals(Knee.maxSteps({ ...c, startRate: 20_000, minRate: 20_000 }), 1 + 0 + 5);
});

Deno.test("a bracket exactly the precision wide ends the search; a hair wider is bisected", () => {
  assertEquals(Knee.next(c, [pass(100), fail(105)]), {
    _tag: "Done",
    result: { limitedBy: "slo", kneeRps: 100, failedRps: 105 },
  });
  assertEquals(Knee.next(c, [pass(100), fail(106)]), { _tag: "Step", rate: 103 });
});

Deno.test("shrinking from a failing start goes down to minRate itself, and stops below it", () => {
  const low = { ...c, minRate: 25 };
  assertEquals(Knee.next(low, [fail(100), fail(50)]), { _tag: "Step", rate: 25 });
  assertEquals(Knee.next(low, [fail(100), fail(50), fail(25)]), {
    _tag: "Done",
    result: { limitedBy: "slo", kneeRps: undefined, failedRps: 25 },
  });
});

Deno.test("a pass at the lowest failing rate is no knee: the knee lies below it", () => {
  assertEquals(Knee.next(c, [pass(100), fail(100)]), { _tag: "Step", rate: 50 });
});

Deno.test("starved from the very first step, the search stops after starvedTries of them", () => {
  const starved = Array.from(
    { length: Knee.starvedTries },
    () => ({ rate: 100, outcome: "starved" as const }),
  );
  assertEquals(Knee.next(c, starved.slice(1)), { _tag: "Step", rate: 100 });
  assertEquals(Knee.next(c, starved), {
    _tag: "Done",
    result: { limitedBy: "starved", kneeRps: undefined, failedRps: undefined },
  });
});

Deno.test("onStep sees each step with its index, in order", async () => {
  const seen: Array<[number, number]> = [];
  await Effect.runPromise(
    Knee.search(
      { ...c, maxRate: 400 },
      (rate) => Effect.succeed(rate <= 200 ? "pass" as const : "fail" as const),
      (s, i) => Effect.sync(() => void seen.push([i, s.rate])),
    ),
  );
  assertEquals(seen.slice(0, 4), [[0, 100], [1, 200], [2, 400], [3, 300]]);
  assertEquals(seen.map(([i]) => i), seen.map((_, k) => k));
});
