// With --interval: instead of a line per request, one record per window (counts and its histogram).
//
// Memory stays flat however long the run: a window's summary is written out and replaced when it
// closes. `salvo report` merges the records back into the run's summary.
import * as Summary from "../core/summary.ts";
import type { ResultsSink } from "../domain/results_sink.ts";
import { toRecord } from "./summary_record.ts";
import { tryWriteWhole } from "./whole_write.ts";

const encoder = new TextEncoder();

export class IntervalSink implements ResultsSink {
  private window = Summary.empty();
  private windowStart: number | undefined;
  private readonly originUs = Math.round(performance.timeOrigin * 1000);
  /** Set by the first failed write; later records are dropped (the run is stopping). */
  failure: string | undefined;

  constructor(
    private readonly out: { writeSync(p: Uint8Array): number },
    private readonly intervalMs: number,
    private readonly target: string,
  ) {}

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
  ): void {
    this.windowStart ??= intended;
    this.window.record(
      status,
      reasonIndex,
      ok,
      latencyUs,
      sentLatencyUs,
      bytes,
    );
    if (lagUs >= 0) this.window.recordLag(lagUs);
    if (retried) this.window.retried++;
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
    const line = JSON.stringify({
      type: "interval",
      start_us: this.originUs + Math.round(start * 1000),
      end_us: this.originUs + Math.round(now * 1000),
      ...toRecord(this.window),
      target: this.target,
    });
    if (this.failure === undefined) {
      this.failure = tryWriteWhole(this.out, encoder.encode(line + "\n"));
    }
    this.window = Summary.empty();
    this.windowStart = now;
  }
}
