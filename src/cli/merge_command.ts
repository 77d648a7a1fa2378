// `salvo merge FILE…`: merges JSON summaries from several runs or machines exactly, with thresholds.
import { Args, Command } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Summary from "../core/summary.ts";
import * as Tally from "../core/scenario_tally.ts";
import { mergeWindows } from "../core/timeline.ts";
import { type Part, readPart } from "../io/summary_file.ts";
import { allowDifferent, baseline } from "./baseline.ts";
import { html, junit, out, output, threshold } from "./common_options.ts";
import * as Report from "./reporting.ts";

const files = Args.text({ name: "file" }).pipe(
  Args.atLeast(1),
  Args.withDescription("JSON summaries written by `salvo run -o json` or `--out`"),
);

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
  const scenarios = parts.filter((p) => p.scenario !== undefined).map((p) => p.path);
  if (scenarios.length > 0 && scenarios.length < parts.length) {
    warnings.push(
      `mixes scenario runs (${
        scenarios.join(", ")
      }) with runs of a URL: the steps, iterations and checks are left out`,
    );
  }
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

/** The scenario runs' tallies merged exactly, when every part is a scenario run. */
const mergedScenario = (parts: ReadonlyArray<Part>) => {
  if (parts.some((p) => p.scenario === undefined)) return undefined;
  const modules = [...new Set(parts.map((p) => p.scenario!.module))];
  return {
    module: modules.length === 1 ? modules[0]! : `${modules.length} modules`,
    tally: Tally.mergeAll(parts.map((p) => p.scenario!.tally)),
  };
};

export const mergeCommand = Command.make(
  "merge",
  { files, output, threshold, junit, out, html, baseline, allowDifferent },
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
        const targets = [...new Set(parts.map((p) => `${p.method} ${p.url}`))];
        const models = [...new Set(parts.map((p) => p.model))];
        const scenario = mergedScenario(parts);
        return {
          summary: Summary.mergeAll(parts.map((p) => p.summary)),
          elapsedMs: (endedUs - startedUs) / 1000,
          startedUs,
          endedUs,
          method: "",
          url: scenario !== undefined
            ? `scenario ${scenario.module}`
            : urls.length === 1
            ? urls[0]!
            : `${urls.length} targets`,
          ...(scenario === undefined ? {} : {
            scenario,
            byTarget: [...scenario.tally.steps].map(([name, summary]) => ({ name, summary })),
          }),
          load: `${parts.length} summaries merged`,
          warnings,
          windows: mergeWindows(
            parts.map((p) => ({ startMs: p.startedUs / 1000, rows: p.windows })),
          ),
          identity: {
            target: targets.length === 1 && parts[0]!.method !== undefined ? targets[0] : undefined,
            model: models.length === 1 ? models[0] : undefined,
            // Parts side by side add up their concurrency; a merge is compared on its target alone.
            concurrency: undefined,
            rate: undefined,
          },
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
