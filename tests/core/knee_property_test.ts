// The knee search against synthetic servers: the boundary within the precision, never past maxRate,
// at most the promised number of steps, and a stop at the first step where the client was the limit.
import { Duration, Effect, Either, Fiber, TestClock, TestContext } from "effect";
import fc from "fast-check";
import * as Knee from "../../src/core/knee.ts";
import { saturatedCpuShare, saturatedLagMs } from "../../src/core/diagnosis.ts";
import * as Thresholds from "../../src/core/thresholds.ts";
import { assert, assertEquals } from "../assert.ts";

const arbConfig = fc.record({
  startRate: fc.double({ min: 1, max: 5000, noNaN: true }),
  maxRate: fc.double({ min: 1, max: 200_000, noNaN: true }),
  precision: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
  growth: fc.double({ min: 1.2, max: 4, noNaN: true }),
  minRate: fc.constant(1),
});

/** A monotone server: every rate up to `capacity` passes, every rate above fails. */
const runAll = (c: Knee.Config, outcome: (rate: number) => Knee.Outcome) => {
  const steps: Knee.Step[] = [];
  for (let i = 0; i < 1000; i++) {
    const n = Knee.next(c, steps);
    if (n._tag === "Done") return { steps, result: n.result };
    steps.push({ rate: n.rate, outcome: outcome(n.rate) });
  }
  throw new Error("the search did not end");
};

Deno.test("knee: against any monotone server the knee is within the precision below the capacity", () => {
  fc.assert(
    fc.property(arbConfig, fc.double({ min: 0.5, max: 300_000, noNaN: true }), (c, capacity) => {
      const { steps, result } = runAll(c, (r) => (r <= capacity ? "pass" : "fail"));
      assert(steps.every((s) => s.rate <= c.maxRate), "offered more than maxRate");
      assert(
        steps.length <= Knee.maxSteps(c),
        `${steps.length} steps, promised ${Knee.maxSteps(c)}`,
      );
      const start = Math.min(c.startRate, c.maxRate);
      if (capacity >= c.maxRate) {
        assertEquals(result.limitedBy, "max-rate");
        assertEquals(result.kneeRps, c.maxRate);
      } else if (capacity < c.minRate && start > capacity) {
        assertEquals(result, { limitedBy: "slo", kneeRps: undefined, failedRps: result.failedRps });
      } else if (result.kneeRps === undefined) {
        // Shrinking stopped above the capacity: the next step down would go under minRate.
        assert(result.failedRps! / c.growth < c.minRate, JSON.stringify(result));
      } else {
        assertEquals(result.limitedBy, "slo");
        const knee = result.kneeRps;
        assert(knee <= capacity, `knee ${knee} above capacity ${capacity}`);
        assert(result.failedRps! > capacity, "the failing end passes");
        assert(result.failedRps! - knee <= c.precision * knee + 1e-9, JSON.stringify(result));
      }
    }),
    { numRuns: 2000 },
  );
});

Deno.test("knee: the search stops at the first step where the client was the limit", () => {
  fc.assert(
    fc.property(
      arbConfig,
      fc.double({ min: 1, max: 300_000, noNaN: true }),
      fc.double({ min: 1, max: 300_000, noNaN: true }),
      (c, capacity, clientCeiling) => {
        const outcome = (r: number): Knee.Outcome =>
          r > clientCeiling ? "client" : r <= capacity ? "pass" : "fail";
        const { steps, result } = runAll(c, outcome);
        const first = steps.findIndex((s) => s.outcome === "client");
        if (first >= 0) {
          assertEquals(first, steps.length - 1, "went on after a client-limited step");
          assertEquals(result.limitedBy, "client");
        } else assert(result.limitedBy !== "client");
        assert(steps.length <= Knee.maxSteps(c));
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("knee: search() runs each step in turn; with steps of D it takes steps × D (TestClock)", async () => {
  const c: Knee.Config = {
    startRate: 100,
    maxRate: 100_000,
    precision: 0.05,
    growth: 2,
    minRate: 1,
  };
  const stepMs = 6000;
  const program = Effect.gen(function* () {
    const fiber = yield* Effect.fork(
      Knee.search(
        c,
        (rate) =>
          Effect.sleep(Duration.millis(stepMs)).pipe(
            Effect.as(rate <= 400 ? "pass" as const : "fail" as const),
          ),
      ),
    );
    // Time passes only when the test says so: each adjustment lets one step end.
    for (let i = 0; i < Knee.maxSteps(c); i++) yield* TestClock.adjust(Duration.millis(stepMs));
    const out = yield* Fiber.join(fiber);
    return out;
  });
  const out = await Effect.runPromise(program.pipe(Effect.provide(TestContext.TestContext)));
  assertEquals(out.steps.map((s) => s.rate).slice(0, 4), [100, 200, 400, 800]);
  assertEquals(out.result.limitedBy, "slo");
  assert(
    out.result.kneeRps! >= 400 / 1.05 && out.result.kneeRps! <= 400,
    String(out.result.kneeRps),
  );
  // 100, 200, 400 pass; 800 fails; 600, 500, 450, 425 fail; 412.5 fails; 406.25 fails: within 5 %.
  assert(out.steps.length <= Knee.maxSteps(c), `${out.steps.length} steps`);
});

Deno.test("knee: judge() says client when salvo was the limit, whatever the SLO said", () => {
  const calm = {
    cpuShare: 0.3,
    loopLagMs: 1,
    scheduleLagP99Ms: 2,
    dropped: 0,
    slotsNeeded: 40,
    maxInFlight: 1000,
    starved: false,
  };
  assertEquals(Knee.judge(true, calm), "pass");
  assertEquals(Knee.judge(false, calm), "fail");
  for (const busy of [{ cpuShare: 0.95 }, { loopLagMs: 25 }, { scheduleLagP99Ms: 20 }]) {
    assertEquals(Knee.judge(true, { ...calm, ...busy }), "client", JSON.stringify(busy));
    assertEquals(Knee.judge(false, { ...calm, ...busy }), "client", JSON.stringify(busy));
  }
  // Drops with a fast server (40 slots would do): salvo's stalls held the slots.
  assertEquals(Knee.judge(true, { ...calm, dropped: 1 }), "client");
  // Drops with a slow server (rate × latency fills half the slots or more): the server's, a
  // failure even when the SLO (here one that ignores latency) passed.
  assertEquals(Knee.judge(true, { ...calm, dropped: 500, slotsNeeded: 500 }), "fail");
  assertEquals(Knee.judge(false, { ...calm, dropped: 500, slotsNeeded: 3500 }), "fail");
  // At the thresholds themselves: a CPU share or a lag exactly at saturation is salvo's limit (not
  // starvation, even on a busy machine), and a server that needs exactly half the slots failed.
  assertEquals(Knee.judge(true, { ...calm, cpuShare: saturatedCpuShare }), "client");
  assertEquals(Knee.judge(true, { ...calm, cpuShare: saturatedCpuShare, starved: true }), "client");
  assertEquals(Knee.judge(true, { ...calm, loopLagMs: saturatedLagMs }), "client");
  assertEquals(Knee.judge(true, { ...calm, scheduleLagP99Ms: saturatedLagMs }), "client");
  assertEquals(Knee.judge(true, { ...calm, dropped: 1, slotsNeeded: 500 }), "fail");
});

Deno.test("knee: judge() says starved when salvo was late with CPU to spare while others held the machine; a full core is still client", () => {
  const starved = {
    cpuShare: 0.1,
    loopLagMs: 1,
    scheduleLagP99Ms: 2,
    dropped: 0,
    slotsNeeded: 40,
    maxInFlight: 1000,
    starved: true,
  };
  // On time, the machine's contention changes nothing: the SLO decides.
  assertEquals(Knee.judge(true, starved), "pass");
  assertEquals(Knee.judge(false, starved), "fail");
  for (const late of [{ loopLagMs: 25 }, { scheduleLagP99Ms: 20 }, { dropped: 1 }]) {
    assertEquals(Knee.judge(true, { ...starved, ...late }), "starved", JSON.stringify(late));
  }
  assertEquals(Knee.judge(true, { ...starved, cpuShare: 0.95 }), "client");
  assertEquals(Knee.judge(true, { ...starved, loopLagMs: 25, starved: false }), "client");
});

Deno.test("knee: a starved step is measured again, at most starvedTries times, then the search stops as starved", () => {
  const c = { startRate: 100, maxRate: 10_000, precision: 0.05, growth: 2, minRate: 1 };
  const starvedAt = (rate: number, n: number) =>
    Array.from({ length: n }, () => ({ rate, outcome: "starved" as const }));
  const base = [{ rate: 100, outcome: "pass" as const }];
  assertEquals(Knee.next(c, [...base, ...starvedAt(200, 1)]), { _tag: "Step", rate: 200 });
  assertEquals(
    Knee.next(c, [...base, ...starvedAt(200, Knee.starvedTries - 1)]),
    { _tag: "Step", rate: 200 },
  );
  assertEquals(Knee.next(c, [...base, ...starvedAt(200, Knee.starvedTries)]), {
    _tag: "Done",
    result: { limitedBy: "starved", kneeRps: 100, failedRps: undefined },
  });
  // A calm retry goes on as if the starved tries had not happened.
  assertEquals(
    Knee.next(c, [...base, ...starvedAt(200, 2), { rate: 200, outcome: "pass" }]),
    { _tag: "Step", rate: 400 },
  );
});

Deno.test("knee: samplesNeeded asks 1,000 requests for p99, 10,000 for p99.9, 100 otherwise", () => {
  const t = (s: string) => Either.getOrThrow(Thresholds.parse(s));
  assertEquals(Knee.samplesNeeded([t("p99<50ms")]), 1000);
  assertEquals(Knee.samplesNeeded([t("p99.9<50ms"), t("success_rate>=99%")]), 10_000);
  assertEquals(Knee.samplesNeeded([t("mean<50ms")]), 100);
  assertEquals(Knee.samplesNeeded([t("p50<50ms")]), 100);
});
