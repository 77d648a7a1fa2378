// Reporting a summary: evaluate thresholds, diagnose a run, print the summary and gate, write files; yields the exit code.
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Compare from "../core/compare.ts";
import * as Diagnosis from "../core/diagnosis.ts";
import * as Relative from "../core/relative.ts";
import * as Request from "../core/request.ts";
import * as Summary from "../core/summary.ts";
import * as Thresholds from "../core/thresholds.ts";
import { RunError, UsageError } from "../domain/errors.ts";
import type { LoadModel, RunPlan, ScenarioPlan, Transport } from "../domain/plan.ts";
import { busiestThread, cpuShare, type Outcome } from "../engine/run.ts";
import * as AtomicFile from "../io/atomic_file.ts";
import { type NamedPath, refuseClash } from "../io/path_clash.ts";
import { toTallyRecord } from "../io/tally_record.ts";
import * as Tally from "../core/scenario_tally.ts";
import * as ScenarioFigures from "../core/scenario_figures.ts";
import { shortPlace } from "../io/scenario_module.ts";
import { toRecord } from "../io/summary_record.ts";
import { writeFailure } from "../io/whole_write.ts";
import type { Row } from "../core/timeline.ts";
import * as Document from "../report/document.ts";
import * as Html from "../report/html.ts";
import * as Junit from "../report/junit.ts";
import * as Text from "../report/text.ts";
import { codes, type ExitCode, set as setExitCode } from "./exit_code.ts";
import { checkSame, forThresholds, type Identity, type Side } from "./baseline.ts";

/** The figures thresholds are judged by. */
export const figures = ScenarioFigures.ofStats;

/** The most frequent failure: a transport reason or a failing status, with its count. */
export const topFailure = (stats: Summary.Stats): { what: string; count: number } | undefined => {
  const failing = [
    ...Object.entries(stats.errors).map(([what, count]) => ({ what, count: count ?? 0 })),
    ...Object.entries(stats.statusCodes)
      .filter(([code]) => Number(code) >= 400)
      .map(([what, count]) => ({ what: `status ${what}`, count })),
  ].sort((a, b) => b.count - a.count);
  return failing[0];
};

/** The machine's figures as the diagnosis reads them: the most delayed thread's wait stands for all. */
export const machineOf = (o: Outcome): Diagnosis.Machine => {
  const waits = o.threads.map((t) => t.waitShare);
  return {
    busyShare: o.host.busyShare,
    stealShare: o.host.stealShare,
    othersShare: o.host.othersShare,
    waitMs: o.host.waitMs,
    waitShare: waits.length === 0 || waits.some((w) => w === undefined)
      ? undefined
      : Math.max(...(waits as number[])),
    throttledMs: o.host.throttledMs,
  };
};

export const diagnose = (
  o: Outcome,
  stats: Summary.Stats,
  evaluations: ReadonlyArray<Thresholds.Evaluation>,
  http2Streams?: number,
): Diagnosis.Diagnosis =>
  Diagnosis.diagnose({
    concurrency: o.concurrency,
    ...(http2Streams === undefined ? {} : { http2Streams }),
    elapsedMs: o.elapsedMs,
    requests: stats.requests,
    failures: stats.failures,
    rps: stats.rps,
    meanLatencyMs: stats.latencyUncorrected.mean,
    delayMs: o.delayMs,
    pausedMs: o.pausedMs,
    // Each thread is judged on its own: one saturated thread limits the run however idle the others.
    loopLagP99Ms: Math.max(0, ...o.threads.map((t) => t.loopLagP99Ms)),
    cpuShare: busiestThread(o).thread.cpuShare,
    machine: machineOf(o),
    ...(o.threads.length > 1
      ? { thread: { index: busiestThread(o).index, count: o.threads.length } }
      : {}),
    topFailure: topFailure(stats),
    failedMetrics: evaluations.filter((e) => !e.passed).map((e) => e.threshold.metric.name),
    ...(o.targetRps === undefined ? {} : {
      open: {
        targetRps: o.targetRps,
        dropped: stats.dropped,
        droppedByClient: stats.droppedByClient,
        precisePacing: o.precisePacing,
        maxInFlight: o.concurrency,
        scheduleLagP99Ms: stats.scheduleLag?.p99 ?? 0,
      },
    }),
  });

/** HTTP/2: the streams per connection in use at once: -m, or the server's lower limit. */
const streamsUsed = (o: Outcome, t: Transport): number =>
  Math.min(t.streams, o.streamLimit ?? t.streams);

/** HTTP/2: -m above the server's limit, said as a warning; undefined when it was not. */
const streamsWarning = (o: Outcome, t: Transport): string | undefined =>
  t.http2 && o.streamLimit !== undefined && t.streams > o.streamLimit
    ? `-m ${t.streams} is above the server's limit of ${o.streamLimit} streams per connection: ` +
      `requests beyond it waited inside salvo for a stream (queue ${
        o.summary.queue === undefined ? "0" : o.summary.queue.totalCount
      }, timed apart from latency); use -m ${o.streamLimit} or more connections (-c)`
    : undefined;

const loadLine = (m: LoadModel, o: Outcome, t: Transport, scenario: boolean): string => {
  const used = streamsUsed(o, t);
  const ramped = m._tag === "Closed" && m.workers.stages.length > 0 ? " (ramped)" : "";
  return (m._tag === "Open"
    ? `${
      m.rate.stages.length > 0
        ? "ramped rate"
        : `${Number((m.rate.start * 1000).toFixed(3))} ${scenario ? "iterations/s" : "req/s"}`
    }, up to ${m.maxInFlight} ${scenario ? "users at once" : "in flight"}`
    : scenario
    // A scenario's users each hold their own connection, one request at a time (HTTP/2 too).
    ? `${o.concurrency} user${o.concurrency === 1 ? "" : "s"}${ramped}`
    : t.http2
    ? `${o.concurrency / t.streams} connection${
      o.concurrency === t.streams ? "" : "s"
    } × ${used} stream${used === 1 ? "" : "s"}${
      used < t.streams ? ` (-m ${t.streams}; the server allows ${o.streamLimit})` : ""
    }${ramped}`
    : `${o.concurrency} worker${o.concurrency === 1 ? "" : "s"}${ramped}`) +
    (t.http2 ? " · HTTP/2" : "");
};

/** Where a report goes besides stdout. */
export interface Files {
  readonly junit: string | undefined;
  readonly out: string | undefined;
  /** The summary goes to stderr (when stdout carries the results stream). */
  readonly summaryToStderr: boolean;
  /** Where the results stream went (`-` for stdout), to name it when writing it failed. */
  readonly results?: string | undefined;
  /** The HTML report (--html). */
  readonly html?: string | undefined;
}

/**
 * Checks before any work that the outputs can be written and that none is another output or one of
 * the `inputs` (files the command reads), so a bad path stops salvo at once.
 */
export const checkFiles = (
  files: Files,
  inputs: ReadonlyArray<NamedPath> = [],
): Effect.Effect<void, RunError | UsageError> =>
  Effect.all([
    refuseClash([
      ...inputs,
      { flag: "--results", path: files.results, role: "output" },
      { flag: "--out", path: files.out, role: "output" },
      { flag: "--junit", path: files.junit, role: "output" },
      { flag: "--html", path: files.html, role: "output" },
    ]),
    files.out === undefined ? Effect.void : AtomicFile.check("--out", files.out),
    files.junit === undefined ? Effect.void : AtomicFile.check("--junit", files.junit),
    files.html === undefined ? Effect.void : AtomicFile.check("--html", files.html),
  ], { discard: true });

/** The files a run reads, for `checkFiles`. */
export const runInputs = (
  raw: {
    readonly targets: Option.Option<string>;
    readonly bodyFile: Option.Option<string>;
    readonly cacert: Option.Option<string>;
  },
): ReadonlyArray<NamedPath> => [
  { flag: "--targets", path: Option.getOrUndefined(raw.targets), role: "input" },
  { flag: "--body-file", path: Option.getOrUndefined(raw.bodyFile), role: "input" },
  { flag: "--cacert", path: Option.getOrUndefined(raw.cacert), role: "input" },
];

/** What is being reported: a run in this process, or results read back from files (report, merge). */
export interface Subject {
  readonly summary: Summary.Summary;
  readonly elapsedMs: number;
  /** The time span covered, µs since the Unix epoch. */
  readonly startedUs: number;
  readonly endedUs: number;
  readonly heading: Document.Heading;
  /** The run window by window (the live view's timeline, or a results stream's windows). */
  readonly timeline?: ReadonlyArray<Row> | undefined;
  /** The plan's arrivals per second in each timeline window (the open model). */
  readonly intendedRps?: ReadonlyArray<number> | undefined;
  /** Each target's summary, when several were named and kept apart. */
  readonly byTarget?:
    | ReadonlyArray<{ readonly name: string; readonly summary: Summary.Summary }>
    | undefined;
  /** Only a run in this process knows how it ran, and so can be diagnosed. */
  readonly run?: { readonly plan: RunPlan; readonly outcome: Outcome };
  /** What reading the input found worth saying (merge): shown in every output, the HTML too. */
  readonly warnings?: ReadonlyArray<string>;
  /** The windows a comparison judges (times from the start), for relative thresholds and the JSON. */
  readonly windows?: ReadonlyArray<Row> | undefined;
  /** Show each target (or step) in the text and the JSON (`salvo report`). */
  readonly targetsInText?: boolean;
  /** A scenario's module (as people read its path) and what it counted beside requests. */
  readonly scenario?: { readonly module: string; readonly tally: Tally.Tally } | undefined;
}

export const runSubject = (plan: RunPlan, o: Outcome, startedUs: number): Subject =>
  plan.scenario === undefined || o.scenario === undefined
    ? requestSubject(plan, o, startedUs)
    : scenarioSubject(plan, plan.scenario, o, o.scenario, startedUs);

/** A scenario run: headed by its module, its steps kept apart as targets are. */
const scenarioSubject = (
  plan: RunPlan,
  scenario: ScenarioPlan,
  o: Outcome,
  tally: Tally.Tally,
  startedUs: number,
): Subject => {
  const module = shortPlace(scenario.url);
  const base = requestSubject(plan, o, startedUs);
  return {
    ...base,
    heading: {
      ...base.heading,
      method: "",
      url: `scenario ${module}${
        scenario.baseUrl === undefined ? "" : ` on ${Request.maskUrl(new URL(scenario.baseUrl))}`
      }`,
      headers: [],
    },
    byTarget: [...tally.steps].map(([name, summary]) => ({ name, summary })),
    scenario: { module, tally },
  };
};

/** A tally of steps alone (a results stream's targets), for scoped thresholds. */
const stepsOnly = (
  entries: ReadonlyArray<{ readonly name: string; readonly summary: Summary.Summary }>,
): Tally.Tally => {
  const t = new Tally.Tally();
  for (const e of entries) t.steps.set(e.name, e.summary);
  return t;
};

const requestSubject = (plan: RunPlan, o: Outcome, startedUs: number): Subject => ({
  summary: o.summary,
  // Rates over the schedule's span (the open model); its in-flight tail is said apart.
  elapsedMs: o.scheduleMs,
  startedUs,
  endedUs: startedUs + Math.round(o.elapsedMs * 1000),
  heading: {
    method: plan.targets.length === 1 ? plan.targets[0].method : "",
    url: plan.targets.length === 1
      ? Request.maskUrl(plan.targets[0].url)
      : `${plan.targets.length} targets, ${plan.targetsOrder}`,
    headers: plan.targets.length === 1 ? plan.targets[0].headers.map(Request.maskHeader) : [],
    load: loadLine(plan.model, o, plan.transport, plan.scenario !== undefined),
    targetRps: o.targetRps,
    ...(o.targetRps === undefined ? {} : { tailMs: Math.max(0, o.elapsedMs - o.scheduleMs) }),
    ...(o.plannedArrivals === undefined ? {} : { plannedArrivals: o.plannedArrivals }),
    interrupted: o.interrupted,
    outputFailed: o.outputFailure !== undefined,
  },
  run: { plan, outcome: o },
  byTarget: o.byTarget?.map((summary, i) => ({
    name: `${plan.targets[i]!.method} ${Request.maskUrl(plan.targets[i]!.url)}`,
    summary,
  })),
});

/** Evaluates thresholds, diagnoses (a run), prints the summary and the gate, writes files; yields the exit code. */
export const report = (
  subject: Subject,
  thresholds: ReadonlyArray<Thresholds.Threshold>,
  output: "text" | "json",
  files: Files,
  baseline?: Side,
): Effect.Effect<number, RunError> =>
  Effect.gen(function* () {
    const { summary, run } = subject;
    const stats = Summary.describe(summary, subject.elapsedMs);
    const f = figures(summary, stats);
    const nextRows = Compare.fullWindows(subject.windows ?? []);
    const scenario = subject.scenario;
    // What scoped thresholds read: the scenario's tally, or the steps a results stream named.
    const scopes = scenario?.tally ?? stepsOnly(subject.byTarget ?? []);
    const withChecks: Thresholds.Figures = scenario === undefined
      ? f
      : { ...f, checks: Tally.passRate(scenario.tally) };
    const evaluations = thresholds.map((t) =>
      t.scope !== undefined
        ? ScenarioFigures.evaluateScoped(t, scopes, subject.elapsedMs)
        : t.relative === true && baseline !== undefined
        ? Relative.evaluate(t, {
          baseRows: baseline.rows,
          nextRows,
          base: baseline.stats,
          next: stats,
        })
        : Thresholds.evaluate(t, withChecks)
    );
    const o = run?.outcome;
    // A run whose results stream failed was cut short and lost lines: it is never judged as passing.
    const outputFailure = o?.outputFailure === undefined
      ? undefined
      : `--results: cannot write ${
        files.results === "-" ? "stdout" : `'${files.results}'`
      }: ${o.outputFailure}; the run stopped early and the stream is incomplete`;
    const doc = Document.build({
      summary,
      stats,
      record: () => toRecord(summary),
      elapsedMs: subject.elapsedMs,
      startedUs: subject.startedUs,
      endedUs: subject.endedUs,
      heading: subject.heading,
      evaluations,
      warnings: [
        ...(subject.warnings ?? []),
        ...Thresholds.sampleWarnings(thresholds, stats.requests),
        ...(run === undefined || o === undefined
          ? []
          : [streamsWarning(o, run.plan.transport)].filter((w) => w !== undefined)),
      ],
      outputFailure,
      // A run cut short by its own output says nothing about the server: no diagnosis.
      run: run === undefined || o === undefined ? undefined : {
        request: {
          method: run.plan.targets[0].method,
          url: Request.maskUrl(run.plan.targets[0].url),
          headers: Object.fromEntries(run.plan.targets[0].headers.map(Request.maskHeader)),
          ...(run.plan.transport.http2
            ? {
              protocol: "HTTP/2",
              streams: streamsUsed(o, run.plan.transport),
              ...(o.streamLimit === undefined ? {} : { server_max_streams: o.streamLimit }),
            }
            : { protocol: "HTTP/1.1" }),
        },
        targets: run.plan.targets.length,
        targetRps: o.targetRps,
        concurrency: o.concurrency,
        diagnosis: outputFailure === undefined
          ? diagnose(
            o,
            stats,
            evaluations,
            run.plan.transport.http2 ? streamsUsed(o, run.plan.transport) : undefined,
          )
          : undefined,
        loopLagP99Ms: o.loopLag.valueAtPercentile(99) / 1000,
        cpuShare: cpuShare(o),
        threads: o.threads,
        host: o.host,
        interrupted: o.interrupted,
        aborted: o.aborted,
      },
      timeline: subject.timeline,
      intendedRps: subject.intendedRps,
      byTarget: subject.byTarget,
      ...(subject.targetsInText === true ? { targetsInText: true } : {}),
      windows: subject.windows,
      ...(scenario === undefined ? {} : {
        scenario: { ...scenario, record: () => toTallyRecord(scenario.tally) },
      }),
    });
    const print = (text: string) =>
      Effect.try({
        try: () => (files.summaryToStderr ? console.error(text) : console.log(text)),
        catch: (e) =>
          new RunError({
            reason: "output",
            message: `cannot write the summary to ${files.summaryToStderr ? "stderr" : "stdout"}: ${
              writeFailure(e)
            }`,
          }),
      });
    if (output === "json") {
      yield* print(JSON.stringify(doc.json, null, 2));
      // The gate's verdict also goes to stderr, so a CI log shows why without parsing JSON.
      if (doc.failed) yield* Effect.sync(() => console.error(doc.gate));
    } else {
      yield* print(Text.ofDocument(doc));
    }
    if (files.html !== undefined) {
      yield* AtomicFile.write("--html", files.html, Html.render(doc));
    }
    if (files.out !== undefined) {
      yield* AtomicFile.write("--out", files.out, JSON.stringify(doc.json, null, 2) + "\n");
    }
    if (files.junit !== undefined) {
      yield* AtomicFile.write(
        "--junit",
        files.junit,
        Junit.ofDocument(doc),
      );
    }
    if (outputFailure !== undefined) {
      return yield* new RunError({ reason: "output", message: outputFailure });
    }
    return doc.failed ? codes.thresholdFailed : codes.ok;
  });

/** The gate options every reporting command takes, as parsed by @effect/cli. */
export interface GateOptions {
  readonly threshold: ReadonlyArray<string>;
  readonly output: "text" | "json";
  readonly junit: Option.Option<string>;
  readonly out: Option.Option<string>;
  readonly html: Option.Option<string>;
  readonly baseline: Option.Option<string>;
  readonly allowDifferent: boolean;
}

/**
 * Reports results read back from files (report, merge): parses thresholds, reports, sets the exit
 * code. Such results cannot be diagnosed: how they were produced is not known here.
 */
export const reportRead = (
  gate: GateOptions,
  read: Effect.Effect<
    Omit<Subject, "heading" | "run"> & {
      readonly method: string;
      readonly url: string;
      readonly load: string;
      readonly identity: Identity;
    },
    UsageError
  >,
  /** The results files read (none or "-": stdin). */
  inputs: ReadonlyArray<string> = [],
): Effect.Effect<void, UsageError | RunError, ExitCode> =>
  Effect.gen(function* () {
    const thresholds = yield* Effect.forEach(gate.threshold, (t) => Thresholds.parse(t));
    const files = {
      junit: Option.getOrUndefined(gate.junit),
      out: Option.getOrUndefined(gate.out),
      html: Option.getOrUndefined(gate.html),
      summaryToStderr: false,
    };
    const baselinePath = Option.getOrUndefined(gate.baseline);
    yield* checkFiles(
      files,
      [
        ...inputs.map((path) => ({ flag: "the results file", path, role: "input" as const })),
        { flag: "--baseline", path: baselinePath, role: "input" as const },
      ],
    );
    const baseline = yield* forThresholds(thresholds, baselinePath);
    const r = yield* read;
    const scoped = r.scenario === undefined && r.byTarget === undefined
      ? thresholds.map(Thresholds.scenarioOnly).find((m) => m !== undefined)
      : undefined;
    if (scoped !== undefined) {
      return yield* new UsageError({ reason: "threshold", message: scoped });
    }
    const differ = baseline === undefined
      ? []
      : yield* checkSame(baseline, r.identity, "this run", gate.allowDifferent);
    const code = yield* report(
      {
        summary: r.summary,
        elapsedMs: r.elapsedMs,
        startedUs: r.startedUs,
        endedUs: r.endedUs,
        timeline: r.timeline,
        byTarget: r.byTarget,
        windows: r.windows,
        scenario: r.scenario,
        ...(r.targetsInText === true ? { targetsInText: true } : {}),
        warnings: [...(r.warnings ?? []), ...differ],
        heading: {
          method: r.method,
          url: r.url,
          headers: [],
          load: r.load,
          targetRps: undefined,
          interrupted: false,
          outputFailed: false,
        },
      },
      thresholds,
      gate.output,
      files,
      baseline,
    );
    yield* setExitCode(code);
  });
