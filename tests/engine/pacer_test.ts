// The pacer under TestClock at exact instants: each arrival at its intended time after the lead, counted from the pacer's own start, none at the end, and done then.
import { Duration, Effect, Fiber, Option, TestClock, TestContext } from "effect";
import * as Pacing from "../../src/core/pacing.ts";
import * as Pacer from "../../src/engine/pacer.ts";
import { assertEquals } from "../assert.ts";

Deno.test("pacer: started at 1 s on the clock with a 50 ms lead, 10/s to 500 ms: arrival i at 1,050 + 100·i ms exactly, none at 500, then done", async () => {
  const checkpoints = [1049, 1050, 1149, 1150, 1449, 1450, 1549, 1550, 2000];
  const { seen, intended, done } = await Effect.gen(function* () {
    yield* TestClock.adjust(Duration.millis(1000));
    const intended: number[] = [];
    const fiber = yield* Effect.fork(
      Pacer.drive(Pacing.constant(10 / 1000), 500, (_, at) => void intended.push(at), {
        startInMs: 50,
      }),
    );
    yield* Effect.yieldNow();
    const seen: number[] = [];
    let now = 1000;
    for (const t of checkpoints) {
      yield* TestClock.adjust(Duration.millis(t - now));
      now = t;
      yield* Effect.yieldNow();
      seen.push(intended.length);
    }
    const done = Option.isSome(yield* Fiber.poll(fiber));
    yield* Fiber.interrupt(fiber);
    return { seen, intended, done };
  }).pipe(Effect.provide(TestContext.TestContext), Effect.runPromise);
  assertEquals(seen, [0, 1, 1, 2, 4, 5, 5, 5, 5]);
  assertEquals(intended, [0, 100, 200, 300, 400]);
  assertEquals(done, true, "the pacer still runs after its plan's end");
});
