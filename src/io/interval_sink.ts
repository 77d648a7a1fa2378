// With --interval: instead of a line per request, one record per window (counts and its histogram).
//
// Memory stays flat however long the run: a window's summary is written out and replaced when it
// closes. `salvo report` merges the records back into the run's summary. A run of several targets or
// a scenario's steps also writes each one's window (`by_target`), so report keeps them apart.
import * as Summary from "../core/summary.ts";
import type { ResultsSink } from "../domain/results_sink.ts";
import { toRecord } from "./summary_record.ts";
import { tryWriteWhole } from "./whole_write.ts";

const encoder = new TextEncoder();
/** Most targets (or steps) a window keeps apart; the requests of further names count under `others`. */
export const maxNamed = 200;

export class IntervalSink implements ResultsSink {
  private window = Summary.empty();
  private windowStart: number | undefined;
  private readonly originUs = Math.round(performance.timeOrigin * 1000);
  /** The window by target or step, keyed by the name as pushed (JSON); undefined: not kept apart. */
  private named: Map<string, Summary.Summary> | undefined;
  /** Set by the first failed write; later records are dropped (the run is stopping). */
  failure: string | undefined;

  /**
   * `others` (a scenario, or several targets): keep each name's window apart, those past the
   * `maxNamed`th under this name.
   */
  constructor(
    private readonly out: { writeSync(p: Uint8Array): number },
    private readonly intervalMs: number,
    private readonly target: string,
    private readonly others?: string,
  ) {
    this.named = others === undefined ? undefined : new Map();
  }

  push(
    intended: number,
    _sentAt: number,
    latencyUs: number,
    sentLatencyUs: number,
    lagUs: number,
    status: number,
    reasonIndex: number,
    ok: boolean,
    bytes: number,
    retried: boolean,
    targetJson: string,
  ): void {
    this.windowStart ??= intended;
    fold(this.window, status, reasonIndex, ok, latencyUs, sentLatencyUs, bytes, lagUs, retried);
    if (this.named === undefined) return;
    const w = this.windowOf(targetJson);
    fold(w, status, reasonIndex, ok, latencyUs, sentLatencyUs, bytes, lagUs, retried);
  }

  /** This window's summary of the target or step named `json` (past `maxNamed` names: `others`'). */
  private windowOf(json: string): Summary.Summary {
    const named = this.named!;
    let w = named.get(json);
    if (w === undefined) {
      const key = named.size < maxNamed ? json : JSON.stringify(this.others);
      w = named.get(key) ?? Summary.empty();
      named.set(key, w);
      named.set(json, w);
    }
    return w;
  }

  drop(intended: number, byClient: boolean): void {
    this.windowStart ??= intended;
    this.window.dropped++;
    if (byClient) this.window.droppedByClient++;
  }

  flush(now: number): void {
    this.windowStart ??= now;
    if (now - this.windowStart >= this.intervalMs) this.write(now);
  }

  finish(now: number): void {
    if (this.window.requests > 0 || this.window.dropped > 0) this.write(now);
  }

  private write(now: number): void {
    const start = this.windowStart ?? now;
    const named = this.named;
    const line = JSON.stringify({
      type: "interval",
      start_us: this.originUs + Math.round(start * 1000),
      end_us: this.originUs + Math.round(now * 1000),
      ...toRecord(this.window),
      target: this.target,
      ...(named === undefined ? {} : { by_target: byTarget(named) }),
    });
    if (this.failure === undefined) {
      this.failure = tryWriteWhole(this.out, encoder.encode(line + "\n"));
    }
    this.window = Summary.empty();
    if (named !== undefined) this.named = new Map();
    this.windowStart = now;
  }
}

/** One request into a window's summary (no array or record made per request). */
const fold = (
  w: Summary.Summary,
  status: number,
  reasonIndex: number,
  ok: boolean,
  latencyUs: number,
  sentLatencyUs: number,
  bytes: number,
  lagUs: number,
  retried: boolean,
): void => {
  w.record(status, reasonIndex, ok, latencyUs, sentLatencyUs, bytes);
  if (lagUs >= 0) w.recordLag(lagUs);
  if (retried) w.retried++;
};

/** Each name's record, once each (names past the limit share the `others` summary). */
const byTarget = (named: Map<string, Summary.Summary>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  const seen = new Set<Summary.Summary>();
  for (const [json, w] of named) {
    if (seen.has(w)) continue;
    seen.add(w);
    out[JSON.parse(json) as string] = toRecord(w);
  }
  return out;
};
