// The plan's arithmetic against values worked by hand and against plain numeric integration: the rate on a ramp, the integral at stage edges, the first arrival, and rates per minute and per hour.
import { Either } from "effect";
import fc from "fast-check";
import * as Pacing from "../../src/core/pacing.ts";
import { assert, assertEquals } from "../assert.ts";

/** From 0 up to 10 per ms over 1 s, held 1 s, down to 0 over 0.5 s. */
const ramp: Pacing.Plan = {
  start: 0,
  stages: [
    { durationMs: 1000, target: 10 },
    { durationMs: 1000, target: 10 },
    { durationMs: 500, target: 0 },
  ],
};

Deno.test("the rate moves linearly through each stage and holds the last target after it", () => {
  const at = [0, 250, 500, 1000, 1500, 2000, 2250, 2500, 9999].map((t) => Pacing.valueAt(ramp, t));
  assertEquals(at, [0, 2.5, 5, 10, 10, 10, 5, 0, 0]);
  const down: Pacing.Plan = { start: 8, stages: [{ durationMs: 400, target: 4 }] };
  assertEquals([100, 300, 400].map((t) => Pacing.valueAt(down, t)), [7, 5, 4]);
  assertEquals(Pacing.valueAt(Pacing.constant(3), 12345), 3);
});

Deno.test("the integral at each stage's edge and past the end is the area worked by hand", () => {
  const at = [-5, 0, 500, 1000, 2000, 2250, 2500, 3000].map((t) => Pacing.integral(ramp, t));
  assertEquals(at, [0, 0, 1250, 5000, 15000, 16875, 17500, 17500]);
  // Past the last stage the last target holds: 4 per ms for 100 ms more.
  const down: Pacing.Plan = { start: 8, stages: [{ durationMs: 400, target: 4 }] };
  assertEquals(Pacing.integral(down, 500), 2400 + 400);
});

/** Plans of up to four stages, in arrivals per ms, each corner at a whole ms. */
const plan = fc.record({
  start: fc.integer({ min: 0, max: 50 }),
  stages: fc.array(
    fc.record({
      durationMs: fc.integer({ min: 1, max: 500 }),
      target: fc.integer({ min: 0, max: 50 }),
    }),
    { maxLength: 4 },
  ),
});

Deno.test("property: the integral is the rate summed in small steps, and the rate is the integral's slope", () => {
  fc.assert(
    fc.property(plan, fc.integer({ min: 0, max: 2500 }), (p, t) => {
      // Midpoint sums in steps of 1/8 ms; exact on each straight piece, so only rounding is left.
      let sum = 0;
      for (let k = 0; k < t * 8; k++) sum += Pacing.valueAt(p, (k + 0.5) / 8) / 8;
      assert(Math.abs(Pacing.integral(p, t) - sum) < 1e-6 * Math.max(1, sum), `Λ(${t})`);
      // The slope over [t, t + 1/8]: the rate at its middle, within a straight piece.
      const slope = (Pacing.integral(p, t + 1 / 8) - Pacing.integral(p, t)) * 8;
      const mid = Pacing.valueAt(p, t + 1 / 16);
      assert(Math.abs(slope - mid) < 1e-6 * Math.max(1, mid), `v(${t})`);
    }),
    { numRuns: 300 },
  );
});

Deno.test("arrival 0 is due at time 0, and an integral that lands on a whole number counts that arrival", () => {
  const half = Pacing.constant(0.5); // One arrival every 2 ms.
  assertEquals([-1, 0, 1, 2, 3, 4].map((t) => Pacing.arrivalsBy(half, t)), [0, 1, 1, 2, 2, 3]);
  assertEquals(Pacing.arrivalsBy(ramp, 1000), 5001);
});

Deno.test("the first arrival of a ramp from 0 starts at 0, and a plan of rate 0 starts arrival 0 at once", () => {
  const fromZero: Pacing.Plan = { start: 0, stages: [{ durationMs: 1000, target: 1 }] };
  assertEquals(Pacing.startOf(fromZero, 0), 0);
  // Λ(t) = t²/2000 on this ramp: arrival 50 starts at √100000 ms.
  assert(Math.abs(Pacing.startOf(fromZero, 50) - Math.sqrt(100_000)) < 1e-9);
  assertEquals(Pacing.startOf(Pacing.constant(0), 0), 0);
  assertEquals(Pacing.startOf(Pacing.constant(0), 1), Number.POSITIVE_INFINITY);
  assertEquals(Pacing.startOf(ramp, 17500), 2500);
  assertEquals(Pacing.startOf(ramp, 17501), Number.POSITIVE_INFINITY);
});

Deno.test("rates per millisecond, minute and hour are converted to per second", () => {
  const rate = (s: string) => Either.getOrThrow(Pacing.parseRate(s));
  assertEquals([rate("5/ms"), rate("120/m"), rate("7200/h"), rate(".5")], [5000, 2, 2, 0.5]);
});
