// `salvo report [FILE…|-]`: the summary of results streams (per-request lines or interval records), with thresholds.
import { Args, Command, Options } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Reader from "../io/results_reader.ts";
import { allowDifferent, baseline } from "./baseline.ts";
import { html, junit, out, output, threshold } from "./common_options.ts";
import * as Report from "./reporting.ts";

const files = Args.text({ name: "file" }).pipe(
  Args.repeated,
  Args.withDescription("Results files written by `salvo run --results`; none or '-' reads stdin"),
);
const skipInvalid = Options.boolean("skip-invalid").pipe(
  Options.withDescription(
    "Skip and count lines that do not parse, instead of stopping at the first",
  ),
);

/** `GET http://…` → its method and URL, for the heading. */
const splitTarget = (target: string | undefined): { method: string; url: string } => {
  const m = target === undefined ? null : /^(\S+) (\S+)$/.exec(target);
  return m === null
    ? { method: "", url: target ?? "(no target named)" }
    : { method: m[1]!, url: m[2]! };
};

export const reportCommand = Command.make(
  "report",
  { files, skipInvalid, output, threshold, junit, out, html, baseline, allowDifferent },
  (raw) =>
    Report.reportRead(
      raw,
      Effect.gen(function* () {
        // Windows are kept for what reads them: the HTML, a baseline's comparison, the JSON.
        const windowed = Option.isSome(raw.html) || Option.isSome(raw.baseline) ||
          Option.isSome(raw.out) || raw.output === "json";
        const read = yield* Reader.read(raw.files, raw.skipInvalid, windowed);
        for (const w of read.warnings) yield* Effect.sync(() => console.error(`salvo: ${w}`));
        const source = read.intervalRecords > 0
          ? `${read.intervalRecords} interval record${read.intervalRecords === 1 ? "" : "s"}`
          : `${read.requestLines} result line${read.requestLines === 1 ? "" : "s"}`;
        return {
          // Several targets are named as such, never by the first line's alone.
          ...(read.targets > 1
            ? { method: "", url: `${read.targets}${read.targets >= 1000 ? "+" : ""} targets` }
            : splitTarget(read.target)),
          summary: read.summary,
          elapsedMs: (read.endedUs - read.startedUs) / 1000,
          startedUs: read.startedUs,
          endedUs: read.endedUs,
          timeline: Option.isSome(raw.html) ? read.timeline : undefined,
          // Steps of a scenario, or targets: a table in every output, and scoped thresholds' figures.
          byTarget: read.byTarget,
          targetsInText: true,
          windows: windowed ? Reader.windowsOf(read) : undefined,
          identity: {
            target: read.targets === 1 ? read.target : undefined,
            model: undefined,
            concurrency: undefined,
            rate: undefined,
          },
          load: `from ${source}`,
        };
      }),
      raw.files,
    ),
).pipe(
  Command.withDescription(
    [
      "Summarise results streams again: the same summary as `run`, with thresholds and the same exit codes.",
      "",
      "Examples:",
      "  salvo run http://127.0.0.1:8080/ -d 10s --results - | salvo report --threshold 'p99<50ms'",
      "  salvo report a.ndjson b.ndjson -o json",
    ].join("\n"),
  ),
);
