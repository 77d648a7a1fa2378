// The one report document: what a run's (or a results file's) report says, built once; the text, JSON,
// JUnit and HTML outputs all render from it, so they cannot disagree.
import type { Diagnosis } from "../core/diagnosis.ts";
import * as Distribution from "../core/distribution.ts";
import type { HostFigures } from "../core/host.ts";
import * as Summary from "../core/summary.ts";
import type * as Thresholds from "../core/thresholds.ts";
import type { Row } from "../core/timeline.ts";
import type { SummaryRecord } from "../io/summary_record.ts";
import type { TallyRecord } from "../io/tally_record.ts";
import type { Tally } from "../core/scenario_tally.ts";
import * as Scenario from "./scenario.ts";
import * as Gate from "./gate.ts";
import * as Json from "./json.ts";

/** What the summary opens with: the request, how load was made, and how the run ended. */
export interface Heading {
  readonly method: string;
  readonly url: string;
  /** Request headers as sent, credentials already masked. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** How load was generated, e.g. "8 workers" or "200 req/s, up to 1000 in flight". */
  readonly load: string;
  /** Target rate per second (open model). */
  readonly targetRps: number | undefined;
  /** Open model: how long the last responses came after the schedule's end (rates exclude it). */
  readonly tailMs?: number;
  /** Open model: the arrivals the plan held over the span rates are measured on. */
  readonly plannedArrivals?: number;
  readonly interrupted: boolean;
  /** Writing the results stream failed, so the run stopped early. */
  readonly outputFailed: boolean;
}

/** How the run in this process ran: only such a run can be diagnosed. */
export interface RunFacts {
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    /** "HTTP/1.1", or "HTTP/2" with its streams per connection. */
    readonly protocol: string;
    readonly streams?: number;
    /** HTTP/2: the server's SETTINGS_MAX_CONCURRENT_STREAMS, when it announced one. */
    readonly server_max_streams?: number;
  };
  readonly targets: number;
  readonly targetRps: number | undefined;
  /** Workers (closed model) or most requests in flight (open). */
  readonly concurrency: number;
  readonly diagnosis: Diagnosis | undefined;
  readonly loopLagP99Ms: number;
  readonly cpuShare: number;
  readonly threads: ReadonlyArray<
    {
      readonly requests: number;
      readonly cpuShare: number;
      readonly loopLagP99Ms: number;
      readonly waitMs: number | undefined;
      readonly waitShare: number | undefined;
    }
  >;
  /** The machine during the run. */
  readonly host: HostFigures;
  readonly interrupted: boolean;
  readonly aborted: boolean;
}

/** A figure for the JSON: null where it was not measured. */
const rounded = (x: number | undefined, digits: number): number | null =>
  x === undefined ? null : Number(x.toFixed(digits));

/** The JSON's `host` section: null where a figure was not measured, and their names in `not_measured`. */
const hostJson = (h: HostFigures): Record<string, unknown> => {
  const fields: Record<string, number | null> = {
    cores: rounded(h.cores, 0),
    busy_share: rounded(h.busyShare, 4),
    steal_share: rounded(h.stealShare, 4),
    others_share: rounded(h.othersShare, 4),
    salvo_wait_ms: rounded(h.waitMs, 1),
    pressure_share: rounded(h.pressureShare, 4),
    throttled_ms: rounded(h.throttledMs, 1),
    throttled_periods: rounded(h.throttledPeriods, 0),
  };
  return {
    ...fields,
    not_measured: Object.entries(fields).filter(([, v]) => v === null).map(([k]) => k),
  };
};

export interface Document {
  readonly heading: Heading;
  readonly stats: Summary.Stats;
  readonly evaluations: ReadonlyArray<Thresholds.Evaluation>;
  /** Why the run's output failed; the run is then not judged (every threshold counts as failed). */
  readonly outputFailure: string | undefined;
  readonly failed: boolean;
  readonly diagnosis: Diagnosis | undefined;
  readonly warnings: ReadonlyArray<string>;
  /** The gate's lines: each threshold, the run, the diagnosis. */
  readonly gate: string;
  readonly distribution: ReadonlyArray<Distribution.Bin>;
  /** Latency (ms) at each percentile of HdrHistogram's percentile plot, up to the last recorded. */
  readonly percentiles: ReadonlyArray<{ readonly percentile: number; readonly ms: number }>;
  /** The run window by window, when it was watched or read from a results stream. */
  readonly timeline: ReadonlyArray<Row> | undefined;
  /** The plan's arrivals per second in each timeline window (the open model). */
  readonly intendedRps: ReadonlyArray<number> | undefined;
  /** Each target's figures (a scenario's steps), when several were named and kept apart. */
  readonly targets:
    | ReadonlyArray<{
      readonly name: string;
      readonly stats: Summary.Stats;
      /** Its latency by percentile, as `percentiles`. */
      readonly percentiles: Document["percentiles"];
    }>
    | undefined;
  /** A scenario run's iterations and checks, for the HTML report. */
  readonly scenario: { readonly module: string; readonly tally: Tally } | undefined;
  readonly aborted: boolean;
  /** A scenario run's iterations, steps, groups and checks, as text lines (empty otherwise). */
  readonly scenarioLines: ReadonlyArray<string>;
  /** The JSON summary: the schema documented in the README. */
  readonly json: Record<string, unknown>;
}

/** Percentiles from 0 to the last recorded value, thicker toward the tail (1 - 10^(-k/8)). */
export const percentilesOf = (s: Summary.Summary): Document["percentiles"] => {
  const h = s.latency;
  if (h.totalCount === 0) return [];
  const out: Array<{ percentile: number; ms: number }> = [];
  const last = Math.min(99.9999, 100 * (1 - 1 / h.totalCount));
  for (let k = 0;; k++) {
    const p = 100 * (1 - 10 ** (-k / 8));
    if (p > last) break;
    out.push({ percentile: p, ms: h.valueAtPercentile(p) / 1000 });
  }
  out.push({ percentile: 100, ms: h.max / 1000 });
  return out;
};

export interface Input {
  readonly summary: Summary.Summary;
  /** What the summary says over `elapsedMs` (Summary.describe), as the thresholds were judged on. */
  readonly stats: Summary.Stats;
  /** The summary as a record (its histograms encoded): asked for only when the JSON is. */
  readonly record: () => SummaryRecord;
  readonly elapsedMs: number;
  readonly startedUs: number;
  readonly endedUs: number;
  readonly heading: Heading;
  readonly evaluations: ReadonlyArray<Thresholds.Evaluation>;
  readonly warnings: ReadonlyArray<string>;
  readonly outputFailure: string | undefined;
  readonly run: RunFacts | undefined;
  readonly timeline: ReadonlyArray<Row> | undefined;
  readonly intendedRps: ReadonlyArray<number> | undefined;
  readonly byTarget:
    | ReadonlyArray<{ readonly name: string; readonly summary: Summary.Summary }>
    | undefined;
  /** The windows a comparison reads back (times from the run's start), when they were kept. */
  readonly windows: ReadonlyArray<Row> | undefined;
  /** Show `byTarget` as a table in the text and as `by_target` in the JSON (`salvo report`). */
  readonly targetsInText?: boolean;
  /** A scenario run's module (as given) and tally. */
  readonly scenario?: {
    readonly module: string;
    readonly tally: Tally;
    readonly record: () => TallyRecord;
  };
}

export const build = (i: Input): Document => {
  const stats = i.stats;
  const { run, outputFailure, evaluations } = i;
  const failed = outputFailure !== undefined || evaluations.some((e) => !e.passed);
  const diagnosis = outputFailure === undefined ? run?.diagnosis : undefined;
  // Built when first read: a text summary then never loads the histogram codec (zlib) at all.
  const toJson = () => {
    const record = i.record();
    return Json.toJson(stats, {
      ...(run === undefined ? {} : {
        request: run.request,
        ...(run.targets > 1 ? { targets: run.targets } : {}),
      }),
      started_us: i.startedUs,
      ended_us: i.endedUs,
      ...(run?.targetRps === undefined ? {} : { target_rps: Number(run.targetRps.toFixed(3)) }),
      ...(run === undefined ? {} : { concurrency: run.concurrency }),
      ...(i.heading.plannedArrivals === undefined
        ? {}
        : { planned_arrivals: i.heading.plannedArrivals }),
      ...(i.heading.tailMs === undefined
        ? {}
        : { schedule_tail_s: Number((i.heading.tailMs / 1000).toFixed(6)) }),
      histogram: record.histogram,
      moments: record.moments,
      ...(record.histogram_uncorrected === undefined ? {} : {
        histogram_uncorrected: record.histogram_uncorrected,
        moments_uncorrected: record.moments_uncorrected,
      }),
      thresholds: evaluations.map((e) => Json.threshold(e, outputFailure === undefined)),
      ...(diagnosis === undefined || run === undefined ? {} : {
        diagnosis: {
          verdict: diagnosis.verdict,
          explanation: diagnosis.explanation,
          idle_share: Number(diagnosis.idleShare.toFixed(4)),
          busy_share: Number(diagnosis.busyShare.toFixed(4)),
          loop_lag_p99_ms: run.loopLagP99Ms,
          cpu_share: Number(run.cpuShare.toFixed(4)),
        },
      }),
      ...(run === undefined ? {} : {
        threads: run.threads.map((t) => ({
          requests: t.requests,
          cpu_share: Number(t.cpuShare.toFixed(4)),
          loop_lag_p99_ms: t.loopLagP99Ms,
          wait_ms: rounded(t.waitMs, 1),
          wait_share: rounded(t.waitShare, 4),
        })),
        host: hostJson(run.host),
      }),
      warnings: i.warnings,
      ...(i.windows === undefined ? {} : { windows: Json.windows(i.windows) }),
      ...(i.scenario !== undefined || i.targetsInText !== true || i.byTarget === undefined ||
          i.byTarget.length < 2
        ? {}
        : { by_target: Scenario.targetsJson(i.byTarget, i.elapsedMs) }),
      ...(i.scenario === undefined ? {} : {
        scenario: Scenario.json(
          i.scenario.module,
          i.scenario.tally,
          i.elapsedMs,
          i.scenario.record(),
        ),
      }),
      ...(run?.interrupted ? { interrupted: true } : {}),
      ...(run?.aborted ? { aborted: true } : {}),
      ...(outputFailure === undefined ? {} : { output_failed: outputFailure }),
    });
  };
  let json: Record<string, unknown> | undefined;
  return {
    heading: i.heading,
    stats,
    evaluations,
    outputFailure,
    failed,
    diagnosis,
    warnings: i.warnings,
    gate: Gate.render(evaluations, stats, diagnosis, i.warnings, outputFailure),
    distribution: Distribution.bins(i.summary.latency),
    percentiles: percentilesOf(i.summary),
    timeline: i.timeline,
    intendedRps: i.intendedRps,
    targets: i.byTarget?.map((t) => ({
      name: t.name,
      stats: Summary.describe(t.summary, i.elapsedMs),
      percentiles: percentilesOf(t.summary),
    })),
    scenario: i.scenario === undefined
      ? undefined
      : { module: i.scenario.module, tally: i.scenario.tally },
    aborted: run?.aborted ?? false,
    scenarioLines: i.scenario !== undefined
      ? Scenario.lines(i.scenario.tally, i.elapsedMs)
      : i.targetsInText === true && i.byTarget !== undefined && i.byTarget.length > 1
      ? Scenario.targetLines(i.byTarget)
      : [],
    get json() {
      return json ??= toJson();
    },
  };
};
