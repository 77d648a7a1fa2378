// `salvo knee URL --slo …`: the highest arrival rate the server sustains within the SLO.
import { Command, Options } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Ref from "effect/Ref";
import * as Diagnosis from "../core/diagnosis.ts";
import * as Knee from "../core/knee.ts";
import * as Pacing from "../core/pacing.ts";
import * as Request from "../core/request.ts";
import * as Summary from "../core/summary.ts";
import * as Thresholds from "../core/thresholds.ts";
import { parseDuration } from "../core/units.ts";
import { RunError, UsageError } from "../domain/errors.ts";
import type { RunPlan } from "../domain/plan.ts";
import * as Engine from "../engine/run.ts";
import * as OutputStream from "../io/output_stream.ts";
import { LineSink } from "../io/results_sink.ts";
import * as AtomicFile from "../io/atomic_file.ts";
import { refuseClash } from "../io/path_clash.ts";
import * as KneeHtml from "../report/knee_html.ts";
import * as KneeReport from "../report/knee.ts";
import { output } from "./common_options.ts";
import { codes, set as setExitCode } from "./exit_code.ts";
import * as FlagRules from "./flag_rules.ts";
import * as OpenFiles from "./open_files.ts";
import * as Report from "./reporting.ts";
import {
  optional,
  requestFlags,
  requestOptions,
  type RequestPlan,
  resolveRequest,
} from "./request_options.ts";

const slo = Options.text("slo").pipe(
  Options.repeated,
  Options.withDescription(
    "The service level each step must meet, as a threshold, repeatable: p99<50ms, success_rate>=99.9%",
  ),
);
const startRate = Options.text("start-rate").pipe(
  Options.withDefault("100"),
  Options.withDescription("The first step's arrival rate (requests per second)"),
);
const maxRate = Options.text("max-rate").pipe(
  Options.withDefault("100000"),
  Options.withDescription("Never offer more than this rate"),
);
const step = Options.text("step").pipe(
  Options.withDefault("5s"),
  Options.withDescription(
    "How long each step holds its rate after the warm-up (lengthened until a percentile SLO has its samples)",
  ),
);
const warmup = Options.text("warmup").pipe(
  Options.withDefault("1s"),
  Options.withDescription("Load at the step's rate before each step, not judged"),
);
const precision = Options.text("precision").pipe(
  Options.withDefault("5%"),
  Options.withDescription("Stop bisecting when the failing rate is within this of the passing one"),
);
const requireRate = Options.text("require-rate").pipe(
  Options.optional,
  Options.withDescription("Exit 1 unless the knee is at least this rate (a CI gate)"),
);
const maxInFlight = Options.text("max-in-flight").pipe(
  Options.optional,
  Options.withDescription(
    "Most requests in flight at once; an arrival with none free is dropped (default 1000, or what ulimit -n allows)",
  ),
);
const results = Options.text("results").pipe(
  Options.optional,
  Options.withDescription(
    "Stream one NDJSON line per judged request, with its step number, to FILE ('-': stdout)",
  ),
);

const html = Options.text("html").pipe(
  Options.optional,
  Options.withDescription(
    "Write a self-contained HTML report: latency and success rate against the offered rate, the SLO drawn",
  ),
);

const options = {
  ...requestOptions,
  html,
  slo,
  startRate,
  maxRate,
  step,
  warmup,
  precision,
  requireRate,
  maxInFlight,
  results,
  output,
};

type Raw = Command.Command.ParseConfig<typeof options>;

/** Growth between steps while nothing has failed: doubling, as MLPerf's LoadGen does. */
const growth = 2;
/** Below this rate the search stops going down. */
const minRate = 1;

/** `5%` or `0.05`. */
const parsePrecision = (text: string): Effect.Effect<number, UsageError> => {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  const value = m === null ? NaN : Number(m[1]) / (m[2] === "%" ? 100 : 1);
  return value > 0 && value < 1 ? Effect.succeed(value) : Effect.fail(
    new UsageError({
      reason: "number",
      message: `--precision: '${text}' is not a share between 0 and 100%, like 5% or 0.05`,
    }),
  );
};

interface Settings {
  readonly request: RequestPlan;
  readonly slo: ReadonlyArray<Thresholds.Threshold>;
  readonly config: Knee.Config;
  readonly stepMs: number;
  readonly warmupMs: number;
  readonly requireRate: number | undefined;
  readonly maxInFlight: number;
}

const resolve = (raw: Raw): Effect.Effect<Settings, UsageError> =>
  Effect.gen(function* () {
    const conflict = FlagRules.check(new Set(requestFlags(raw)));
    if (conflict !== undefined) return yield* new UsageError({ reason: "flag", message: conflict });
    if (raw.slo.length === 0) {
      return yield* new UsageError({
        reason: "flag",
        message: "knee needs at least one --slo, like --slo 'p99<50ms'",
      });
    }
    const sloList = yield* Effect.forEach(
      raw.slo,
      (t) =>
        Thresholds.parse(t).pipe(
          Effect.mapError((e) =>
            new UsageError({ reason: e.reason, message: e.message.replace("--threshold", "--slo") })
          ),
          Effect.filterOrFail(
            (slo) => Thresholds.scenarioOnly(slo) === undefined,
            (slo) =>
              new UsageError({
                reason: "threshold",
                message: Thresholds.scenarioOnly(slo)!.replace("--threshold", "--slo"),
              }),
          ),
          Effect.filterOrFail(
            (slo) => slo.relative !== true,
            (slo) =>
              new UsageError({
                reason: "threshold",
                message:
                  `--slo '${slo.expression}': an SLO is a limit, like p99<50ms, not a change from a baseline`,
              }),
          ),
        ),
    );
    const start = yield* Pacing.parseRate(raw.startRate, "--start-rate");
    const max = yield* Pacing.parseRate(raw.maxRate, "--max-rate");
    const stepMs = yield* parseDuration("--step", raw.step);
    const warmupMs = yield* parseDuration("--warmup", raw.warmup);
    if (stepMs <= 0) {
      return yield* new UsageError({ reason: "duration", message: "--step must be longer than 0" });
    }
    const share = yield* parsePrecision(raw.precision);
    const requireRate = yield* optional(raw.requireRate, (t) =>
      Pacing.parseRate(t, "--require-rate"));
    if (start > max) {
      return yield* new UsageError({
        reason: "flag",
        message: `--start-rate ${start} is above --max-rate ${max}`,
      });
    }
    const inFlight = yield* OpenFiles.maxInFlight(raw.maxInFlight);
    yield* OpenFiles.check("--max-in-flight", inFlight);
    return {
      request: yield* resolveRequest(raw),
      slo: sloList,
      config: { startRate: start, maxRate: max, precision: share, growth, minRate },
      stepMs,
      warmupMs,
      requireRate,
      maxInFlight: inFlight,
    };
  });

/** Runs the open model at `rate` for `ms`, streaming to `sink`, and returns how it went. */
const runAt = (s: Settings, rate: number, ms: number, sink?: LineSink) =>
  Effect.gen(function* () {
    const plan: RunPlan = {
      ...s.request,
      model: { _tag: "Open", rate: { start: rate / 1000, stages: [] }, maxInFlight: s.maxInFlight },
      durationMs: ms,
      maxRequests: undefined,
    };
    const run = Engine.prepare(plan, sink);
    yield* Engine.execute(run, yield* Ref.make(Engine.emptySnapshot));
    return Engine.outcome(run);
  });

const measure = (
  s: Settings,
  rate: number,
  index: number,
  out: OutputStream.OutputStream | undefined,
) =>
  Effect.gen(function* () {
    if (s.warmupMs > 0) yield* runAt(s, rate, s.warmupMs);
    // Long enough for the SLO's percentiles to rest on their samples.
    const ms = Math.max(s.stepMs, Math.ceil((Knee.samplesNeeded(s.slo) / rate) * 1000));
    const sink = out === undefined ? undefined : new LineSink(out.out, `,"step":${index + 1}`);
    const o = yield* runAt(s, rate, ms, sink);
    if (sink?.failure !== undefined) {
      return yield* new RunError({
        reason: "output",
        message: `--results: cannot write ${out!.name}: ${sink.failure}; the search stopped`,
      });
    }
    const stats = Summary.describe(o.summary, o.scheduleMs);
    const f = Report.figures(o.summary, stats);
    const evaluations = s.slo.map((t) => Thresholds.evaluate(t, f));
    const cpuShare = Engine.cpuShare(o);
    const loopLagP99Ms = o.loopLag.valueAtPercentile(99) / 1000;
    const starvation = Diagnosis.starvation(Report.machineOf(o), o.elapsedMs);
    const outcome = Knee.judge(evaluations.every((e) => e.passed), {
      cpuShare,
      loopLagMs: o.loopLag.valueAtPercentile(90) / 1000,
      scheduleLagP99Ms: stats.scheduleLag?.p99 ?? 0,
      dropped: stats.dropped,
      slotsNeeded: (rate * stats.latencyUncorrected.mean) / 1000,
      maxInFlight: s.maxInFlight,
      starved: starvation !== undefined,
    });
    return {
      index,
      rate,
      outcome,
      stats,
      evaluations,
      cpuShare,
      loopLagP99Ms,
      ...(outcome === "starved" ? { starvation } : {}),
    } satisfies KneeReport.Step;
  });

/** The exit code: 0 a knee (at least --require-rate), 1 short of it or none, 3 salvo was the limit. */
const exitCode = (r: Knee.Result, requireRate: number | undefined): number =>
  r.limitedBy === "client" || r.limitedBy === "starved"
    ? codes.runError
    : r.kneeRps === undefined || (requireRate !== undefined && r.kneeRps < requireRate)
    ? codes.thresholdFailed
    : codes.ok;

/** The search ended on the server's behaviour, not on salvo's (its limit, or its starvation). */
const serversKnee = (r: Knee.Result): boolean =>
  r.limitedBy !== "client" && r.limitedBy !== "starved";

const handler = (raw: Raw) =>
  Effect.gen(function* () {
    const s = yield* resolve(raw);
    const json = raw.output === "json";
    const resultsPath = Option.getOrUndefined(raw.results);
    const htmlPath = Option.getOrUndefined(raw.html);
    yield* refuseClash([
      ...Report.runInputs(raw),
      { flag: "--results", path: resultsPath, role: "output" },
      { flag: "--html", path: htmlPath, role: "output" },
    ]);
    if (htmlPath !== undefined) yield* AtomicFile.check("--html", htmlPath);
    const out = resultsPath === undefined
      ? undefined
      : yield* OutputStream.open("--results", resultsPath);
    // With --results -, stdout carries the stream and the table goes to stderr.
    const print = (line: string) =>
      Effect.sync(() => (resultsPath === "-" ? console.error(line) : console.log(line)));
    const first = s.request.targets[0];
    const target = s.request.targets.length === 1
      ? `${first.method} ${Request.maskUrl(first.url)}`
      : `${s.request.targets.length} targets`;
    const measured: KneeReport.Step[] = [];
    if (!json) {
      yield* print(
        `salvo knee ${target} · SLO ${s.slo.map((t) => t.expression).join(", ")} · from ${
          KneeReport.rps(s.config.startRate)
        } req/s, ×${growth} until it breaks, then halving to ${
          Math.round(s.config.precision * 1000) / 10
        }%`,
      );
      yield* print(KneeReport.headerRow);
    }
    const summaryJson = (result: Knee.Result | undefined) =>
      JSON.stringify(
        {
          // Salvo as the limit is no knee: what the server was seen to sustain is `reached_rps`.
          knee_rps: result?.kneeRps === undefined || !serversKnee(result)
            ? null
            : Number(result.kneeRps.toFixed(3)),
          limited_by: result?.limitedBy ?? null,
          ...(result !== undefined && !serversKnee(result)
            ? {
              reached_rps: result.kneeRps === undefined ? null : Number(result.kneeRps.toFixed(3)),
              client_limit_rps: Number(measured.at(-1)!.rate.toFixed(3)),
            }
            : {}),
          failed_rps: result?.failedRps === undefined ? null : Number(result.failedRps.toFixed(3)),
          slo: s.slo.map((t) => t.expression),
          ...(s.requireRate === undefined ? {} : { require_rps: s.requireRate }),
          ...(result === undefined ? { interrupted: true } : {}),
          steps: measured.map(KneeReport.stepJson),
        },
        null,
        2,
      );
    const search = Knee.search(
      s.config,
      (rate, index) =>
        measure(s, rate, index, out).pipe(
          Effect.tap((m) => Effect.sync(() => measured.push(m))),
          Effect.map((m) => m.outcome),
        ),
      () => (json ? Effect.void : print(KneeReport.row(measured.at(-1)!))),
    );
    /** The HTML report of the steps so far: `result` undefined when the search was interrupted. */
    const writeHtml = (result: Knee.Result | undefined) =>
      htmlPath === undefined ? Effect.void : AtomicFile.write(
        "--html",
        htmlPath,
        KneeHtml.render(
          KneeReport.html(`salvo knee ${target}`, s.slo, measured, result, s.requireRate),
        ),
      );
    const { result } = yield* search.pipe(
      // Ctrl-C: the steps so far (the HTML report too), then exit 130.
      Effect.onInterrupt(() =>
        (json ? print(summaryJson(undefined)) : print(`interrupted after ${measured.length} steps`))
          .pipe(
            Effect.andThen(writeHtml(undefined)),
            Effect.catchAll((e) => Effect.sync(() => console.error(`salvo: ${e.message}`))),
          )
      ),
      Effect.ensuring(Effect.sync(() => out?.close())),
    );
    yield* print(json ? summaryJson(result) : KneeReport.verdict(result, measured, s.requireRate));
    yield* writeHtml(result);
    if (!serversKnee(result) && json) {
      yield* Effect.sync(() =>
        console.error(`salvo: ${KneeReport.verdict(result, measured, s.requireRate)}`)
      );
    }
    yield* setExitCode(exitCode(result, s.requireRate));
  });

export const kneeCommand = Command.make("knee", options, handler).pipe(
  Command.withDescription(
    [
      "Find the highest arrival rate the server sustains within an SLO: open-model steps that double",
      "the rate until the SLO breaks, then halve the gap to --precision. A step where salvo itself was",
      "the limit ends the search without a knee (exit 3).",
      "",
      "Examples:",
      "  salvo knee http://127.0.0.1:8080/ --slo 'p99<100ms'",
      "  salvo knee http://127.0.0.1:8080/api --slo 'p99<50ms' --slo 'success_rate>=99.9%' --require-rate 500",
      "",
      "Exit codes: 0 a knee (at least --require-rate) · 1 below --require-rate, or none · 2 bad usage · 3 salvo was the limit · 130 interrupted",
    ].join("\n"),
  ),
);
