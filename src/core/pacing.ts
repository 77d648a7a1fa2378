// Pacing as pure functions of time: rate and worker-count plans, and when arrival i should start.
//
// A plan is a piecewise-linear curve v(t) starting at `start` and moving linearly to each stage's
// target over that stage's duration. For the open model v is an arrival rate (per ms here); arrival i
// is intended to start when the integral Λ(t) = ∫₀ᵗ v reaches i, so arrival 0 starts at t = 0 and the
// number started by time t is ⌊Λ(t)⌋ + 1 (wrk2's plan: intended times come from the rate, never from
// the wall clock). For the closed model v is the number of active workers.
import * as Either from "effect/Either";
import { UsageError } from "../domain/errors.ts";
import type { Curve, Stage } from "../domain/plan.ts";
import { parseDuration } from "./units.ts";

export type Plan = Curve;

/** A constant value forever. */
export const constant = (value: number): Plan => ({ start: value, stages: [] });

/** v(t); after the last stage, its target holds. */
export const valueAt = (p: Plan, t: number): number => {
  let from = p.start, at = 0;
  for (const s of p.stages) {
    if (t < at + s.durationMs) return from + ((s.target - from) * (t - at)) / s.durationMs;
    at += s.durationMs;
    from = s.target;
  }
  return from;
};

/** Λ(t) = ∫₀ᵗ v: with v a rate per ms, the expected number of arrivals by t. */
export const integral = (p: Plan, t: number): number => {
  let from = p.start, at = 0, sum = 0;
  for (const s of p.stages) {
    const x = Math.min(t - at, s.durationMs);
    if (x <= 0) return sum;
    const vx = from + ((s.target - from) * x) / s.durationMs;
    sum += ((from + vx) / 2) * x;
    at += s.durationMs;
    from = s.target;
  }
  return t > at ? sum + from * (t - at) : sum;
};

/** How many arrivals are due by time t (arrival 0 at t = 0); 0 before the start. */
export const arrivalsBy = (
  p: Plan,
  t: number,
): number => (t < 0 ? 0 : Math.floor(integral(p, t) + 1e-9) + 1);

/** When arrival i is intended to start, in ms from the start; Infinity if the plan never gets there. */
export const startOf = (p: Plan, i: number): number => {
  let from = p.start, at = 0, sum = 0;
  for (const s of p.stages) {
    const area = ((from + s.target) / 2) * s.durationMs;
    if (sum + area >= i) return at + within(from, s.target, s.durationMs, i - sum);
    sum += area;
    at += s.durationMs;
    from = s.target;
  }
  return from > 0 ? at + (i - sum) / from : i === sum ? at : Number.POSITIVE_INFINITY;
};

/** The x in [0, d] at which a ramp from r0 to r1 over d has accumulated m: solves r0·x + (r1−r0)x²/2d = m. */
const within = (r0: number, r1: number, d: number, m: number): number => {
  if (m <= 0) return 0;
  const a = (r1 - r0) / (2 * d);
  const disc = Math.max(0, r0 * r0 + 4 * a * m);
  const denom = r0 + Math.sqrt(disc);
  return Math.min(d, denom > 0 ? (2 * m) / denom : d);
};

const usage = (flag: string, message: string) =>
  Either.left(new UsageError({ reason: "flag", message: `${flag}: ${message}` }));

/** Parses `200`, `200/s`, `12000/m`, `5/ms` into arrivals per second (> 0). */
export const parseRate = (text: string, flag = "--rate"): Either.Either<number, UsageError> => {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(?:\/\s*(ms|s|m|h))?\s*$/.exec(text);
  if (m === null) {
    return usage(
      flag,
      `'${text}' is not a rate; use requests per second like 200, 200/s or 12000/m`,
    );
  }
  const perSecond = Number(m[1]) * { ms: 1000, s: 1, m: 1 / 60, h: 1 / 3600 }[m[2] ?? "s"]!;
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
    return usage(flag, `'${text}' must be more than 0`);
  }
  return Either.right(perSecond);
};

/** Parses `10s:100,1m:100,10s:0`: each stage's duration and the target it ramps to (>= 0). */
export const parseStages = (text: string): Either.Either<ReadonlyArray<Stage>, UsageError> => {
  const stages: Stage[] = [];
  for (const part of text.split(",")) {
    const m = /^\s*([^:]+):\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (m === null) {
      return usage(
        "--stages",
        `'${part.trim()}' is not a stage; write DURATION:TARGET, like 10s:100,1m:100,10s:0`,
      );
    }
    const d = parseDuration("--stages", m[1]!.trim());
    if (Either.isLeft(d)) {
      return usage("--stages", `'${m[1]!.trim()}' is not a duration, like 10s or 1m`);
    }
    if (d.right <= 0) return usage("--stages", `stage '${part.trim()}' must last longer than 0`);
    stages.push({ durationMs: d.right, target: Number(m[2]) });
  }
  return Either.right(stages);
};
