// Options shared by run, report and merge: the summary's format, the CI gate, and output files.
import { Options } from "@effect/cli";

export const output = Options.choice("output", ["text", "json"]).pipe(
  Options.withAlias("o"),
  Options.withDefault("text" as const),
  Options.withDescription("Summary format on stdout"),
);
export const threshold = Options.text("threshold").pipe(
  Options.repeated,
  Options.withDescription(
    "Pass/fail gate 'METRIC OP VALUE', repeatable: requests>=15, success_rate>=85%, p95<300ms, max<2s, rps>100",
  ),
);
export const junit = Options.text("junit").pipe(
  Options.optional,
  Options.withDescription("Write the thresholds as JUnit XML to this file"),
);
export const html = Options.text("html").pipe(
  Options.optional,
  Options.withDescription(
    "Also write a self-contained HTML report to FILE (atomically): summary, gate, charts",
  ),
);
export const out = Options.text("out").pipe(
  Options.optional,
  Options.withDescription("Also write the JSON summary to FILE (atomically)"),
);
