// `salvo run URL`: resolves flags into a plan, runs it, prints the summary.
import { Command, Options } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Ref from "effect/Ref";
import * as Pacing from "../core/pacing.ts";
import * as Request from "../core/request.ts";
import * as Thresholds from "../core/thresholds.ts";
import { parseCount, parseDuration } from "../core/units.ts";
import { UsageError } from "../domain/errors.ts";
import * as OutputStream from "../io/output_stream.ts";
import { IntervalSink } from "../io/interval_sink.ts";
import { ResultsSink } from "../io/results_sink.ts";
import { concurrencyOf, type LoadModel, type RunPlan } from "../domain/plan.ts";
import * as Engine from "../engine/run.ts";
import * as Threads from "../engine/threads.ts";
import { type Row, Timeline } from "../core/timeline.ts";
import { html, junit, out, output, threshold } from "./common_options.ts";
import { set as setExitCode } from "./exit_code.ts";
import * as FlagRules from "./flag_rules.ts";
import * as OpenFiles from "./open_files.ts";
import { optional, requestFlags, requestOptions, resolveRequest } from "./request_options.ts";
import * as Report from "./reporting.ts";
import { colourWanted, frameOf, Screen, watch } from "./watch.ts";
import { resolveThreads, threadsAtMost, threadsOption } from "./threads_option.ts";

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

const options = {
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
  abortOnFail,
  junit,
  results,
  interval,
  out,
  html,
  quiet,
  color,
};

type Raw = Command.Command.ParseConfig<typeof options>;

/** The flags given on the command line (those with a default count only when given). */
const givenFlags = (raw: Raw): ReadonlySet<string> =>
  new Set([
    ...requestFlags(raw),
    ...([
      ["--concurrency", Option.isSome(raw.concurrency)],
      ["--delay", Option.isSome(raw.delay)],
      ["--rate", Option.isSome(raw.rate)],
      ["--max-in-flight", Option.isSome(raw.maxInFlight)],
      ["--precise-pacing", raw.precisePacing],
      ["--abort-on-fail", raw.abortOnFail],
      ["--threshold", raw.threshold.length > 0],
      ["--interval", Option.isSome(raw.interval)],
      ["--results", Option.isSome(raw.results)],
    ] as const).filter(([, given]) => given).map(([flag]) => flag),
  ]);

/** Resolves raw flags into a plan and its thresholds; the first problem found is reported. */
export const resolve = (
  raw: Raw,
): Effect.Effect<
  { plan: RunPlan; thresholds: ReadonlyArray<Thresholds.Threshold>; threads: number },
  UsageError
> =>
  Effect.gen(function* () {
    const conflict = FlagRules.check(givenFlags(raw));
    if (conflict !== undefined) return yield* new UsageError({ reason: "flag", message: conflict });
    const thresholds = yield* Effect.forEach(raw.threshold, (t) => Thresholds.parse(t));
    const concurrency = yield* parseCount(
      "--concurrency",
      Option.getOrElse(raw.concurrency, () => "10"),
      1,
    );
    const durationMs = yield* optional(raw.duration, (s) => parseDuration("--duration", s));
    const maxRequests = yield* optional(raw.requests, (s) => parseCount("--requests", s, 1));
    const delayMs = yield* optional(raw.delay, (s) => parseDuration("--delay", s));
    if (durationMs === 0) {
      return yield* new UsageError({
        reason: "duration",
        message: "--duration must be longer than 0",
      });
    }
    const rateValue = yield* optional(raw.rate, Pacing.parseRate);
    const stageList = yield* optional(raw.stages, Pacing.parseStages);
    // Threads hold files too; until the model is known, plan for as many as could run.
    const mostThreads = yield* threadsAtMost(raw.threads);
    const inFlight = yield* OpenFiles.maxInFlight(raw.maxInFlight, mostThreads);
    const ramp = stageList ?? [];
    const model: LoadModel = rateValue !== undefined
      ? {
        _tag: "Open",
        rate: {
          start: rateValue / 1000,
          stages: ramp.map((st) => ({ ...st, target: st.target / 1000 })),
        },
        maxInFlight: inFlight,
        ...(raw.precisePacing ? { spinMs: precisePacingSpinMs } : {}),
      }
      : { _tag: "Closed", workers: { start: concurrency, stages: ramp }, delayMs: delayMs ?? 0 };
    if (model._tag === "Closed" && concurrencyOf(model) < 1) {
      return yield* new UsageError({
        reason: "flag",
        message: "--stages: the ramp never has a worker",
      });
    }
    // Each worker (closed) or request in flight (open) holds a connection: an open file.
    yield* OpenFiles.check(
      model._tag === "Closed" ? "-c" : "--max-in-flight",
      concurrencyOf(model),
      Math.min(mostThreads, concurrencyOf(model)),
    );
    const rampMs = ramp.reduce((t, st) => t + st.durationMs, 0);
    const plan: RunPlan = {
      ...(yield* resolveRequest(raw)),
      model,
      durationMs: durationMs ??
        (rampMs > 0 ? rampMs : maxRequests === undefined ? 10_000 : undefined),
      maxRequests,
    };
    const threads = yield* resolveThreads(raw.threads, model, maxRequests);
    return { plan, thresholds, threads };
  });

/**
 * --precise-pacing yields to the event loop (a few µs) instead of sleeping for this long before each
 * arrival: timers fire 1–2 ms late on this runtime, so 2 ms covers their lateness.
 */
const precisePacingSpinMs = 2;

/** The live view's first line: what is sent, and how load is made. */
const titleOf = (plan: RunPlan): string => {
  const first = plan.targets[0];
  const what = plan.targets.length === 1
    ? `${first.method} ${Request.maskUrl(first.url)}`
    : `${plan.targets.length} targets`;
  const m = plan.model;
  return `${what} · ${
    m._tag === "Open"
      ? `${Number((Pacing.valueAt(m.rate, 0) * 1000).toFixed(3))} req/s${
        m.rate.stages.length > 0 ? " (ramped)" : ""
      }`
      : `${concurrencyOf(m)} workers${m.workers.stages.length > 0 ? " (ramped)" : ""}`
  }`;
};

/** The open model's planned arrivals per second in each window of `rows`. */
const intendedRps = (
  plan: RunPlan,
  rows: ReadonlyArray<Row>,
): ReadonlyArray<number> | undefined => {
  const m = plan.model;
  if (m._tag !== "Open") return undefined;
  const end = plan.durationMs ?? Number.POSITIVE_INFINITY;
  return rows.map((r) => {
    const a = Math.min(r.startMs, end), b = Math.min(r.endMs, end);
    return r.endMs > r.startMs
      ? ((Pacing.integral(m.rate, b) - Pacing.integral(m.rate, a)) * 1000) / (r.endMs - r.startMs)
      : 0;
  });
};

const runHandler = (raw: Raw) =>
  Effect.gen(function* () {
    const { plan, thresholds, threads } = yield* resolve(raw);
    const resultsPath = Option.getOrUndefined(raw.results);
    const intervalMs = yield* optional(raw.interval, (t) => parseDuration("--interval", t));
    if (intervalMs !== undefined && intervalMs <= 0) {
      return yield* new UsageError({
        reason: "flag",
        message: "--interval needs --results FILE and a duration above 0, like --interval 1s",
      });
    }
    const files = {
      junit: Option.getOrUndefined(raw.junit),
      out: Option.getOrUndefined(raw.out),
      summaryToStderr: resultsPath === "-",
      results: resultsPath,
      html: Option.getOrUndefined(raw.html),
    };
    yield* Report.checkFiles(files);
    const sink = resultsPath === undefined
      ? undefined
      : yield* openResults(resultsPath, plan, intervalMs);
    const htmlPath = Option.getOrUndefined(raw.html);
    const live = !raw.quiet && Deno.stderr.isTerminal();
    // The live view and the HTML report read every snapshot's whole summary; other runs skip it.
    const detail = live || htmlPath !== undefined;
    const run = Threads.prepare(plan, threads, sink?.sink, detail);
    const progress = yield* Ref.make<Engine.Snapshot>(Engine.emptySnapshot);
    const timeline = new Timeline(1000);
    const stopWhen = raw.abortOnFail && thresholds.length > 0
      ? (s: Engine.Snapshot) => thresholds.some((t) => Thresholds.cannotPass(t, snapshotFigures(s)))
      : undefined;
    const execute = run.execute(progress, stopWhen);
    const title = titleOf(plan);
    const screen = live
      ? {
        screen: new Screen(Deno.stderr),
        frame: (s: Engine.Snapshot) => frameOf(title, plan, threads, s, timeline),
        colour: colourWanted(raw.color),
      }
      : undefined;
    const load = detail
      ? Effect.scoped(
        Effect.forkScoped(watch(progress, timeline, screen)).pipe(Effect.andThen(execute)),
      )
      : execute;
    const finish = Effect.suspend(() => {
      const o = run.outcome();
      if (detail) timeline.close(o.elapsedMs, o.summary);
      return Report.report(
        {
          ...Report.runSubject(
            plan,
            o,
            Math.round((performance.timeOrigin + run.startedAt()) * 1000),
          ),
          ...(detail
            ? { timeline: timeline.rows, intendedRps: intendedRps(plan, timeline.rows) }
            : {}),
        },
        thresholds,
        raw.output,
        files,
      );
    }).pipe(Effect.ensuring(Effect.sync(() => sink?.close())));
    // The summary is printed however the run ends, Ctrl-C included (the exit code is then 130).
    const code = yield* load.pipe(
      Effect.onInterrupt(() => Effect.ignore(finish)),
      Effect.andThen(finish),
    );
    yield* setExitCode(code);
  });

/** Opens the --results destination before the run, so an unwritable path stops salvo before any request. */
const openResults = (path: string, plan: RunPlan, intervalMs: number | undefined) =>
  Effect.map(OutputStream.open("--results", path), (o) => {
    const first = plan.targets[0];
    const target = plan.targets.length === 1
      ? `${first.method} ${Request.maskUrl(first.url)}`
      : `${plan.targets.length} targets`;
    return {
      sink: intervalMs === undefined
        ? new ResultsSink(o.out)
        : new IntervalSink(o.out, intervalMs, target),
      close: o.close,
    };
  });

/** Mid-run figures for --abort-on-fail: counts and max latency (the ones that only grow). */
const snapshotFigures = (s: Engine.Snapshot): Thresholds.Figures => ({
  requests: s.requests,
  successes: s.successes,
  failures: s.failures,
  rps: 0,
  latencyMs: (name) => (name === "max" ? s.maxUs / 1000 : 0),
  percentileMs: () => 0,
});

export const runCommand = Command.make("run", options, runHandler).pipe(
  Command.withDescription(
    [
      "Send HTTP requests from concurrent workers for a duration or a count, then print a summary.",
      "",
      "Examples:",
      "  salvo run http://127.0.0.1:8080/health -c 8 -d 3s --delay 5ms",
      "  salvo run https://api.example.test/items -n 1000 -c 50 -H 'Authorization: Bearer $TOKEN'",
      "  salvo run http://127.0.0.1:8080/ -X POST --body-file payload.json -o json | jq .latency_ms",
      "",
      "  salvo run http://127.0.0.1:8080/ -c 8 -d 3s --threshold 'requests>=15' --threshold 'p(95)<300ms'",
      "  salvo run http://127.0.0.1:8080/ --rate 500 --stages 10s:2000,1m:2000,10s:0   # open model, ramped",
      "",
      "Exit codes: 0 ok · 1 a threshold failed · 2 bad usage or input · 3 salvo could not do its job · 130 interrupted",
    ].join("\n"),
  ),
);
