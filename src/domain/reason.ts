// Why a request failed at the transport level: a closed set, counted per reason in the summary.

/** Reasons in a fixed order; the index is what the hot path stores. */
export const reasons = [
  "connection_refused",
  "connection_reset",
  "connection_closed",
  "timeout",
  "cancelled",
  "dns",
  "tls",
  "protocol_error",
  "redirect_limit",
  // HTTP/2: the server reset the stream as refused, cut it with GOAWAY, broke flow control, or
  // reset it for another reason.
  "refused_stream",
  "goaway",
  "flow_control",
  "stream_reset",
  "other",
] as const;

export type Reason = typeof reasons[number];

export const reasonIndex: Readonly<Record<Reason, number>> = Object.fromEntries(
  reasons.map((r, i) => [r, i]),
) as Record<Reason, number>;

export const isReason = (s: string): s is Reason => (reasons as ReadonlyArray<string>).includes(s);
