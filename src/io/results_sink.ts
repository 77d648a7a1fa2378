// Streams one NDJSON line per request to a file or stdout: whole lines only, written in batches.
//
// Lines are built on the hot path only when --results is given, kept in memory, and written with
// synchronous whole-buffer writes every flush, so the file never ends in a torn line whatever
// interrupts the run (short of the process being killed mid-write).
import { reasons } from "../domain/reason.ts";
import type { ResultsSink } from "../domain/results_sink.ts";
import { tryWriteWhole } from "./whole_write.ts";

// A line: {"intended_us","sent_us","latency_us","lag_us","status","ok","bytes","error","retried",
// "target"}; times in µs since the Unix epoch, latency from the intended start, lag_us (the open model
// only) how late the send went out against the plan, retried (only when true) that it was sent twice. An arrival the open model dropped is {"intended_us","dropped":
// true}. io/results_reader.ts reads them back.

const encoder = new TextEncoder();
/** Flush once this many lines are waiting, whatever the timer says. */
const batchLines = 4096;

export class LineSink implements ResultsSink {
  private lines: string[] = [];
  /** Set by the first failed write; later lines are dropped (the run is stopping). */
  failure: string | undefined;
  /** performance.now() → µs since the epoch. */
  private readonly originUs = Math.round(performance.timeOrigin * 1000);

  /** `tag` is added to every line as is: `,"step":3` (salvo knee). */
  constructor(
    private readonly out: { writeSync(p: Uint8Array): number },
    private readonly tag = "",
  ) {}

  push(
    intended: number,
    sentAt: number,
    latencyUs: number,
    _sentLatencyUs: number,
    lagUs: number,
    status: number,
    reasonIndex: number,
    ok: boolean,
    bytes: number,
    retried: boolean,
    targetJson: string,
  ): void {
    const i = this.originUs + Math.round(intended * 1000);
    this.lines.push(
      `{"intended_us":${i},"sent_us":${
        this.originUs + Math.round(sentAt * 1000)
      },"latency_us":${latencyUs},${
        lagUs < 0 ? "" : `"lag_us":${lagUs},`
      }"status":${status},"ok":${ok},"bytes":${bytes},"error":${
        reasonIndex < 0 ? "null" : `"${reasons[reasonIndex]}"`
      }${retried ? ',"retried":true' : ""},"target":${targetJson}${this.tag}}`,
    );
    if (this.lines.length >= batchLines) this.write();
  }

  drop(intended: number, byClient: boolean): void {
    this.lines.push(
      `{"intended_us":${this.originUs + Math.round(intended * 1000)},"dropped":true,"by":"${
        byClient ? "client" : "server"
      }"${this.tag}}`,
    );
    if (this.lines.length >= batchLines) this.write();
  }

  flush(_now?: number): void {
    this.write();
  }

  finish(_now?: number): void {
    this.write();
  }

  /** Writes every waiting line, whole. */
  private write(): void {
    if (this.lines.length === 0) return;
    const bytes = encoder.encode(this.lines.join("\n") + "\n");
    this.lines = [];
    if (this.failure === undefined) this.failure = tryWriteWhole(this.out, bytes);
  }
}
