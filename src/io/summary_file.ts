// A JSON summary file (`-o json`, `--out`) read back: its summary, time span, windows and what it
// was a run of; `salvo merge`, `salvo compare` and `--baseline` read them.
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import type * as Summary from "../core/summary.ts";
import type { Row } from "../core/timeline.ts";
import { UsageError } from "../domain/errors.ts";
import { messageOf } from "../domain/thrown.ts";
import type { Tally } from "../core/scenario_tally.ts";
import { fromRecord } from "./summary_record.ts";
import { fromTallyRecord } from "./tally_record.ts";
import * as Windows from "./windows_record.ts";

export interface Part {
  readonly path: string;
  readonly summary: Summary.Summary;
  readonly startedUs: number;
  readonly endedUs: number;
  readonly url: string | undefined;
  /** The load model, when the summary says (`target_rps` is only in open-model runs). */
  readonly model: "open" | "closed";
  /** The encoded histogram, which with the time span identifies a run. */
  readonly histogram: unknown;
  /** The run's windows (times from its start); none in a summary written before 0.3. */
  readonly windows: ReadonlyArray<Row>;
  readonly method: string | undefined;
  /** Workers (closed model) or most requests in flight (open). */
  readonly concurrency: number | undefined;
  readonly targetRps: number | undefined;
  /** A scenario run's module and tally (its steps, groups, iterations, checks). */
  readonly scenario: { readonly module: string; readonly tally: Tally } | undefined;
}

/** A summary's `scenario` section, when it has one: its module and the tally it carries. */
const scenarioOf = (
  s: unknown,
): Either.Either<{ module: string; tally: Tally } | undefined, string> => {
  if (s === undefined) return Either.right(undefined);
  const { module, tally } = (typeof s === "object" && s !== null ? s : {}) as {
    module?: unknown;
    tally?: unknown;
  };
  if (typeof module !== "string") return Either.left("'module' is missing");
  return Either.map(fromTallyRecord(tally), (t) => ({ module, tally: t }));
};

/** One JSON summary; each problem is one line. */
export const readPart = (path: string): Effect.Effect<Part, UsageError> =>
  Effect.tryPromise({
    try: () => Deno.readTextFile(path),
    catch: (e) =>
      new UsageError({
        reason: "file",
        message: `cannot read '${path}': ${messageOf(e)}`,
      }),
  }).pipe(
    Effect.flatMap((text) => {
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(text);
      } catch {
        return Effect.fail(
          new UsageError({ reason: "file", message: `${path}: not a JSON summary` }),
        );
      }
      const summary = fromRecord(json);
      if (Either.isLeft(summary)) {
        return Effect.fail(new UsageError({ reason: "file", message: `${path}: ${summary.left}` }));
      }
      const { started_us, ended_us, request, target_rps, histogram, concurrency } = json as {
        started_us?: unknown;
        ended_us?: unknown;
        request?: { url?: unknown; method?: unknown };
        target_rps?: unknown;
        histogram?: unknown;
        concurrency?: unknown;
      };
      const scenario = scenarioOf(json.scenario);
      if (Either.isLeft(scenario)) {
        return Effect.fail(
          new UsageError({ reason: "file", message: `${path}: scenario: ${scenario.left}` }),
        );
      }
      const windows = Windows.fromJson(json.windows);
      if (Either.isLeft(windows)) {
        return Effect.fail(new UsageError({ reason: "file", message: `${path}: ${windows.left}` }));
      }
      if (typeof started_us !== "number" || typeof ended_us !== "number") {
        return Effect.fail(
          new UsageError({
            reason: "file",
            message: `${path}: 'started_us' and 'ended_us' are missing`,
          }),
        );
      }
      return Effect.succeed({
        path,
        model: target_rps === undefined ? "closed" as const : "open" as const,
        histogram,
        summary: summary.right,
        startedUs: started_us,
        endedUs: ended_us,
        url: typeof request?.url === "string" ? request.url : undefined,
        windows: windows.right,
        method: typeof request?.method === "string" ? request.method : undefined,
        concurrency: typeof concurrency === "number" ? concurrency : undefined,
        targetRps: typeof target_rps === "number" ? target_rps : undefined,
        scenario: scenario.right,
      });
    }),
  );
