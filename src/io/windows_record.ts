// A JSON summary's `windows` read back (src/report/json.ts writes them): what `salvo compare` and
// relative thresholds (`--baseline`) judge a change by.
import * as Either from "effect/Either";
import type { Row } from "../core/timeline.ts";

const numbers = [
  "start_ms",
  "end_ms",
  "requests",
  "successes",
  "rps",
  "p50",
  "p90",
  "p99",
  "p99_9",
  "max",
] as const;

/** The `windows` of a JSON summary as rows; absent means none (a summary written before 0.3). */
export const fromJson = (json: unknown): Either.Either<ReadonlyArray<Row>, string> => {
  if (json === undefined) return Either.right([]);
  if (!Array.isArray(json)) return Either.left("'windows' is not a list");
  const rows: Row[] = [];
  for (const [i, w] of json.entries()) {
    const bad = numbers.find((k) => typeof w?.[k] !== "number" || !Number.isFinite(w[k]));
    if (bad !== undefined) return Either.left(`window ${i + 1} has no number '${bad}'`);
    rows.push({
      startMs: w.start_ms,
      endMs: w.end_ms,
      requests: w.requests,
      successes: w.successes,
      rps: w.rps,
      dropped: 0,
      p50: w.p50,
      p90: w.p90,
      p99: w.p99,
      p999: w.p99_9,
      max: w.max,
      status: {},
      errors: {},
    });
  }
  return Either.right(rows);
};
