// The pacer under TestClock at exact instants: each arrival at its intended time after the lead, counted from the pacer's own start, none at the end, and done then.
import { Clock, Duration, Effect, Fiber, Option, TestClock, TestContext } from "effect";
import { setImmediate } from "node:timers";
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

/** Runs `f` under a clock that reads TestClock's time but wakes every sleep `lateMs` late. */
const lateBy = (lateMs: number) => <A>(f: Effect.Effect<A>): Effect.Effect<A> =>
  Effect.gen(function* () {
    const base = yield* Effect.clock;
    const late: Clock.Clock = {
      [Clock.ClockTypeId]: Clock.ClockTypeId,
      unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis(),
      currentTimeMillis: base.currentTimeMillis,
      unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos(),
      currentTimeNanos: base.currentTimeNanos,
      sleep: (d) => base.sleep(Duration.sum(d, Duration.millis(lateMs))),
    };
    return yield* Effect.withClock(f, late);
  });

Deno.test("pacer whose sleeps wake 250 ms late: it catches up at once, and sends nothing at or past the plan's end", async () => {
  const intended = await Effect.gen(function* () {
    const intended: number[] = [];
    const fiber = yield* Effect.fork(
      lateBy(250)(Pacer.drive(Pacing.constant(10 / 1000), 500, (_, at) => void intended.push(at))),
    );
    yield* Effect.yieldNow();
    yield* TestClock.adjust(Duration.millis(2000));
    yield* Fiber.join(fiber);
    return intended;
  }).pipe(Effect.provide(TestContext.TestContext), Effect.runPromise);
  assertEquals(intended, [0, 100, 200, 300, 400]);
});

Deno.test("pacer with a 2 ms spin whose sleeps wake 3 ms late: it learns the lateness and, after the first late arrival, wakes early enough to send each on time, no earlier", async () => {
  const { lateness, wakes } = await Effect.gen(function* () {
    const base = yield* Effect.clock;
    const lateness: number[] = [];
    const wakes: number[] = [];
    const fiber = yield* Effect.fork(
      lateBy(3)(
        Pacer.drive(
          Pacing.constant(10 / 1000),
          1000,
          (_, at) => void lateness.push(base.unsafeCurrentTimeMillis() - at),
          { spinMs: 2 },
        ),
      ),
    );
    // A millisecond at a time near each arrival, letting the spin's turns (real setImmediate) run.
    for (let t = 0; t <= 1000; t++) {
      if (t % 100 > 10 && t % 100 < 90) continue;
      yield* TestClock.setTime(t);
      yield* Effect.promise(() => new Promise((r) => setImmediate(r)));
      yield* Effect.yieldNow();
      if (t % 100 === 10) wakes.push(...(yield* TestClock.sleeps()));
    }
    yield* Fiber.interrupt(fiber);
    return { lateness, wakes };
  }).pipe(Effect.provide(TestContext.TestContext), Effect.runPromise);
  // The first sleep ends 2 ms before arrival 1 and wakes 3 ms late: 1 ms late. Later sleeps end
  // 2 + 3 ms before theirs (the lateness measured each time, the older measure decaying), so they
  // wake 2 ms before, and the spin sends on time.
  assertEquals(lateness, [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  assertEquals(wakes, [101, 198, 298, 398, 498, 598, 698, 798, 898]);
});

Deno.test("pacer interrupted while it spins: nothing more is sent", async () => {
  const sent = await Effect.gen(function* () {
    const sent: number[] = [];
    const fiber = yield* Effect.fork(
      Pacer.drive(Pacing.constant(10 / 1000), 1000, (_, at) => void sent.push(at), { spinMs: 2 }),
    );
    const settle = Effect.gen(function* () {
      for (let i = 0; i < 3; i++) {
        yield* Effect.promise(() => new Promise((r) => setImmediate(r)));
        yield* Effect.yieldNow();
      }
    });
    yield* settle;
    yield* TestClock.setTime(99); // awake and spinning for arrival 1
    yield* settle;
    yield* Fiber.interrupt(fiber);
    yield* TestClock.setTime(300);
    yield* settle;
    return sent;
  }).pipe(Effect.provide(TestContext.TestContext), Effect.runPromise);
  assertEquals(sent, [0]);
});

Deno.test("pacer with a 2.5 ms spin: when under 1 ms is left before the spin, it spins (a 0 ms sleep would let no time pass under TestClock)", async () => {
  const sent = await Effect.gen(function* () {
    const sent: number[] = [];
    const fiber = yield* Effect.fork(
      Pacer.drive(Pacing.constant(10 / 1000), 300, (_, at) => void sent.push(at), { spinMs: 2.5 }),
    );
    // At 97 the wait is 3 ms: 0.5 ms before the spin, spun too.
    for (let t = 0; t <= 300; t++) {
      if (t % 100 > 3 && t % 100 < 95) continue;
      yield* TestClock.setTime(t);
      yield* Effect.promise(() => new Promise((r) => setImmediate(r)));
      yield* Effect.yieldNow();
    }
    yield* Fiber.await(fiber);
    return sent;
  }).pipe(Effect.provide(TestContext.TestContext), Effect.runPromise);
  assertEquals(sent, [0, 100, 200]);
});

Deno.test("pacer on the live clock, 200/s for 250 ms with a 2 ms spin and with a 4.5 ms one (under 1 ms left before it: no sleep): 50 arrivals, each at its intended time, then done", async () => {
  for (const spinMs of [2, 4.5]) {
    const sent: number[] = [];
    const ended = await Pacer.drive(
      Pacing.constant(200 / 1000),
      250,
      (_, at) => void sent.push(at),
      { spinMs },
    ).pipe(Effect.timeout(Duration.seconds(10)), Effect.as(true), Effect.runPromise);
    assertEquals(ended, true);
    assertEquals(sent, Array.from({ length: 50 }, (_, i) => i * 5), `spin ${spinMs} ms`);
  }
});
