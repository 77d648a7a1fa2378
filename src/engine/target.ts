// The requests of a run, encoded once: one target, or many (--targets) taken in turn or at random.
import type { Summary } from "../core/summary.ts";
import type { H2Request } from "./h2_request.ts";
import type { Endpoint } from "./http1.ts";
import type { Redirects } from "./redirects.ts";

export interface Target {
  readonly request: Uint8Array;
  /** The same request as HTTP/2 fields, when the run speaks HTTP/2. */
  readonly h2: H2Request | undefined;
  readonly head: boolean;
  /**
   * May be sent again, once, when its kept-alive connection closed before any byte of the answer:
   * an idempotent method (RFC 9110 §9.2.2) and no --no-retry.
   */
  readonly retry: boolean;
  /** Index into the run's endpoints: targets on one origin share connections. */
  readonly endpoint: number;
  /** `"METHOD URL"` as a JSON string, credentials masked, for the results stream. */
  readonly nameJson: string;
  readonly redirects: Redirects | undefined;
  /** This target's own results, kept only when a report breaks the run down by target. */
  readonly summary: Summary | undefined;
}

export interface Targets {
  readonly all: ReadonlyArray<Target>;
  readonly endpoints: ReadonlyArray<Endpoint>;
  readonly random: boolean;
  /** Round-robin position. */
  next: number;
}

/** The target of the next request. */
export const pick = (t: Targets): Target => {
  const all = t.all;
  if (all.length === 1) return all[0]!;
  if (t.random) return all[Math.floor(Math.random() * all.length)]!;
  const i = t.next;
  t.next = i + 1 === all.length ? 0 : i + 1;
  return all[i]!;
};
