// The resolved description of a run: what to send, how load is generated, when to stop.

/** One request, fully resolved; `body` is already read from --body or --body-file. */
export interface RequestSpec {
  readonly method: string;
  readonly url: URL;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array | undefined;
}

/** One stage of a ramp: move linearly to `target` over `durationMs`. */
export interface Stage {
  readonly durationMs: number;
  readonly target: number;
}

/** A piecewise-linear curve over time: `start`, then each stage in turn; the last target holds. */
export interface Curve {
  readonly start: number;
  readonly stages: ReadonlyArray<Stage>;
}

/**
 * How load is generated. Closed: a number of workers (a curve, to ramp it), each sending its next
 * request when the last one finished, after `delayMs`. Open: arrivals at a rate (a curve in arrivals
 * per millisecond) whatever the responses do, at most `maxInFlight` at once; the rest are dropped.
 */
export type LoadModel =
  | { readonly _tag: "Closed"; readonly workers: Curve; readonly delayMs: number }
  | {
    readonly _tag: "Open";
    readonly rate: Curve;
    readonly maxInFlight: number;
    /** Wait out the last this many ms before each arrival without a timer (--precise-pacing). */
    readonly spinMs?: number;
  };

/** How requests reach the server, when not as the URL says over a kept-alive connection. */
export interface Transport {
  /** Connect here instead of the URL's host and port, which stay in Host and SNI (--connect-to). */
  readonly connectTo: { readonly hostname: string; readonly port: number } | undefined;
  /** Connect over this unix socket, HTTP/1.1 in clear; Host from the URL (--unix-socket). */
  readonly unixSocket: string | undefined;
  /** A new connection per request, asked with `Connection: close`; connect times measured (--no-keepalive). */
  readonly keepAlive: boolean;
  /** HTTP/2: over TLS agreed by ALPN for https:// (--http2), with prior knowledge for http:// (--h2c). */
  readonly http2: boolean;
  /** Concurrent streams per HTTP/2 connection (-m): the closed model runs -c × this many workers. */
  readonly streams: number;
  /**
   * An idempotent request (RFC 9110 §9.2.2) whose kept-alive connection closed before any byte of
   * its answer is sent again, once; false forbids it (--no-retry).
   */
  readonly retry: boolean;
}

export const defaultTransport: Transport = {
  connectTo: undefined,
  unixSocket: undefined,
  keepAlive: true,
  http2: false,
  streams: 1,
  retry: true,
};

/** A scenario run: virtual users running a module's default export (src/domain/scenario_api.ts). */
export interface ScenarioPlan {
  /** The module, as a file: URL. */
  readonly url: string;
  /** Where relative request URLs point (--base-url, or the module's options). */
  readonly baseUrl: string | undefined;
  /** What the module's setup() returned, given to every user. */
  readonly setup: unknown;
  /** --data: its rows, read once, and how they are dealt. */
  readonly data:
    | {
      readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>;
      readonly order: "unique" | "round-robin" | "random";
    }
    | undefined;
  /** Each user's cookie jar: kept for the run, cleared per iteration, or not kept. */
  readonly cookies: "user" | "iteration" | "off";
}

export interface RunPlan {
  /** What to send: one request, or many (--targets), taken in turn or at random. */
  readonly targets: readonly [RequestSpec, ...RequestSpec[]];
  readonly targetsOrder: "round-robin" | "random";
  readonly model: LoadModel;
  /** Stop issuing after this many milliseconds; undefined when only --requests bounds the run. */
  readonly durationMs: number | undefined;
  /** Stop after this many requests in total. */
  readonly maxRequests: number | undefined;
  readonly timeoutMs: number;
  /** For https: extra trusted certificates (PEM, from --cacert), or no verification at all (--insecure). */
  readonly tls: { readonly caCerts: ReadonlyArray<string> | undefined; readonly insecure: boolean };
  readonly transport: Transport;
  /** Follow redirects to the target's own origin (`same`), to any host (`any`), or not at all. */
  readonly followRedirects: "same" | "any" | undefined;
  /** Decides whether a response status counts as a success. */
  readonly isSuccess: (status: number) => boolean;
  /** Header and parameter names masked besides core/request.ts's rule (--mask). */
  readonly mask?: ReadonlyArray<string>;
  /** A scenario module's users instead of `targets` (which then hold its base URL, or nothing to send). */
  readonly scenario?: ScenarioPlan;
}

/** The most workers (closed) or requests in flight (open) the plan can have at once. */
export const concurrencyOf = (m: LoadModel): number =>
  m._tag === "Open"
    ? m.maxInFlight
    : Math.ceil(Math.max(m.workers.start, ...m.workers.stages.map((s) => s.target)));
