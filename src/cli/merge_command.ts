// `salvo merge FILE…`: merges JSON summaries from several runs or machines exactly, with thresholds.
import { Args, Command } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Summary from "../core/summary.ts";
import { UsageError } from "../domain/errors.ts";
import { fromRecord } from "../io/summary_record.ts";
import { html, junit, out, output, threshold } from "./common_options.ts";
import * as Report from "./reporting.ts";
import { messageOf } from "../domain/thrown.ts";

const files = Args.text({ name: "file" }).pipe(
  Args.atLeast(1),
  Args.withDescription("JSON summaries written by `salvo run -o json` or `--out`"),
);

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
}

/**
 * What a merge should not do silently: count one run twice, or mix runs of different targets or load
 * models (the numbers are still merged: the user may mean it).
 */
export const mergeWarnings = (parts: ReadonlyArray<Part>): ReadonlyArray<string> => {
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const p of parts) {
    const key = JSON.stringify([p.startedUs, p.endedUs, p.histogram]);
    const first = seen.get(key);
    if (first !== undefined) {
      warnings.push(
        `${first} and ${p.path} are the same run (same start, end and histogram): it is counted twice`,
      );
    } else seen.set(key, p.path);
  }
  const urls = [...new Set(parts.map((p) => p.url ?? "?"))];
  if (urls.length > 1) warnings.push(`the summaries are of different targets: ${urls.join(", ")}`);
  const open = parts.filter((p) => p.model === "open").map((p) => p.path);
  if (open.length > 0 && open.length < parts.length) {
    warnings.push(
      `mixes open-model runs (--rate: ${
        open.join(", ")
      }) with closed-model runs: their latencies mean different things`,
    );
  }
  return warnings;
};

/** One JSON summary (`-o json`, `--out`) as a part of a merge; each problem is one line. */
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
      const { started_us, ended_us, request, target_rps, histogram } = json as {
        started_us?: unknown;
        ended_us?: unknown;
        request?: { url?: unknown };
        target_rps?: unknown;
        histogram?: unknown;
      };
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
      });
    }),
  );

export const mergeCommand = Command.make(
  "merge",
  { files, output, threshold, junit, out, html },
  (raw) =>
    Report.reportRead(
      raw,
      Effect.gen(function* () {
        const parts = yield* Effect.forEach(raw.files, readPart);
        const warnings = mergeWarnings(parts);
        // The text summary's gate shows them on stdout; beside JSON they go to stderr as well.
        if (raw.output === "json") {
          for (const w of warnings) {
            yield* Effect.sync(() => console.error(`salvo: warning: ${w}`));
          }
        }
        const startedUs = Math.min(...parts.map((p) => p.startedUs));
        const endedUs = Math.max(...parts.map((p) => p.endedUs));
        const urls = [...new Set(parts.map((p) => p.url ?? "?"))];
        return {
          summary: Summary.mergeAll(parts.map((p) => p.summary)),
          elapsedMs: (endedUs - startedUs) / 1000,
          startedUs,
          endedUs,
          method: "",
          url: urls.length === 1 ? urls[0]! : `${urls.length} targets`,
          load: `${parts.length} summaries merged`,
          warnings,
        };
      }),
      raw.files,
    ),
).pipe(
  Command.withDescription(
    [
      "Merge JSON summaries of runs on several processes or machines: counts summed, histograms added,",
      "the time span their union; then the same summary, thresholds and exit codes as `run`.",
      "",
      "Example:",
      "  salvo merge a.json b.json c.json --threshold 'p99<100ms'",
    ].join("\n"),
  ),
);
