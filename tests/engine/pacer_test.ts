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

Deno.test("pacer with a 2 ms spin: it sleeps until 2 ms before each arrival, then yields turn by turn until it is due", async () => {
  const log = await Effect.gen(function* () {
    const dispatched: number[] = [];
    const fiber = yield* Effect.fork(
      Pacer.drive(Pacing.constant(10 / 1000), 1000, (_, at) => void dispatched.push(at), {
        spinMs: 2,
      }),
    );
    const out: string[] = [];
    /** Moves the clock to `t`, lets the spin's turns run, and notes what was sent and the next sleep. */
    const at = (t: number) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(t);
        for (let i = 0; i < 5; i++) {
          yield* Effect.promise(() => new Promise((r) => setTimeout(r, 1)));
          yield* Effect.yieldNow();
        }
        const sleeps = [...(yield* TestClock.sleeps())];
        out.push(`${t}: sent ${dispatched.length}, wakes at ${sleeps.join(",")}`);
      });
    yield* at(0);
    yield* at(97);
    yield* at(98); // awake and spinning: no sleep until arrival 1 at 100
    yield* at(100);
    yield* at(203); // the clock moved past arrival 2 (due 200): it goes at once
    yield* at(293);
    yield* at(300);
    yield* Fiber.interrupt(fiber);
    return out;
  }).pipe(Effect.provide(TestContext.TestContext), Effect.runPromise);
  assertEquals(log, [
    "0: sent 1, wakes at 98",
    "97: sent 1, wakes at 98",
    "98: sent 1, wakes at ",
    "100: sent 2, wakes at 198",
    "203: sent 3, wakes at 298",
    "293: sent 3, wakes at 298",
    "300: sent 4, wakes at 398",
  ]);
});
