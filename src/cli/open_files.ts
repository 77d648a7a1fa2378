// Connections are open files: the open-file limit (ulimit -n) checked before a run, and the open
// model's default --max-in-flight fitted under it.
import { Effect } from "effect";
import { UsageError } from "../domain/errors.ts";
import { openFileLimit, reservedFiles } from "../io/fd_limit.ts";

/** --max-in-flight when not given: 1000, lowered to what the open-file limit leaves for connections. */
export const defaultMaxInFlight = (): number =>
  Math.max(1, Math.min(1000, (openFileLimit() ?? Infinity) - reservedFiles));

/** Refuses `connections` (given with `flag`) that the open-file limit cannot hold, naming both. */
export const check = (flag: string, connections: number): Effect.Effect<void, UsageError> => {
  const limit = openFileLimit();
  const needed = connections + reservedFiles;
  return limit === undefined || needed <= limit ? Effect.void : Effect.fail(
    new UsageError({
      reason: "number",
      message:
        `${flag} ${connections} needs about ${needed} open files, but the limit is ${limit} ` +
        `(ulimit -n); raise it with 'ulimit -n ${needed}' or lower ${flag}`,
    }),
  );
};
