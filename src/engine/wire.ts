// What crosses between the main thread and a load thread: a plan as structured-clone data, the
// messages each way, and a thread's final report.
import type { RunPlan } from "../domain/plan.ts";
import type { SummaryRecord } from "../io/summary_record.ts";
import type { TallyRecord } from "../io/tally_record.ts";
import type { Share } from "./load.ts";

/** A plan without what structured clone cannot carry: URLs as text, the success rule as a table. */
export interface WirePlan extends Omit<RunPlan, "targets" | "isSuccess"> {
  readonly targets: ReadonlyArray<
    {
      method: string;
      url: string;
      headers: ReadonlyArray<readonly [string, string]>;
      body?: Uint8Array;
    }
  >;
  /** okByStatus[s] is 1 when status s counts as a success. */
  readonly okByStatus: Uint8Array;
}

export const toWire = (plan: RunPlan): WirePlan => {
  const { targets, isSuccess, ...rest } = plan;
  const okByStatus = new Uint8Array(1000);
  for (let s = 0; s < 1000; s++) okByStatus[s] = isSuccess(s) ? 1 : 0;
  return {
    ...rest,
    targets: targets.map((t) => ({
      method: t.method,
      url: t.url.href,
      headers: t.headers,
      ...(t.body === undefined ? {} : { body: t.body }),
    })),
    okByStatus,
  };
};

export const fromWire = (w: WirePlan): RunPlan => {
  const { targets, okByStatus, ...rest } = w;
  const specs = targets.map((t) => ({
    method: t.method,
    url: new URL(t.url),
    headers: t.headers,
    body: t.body,
  }));
  return {
    ...rest,
    targets: [specs[0]!, ...specs.slice(1)],
    isSuccess: (s) => okByStatus[s] === 1,
  };
};

/** A thread's account of its share, once it has stopped. Times are ms since the Unix epoch. */
export interface ThreadReport {
  readonly summary: SummaryRecord;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly pausedMs: number;
  /** Its event loop's lag, HdrHistogram-encoded (µs). */
  readonly loopLag: string;
  /** CPU time of this thread alone, ms. */
  readonly cpuMs: number;
  /** Time this thread waited for a CPU while ready to run, ms; undefined where not measured. */
  readonly waitMs: number | undefined;
  /** It stopped because its -n share was used up. */
  readonly budgetUsed: boolean;
  /** HTTP/2: the server's limit on concurrent streams per connection, as announced. */
  readonly streamLimit: number | undefined;
  /** Each target's own summary, when they were kept. */
  readonly byTarget: ReadonlyArray<SummaryRecord> | undefined;
  /** A scenario's tally. */
  readonly tally: TallyRecord | undefined;
}

/** Numbers per finished request, in the order ResultsSink.push takes them; times in ms since the epoch. */
export const fieldsPerResult = 10;

export type ToThread =
  | {
    readonly type: "start";
    readonly plan: WirePlan;
    readonly share: Share;
    readonly results: boolean;
    /** Snapshots carry the thread's whole summary so far (the live view, the HTML report). */
    readonly detail: boolean;
  }
  /** Start the plan's clock at `at` (ms since the epoch). */
  | { readonly type: "go"; readonly at: number }
  /** Stop issuing, as when the duration ends (--abort-on-fail, a failed results stream). */
  | { readonly type: "stop" }
  /** Ctrl-C or SIGTERM: stop issuing, cut what is still in flight after the grace period. */
  | { readonly type: "interrupt" };

export type FromThread =
  /** The module is loaded and listening: "start" may be sent (a message sent before would be lost). */
  | { readonly type: "loaded" }
  /** Warmed up, waiting for "go". */
  | { readonly type: "ready" }
  | {
    readonly type: "snapshot";
    readonly requests: number;
    readonly successes: number;
    readonly maxUs: number;
    /** With `detail`: the thread's summary so far, its requests in flight, a scenario's tally. */
    readonly detail?: {
      readonly summary: SummaryRecord;
      readonly inFlight: number;
      readonly tally?: TallyRecord;
    };
  }
  /** `fields` holds `fieldsPerResult` numbers per request; `names[i]` is the target of request i. */
  | { readonly type: "results"; readonly fields: Float64Array; readonly names: string[] }
  | { readonly type: "done"; readonly report: ThreadReport }
  | { readonly type: "failed"; readonly message: string };
