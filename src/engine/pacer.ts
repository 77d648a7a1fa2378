// Drives a rate plan with an Effect Schedule: dispatches each arrival when its intended time comes.
//
// Each tick dispatches every arrival whose intended start has passed (a late tick catches up at once,
// as wrk2 does), then sleeps until the next one is due. Timers fire a millisecond or two late, so the
// last `spinMs` before an arrival are waited out by yielding to the event loop (setImmediate, a few µs)
// instead of sleeping. All time comes from Effect's Clock, so tests drive it with TestClock.
import { Clock, Duration, Effect, Schedule } from "effect";
import { setImmediate } from "node:timers";
import * as Pacing from "../core/pacing.ts";

const nowMs = Effect.map(Clock.currentTimeNanos, (n) => Number(n) / 1e6);

/** Lets I/O and timers run, then resumes: a macrotask, not a timer. */
const yieldToEventLoop = Effect.async<void>((resume) => {
  setImmediate(() => resume(Effect.void));
});

export interface Options {
  /** Checked before each arrival: true ends the pacing. */
  readonly stop?: () => boolean;
  /** Called once, right when the pacer reads its start time (intended times count from there). */
  readonly onStart?: () => void;
  /** Wait out the last `spinMs` before an arrival by yielding instead of sleeping (0: always sleep). */
  readonly spinMs?: number;
  /** The plan's time 0 is this long after the pacer starts, or before if negative (threads start on one clock). */
  readonly startInMs?: number | (() => number);
  /** Dispatch arrivals first, first + stride, … only: this load thread's share of the plan. */
  readonly first?: number;
  readonly stride?: number;
}

/**
 * Dispatches arrivals 0, 1, 2, … (or first, first + stride, …) of `plan` (a rate per ms) at their intended times until `endMs` after
 * the start or until `stop()` says so. `dispatch(i, intendedMs)` gets the intended start in ms from the
 * start; it must not block (fork what takes time).
 */
export const drive = <E, R>(
  plan: Pacing.Plan,
  endMs: number,
  dispatch: (i: number, intendedMs: number) => Effect.Effect<void, E, R>,
  options: Options = {},
): Effect.Effect<void, E, R> =>
  Effect.gen(function* () {
    const stop = options.stop ?? (() => false);
    const spinMs = options.spinMs ?? 0;
    const stride = options.stride ?? 1;
    const lead = options.startInMs ?? 0;
    // Read together with the clock: a lead computed before this fiber ran would be stale by then.
    const start = (yield* nowMs) + (typeof lead === "number" ? lead : lead());
    options.onStart?.();
    let next = options.first ?? 0;
    let intended = Pacing.startOf(plan, next);
    const tick = Effect.gen(function* () {
      for (;;) {
        const now = (yield* nowMs) - start;
        while (intended <= now && intended < endMs && !stop()) {
          yield* dispatch(next, intended);
          next += stride;
          intended = Pacing.startOf(plan, next);
        }
        // -1 ends the schedule; otherwise the time to sleep before the next arrival.
        if (stop() || intended >= endMs) return -1;
        const wait = intended - now;
        if (wait > spinMs) return wait - spinMs;
        // The last `spinMs`: a timer would fire a millisecond or two late, a yield comes back in µs.
        yield* yieldToEventLoop;
      }
    });
    yield* Effect.repeat(
      tick,
      Schedule.identity<number>().pipe(
        Schedule.whileInput((delay: number) => delay >= 0),
        // Whole milliseconds, rounded up: timers have no finer grain, and a sleep never ends early.
        Schedule.addDelay((delay) => Duration.millis(Math.ceil(delay))),
      ),
    );
  });
