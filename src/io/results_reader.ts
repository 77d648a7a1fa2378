// Reads results streams back into a summary: per-request lines and interval records, from files or stdin.
//
// Lines are folded one at a time, so memory stays flat however long the stream. A last line without
// its newline that does not parse is a cut-short write (a crash): it is reported once and ignored.
// Any other bad line stops with its file and line number, or with --skip-invalid is skipped and counted.
// Input with no result at all (empty, or not a results stream) is an error, never a summary of nothing.
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Summary from "../core/summary.ts";
import { Bucketer, type Row, rowOf } from "../core/timeline.ts";
import { UsageError } from "../domain/errors.ts";
import { isReason, reasonIndex } from "../domain/reason.ts";
import { fromRecord } from "./summary_record.ts";
import { messageOf } from "../domain/thrown.ts";

export interface ReadResults {
  readonly summary: Summary.Summary;
  /** The span the results cover, µs since the Unix epoch. */
  readonly startedUs: number;
  readonly endedUs: number;
  /** `METHOD URL` of the first result that names one. */
  readonly target: string | undefined;
  /** How many different targets the results named (counted up to 1,000). */
  readonly targets: number;
  readonly requestLines: number;
  readonly intervalRecords: number;
  readonly skipped: number;
  readonly warnings: ReadonlyArray<string>;
  /** The results window by window (1 s, or each interval record's length), when asked for. */
  readonly timeline: ReadonlyArray<Row> | undefined;
  /**
   * Interval records each as its own window, in the order read, when a timeline is asked for: the
   * windows exactly as recorded (`timeline` regroups them into whole-second windows, for charts).
   */
  readonly records: ReadonlyArray<Row> | undefined;
  /**
   * Each target's (or scenario step's) summary, from per-request lines naming several; undefined
   * past `maxKept` names.
   */
  readonly byTarget:
    | ReadonlyArray<{ readonly name: string; readonly summary: Summary.Summary }>
    | undefined;
}

/** Distinct target names counted, at most. */
const maxNamed = 1000;
/** Distinct targets kept apart, at most (a scenario keeps as many steps): beyond, none is. */
const maxKept = 200;

const isCount = (x: unknown): x is number =>
  typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
const isTime = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

class Folder {
  readonly summary = Summary.empty();
  startedUs = Number.POSITIVE_INFINITY;
  endedUs = 0;
  target: string | undefined;
  /** Every target the input named (up to `maxNamed`): a report of several says so, not the first. */
  readonly targetNames = new Set<string>();
  requestLines = 0;
  intervalRecords = 0;
  /** Set when a timeline is wanted; its window is fixed by the first result. */
  windows: Bucketer | undefined;
  /** Interval records as rows, when a timeline is wanted. */
  readonly records: Row[] = [];
  /** Per target named by per-request lines (up to `maxKept`; beyond, cleared and no longer kept). */
  readonly targets = new Map<string, Summary.Summary>();
  private tooMany = false;

  constructor(readonly timeline: boolean) {}

  private window(atUs: number, lengthMs: number): Summary.Summary | undefined {
    if (!this.timeline) return undefined;
    this.windows ??= new Bucketer(Math.max(1000, lengthMs));
    return this.windows.at(atUs);
  }

  /** Folds one parsed line in; returns what is wrong with it, if anything. */
  add(v: unknown): string | undefined {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return "not a JSON object";
    const r = v as Record<string, unknown>;
    if (r.type === "interval") {
      if (!isTime(r.start_us) || !isTime(r.end_us)) {
        return "an interval record needs start_us and end_us";
      }
      const s = fromRecord(r);
      if (Either.isLeft(s)) return s.left;
      const parts = this.partsOf(r.by_target);
      if (typeof parts === "string") return parts;
      this.summary.merge(s.right);
      // Each target's (or step's) window, as the record kept them apart; else the record is its target's.
      if (parts !== undefined) {
        for (const [name, part] of parts) this.forTarget(name)?.merge(part);
      } else if (typeof r.target === "string") this.forTarget(r.target)?.merge(s.right);
      this.window(r.start_us, (r.end_us - r.start_us) / 1000)?.merge(s.right);
      if (this.timeline) this.records.push(rowOf(s.right, r.start_us / 1000, r.end_us / 1000));
      this.span(r.start_us, r.end_us);
      this.intervalRecords++;
    } else if (r.dropped === true) {
      // An arrival of the open model that found no free slot: counted, never sent.
      if (!isTime(r.intended_us)) return "a dropped arrival needs intended_us";
      this.summary.dropped++;
      if (r.by === "client") this.summary.droppedByClient++;
      const w = this.window(r.intended_us, 1000);
      if (w !== undefined) w.dropped++;
      this.span(r.intended_us, r.intended_us);
      this.requestLines++;
    } else {
      const { intended_us, sent_us, latency_us, lag_us, status, ok, bytes, error } = r;
      if (!isTime(intended_us) || !isTime(sent_us)) {
        return "intended_us and sent_us must be numbers";
      }
      if (!isCount(latency_us)) return "latency_us must be a whole number of microseconds";
      if (lag_us !== undefined && !isCount(lag_us)) {
        return "lag_us must be a whole number of microseconds";
      }
      if (!isCount(status) || status > 999) return "status must be a number 0..999";
      if (typeof ok !== "boolean") return "ok must be true or false";
      if (!isCount(bytes)) return "bytes must be a whole number";
      if (error !== null && !(typeof error === "string" && isReason(error))) {
        return `unknown error reason ${JSON.stringify(error)}`;
      }
      const end = intended_us + latency_us;
      const reason = error === null ? -1 : reasonIndex[error];
      this.summary.record(status, reason, ok, latency_us, Math.max(0, end - sent_us), bytes);
      this.window(end, 1000)?.record(status, reason, ok, latency_us, latency_us, bytes);
      if (typeof r.target === "string") {
        this.forTarget(r.target)?.record(
          status,
          reason,
          ok,
          latency_us,
          Math.max(0, end - sent_us),
          bytes,
        );
      }
      if (lag_us !== undefined) this.summary.recordLag(lag_us);
      if (r.retried === true) this.summary.retried++;
      this.span(intended_us, end);
      this.requestLines++;
    }
    if (typeof r.target === "string") {
      this.target ??= r.target;
      if (this.targetNames.size < maxNamed) this.targetNames.add(r.target);
    }
    return undefined;
  }

  /** The summary of target (or step) `name`; undefined once more than `maxKept` were named. */
  private forTarget(name: string): Summary.Summary | undefined {
    if (this.tooMany) return undefined;
    let t = this.targets.get(name);
    if (t === undefined) {
      if (this.targets.size >= maxKept) {
        this.tooMany = true;
        this.targets.clear();
        return undefined;
      }
      this.targets.set(name, t = Summary.empty());
    }
    return t;
  }

  /** An interval record's `by_target`, decoded (undefined when it has none), or what is wrong with it. */
  private partsOf(v: unknown): Array<[string, Summary.Summary]> | string | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      return "by_target must be an object of records by name";
    }
    const out: Array<[string, Summary.Summary]> = [];
    for (const [name, record] of Object.entries(v)) {
      const part = fromRecord(record);
      if (Either.isLeft(part)) return `by_target ${JSON.stringify(name)}: ${part.left}`;
      out.push([name, part.right]);
    }
    return out;
  }

  private span(start: number, end: number): void {
    if (start < this.startedUs) this.startedUs = start;
    if (end > this.endedUs) this.endedUs = end;
  }
}

async function* linesOf(
  source: ReadableStream<Uint8Array>,
): AsyncGenerator<{ text: string; whole: boolean }> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of source) {
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      yield { text: pending.slice(0, nl), whole: true };
      pending = pending.slice(nl + 1);
    }
  }
  pending += decoder.decode();
  if (pending !== "") yield { text: pending, whole: false };
}

const usage = (message: string) => new UsageError({ reason: "file", message });

/** Reads `paths` ("-" or none: stdin) into one summary. */
export const read = (
  paths: ReadonlyArray<string>,
  skipInvalid: boolean,
  timeline = false,
): Effect.Effect<ReadResults, UsageError> =>
  Effect.tryPromise({
    try: async () => {
      const folder = new Folder(timeline);
      const warnings: string[] = [];
      let skipped = 0;
      for (const path of paths.length === 0 ? ["-"] : paths) {
        const name = path === "-" ? "stdin" : path;
        let file: Deno.FsFile | undefined;
        try {
          file = path === "-" ? undefined : await Deno.open(path);
        } catch (e) {
          throw usage(`cannot read '${path}': ${messageOf(e)}`);
        }
        let n = 0;
        for await (const { text, whole } of linesOf(file?.readable ?? Deno.stdin.readable)) {
          n++;
          if (text.trim() === "") continue;
          let parsed: unknown;
          let problem: string | undefined;
          try {
            parsed = JSON.parse(text);
          } catch {
            problem = "not JSON";
          }
          if (problem !== undefined && !whole) {
            warnings.push(
              `${name}:${n}: the last line is cut short (a write interrupted mid-line?); ignored`,
            );
            continue;
          }
          problem ??= folder.add(parsed);
          if (problem === undefined) continue;
          if (!skipInvalid) throw usage(`${name}:${n}: ${problem}`);
          skipped++;
        }
      }
      if (skipped > 0) warnings.push(`skipped ${skipped} invalid line${skipped === 1 ? "" : "s"}`);
      const none = folder.requestLines + folder.intervalRecords === 0;
      if (none) {
        const names = paths.length === 0 ? ["stdin"] : paths.map((p) => (p === "-" ? "stdin" : p));
        throw usage(
          `no results in ${names.join(", ")}${warnings.length > 0 ? ` (${warnings[0]})` : ""}`,
        );
      }
      return {
        summary: folder.summary,
        startedUs: folder.startedUs,
        endedUs: folder.endedUs,
        target: folder.target,
        targets: folder.targetNames.size,
        requestLines: folder.requestLines,
        intervalRecords: folder.intervalRecords,
        skipped,
        warnings,
        timeline: folder.windows?.rows(folder.startedUs, folder.endedUs),
        records: timeline ? folder.records : undefined,
        byTarget: folder.targets.size > 0
          ? [...folder.targets].map(([name, summary]) => ({ name, summary }))
          : undefined,
      };
    },
    catch: (e) => (e instanceof UsageError ? e : usage(`cannot read results: ${String(e)}`)),
  });

/**
 * The windows a comparison judges, times from the results' start: interval records as recorded
 * (their times shifted from the epoch), or per-request lines cut into seconds (read with a timeline;
 * the timeline's rows already count from the start).
 */
export const windowsOf = (r: ReadResults): ReadonlyArray<Row> =>
  r.intervalRecords > 0
    ? (r.records ?? []).map((w) => ({
      ...w,
      startMs: w.startMs - r.startedUs / 1000,
      endMs: w.endMs - r.startedUs / 1000,
    }))
    : r.timeline ?? [];
