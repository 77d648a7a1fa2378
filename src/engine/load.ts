// One interface for both load models, which a load thread runs: closed-model workers or open-model arrivals.
import type * as Effect from "effect/Effect";
import type * as Summary from "../core/summary.ts";
import type { Channel } from "./channel.ts";

/** This thread's part of a run split across `count` load threads; `index` counts from 0. */
export interface Share {
  readonly index: number;
  readonly count: number;
}

export const whole: Share = { index: 0, count: 1 };

/**
 * Thread `index`'s part of `total` items dealt out in turn (item i goes to thread i mod count): the
 * parts differ by at most one and add up to `total`.
 */
export const part = (total: number, s: Share): number =>
  Math.floor(total / s.count) + (s.index < total % s.count ? 1 : 0);

export interface Load {
  /** Every connection, busy or idle: the watchdog checks them all, and they are closed at the end. */
  readonly connections: ReadonlyArray<Channel>;
  /** What the exchanges fold into. */
  readonly summaries: ReadonlyArray<Summary.Summary>;
  /** Opens what must be open before the clock starts. */
  warm(): Promise<void>;
  /**
   * Sends until the plan ends or the run is stopping. `startAt` is performance.now() of the plan's
   * time 0, at or after now: load threads start together on one clock.
   */
  drive(startAt: number): Effect.Effect<void>;
  /**
   * Stopping, and the end of the run's duration, interrupt `drive` (its waits between requests).
   * Otherwise `drive` ends by itself at the plan's end, and stopping only stops it issuing.
   */
  readonly interruptToStop: boolean;
  /** Called every few tens of milliseconds with the time since the start: follows a ramp. */
  tick(elapsedMs: number): void;
  /** Resolves once nothing is in flight. */
  idle(): Promise<void>;
  /** Time spent in --delay pauses up to `now`, summed over workers, in ms. */
  pausedMs(now: number): number;
}
