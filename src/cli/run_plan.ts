// `salvo run`'s flags → its plan: every check of what was given, each refusal one line (exit 2).
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Pacing from "../core/pacing.ts";
import * as Thresholds from "../core/thresholds.ts";
import { parseCount, parseDuration } from "../core/units.ts";
import { UsageError } from "../domain/errors.ts";
import { concurrencyOf, type LoadModel, type RunPlan } from "../domain/plan.ts";
import * as FlagRules from "./flag_rules.ts";
import { metricsFlags, type MetricsPlan, resolveMetrics } from "./metrics_options.ts";
import * as OpenFiles from "./open_files.ts";
import { optional, requestFlags, resolveRequest } from "./request_options.ts";
import type { Raw } from "./run_options.ts";
import { resolveThreads, threadsAtMost } from "./threads_option.ts";
import { resolveScenario } from "./scenario_options.ts";
import { isScenarioPath } from "../io/scenario_module.ts";

/** The flags given on the command line (those with a default count only when given). */
const givenFlags = (raw: Raw): ReadonlySet<string> =>
  new Set([
    ...requestFlags(raw),
    ...metricsFlags(raw),
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
      ["--baseline", Option.isSome(raw.baseline)],
      ["--allow-different", raw.allowDifferent],
    ] as const).filter(([, given]) => given).map(([flag]) => flag),
  ]);

/** Resolves raw flags into a plan and its thresholds; the first problem found is reported. */
export const resolve = (
  raw: Raw,
): Effect.Effect<
  {
    plan: RunPlan;
    thresholds: ReadonlyArray<Thresholds.Threshold>;
    threads: number;
    /** --interval: the results stream's window, when given. */
    intervalMs: number | undefined;
    /** --metrics-listen, --metrics-push and their labels, when either was given. */
    metrics: MetricsPlan | undefined;
  },
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
    const scenarioPath = Option.getOrUndefined(raw.url);
    const isScenario = scenarioPath !== undefined && isScenarioPath(scenarioPath);
    const refused = isScenario ? refusedWithScenario(raw) : needsScenario(raw);
    if (refused !== undefined) return yield* new UsageError({ reason: "flag", message: refused });
    const notScenario = isScenario
      ? undefined
      : thresholds.map(Thresholds.scenarioOnly).find((m) => m !== undefined);
    if (notScenario !== undefined) {
      return yield* new UsageError({ reason: "threshold", message: notScenario });
    }
    const scenario = isScenario ? yield* resolveScenario(scenarioPath, raw) : undefined;
    const plan: RunPlan = {
      ...(yield* resolveRequest(
        // A scenario's requests come from its module: the base URL stands for what is sent.
        isScenario ? { ...raw, url: Option.some(scenario?.baseUrl ?? "http://localhost/") } : raw,
      )),
      ...(scenario === undefined ? {} : { scenario }),
      model,
      durationMs: durationMs ??
        (rampMs > 0 ? rampMs : maxRequests === undefined ? 10_000 : undefined),
      maxRequests,
    };
    const threads = yield* resolveThreads(raw.threads, plan);
    const intervalMs = yield* optional(raw.interval, (t) => parseDuration("--interval", t));
    if (intervalMs !== undefined && intervalMs <= 0) {
      return yield* new UsageError({
        reason: "flag",
        message: "--interval needs --results FILE and a duration above 0, like --interval 1s",
      });
    }
    const metrics = yield* resolveMetrics(raw, plan);
    return { plan, thresholds, threads, intervalMs, metrics };
  });

/** Flags a scenario's module does the work of (or that it cannot use yet): the first one given. */
const refusedWithScenario = (raw: Raw): string | undefined => {
  const given: ReadonlyArray<readonly [string, boolean]> = [
    ["--targets", Option.isSome(raw.targets)],
    ["--method", raw.method !== "GET"],
    ["--header", raw.header.length > 0],
    ["--body", Option.isSome(raw.body)],
    ["--body-file", Option.isSome(raw.bodyFile)],
    ["--follow-redirects", Option.isSome(raw.followRedirects)],
    ["--streams", Option.isSome(raw.streams)],
  ];
  const flag = given.find(([, g]) => g)?.[0];
  return flag === undefined
    ? undefined
    : flag === "--streams"
    ? "--streams does not apply to a scenario: each user has its own connection, one request at a time"
    : `${flag} does not apply to a scenario: its module says what each request sends`;
};

/** Scenario flags given to a run of a URL. */
const needsScenario = (raw: Raw): string | undefined => {
  const flag = ([
    ["--base-url", Option.isSome(raw.baseUrl)],
    ["--data", Option.isSome(raw.data)],
    ["--data-order", Option.isSome(raw.dataOrder)],
  ] as const).find(([, g]) => g)?.[0];
  return flag === undefined ? undefined : `${flag} is for a scenario: salvo run FLOW.ts ${flag} …`;
};

/**
 * --precise-pacing yields to the event loop (a few µs) instead of sleeping for this long before each
 * arrival: timers fire 1–2 ms late on this runtime, so 2 ms covers their lateness.
 */
const precisePacingSpinMs = 2;
