// Pacing: the plan's arithmetic, and the Schedule-driven pacer under TestClock (no real sleeps).
import { Duration, Effect, Either, Fiber, TestClock, TestContext } from "effect";
import fc from "fast-check";
import * as Pacing from "../../src/core/pacing.ts";
import * as Pacer from "../../src/engine/pacer.ts";
import { assert, assertEquals } from "../assert.ts";

const perMs = (perSecond: number) => perSecond / 1000;

const stage = fc.record({
  durationMs: fc.integer({ min: 1, max: 3000 }),
  target: fc.integer({ min: 0, max: 400 }).map(perMs),
});
const plan = fc.oneof(
  fc.integer({ min: 1, max: 400 }).map((r) => Pacing.constant(perMs(r))),
  fc.record({
    start: fc.integer({ min: 0, max: 400 }).map(perMs),
    stages: fc.array(stage, { minLength: 1, maxLength: 4 }),
  }),
);

Deno.test("pacing: arrival i starts when the integral of the rate reaches i", () => {
  fc.assert(
    fc.property(plan, fc.integer({ min: 0, max: 2000 }), (p, i) => {
      const t = Pacing.startOf(p, i);
      if (!Number.isFinite(t)) return;
      assert(
        Math.abs(Pacing.integral(p, t) - i) < 1e-6 * Math.max(1, i),
        `Λ(${t}) = ${Pacing.integral(p, t)} ≠ ${i}`,
      );
      assert(Pacing.startOf(p, i + 1) >= t, "intended starts are ordered");
    }),
    { numRuns: 1000 },
  );
});

/** Runs the pacer under TestClock, reading how many arrivals it dispatched at each checkpoint. */
const dispatchedAt = (p: Pacing.Plan, endMs: number, checkpoints: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    let count = 0;
    const fiber = yield* Effect.fork(Pacer.drive(p, endMs, () => void count++));
    const seen: number[] = [];
    let now = 0;
    for (const t of checkpoints) {
      yield* TestClock.adjust(Duration.millis(t - now));
      now = t;
      yield* Effect.yieldNow();
      seen.push(count);
    }
    yield* Fiber.interrupt(fiber);
    return seen;
  }).pipe(Effect.provide(TestContext.TestContext), Effect.runPromise);

const checkpoints = fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 6 }).map(
  (ts) => [...new Set(ts)].sort((a, b) => a - b),
);

// Each wake-up of a fiber under TestClock costs a few real milliseconds here, so the TestClock
// properties use low rates and 100 runs; the plan's arithmetic itself is checked 1000 times above.
const clockRuns = { numRuns: 100 };
const lowRate = fc.integer({ min: 1, max: 20 }).map(perMs);
const lowPlan = fc.oneof(
  lowRate.map(Pacing.constant),
  fc.record({
    start: fc.integer({ min: 0, max: 20 }).map(perMs),
    stages: fc.array(
      fc.record({
        durationMs: fc.integer({ min: 1, max: 1500 }),
        target: fc.integer({ min: 0, max: 20 }).map(perMs),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
);

Deno.test("pacer: at a constant rate r, ⌊r·t⌋ (±1) requests have started by time t", async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 20 }), checkpoints, async (r, ts) => {
      const seen = await dispatchedAt(Pacing.constant(perMs(r)), Number.POSITIVE_INFINITY, ts);
      ts.forEach((t, k) => {
        const expected = Math.floor((r * t) / 1000);
        assert(
          Math.abs(seen[k]! - expected) <= 1,
          `r=${r}/s t=${t}ms: ${seen[k]} started, expected ${expected}`,
        );
      });
    }),
    clockRuns,
  );
});

Deno.test("pacer: with stages, the requests started equal the integral of the rate curve (±1), never a burst beyond it", async () => {
  await fc.assert(
    fc.asyncProperty(lowPlan, checkpoints, async (p, ts) => {
      const seen = await dispatchedAt(p, Number.POSITIVE_INFINITY, ts);
      ts.forEach((t, k) => {
        // Rounded to 1e-9: at 18/s the integral to 1,500 ms is 26.999999999999996, not 27.
        const planned = Math.round(Pacing.integral(p, t) * 1e9) / 1e9;
        assert(
          seen[k]! <= Math.floor(planned) + 1,
          `t=${t}: ${seen[k]} started, more than the plan's ${planned}`,
        );
        assert(seen[k]! >= Math.floor(planned) - 1, `t=${t}: ${seen[k]} started, plan ${planned}`);
      });
    }),
    clockRuns,
  );
});

Deno.test("pacer: nothing is dispatched at or after the end", async () => {
  const seen = await dispatchedAt(Pacing.constant(perMs(10)), 1000, [999, 1000, 5000]);
  assertEquals(seen, [10, 10, 10]);
});

Deno.test("rates and stages parse, and bad ones are usage errors", () => {
  assertEquals(Either.getOrThrow(Pacing.parseRate("200")), 200);
  assertEquals(Either.getOrThrow(Pacing.parseRate("12000/m")), 200);
  assertEquals(Either.getOrThrow(Pacing.parseRate("200/s")), 200);
  assertEquals(Either.getOrThrow(Pacing.parseStages("10s:100,1m:100,10s:0")), [
    { durationMs: 10_000, target: 100 },
    { durationMs: 60_000, target: 100 },
    { durationMs: 10_000, target: 0 },
  ]);
  for (const bad of ["0", "-5", "fast", "5/y", ""]) {
    assert(Either.isLeft(Pacing.parseRate(bad)), bad);
  }
  for (const bad of ["10s", "x:1", "10s:-1", "0s:5", "10s:1,,"]) {
    assert(Either.isLeft(Pacing.parseStages(bad)), bad);
  }
});
