// The run summary as a fold over request results: record one, merge two, describe with an elapsed time.
import { type Reason, reasons } from "../domain/reason.ts";
import * as Histogram from "./histogram.ts";

/** One finished request, as data. `reason` is set when the transport failed (then `status` is 0). */
export interface Result {
  readonly status: number;
  readonly reason: Reason | undefined;
  readonly ok: boolean;
  /** From the intended start to the end of the response, in microseconds. */
  readonly latencyUs: number;
  /** From the actual send to the end of the response, in microseconds. */
  readonly sentLatencyUs: number;
  readonly bytes: number;
}

const statusSlots = 1000;

export class Summary {
  requests = 0;
  successes = 0;
  bytes = 0;
  /** Arrivals of the open model that found no free slot and were not sent (k6's dropped_iterations). */
  dropped = 0;
  /**
   * Of `dropped`, those salvo caused: a slot was still free at the arrival's intended time, and
   * salvo, dispatching it late, found the slots taken by then. The rest the server caused: every
   * slot was already waiting for it when the arrival was due.
   */
  droppedByClient = 0;
  /**
   * Requests sent a second time after their kept-alive connection closed before an answer: the
   * server may have received each of them twice (counted in `requests` once).
   */
  retried = 0;
  /** Count per HTTP status 0..999; index 0 is unused (transport failures carry a reason instead). */
  readonly statusCounts = new Float64Array(statusSlots);
  /** Count per transport failure reason, in the order of `reasons`. */
  readonly errorCounts = new Float64Array(reasons.length);
  /** The first failure's message per reason (secrets masked): the summary's line that says why. */
  readonly why: Array<string | undefined> = new Array(reasons.length).fill(undefined);
  /** Latency from the intended start (corrected for coordinated omission; equals `sent` in the closed model). */
  readonly latency = Histogram.make();
  /**
   * Latency from the actual send; undefined while every request was sent when intended (the closed
   * model), which saves recording each value twice. Read it through `sent`.
   */
  private sentOnly: Histogram.Histogram | undefined;

  get sent(): Histogram.Histogram {
    return this.sentOnly ?? this.latency;
  }

  /** Takes `h` as the latency from the actual send (when rebuilding a summary from a record). */
  adoptSent(h: Histogram.Histogram): void {
    this.sentOnly = h;
  }

  /** How late sends went out against the plan, in microseconds; only the open model has a plan. */
  lag: Histogram.Histogram | undefined;

  /**
   * How long each new connection took to connect (TCP, or the unix socket), and its TLS handshake,
   * µs; kept only when connects are timed (a connection per request, --no-keepalive).
   */
  connect: Histogram.Histogram | undefined;
  tls: Histogram.Histogram | undefined;
  /** HTTP/2: how long streams waited for the server's concurrency limit, µs (only those that did). */
  queue: Histogram.Histogram | undefined;

  /** Records one stream's wait for the server's concurrency limit. */
  recordQueue(us: number): void {
    (this.queue ??= Histogram.make()).record(us);
  }

  /** Records one connect and its TLS handshake (`tlsUs` < 0: none). */
  recordConnect(connectUs: number, tlsUs: number): void {
    (this.connect ??= Histogram.make()).record(connectUs);
    if (tlsUs >= 0) (this.tls ??= Histogram.make()).record(tlsUs);
  }

  /** Records how late one send went out (open model). */
  recordLag(lateUs: number): void {
    (this.lag ??= Histogram.make()).record(lateUs);
  }

  get failures(): number {
    return this.requests - this.successes;
  }

  /**
   * The hot-path form of `add`: no object per request. `reasonIndex` is an index into `reasons`, or -1.
   */
  record(
    status: number,
    reasonIndex: number,
    ok: boolean,
    latencyUs: number,
    sentLatencyUs: number,
    bytes: number,
  ): void {
    this.requests++;
    if (ok) this.successes++;
    if (reasonIndex >= 0) this.errorCounts[reasonIndex]!++;
    else if (status > 0 && status < statusSlots) this.statusCounts[status]!++;
    this.bytes += bytes;
    if (this.sentOnly === undefined && sentLatencyUs !== latencyUs) {
      this.sentOnly = this.latency.copy();
    }
    this.latency.record(latencyUs);
    this.sentOnly?.record(sentLatencyUs);
  }

  add(r: Result): this {
    this.record(
      r.status,
      r.reason === undefined ? -1 : reasons.indexOf(r.reason),
      r.ok,
      r.latencyUs,
      r.sentLatencyUs,
      r.bytes,
    );
    return this;
  }

  /** Adds everything `other` counted into this summary. */
  merge(other: Summary): this {
    this.requests += other.requests;
    this.successes += other.successes;
    this.bytes += other.bytes;
    this.dropped += other.dropped;
    this.droppedByClient += other.droppedByClient;
    this.retried += other.retried;
    if (other.lag !== undefined) (this.lag ??= Histogram.make()).add(other.lag);
    if (other.connect !== undefined) (this.connect ??= Histogram.make()).add(other.connect);
    if (other.tls !== undefined) (this.tls ??= Histogram.make()).add(other.tls);
    if (other.queue !== undefined) (this.queue ??= Histogram.make()).add(other.queue);
    for (let i = 0; i < statusSlots; i++) this.statusCounts[i]! += other.statusCounts[i]!;
    for (let i = 0; i < reasons.length; i++) {
      this.errorCounts[i]! += other.errorCounts[i]!;
      this.why[i] ??= other.why[i];
    }
    if (this.sentOnly === undefined && other.sentOnly !== undefined) {
      this.sentOnly = this.latency.copy();
    }
    this.sentOnly?.add(other.sent);
    this.latency.add(other.latency);
    return this;
  }
}

export const empty = (): Summary => new Summary();

export const of = (results: Iterable<Result>): Summary => {
  const s = new Summary();
  for (const r of results) s.add(r);
  return s;
};

export const merge = (a: Summary, b: Summary): Summary => new Summary().merge(a).merge(b);

export const mergeAll = (all: Iterable<Summary>): Summary => {
  const s = new Summary();
  for (const x of all) s.merge(x);
  return s;
};

/** Latency figures in milliseconds, as reported. */
export interface LatencyStats {
  readonly min: number;
  readonly mean: number;
  readonly stdev: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p99_9: number;
  readonly max: number;
}

export const latencyStats = (h: Histogram.Histogram): LatencyStats => ({
  min: h.min / 1000,
  mean: h.mean / 1000,
  stdev: h.stdev / 1000,
  p50: h.valueAtPercentile(50) / 1000,
  p90: h.valueAtPercentile(90) / 1000,
  p95: h.valueAtPercentile(95) / 1000,
  p99: h.valueAtPercentile(99) / 1000,
  p99_9: h.valueAtPercentile(99.9) / 1000,
  max: h.max / 1000,
});

/** A timing's count and percentiles, in ms. */
export interface TimingStats {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

const timing = (h: Histogram.Histogram | undefined): TimingStats | undefined =>
  h === undefined ? undefined : {
    count: h.totalCount,
    p50: h.valueAtPercentile(50) / 1000,
    p90: h.valueAtPercentile(90) / 1000,
    p99: h.valueAtPercentile(99) / 1000,
    max: h.max / 1000,
  };

/** What a report shows: the summary's counts plus what derives from them and the elapsed time. */
export interface Stats {
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  /** 0..1; 0 when nothing was sent. */
  readonly successRate: number;
  readonly durationS: number;
  readonly rps: number;
  readonly bytes: number;
  readonly latency: LatencyStats;
  readonly latencyUncorrected: LatencyStats;
  /** Status code → count, for codes seen. */
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Reason → count, for reasons seen. */
  readonly errors: Readonly<Partial<Record<Reason, number>>>;
  /** Reason → the first such failure's message, where one was kept. */
  readonly errorMessages: Readonly<Partial<Record<Reason, string>>>;
  readonly dropped: number;
  /** Of `dropped`, those salvo caused by falling behind its plan (see Summary.droppedByClient). */
  readonly droppedByClient: number;
  /** Requests sent a second time (see Summary.retried): the server may have received them twice. */
  readonly retried: number;
  /** New connections and their connect and TLS handshake times, ms (--no-keepalive only). */
  readonly connect: TimingStats | undefined;
  readonly tls: TimingStats | undefined;
  /** HTTP/2 streams that waited for the server's concurrency limit, and how long, ms. */
  readonly queue: TimingStats | undefined;
  /** How late sends went out against the plan, in ms (open model only). */
  readonly scheduleLag:
    | { readonly p50: number; readonly p99: number; readonly max: number }
    | undefined;
}

/** From this share of the corrected p99 on, salvo's own send lag is said beside the latency. */
export const ownLagNoticeable = 0.1;

/**
 * Open model: the share of the corrected p99 that salvo's own send lag (p99) accounts for. A request
 * sent late waits for salvo, not the server, and its corrected latency counts that wait.
 */
export const ownShareOfP99 = (s: Stats): number | undefined =>
  s.scheduleLag === undefined || s.latency.p99 <= 0
    ? undefined
    : Math.min(1, s.scheduleLag.p99 / s.latency.p99);

export const describe = (s: Summary, elapsedMs: number): Stats => {
  const statusCodes: Record<string, number> = {};
  s.statusCounts.forEach((n, code) => {
    if (n > 0) statusCodes[String(code)] = n;
  });
  const errors: Partial<Record<Reason, number>> = {};
  const errorMessages: Partial<Record<Reason, string>> = {};
  s.errorCounts.forEach((n, i) => {
    if (n > 0) errors[reasons[i]!] = n;
    const why = s.why[i];
    if (n > 0 && why !== undefined) errorMessages[reasons[i]!] = why;
  });
  const durationS = elapsedMs / 1000;
  return {
    requests: s.requests,
    successes: s.successes,
    failures: s.failures,
    successRate: s.requests === 0 ? 0 : s.successes / s.requests,
    durationS,
    rps: durationS > 0 ? s.requests / durationS : 0,
    bytes: s.bytes,
    latency: latencyStats(s.latency),
    latencyUncorrected: latencyStats(s.sent),
    statusCodes,
    errors,
    errorMessages,
    dropped: s.dropped,
    droppedByClient: s.droppedByClient,
    retried: s.retried,
    connect: timing(s.connect),
    tls: timing(s.tls),
    queue: timing(s.queue),
    scheduleLag: s.lag === undefined ? undefined : {
      p50: s.lag.valueAtPercentile(50) / 1000,
      p99: s.lag.valueAtPercentile(99) / 1000,
      max: s.lag.max / 1000,
    },
  };
};
