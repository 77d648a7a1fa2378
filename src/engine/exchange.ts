// One exchange's bookkeeping, shared by both load models: the run's shared state, settling an
// exchange into a summary and the results stream, and sending a target (with its redirects).
import { maskSecrets } from "../core/request.ts";
import type * as Summary from "../core/summary.ts";
import { reasonIndex } from "../domain/reason.ts";
import type { ResultsSink } from "../domain/results_sink.ts";
import { classifyIndex } from "./classify.ts";
import type { Channel, Channels } from "./channel.ts";
import { Progress } from "./http1.ts";
import { isRedirect } from "./redirects.ts";
import type { Target, Targets } from "./target.ts";
import { messageOf } from "../domain/thrown.ts";

/** State every worker of a run reads and claims from; one JS thread, so plain fields are enough. */
export interface Shared {
  stopping: boolean;
  issued: number;
  readonly maxRequests: number;
  /** performance.now() after which no request starts. */
  endAt: number;
  /** Workers with an index below this may send (a ramp of --stages changes it); Infinity otherwise. */
  active: number;
  readonly targets: Targets;
  readonly timeoutMs: number;
  /** okByStatus[status] is 1 when that status counts as a success. */
  readonly okByStatus: Uint8Array;
  /** Where each request is streamed when --results is given. */
  readonly results: ResultsSink | undefined;
  /** Connections read Location headers (--follow-redirects). */
  readonly followRedirects: boolean;
  /** Makes each worker's or pool slot's channel to an endpoint. */
  readonly channels: Channels;
  /** The reason index of the exchange settled last, -1 when it had none (a scenario reads it). */
  lastReason: number;
}

/** What `settle` needs of what was sent: the step's own summary, and its name for the results stream. */
export type Step = Pick<Target, "summary" | "nameJson">;

const timeoutIndex = reasonIndex.timeout;

/** Failures whose own words do not say what to do: what salvo adds after them. */
const hints: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /CaUsedAsEndEntity/,
    "the server's certificate is a CA certificate (CA:TRUE) used as its own, as `openssl req " +
    "-x509` makes by default; sign a server certificate (CA:FALSE) with a CA and give that CA to " +
    "--cacert, or use --insecure",
  ],
];

/** A failure's message on one line, secrets masked, at most 200 characters, then any hint. */
export const whyOf = (e: unknown): string => {
  const raw = messageOf(e);
  const text = maskSecrets(raw).replace(/\s+/g, " ").trim();
  const hint = hints.find(([pattern]) => pattern.test(raw))?.[1];
  const cut = text.length > 200 ? `${text.slice(0, 199)}…` : text;
  return hint === undefined ? cut : `${cut}: ${hint}`;
};

/** Marks an exchange that threw nothing. */
export const noError: unique symbol = Symbol("noError");

/**
 * Folds the exchange that just ended on `conn` into `summary`: `error` is what it threw, or `noError`.
 * Latency is measured from `intended` (corrected) and from `sentAt`; returns the time now.
 */
export const settle = (
  s: Shared,
  conn: Channel,
  summary: Summary.Summary,
  intended: number,
  sentAt: number,
  error: unknown,
  target: Step,
  lagUs = -1,
): number => {
  conn.deadline = 0;
  // HTTP/2: a stream that waited for the server's concurrency limit is timed from its start, as
  // h2load does; the wait is reported apart (queue). The closed model's send was its intended start.
  if (conn.h2 && conn.queuedUs > 0) {
    const startedAt = sentAt + conn.queuedUs / 1000;
    if (intended === sentAt) intended = startedAt;
    sentAt = startedAt;
    summary.recordQueue(conn.queuedUs);
  }
  let status = 0, reason = -1, bytes = 0;
  const now = performance.now();
  let end = now;
  if (error !== noError) {
    reason = classifyIndex(error, conn.aborted);
    // Once per reason: what the summary prints to say why (a tls failure names the certificate's fault).
    if (summary.why[reason] === undefined) summary.why[reason] = whyOf(error);
    // Cut by the watchdog: it ended at its limit, however late the watchdog's timer fired.
    if (conn.aborted === "timeout") end = conn.timeoutAt;
    conn.close();
  } else if (now > conn.timeoutAt) {
    // Answered after the limit, before the watchdog got to it: a timeout all the same.
    reason = timeoutIndex;
    end = conn.timeoutAt;
  } else {
    status = conn.status;
    bytes = conn.bytes;
  }
  s.lastReason = reason;
  const ok = reason < 0 && s.okByStatus[status] === 1;
  // Rounded once, here: the summary and the results stream (on any thread) hold the same values.
  const latencyUs = Math.round((end - intended) * 1000);
  const sentLatencyUs = Math.round((end - sentAt) * 1000);
  summary.record(status, reason, ok, latencyUs, sentLatencyUs, bytes);
  // Sent twice: the server may have received it twice.
  const resent = conn.resent === 1;
  if (resent) {
    summary.retried++;
    if (target.summary !== undefined) target.summary.retried++;
  }
  // A connection per request (--no-keepalive): the connect this exchange made, timed apart.
  if (conn.connectUs >= 0) {
    summary.recordConnect(conn.connectUs, conn.tlsUs);
    conn.connectUs = -1;
  }
  target.summary?.record(status, reason, ok, latencyUs, sentLatencyUs, bytes);
  s.results?.push(
    intended,
    sentAt,
    latencyUs,
    sentLatencyUs,
    lagUs,
    status,
    reason,
    ok,
    bytes,
    resent,
    target.nameJson,
  );
  return now;
};

/** Sends `t` over `conn` (following redirects when asked); throws what the exchange threw. */
export const send = async (conn: Channel, t: Target): Promise<void> => {
  if (conn.h2) return conn.send(t.h2!);
  // `conn.exchange`, its steady state first: no async call of its own when the connection is open.
  let progress = conn.sendSmall(t.request, t.head);
  while (progress === Progress.More) progress = conn.received(await conn.readMore());
  if (progress !== Progress.Done) {
    await conn.exchange(t.request, t.head, progress === Progress.Retry, t.retry);
  }
  if (t.redirects !== undefined && isRedirect(conn.status)) await t.redirects.follow(conn);
};
