// Maps what a failed exchange threw to a failure reason.
import { type Reason, reasonIndex } from "../domain/reason.ts";
import { TransportError } from "./http1.ts";
import { ProtocolError } from "./response_parser.ts";
import { messageOf } from "../domain/thrown.ts";

const messageReasons: ReadonlyArray<readonly [RegExp, Reason]> = [
  // First: a certificate's fault may name a `DnsName(…)`, which is no DNS failure.
  [/certificate|tls|handshake|ssl/i, "tls"],
  [/lookup address|name or service not known|nodename nor servname|no such host|dns/i, "dns"],
  [/refused/i, "connection_refused"],
  [/reset|broken pipe|aborted/i, "connection_reset"],
  [/timed out/i, "timeout"],
];

/** `aborted` is set when salvo itself cut the exchange: at its deadline, or at an interrupt. */
export const classify = (e: unknown, aborted: "timeout" | "cancelled" | undefined): Reason => {
  if (aborted !== undefined) return aborted;
  if (e instanceof TransportError) return e.reason;
  if (e instanceof ProtocolError) return "protocol_error";
  if (e instanceof Deno.errors.ConnectionRefused) return "connection_refused";
  if (
    e instanceof Deno.errors.ConnectionReset || e instanceof Deno.errors.BrokenPipe ||
    e instanceof Deno.errors.ConnectionAborted
  ) return "connection_reset";
  if (e instanceof Deno.errors.TimedOut) return "timeout";
  if (e instanceof Deno.errors.UnexpectedEof) return "connection_closed";
  const message = messageOf(e);
  for (const [pattern, reason] of messageReasons) if (pattern.test(message)) return reason;
  if (e instanceof Deno.errors.NotFound) return "dns";
  if (e instanceof Deno.errors.InvalidData) return "tls";
  return "other";
};

export const classifyIndex = (e: unknown, aborted: "timeout" | "cancelled" | undefined): number =>
  reasonIndex[classify(e, aborted)];
