// Drives a rate plan with an Effect Schedule: dispatches each arrival when its intended time comes.
//
// Each tick dispatches every arrival whose intended start has passed (a late tick catches up at once,
// as wrk2 does), then sleeps until the next one is due. Timers fire a millisecond or two late, so the
// last `spinMs` before an arrival are waited out by yielding to the event loop (setImmediate, a few µs)
// instead of sleeping. All time comes from Effect's Clock, so tests drive it with TestClock; under the
// live clock the sleeps are plain timers (see `liveClock`), the steps the same.
//
// The yield loop is plain callbacks, not an Effect per yield: it turns every few µs, and an Effect per
// turn allocated ~1.7 GB/s of garbage (a scavenge every 7 ms at 5,000 arrivals/s, 654 in 5 s, against
// 22 for the sleeping pacer), whose pauses then showed up as send lag.
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Schedule from "effect/Schedule";
import { setImmediate } from "node:timers";
import * as Pacing from "../core/pacing.ts";
import { timerMs } from "./timer_limit.ts";

/**
 * The default (live) clock. Under it the pacer sleeps on plain timers, not Effect sleeps: measured
 * here, a step of `Effect.repeat` with a Schedule allocated ~45 KB, an `Effect.sleep` ~10 KB and a
 * timer ~2 KB, and at 1,000 steps a second that was most of the open model's garbage (10.9 KB per
 * request at 2,000/s, scripts/alloc_per_request.sh). Under any other clock (TestClock) the same steps
 * run on the Schedule, so the tests drive the pacer's arithmetic without real sleeps.
 */
const liveClock = Effect.runSync(Effect.clock);

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
 * Dispatches arrivals 0, 1, 2, … (or first, first + stride, …) of `plan` (a rate per ms) at their
 * intended times until `endMs` after the start or until `stop()` says so. `dispatch(i, intendedMs)`
 * gets the intended start in ms from the start; it must not block (start what takes time and return).
 */
export const drive = (
  plan: Pacing.Plan,
  endMs: number,
  dispatch: (i: number, intendedMs: number) => void,
  options: Options = {},
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock;
    // The live clock is read as performance.now() directly: its nanoseconds are a BigInt, an
    // allocation per reading, and the spin reads it every few µs.
    const nowMs = clock === liveClock
      ? () => performance.now()
      : () => Number(clock.unsafeCurrentTimeNanos()) / 1e6;
    const stop = options.stop ?? (() => false);
    const spinMs = options.spinMs ?? 0;
    const stride = options.stride ?? 1;
    const lead = options.startInMs ?? 0;
    // Read together with the clock: a lead computed before this fiber ran would be stale by then.
    const start = nowMs() + (typeof lead === "number" ? lead : lead());
    options.onStart?.();
    let next = options.first ?? 0;
    let intended = Pacing.startOf(plan, next);
    /** Dispatches every arrival due by now; the ms until the next one, or -1 when the plan is over. */
    const due = (): number => {
      const now = nowMs() - start;
      while (intended <= now && intended < endMs && !stop()) {
        dispatch(next, intended);
        next += stride;
        intended = Pacing.startOf(plan, next);
      }
      return stop() || intended >= endMs ? -1 : intended - now;
    };
    // How late this runtime's timers fire, as seen by the pacer's own sleeps: a decaying maximum, so
    // that the spin before an arrival starts before the late timer (measured on a 2-core VM: a 6 ms
    // timer fired 1.3 ms late at p50, 2.3–2.8 ms at p99, and a fixed 2 ms spin, less the sleep's
    // rounding, sent half the arrivals at 100/s 0.3 ms late).
    let wakeAt = -1;
    let slack = 0;
    let cancelled = false;
    const spinFor = () => (spinMs > 0 ? spinMs + slack : 0);
    /**
     * The whole ms to sleep when `wait` ms remain: all of it without a spin; with one, until
     * `spinFor()` before, rounded down, and 0 (spin now) when that is under 1 ms. A 0 ms sleep would
     * be a timer that fires late on the live clock, and one that ends at once under TestClock.
     */
    const sleepFor = (wait: number): number => {
      if (spinMs <= 0) return Math.ceil(wait);
      const whole = Math.floor(wait - spinFor());
      if (whole < 1) return 0;
      wakeAt = nowMs() + whole;
      return whole;
    };
    /**
     * One step: dispatches what is due, then hands `then` the ms to sleep before the next step, or -1
     * when the plan is over. Within `spinFor()` of an arrival it yields to the event loop instead
     * (setImmediate, ~2.5 µs and ~0.8 KB a turn here). Waiting up to 10 µs in place per turn, to
     * turn less often, was tried and measured: it held responses back, and p99 at 20,000/s doubled.
     */
    const step = (then: (sleepMs: number) => void): void => {
      if (wakeAt >= 0) {
        slack = Math.max(slack * 0.9, nowMs() - wakeAt);
        wakeAt = -1;
      }
      const wait = due();
      if (wait < 0) return then(-1);
      const sleep = sleepFor(wait);
      if (sleep > 0) return then(sleep);
      const turn = () => {
        if (cancelled) return;
        const w = due();
        if (w < 0) return then(-1);
        const sleep = sleepFor(w);
        if (sleep > 0) then(sleep);
        else setImmediate(turn);
      };
      setImmediate(turn);
    };
    if (clock === liveClock) {
      // The live clock's sleeps are plain timers: see `liveClock`.
      return yield* Effect.async<void>((resume) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const go = () => {
          timer = undefined;
          if (cancelled) return;
          step((ms) => {
            if (ms < 0) resume(Effect.void);
            // A wait past a timer's limit wakes early; `step` then measures again.
            else timer = setTimeout(go, timerMs(ms));
          });
        };
        go();
        return Effect.sync(() => {
          cancelled = true;
          if (timer !== undefined) clearTimeout(timer);
        });
      });
    }
    // -1 ends the schedule; otherwise the time to sleep before the next step.
    const tick = Effect.async<number>((resume) => {
      step((ms) => resume(Effect.succeed(ms)));
      return Effect.sync(() => {
        cancelled = true;
      });
    });
    yield* Effect.repeat(
      tick,
      Schedule.identity<number>().pipe(
        Schedule.whileInput((delay: number) => delay >= 0),
        Schedule.addDelay((delay) => Duration.millis(delay)),
      ),
    );
  });
