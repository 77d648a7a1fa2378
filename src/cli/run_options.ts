// `salvo run`'s options as @effect/cli declares them (their help, with types and defaults, is
// src/cli/help.ts); what they mean is src/cli/run_plan.ts.
import { Command, Options } from "@effect/cli";
import { allowDifferent, baseline } from "./baseline.ts";
import { html, junit, out, output, threshold } from "./common_options.ts";
import { metricsOptions } from "./metrics_options.ts";
import { requestOptions } from "./request_options.ts";
import { threadsOption } from "./threads_option.ts";

const concurrency = Options.text("concurrency").pipe(
  Options.withAlias("c"),
  Options.optional,
  Options.withDescription(
    "Concurrent workers, each with its own keep-alive connection (default 10)",
  ),
);
const duration = Options.text("duration").pipe(
  Options.withAlias("d"),
  Options.optional,
  Options.withDescription(
    "How long to send: 500ms, 3s, 2m (default 10s, or unbounded with -n alone)",
  ),
);
const requests = Options.text("requests").pipe(
  Options.withAlias("n"),
  Options.optional,
  Options.withDescription("Stop after this many requests (with -d, whichever comes first)"),
);
const delay = Options.text("delay").pipe(
  Options.optional,
  Options.withDescription("Pause between one worker's requests, e.g. 20ms"),
);
const rate = Options.text("rate").pipe(
  Options.optional,
  Options.withDescription(
    "Open model: arrivals per second (200, 200/s, 12000/m) whatever the responses do; latency counts from each request's intended start",
  ),
);
const stages = Options.text("stages").pipe(
  Options.optional,
  Options.withDescription(
    "Ramps 'DURATION:TARGET,…' (10s:100,1m:100,10s:0): of the rate with --rate, else of the worker count, starting from --rate or -c",
  ),
);
const maxInFlight = Options.text("max-in-flight").pipe(
  Options.optional,
  Options.withDescription(
    "Open model: most requests in flight at once; an arrival with none free is dropped (default 1000, or what ulimit -n allows)",
  ),
);
const precisePacing = Options.boolean("precise-pacing").pipe(
  Options.withDescription(
    "Open model: wait out the last 2 ms before each arrival without a timer, so sends leave within microseconds of plan (costs up to a CPU core per thread)",
  ),
);
const abortOnFail = Options.boolean("abort-on-fail").pipe(
  Options.withDescription(
    "Stop as soon as a threshold can no longer pass (e.g. failures<=3 exceeded)",
  ),
);
const results = Options.text("results").pipe(
  Options.optional,
  Options.withDescription(
    "Stream one NDJSON line per request to FILE, or to stdout with '-' (the summary then goes to stderr)",
  ),
);
const interval = Options.text("interval").pipe(
  Options.optional,
  Options.withDescription(
    "With --results: write one record per window of this length (counts and histogram) instead of a line per request",
  ),
);
const color = Options.choice("color", ["auto", "always", "never"]).pipe(
  Options.withDefault("auto" as const),
  Options.withDescription(
    "Colour in the live view: auto (a terminal without NO_COLOR), always, never",
  ),
);
const quiet = Options.boolean("quiet").pipe(
  Options.withAlias("q"),
  Options.withDescription("No live view on stderr"),
);

const baseUrl = Options.text("base-url").pipe(
  Options.optional,
  Options.withDescription("Scenario: where its relative URLs point, e.g. http://127.0.0.1:8080"),
);
const data = Options.text("data").pipe(
  Options.optional,
  Options.withDescription("Scenario: rows for its users, CSV with a header, JSON array or NDJSON"),
);
const dataOrder = Options.choice("data-order", ["unique", "round-robin", "random"]).pipe(
  Options.optional,
  Options.withDescription("Scenario: --data rows each once across the run, in turn, or at random"),
);

export const options = {
  ...requestOptions,
  concurrency,
  threads: threadsOption,
  duration,
  requests,
  delay,
  rate,
  stages,
  maxInFlight,
  precisePacing,
  output,
  threshold,
  baseline,
  allowDifferent,
  abortOnFail,
  junit,
  results,
  interval,
  out,
  html,
  quiet,
  color,
  ...metricsOptions,
  baseUrl,
  data,
  dataOrder,
};

export type Raw = Command.Command.ParseConfig<typeof options>;
