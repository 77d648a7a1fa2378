// A summary as plain JSON data and back: what interval records, JSON summaries and `salvo merge` carry.
//
// Histograms travel in HdrHistogram's V2 compressed form (µs); the exact running moments travel beside
// them, so that merged means and deviations stay exact too.
import * as Either from "effect/Either";
import * as Histogram from "../core/histogram.ts";
import * as Codec from "../core/histogram_codec.ts";
import * as Summary from "../core/summary.ts";
import { isReason, reasonIndex, reasons } from "../domain/reason.ts";

export interface Moments {
  readonly mean_us: number;
  readonly m2: number;
}

export interface SummaryRecord {
  readonly requests: number;
  readonly successes: number;
  readonly bytes: number;
  readonly dropped: number;
  /** Of `dropped`, those salvo caused (it had fallen behind its plan); absent when none. */
  readonly dropped_client?: number;
  /** Requests sent a second time after their connection closed before an answer; absent when none. */
  readonly retried?: number;
  readonly status_codes: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  /** Reason → the first such failure's message (secrets masked); absent when none was kept. */
  readonly error_messages?: Readonly<Record<string, string>>;
  /** Latency from the intended start. */
  readonly histogram: string;
  readonly moments: Moments;
  /** Latency from the actual send, when it differs (the open model). */
  readonly histogram_uncorrected?: string;
  readonly moments_uncorrected?: Moments;
  /** How late sends went out against the plan (the open model), µs. */
  readonly histogram_lag?: string;
  /** Connect and TLS handshake times of new connections (--no-keepalive), µs. */
  readonly histogram_connect?: string;
  readonly histogram_tls?: string;
  /** HTTP/2 streams' waits for the server's concurrency limit, µs. */
  readonly histogram_queue?: string;
}

const moments = (h: Histogram.Histogram): Moments => ({ mean_us: h.mean, m2: h.m2 });

export const toRecord = (s: Summary.Summary): SummaryRecord => {
  const status_codes: Record<string, number> = {};
  s.statusCounts.forEach((n, code) => {
    if (n > 0) status_codes[String(code)] = n;
  });
  const errors: Record<string, number> = {};
  const messages: Record<string, string> = {};
  s.errorCounts.forEach((n, i) => {
    if (n > 0) errors[reasons[i]!] = n;
    const why = s.why[i];
    if (n > 0 && why !== undefined) messages[reasons[i]!] = why;
  });
  const open = s.sent !== s.latency;
  return {
    requests: s.requests,
    successes: s.successes,
    bytes: s.bytes,
    dropped: s.dropped,
    ...(s.droppedByClient > 0 ? { dropped_client: s.droppedByClient } : {}),
    ...(s.retried > 0 ? { retried: s.retried } : {}),
    status_codes,
    errors,
    ...(Object.keys(messages).length > 0 ? { error_messages: messages } : {}),
    histogram: Codec.encode(s.latency),
    moments: moments(s.latency),
    ...(open
      ? { histogram_uncorrected: Codec.encode(s.sent), moments_uncorrected: moments(s.sent) }
      : {}),
    ...(s.lag === undefined ? {} : { histogram_lag: Codec.encode(s.lag) }),
    ...(s.connect === undefined ? {} : { histogram_connect: Codec.encode(s.connect) }),
    ...(s.tls === undefined ? {} : { histogram_tls: Codec.encode(s.tls) }),
    ...(s.queue === undefined ? {} : { histogram_queue: Codec.encode(s.queue) }),
  };
};

const isCount = (x: unknown): x is number =>
  typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

const histogramOf = (
  text: unknown,
  m: unknown,
  what: string,
): Either.Either<Histogram.Histogram, string> => {
  if (typeof text !== "string") return Either.left(`'${what}' is missing or not a string`);
  return Either.flatMap(
    Either.mapLeft(Codec.decode(text), (e) => `'${what}' does not decode: ${e.message}`),
    (h) => {
      if (isObject(m) && typeof m.mean_us === "number" && typeof m.m2 === "number") {
        h.mean = m.mean_us;
        h.m2 = m.m2;
      }
      return Either.right(h);
    },
  );
};

/** Rebuilds a summary from its record; the message says which field is wrong. */
export const fromRecord = (r: unknown): Either.Either<Summary.Summary, string> => {
  if (!isObject(r)) return Either.left("not a JSON object");
  for (const k of ["requests", "successes", "bytes"] as const) {
    if (!isCount(r[k])) return Either.left(`'${k}' is missing or not a whole number`);
  }
  if (r.dropped !== undefined && !isCount(r.dropped)) {
    return Either.left("'dropped' is not a whole number");
  }
  if (!isObject(r.status_codes) || !isObject(r.errors)) {
    return Either.left("'status_codes' or 'errors' is not an object");
  }
  const s = Summary.empty();
  s.requests = r.requests as number;
  s.successes = r.successes as number;
  s.bytes = r.bytes as number;
  s.dropped = (r.dropped as number | undefined) ?? 0;
  if (r.dropped_client !== undefined) {
    if (!isCount(r.dropped_client) || r.dropped_client > s.dropped) {
      return Either.left("'dropped_client' is not a whole number up to 'dropped'");
    }
    s.droppedByClient = r.dropped_client;
  }
  if (r.retried !== undefined) {
    if (!isCount(r.retried) || r.retried > s.requests) {
      return Either.left("'retried' is not a whole number up to 'requests'");
    }
    s.retried = r.retried;
  }
  for (const [code, n] of Object.entries(r.status_codes)) {
    const c = Number(code);
    if (!Number.isInteger(c) || c < 100 || c > 999 || !isCount(n)) {
      return Either.left(`bad status count '${code}'`);
    }
    s.statusCounts[c] = n;
  }
  for (const [reason, n] of Object.entries(r.errors)) {
    if (!isReason(reason) || !isCount(n)) return Either.left(`bad error count '${reason}'`);
    s.errorCounts[reasonIndex[reason]] = n;
  }
  if (r.error_messages !== undefined) {
    if (!isObject(r.error_messages)) return Either.left("'error_messages' is not an object");
    for (const [reason, why] of Object.entries(r.error_messages)) {
      if (!isReason(reason) || typeof why !== "string") {
        return Either.left(`bad error message '${reason}'`);
      }
      s.why[reasonIndex[reason]] = why;
    }
  }
  const latency = histogramOf(r.histogram, r.moments, "histogram");
  if (Either.isLeft(latency)) return Either.left(latency.left);
  if (latency.right.totalCount !== s.requests) {
    return Either.left("'histogram' does not hold 'requests' values");
  }
  s.latency.add(latency.right);
  s.latency.mean = latency.right.mean;
  s.latency.m2 = latency.right.m2;
  if (r.histogram_uncorrected !== undefined) {
    const sent = histogramOf(
      r.histogram_uncorrected,
      r.moments_uncorrected,
      "histogram_uncorrected",
    );
    if (Either.isLeft(sent)) return Either.left(sent.left);
    s.adoptSent(sent.right);
  }
  if (r.histogram_lag !== undefined) {
    const lag = histogramOf(r.histogram_lag, undefined, "histogram_lag");
    if (Either.isLeft(lag)) return Either.left(lag.left);
    s.lag = lag.right;
  }
  for (const k of ["connect", "tls", "queue"] as const) {
    const text = r[`histogram_${k}`];
    if (text === undefined) continue;
    const h = histogramOf(text, undefined, `histogram_${k}`);
    if (Either.isLeft(h)) return Either.left(h.left);
    s[k] = h.right;
  }
  return Either.right(s);
};
