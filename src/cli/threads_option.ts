// --threads: how many load threads share a run's work, by default one per usable core.
import { Options } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { parseCount } from "../core/units.ts";
import { UsageError } from "../domain/errors.ts";
import { concurrencyOf, type LoadModel } from "../domain/plan.ts";
import { usableCores } from "../io/cpu_quota.ts";

/** More threads than this is a typo: each holds a JavaScript heap (tens of MB). */
export const maxThreads = 256;

export const threadsOption = Options.text("threads").pipe(
  Options.withAlias("t"),
  Options.optional,
  Options.withDescription(
    "Load threads sharing the workers, rate and -n (default: one per usable core, at most one per worker)",
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

/**
 * The thread count: as given (at most one per worker or in-flight slot, as wrk refuses more threads
 * than connections), else the usable cores, lowered to the model's concurrency and to -n (a thread
 * with nothing to send would only delay the first request by its start-up).
 */
export const resolveThreads = (
  given: Option.Option<string>,
  model: LoadModel,
  maxRequests = Number.POSITIVE_INFINITY,
): Effect.Effect<number, UsageError> =>
  Effect.gen(function* () {
    const most = concurrencyOf(model);
    const unit = model._tag === "Closed" ? "worker (-c)" : "in-flight slot (--max-in-flight)";
    const n = yield* threadsAtMost(given);
    if (Option.isNone(given)) return Math.max(1, Math.min(n, most, maxRequests));
    if (n > most) {
      return yield* new UsageError({
        reason: "flag",
        message:
          `--threads ${n} needs at least ${n} workers or slots: each thread takes at least one ${unit}, and there are ${most}`,
      });
    }
    return n;
  });
