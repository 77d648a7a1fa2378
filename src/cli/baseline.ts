// A run read back to be compared with (`salvo compare`, `--baseline`): its windows, its whole-run
// figures and what it was a run of, so that a comparison of two different tests is refused.
import { Options } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Compare from "../core/compare.ts";
import * as Summary from "../core/summary.ts";
import type { Threshold } from "../core/thresholds.ts";
import type { Row } from "../core/timeline.ts";
import { UsageError } from "../domain/errors.ts";
import * as Reader from "../io/results_reader.ts";
import { readPart } from "../io/summary_file.ts";

/** What a run was a run of; a field undefined is not known (a results stream says only its target). */
export interface Identity {
  /** `METHOD URL` (secrets masked). */
  readonly target: string | undefined;
  readonly model: "open" | "closed" | undefined;
  /** Workers (closed model) or most requests in flight (open). */
  readonly concurrency: number | undefined;
  /** The open model's arrivals per second. */
  readonly rate: number | undefined;
}

export interface Side {
  readonly path: string;
  readonly summary: Summary.Summary;
  readonly stats: Summary.Stats;
  /** The windows the statistics use (times from the run's start); none for an old JSON summary. */
  readonly rows: ReadonlyArray<Row>;
  readonly windowMs: number | undefined;
  readonly identity: Identity;
}

const usage = (message: string) => new UsageError({ reason: "file", message });

/** A side from what its file held: the summary over its time span, and its windows. */
const sideOf = (
  path: string,
  summary: Summary.Summary,
  spanUs: number,
  windows: ReadonlyArray<Row>,
  identity: Identity,
): Side => {
  const rows = Compare.fullWindows(windows);
  return {
    path,
    summary,
    stats: Summary.describe(summary, spanUs / 1000),
    rows,
    windowMs: rows.length > 0 ? rows[0]!.endMs - rows[0]!.startMs : undefined,
    identity,
  };
};

/** A JSON summary (`-o json`, `--out`), read as `merge` reads one, with its windows. */
const jsonSummary = (path: string, streamProblem: string) =>
  readPart(path).pipe(
    Effect.mapError((e) =>
      e.message.startsWith("cannot read") ||
        /^: (window \d|'windows')/.test(e.message.slice(path.length))
        ? e
        : usage(`${path}: neither a salvo results stream nor a JSON summary (${streamProblem})`)
    ),
    Effect.map((part) =>
      sideOf(path, part.summary, part.endedUs - part.startedUs, part.windows, {
        target: part.method === undefined || part.url === undefined
          ? undefined
          : `${part.method} ${part.url}`,
        model: part.model,
        concurrency: part.concurrency,
        rate: part.targetRps,
      })
    ),
  );

/** A results stream, a stream of interval records, or a JSON summary, whichever `path` holds. */
export const readSide = (path: string): Effect.Effect<Side, UsageError> =>
  Reader.read([path], false, true).pipe(
    Effect.map((r) =>
      sideOf(path, r.summary, r.endedUs - r.startedUs, Reader.windowsOf(r), {
        target: r.targets === 1 ? r.target : undefined,
        model: undefined,
        concurrency: undefined,
        rate: undefined,
      })
    ),
    Effect.catchAll((e) =>
      e.message.startsWith("cannot read") ? Effect.fail(e) : jsonSummary(path, e.message)
    ),
  );

/** How two runs differ in what they tested, each as `what: base vs new`; only what both say counts. */
export const differences = (base: Identity, next: Identity): ReadonlyArray<string> => {
  const out: string[] = [];
  const differ = <A>(what: string, a: A | undefined, b: A | undefined) => {
    if (a !== undefined && b !== undefined && a !== b) out.push(`${what} ${a} vs ${b}`);
  };
  differ("target", base.target, next.target);
  differ("load model", base.model, next.model);
  if (base.model === next.model) {
    differ(
      base.model === "open" ? "most in flight" : "concurrency",
      base.concurrency,
      next.concurrency,
    );
    differ("rate", base.rate, next.rate);
  }
  return out;
};

/**
 * Refuses to compare runs of different tests, or with `allow` says how they differ as a warning
 * (none when they do not).
 */
export const checkSame = (
  base: Side,
  next: Identity,
  nextName: string,
  allow: boolean,
): Effect.Effect<ReadonlyArray<string>, UsageError> => {
  const diff = differences(base.identity, next);
  if (diff.length === 0) return Effect.succeed([]);
  const what = `${base.path} and ${nextName} are runs of different tests: ${diff.join("; ")}`;
  return allow
    ? Effect.succeed([`${what} (compared anyway: --allow-different)`])
    : Effect.fail(usage(`${what}; to compare them anyway, add --allow-different`));
};

/** How to record a run a relative threshold can be judged against. */
export const recordHint =
  "record it with `salvo run … --out FILE` (its windows are in the JSON) or `--results FILE --interval 1s`";

/**
 * The baseline relative thresholds are judged against: none without relative thresholds, refused
 * when one needs it and it is missing or has no windows.
 */
export const forThresholds = (
  thresholds: ReadonlyArray<Threshold>,
  path: string | undefined,
): Effect.Effect<Side | undefined, UsageError> =>
  Effect.gen(function* () {
    const relative = thresholds.find((t) => t.relative === true);
    if (path === undefined) {
      if (relative === undefined) return undefined;
      return yield* new UsageError({
        reason: "threshold",
        message:
          `--threshold '${relative.expression}' is a change from a baseline: give --baseline FILE, an earlier run's JSON summary or results stream`,
      });
    }
    const side = yield* readSide(path);
    if (relative !== undefined && side.rows.length < Compare.minWindows) {
      return yield* usage(
        `--baseline ${path}: ${side.rows.length} windows, and '${relative.expression}' needs ${Compare.minWindows}; ${recordHint}`,
      );
    }
    return side;
  });

export const baseline = Options.text("baseline").pipe(
  Options.optional,
  Options.withDescription(
    "An earlier run (JSON summary or results stream) that relative thresholds like 'p99<+10%' are judged against",
  ),
);

export const allowDifferent = Options.boolean("allow-different").pipe(
  Options.withDescription(
    "Compare runs of different targets, methods, models or concurrency (with a warning) instead of refusing",
  ),
);
