// Prometheus remote write 1.0: series as a protobuf WriteRequest (prometheus/prompb/remote.proto,
// types.proto), written by hand: four message types, three wire types.
import type { Labels } from "./metrics.ts";

export interface Series {
  /** `__name__` included; sorted by name here, as the spec asks. */
  readonly labels: Labels;
  /** Each point: value and timestamp (ms since the epoch), oldest first. */
  readonly points: ReadonlyArray<readonly [value: number, timestampMs: number]>;
}

/** A growable byte buffer with protobuf's primitives. */
class Writer {
  private buf = new Uint8Array(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  /** An unsigned varint; exact up to 2^53 (timestamps in ms are far below). */
  varint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** A length-delimited field (wire type 2). */
  field(number: number, body: Uint8Array): void {
    this.varint((number << 3) | 2);
    this.varint(body.length);
    this.bytes(body);
  }

  /** A double field (wire type 1), little-endian. */
  double(number: number, v: number): void {
    this.varint((number << 3) | 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.bytes(b);
  }

  /** An int64 field (wire type 0) holding a non-negative value. */
  int64(number: number, v: number): void {
    this.varint(number << 3);
    this.varint(v);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const utf8 = new TextEncoder();

const label = (name: string, value: string): Uint8Array => {
  const w = new Writer();
  w.field(1, utf8.encode(name));
  w.field(2, utf8.encode(value));
  return w.done();
};

const sample = (value: number, timestampMs: number): Uint8Array => {
  const w = new Writer();
  w.double(1, value);
  w.int64(2, timestampMs);
  return w.done();
};

const byName = (a: readonly [string, string], b: readonly [string, string]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** `WriteRequest { repeated TimeSeries timeseries = 1; }`, each `TimeSeries { labels = 1; samples = 2 }`. */
export const encode = (series: ReadonlyArray<Series>): Uint8Array => {
  const w = new Writer();
  for (const s of series) {
    const ts = new Writer();
    for (const [k, v] of [...s.labels].sort(byName)) ts.field(1, label(k, v));
    for (const [v, t] of s.points) ts.field(2, sample(v, t));
    w.field(1, ts.done());
  }
  return w.done();
};
