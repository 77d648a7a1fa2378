// Connections are open files: the open-file limit (ulimit -n) checked before a run, and the open
// model's default --max-in-flight fitted under it.
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { parseCount } from "../core/units.ts";
import { UsageError } from "../domain/errors.ts";
import { openFileLimit, reservedFor } from "../io/fd_limit.ts";

/**
 * --max-in-flight as given, or 1000 lowered to what the open-file limit leaves for connections when
 * salvo runs on up to `threads` load threads.
 */
export const maxInFlight = (
  given: Option.Option<string>,
  threads = 1,
): Effect.Effect<number, UsageError> =>
  Option.match(given, {
    onSome: (text) => parseCount("--max-in-flight", text, 1),
    onNone: () =>
      Effect.succeed(
        Math.max(1, Math.min(1000, (openFileLimit() ?? Infinity) - reservedFor(threads))),
      ),
  });

/** Refuses `connections` (given with `flag`) that the open-file limit cannot hold, naming both. */
export const check = (
  flag: string,
  connections: number,
  threads = 1,
): Effect.Effect<void, UsageError> => {
  const limit = openFileLimit();
  const needed = connections + reservedFor(threads);
  return limit === undefined || needed <= limit ? Effect.void : Effect.fail(
    new UsageError({
      reason: "number",
      message:
        `${flag} ${connections} needs about ${needed} open files, but the limit is ${limit} ` +
        `(ulimit -n); raise it with 'ulimit -n ${needed}' or lower ${flag}`,
    }),
  );
};
