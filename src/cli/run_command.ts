// `salvo run URL`: the handler: resolves the flags (run_plan.ts), runs the plan with the live view
// and the timeline watching, reports.
import { Command } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Ref from "effect/Ref";
import * as Pacing from "../core/pacing.ts";
import { otherStep } from "../core/scenario_tally.ts";
import * as Request from "../core/request.ts";
import * as Thresholds from "../core/thresholds.ts";
import { type Row, Timeline } from "../core/timeline.ts";
import { concurrencyOf, type RunPlan } from "../domain/plan.ts";
import * as Engine from "../engine/run.ts";
import * as Threads from "../engine/threads.ts";
import { IntervalSink } from "../io/interval_sink.ts";
import * as OutputStream from "../io/output_stream.ts";
import { LineSink } from "../io/results_sink.ts";
import { codes, set as setExitCode } from "./exit_code.ts";
import { checkSame, forThresholds, type Identity } from "./baseline.ts";
import * as Metrics from "./metrics_export.ts";
import * as Report from "./reporting.ts";
import { options, type Raw } from "./run_options.ts";
import { resolve } from "./run_plan.ts";
import { teardown } from "./scenario_options.ts";
import { shortPlace } from "../io/scenario_module.ts";
import { colourWanted, frameOf, Screen, watch } from "./watch.ts";

/** What is sent, as the live view, the results stream and a baseline name it (secrets masked). */
const targetOf = (plan: RunPlan): string =>
  plan.scenario !== undefined
    ? `scenario ${shortPlace(plan.scenario.url)}`
    : plan.targets.length === 1
    ? `${plan.targets[0].method} ${Request.maskUrl(plan.targets[0].url)}`
    : `${plan.targets.length} targets`;

/** The live view's first line: what is sent, and how load is made. */
const titleOf = (plan: RunPlan): string => {
  const what = targetOf(plan);
  const m = plan.model;
  return `${what} · ${
    m._tag === "Open"
      ? `${Number((Pacing.valueAt(m.rate, 0) * 1000).toFixed(3))} req/s${
        m.rate.stages.length > 0 ? " (ramped)" : ""
      }`
      : `${concurrencyOf(m)} ${plan.scenario === undefined ? "workers" : "users"}${
        m.workers.stages.length > 0 ? " (ramped)" : ""
      }`
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
    const { plan, thresholds, threads, intervalMs, metrics } = yield* resolve(raw);
    const resultsPath = Option.getOrUndefined(raw.results);
    const files = {
      junit: Option.getOrUndefined(raw.junit),
      out: Option.getOrUndefined(raw.out),
      summaryToStderr: resultsPath === "-",
      results: resultsPath,
      html: Option.getOrUndefined(raw.html),
    };
    const baselinePath = Option.getOrUndefined(raw.baseline);
    yield* Report.checkFiles(files, [
      ...Report.runInputs(raw),
      { flag: "--baseline", path: baselinePath, role: "input" },
    ]);
    // Read and checked before the first request: a baseline of another test stops salvo here.
    const baseline = yield* forThresholds(thresholds, baselinePath);
    const differ = baseline === undefined
      ? []
      : yield* checkSame(baseline, identityOf(plan), "this run", raw.allowDifferent);
    const sink = resultsPath === undefined
      ? undefined
      : yield* openResults(resultsPath, plan, intervalMs);
    const htmlPath = Option.getOrUndefined(raw.html);
    const live = !raw.quiet && Deno.stderr.isTerminal();
    // The live view, the HTML report, the metrics and the JSON's windows (what a later comparison
    // reads) need every snapshot's whole summary; other runs skip it.
    const detail = live || htmlPath !== undefined || metrics !== undefined ||
      baseline !== undefined || files.out !== undefined || raw.output === "json";
    const run = Threads.prepare(plan, threads, sink?.sink, detail);
    const progress = yield* Ref.make<Engine.Snapshot>(Engine.emptySnapshot);
    // Bound before the first request: a port in use stops salvo here (exit 2).
    const exporter = metrics === undefined
      ? undefined
      : yield* Metrics.start(metrics, plan, threads, progress);
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
            ? {
              timeline: timeline.rows,
              intendedRps: intendedRps(plan, timeline.rows),
              windows: timeline.rows,
            }
            : {}),
          warnings: differ,
        },
        thresholds,
        raw.output,
        files,
        baseline,
      );
    }).pipe(Effect.ensuring(Effect.sync(() => sink?.close())));
    // The summary is printed however the run ends, Ctrl-C included (the exit code is then 130).
    const code = yield* load.pipe(
      Effect.onInterrupt(() => Effect.ignore(finish)),
      Effect.andThen(exporter?.ended ?? Effect.void),
      // A scenario's teardown(), once the load is over and before the summary.
      Effect.andThen(plan.scenario === undefined ? Effect.void : teardown(plan.scenario)),
      Effect.andThen(finish),
    );
    // The last push and the final scrape come after the summary, so that neither delays it.
    const delivered = exporter === undefined ? true : yield* exporter.finish(raw.quiet);
    yield* setExitCode(
      !delivered && metrics?.required === true && code <= codes.thresholdFailed
        ? codes.runError
        : code,
    );
  }).pipe(Effect.scoped);

/** What the plan is a run of, to refuse a baseline of another test. */
const identityOf = (plan: RunPlan): Identity => {
  const m = plan.model;
  return {
    target: targetOf(plan),
    model: m._tag === "Open" ? "open" : "closed",
    // As the outcome counts it (src/engine/run.ts): HTTP/2 streams are concurrent requests.
    concurrency: concurrencyOf(m) * (m._tag === "Closed" ? plan.transport.streams : 1),
    rate: m._tag === "Open" && m.rate.stages.length === 0
      ? Number((m.rate.start * 1000).toFixed(3))
      : undefined,
  };
};

/** What --interval records name the requests of targets (or steps) past the ones they keep apart. */
const othersOf = (plan: RunPlan): string | undefined =>
  plan.scenario !== undefined ? otherStep : plan.targets.length > 1 ? "(other targets)" : undefined;

/** Opens the --results destination before the run, so an unwritable path stops salvo before any request. */
const openResults = (path: string, plan: RunPlan, intervalMs: number | undefined) =>
  Effect.map(OutputStream.open("--results", path), (o) => {
    const target = targetOf(plan);
    return {
      sink: intervalMs === undefined
        ? new LineSink(o.out)
        : new IntervalSink(o.out, intervalMs, target, othersOf(plan)),
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
