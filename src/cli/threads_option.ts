// --threads: how many load threads share a run's work; by default one per usable core, or half of
// them when the target runs on this machine.
import { Options } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { parseCount } from "../core/units.ts";
import { UsageError } from "../domain/errors.ts";
import { concurrencyOf, type RunPlan } from "../domain/plan.ts";
import { usableCores } from "../io/cpu_quota.ts";

/** More threads than this is a typo: each holds a JavaScript heap (tens of MB). */
export const maxThreads = 256;

export const threadsOption = Options.text("threads").pipe(
  Options.withAlias("t"),
  Options.optional,
  Options.withDescription(
    "Load threads sharing the workers, rate and -n (default: one per usable core, half of them when the target is on this machine, at most one per worker)",
  ),
);

/** --threads as given and checked, else the usable cores: the most threads the run can have. */
export const threadsAtMost = (given: Option.Option<string>): Effect.Effect<number, UsageError> =>
  Option.isNone(given) ? Effect.succeed(usableCores()) : Effect.gen(function* () {
    const n = yield* parseCount("--threads", given.value, 1);
    if (n > maxThreads) {
      return yield* new UsageError({
        reason: "number",
        message: `--threads ${n} is more than ${maxThreads}; one per core is the most that helps`,
      });
    }
    return n;
  });

/** A host name that is this machine: loopback addresses, `localhost`, and the any-address. */
export const isLocalHost = (hostname: string): boolean => {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(h) ||
    h === "::1" || h === "0.0.0.0" || h === "::";
};

/** Every target is served on this machine (loopback, a unix socket), so the server needs its cores too. */
export const targetOnThisMachine = (plan: RunPlan): boolean =>
  plan.transport.unixSocket !== undefined ||
  plan.targets.every((t) => isLocalHost(plan.transport.connectTo?.hostname ?? t.url.hostname));

/**
 * The thread count without --threads: one per usable core, but half of them (at least one) when the
 * target runs on this machine. There the server needs CPU as much as salvo does, and a thread per core
 * leaves it none: on 2 cores the demo (the built-in target at 2 ms, -c 8) made 1,767 req/s with 2
 * threads and 2,182 with 1 (README, "On a shared machine"; scripts/bench_default_threads.sh).
 */
export const defaultThreads = (cores: number, plan: RunPlan): number =>
  targetOnThisMachine(plan) ? Math.max(1, Math.floor(cores / 2)) : cores;

/**
 * The thread count: as given (at most one per worker or in-flight slot, as wrk refuses more threads
 * than connections), else the usable cores, lowered to the model's concurrency and to -n (a thread
 * with nothing to send would only delay the first request by its start-up).
 */
export const resolveThreads = (
  given: Option.Option<string>,
  plan: RunPlan,
): Effect.Effect<number, UsageError> =>
  Effect.gen(function* () {
    const model = plan.model;
    const most = concurrencyOf(model);
    const unit = model._tag === "Closed" ? "worker (-c)" : "in-flight slot (--max-in-flight)";
    const n = yield* threadsAtMost(given);
    if (Option.isNone(given)) {
      return Math.max(
        1,
        Math.min(defaultThreads(n, plan), most, plan.maxRequests ?? Number.POSITIVE_INFINITY),
      );
    }
    if (n > most) {
      return yield* new UsageError({
        reason: "flag",
        message:
          `--threads ${n} needs at least ${n} workers or slots: each thread takes at least one ${unit}, and there are ${most}`,
      });
    }
    return n;
  });
