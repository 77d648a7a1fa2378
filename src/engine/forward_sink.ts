// A load thread's results stream: finished requests kept as numbers and posted to the main thread,
// which writes them (so lines from every thread reach one writer whole, never interleaved).
import type { ResultsSink } from "../domain/results_sink.ts";
import { fieldsPerResult, type FromThread } from "./wire.ts";

const batch = 4096;

export class ForwardSink implements ResultsSink {
  private fields = new Float64Array(batch * fieldsPerResult);
  private names: string[] = [];
  private n = 0;
  /** performance.now() → ms since the epoch. */
  private readonly origin = performance.timeOrigin;
  /** The main thread writes, and tells this thread to stop when writing fails. */
  readonly failure = undefined;

  constructor(private readonly post: (m: FromThread, transfer: Transferable[]) => void) {}

  push(
    intended: number,
    sentAt: number,
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
    const f = this.fields, i = this.n * fieldsPerResult;
    f[i] = this.origin + intended;
    f[i + 1] = this.origin + sentAt;
    f[i + 2] = latencyUs;
    f[i + 3] = sentLatencyUs;
    f[i + 4] = status;
    f[i + 5] = reasonIndex;
    f[i + 6] = ok ? 1 : 0;
    f[i + 7] = bytes;
    f[i + 8] = lagUs;
    f[i + 9] = retried ? 1 : 0;
    this.names.push(targetJson);
    if (++this.n === batch) this.flush();
  }

  /** A dropped arrival travels as a request whose status is -1 (the server's) or -2 (salvo's). */
  drop(intended: number, byClient: boolean): void {
    const i = this.n * fieldsPerResult;
    this.fields[i] = this.origin + intended;
    this.fields[i + 4] = byClient ? -2 : -1;
    this.names.push("");
    if (++this.n === batch) this.flush();
  }

  flush(): void {
    if (this.n === 0) return;
    const fields = this.n === batch ? this.fields : this.fields.slice(0, this.n * fieldsPerResult);
    this.post({ type: "results", fields, names: this.names }, [fields.buffer]);
    this.fields = new Float64Array(batch * fieldsPerResult);
    this.names = [];
    this.n = 0;
  }

  finish(): void {
    this.flush();
  }
}

/** Replays a batch posted by a thread into the main thread's sink, on the main thread's clock. */
export const replay = (sink: ResultsSink, fields: Float64Array, names: string[]): void => {
  const origin = performance.timeOrigin;
  for (let r = 0, i = 0; r < names.length; r++, i += fieldsPerResult) {
    if (fields[i + 4]! < 0) {
      sink.drop(fields[i]! - origin, fields[i + 4] === -2);
      continue;
    }
    sink.push(
      fields[i]! - origin,
      fields[i + 1]! - origin,
      fields[i + 2]!,
      fields[i + 3]!,
      fields[i + 8]!,
      fields[i + 4]!,
      fields[i + 5]!,
      fields[i + 6] === 1,
      fields[i + 7]!,
      fields[i + 9] === 1,
      names[r]!,
    );
  }
};
