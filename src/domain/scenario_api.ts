// The types a scenario module sees: what salvo gives each virtual user, and what the module exports. `salvo types` prints this file.
//
//   salvo types > salvo.d.ts
//   // flow.ts
//   import type { Options, User } from "./salvo.d.ts";
//   export const options: Options = { baseUrl: "http://127.0.0.1:8080", concurrency: 8, duration: "3s" };
//   export default async (u: User) => {
//     const login = await u.post("/login", { json: { user: `u${u.index}`, password: "salvo" } });
//     u.check(login, { "logged in": (r) => r.status === 200 });
//   };

/** Header names to values. */
export type HeaderMap = Readonly<Record<string, string>>;

/** What a request may carry besides its method and URL. */
export interface RequestOptions {
  /**
   * The step this request counts under in every report. Default: the method and the URL's path, each
   * all-digit path segment written `:id` (`GET /items/:id`), so that ids do not make a step each.
   */
  readonly name?: string;
  readonly headers?: HeaderMap;
  /** Sent as JSON, with `Content-Type: application/json` unless `headers` set one. */
  readonly json?: unknown;
  /** Sent as it is. */
  readonly body?: string | Uint8Array;
  /** Added to the URL's query. */
  readonly query?: Readonly<Record<string, string | number | boolean>>;
}

/** A response, or the failure that took its place (`status` 0, `error` set). */
export interface Response {
  /** The HTTP status; 0 when no response came. */
  readonly status: number;
  /** Whether the run counts it a success (`--success-status`; by default a status below 400). */
  readonly ok: boolean;
  /** Why no response came (`timeout`, `connect_refused`, `connection_closed`, …); undefined when one did. */
  readonly error: string | undefined;
  /** From the send to the end of the response, in milliseconds. */
  readonly durationMs: number;
  /** A header's value (the name in any case); repeated headers joined with ", ". */
  header(name: string): string | undefined;
  /** Every header, names in lower case. */
  headers(): Record<string, string>;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON; throws when it is not JSON (a script error, counted). */
  json<T = unknown>(): T;
  /** The body's bytes. */
  bytes(): Uint8Array;
}

/** One virtual user, as the scenario's default export gets it on each iteration. */
export interface User<Setup = unknown, Row = Record<string, unknown>> {
  /** This user's number in the whole run, from 0 (load threads included). */
  readonly index: number;
  /** This user's iteration, from 0. */
  readonly iteration: number;
  /** What this user keeps between its iterations: anything. */
  readonly state: Record<string, unknown>;
  /** What `setup()` returned (the same for every user). */
  readonly setup: Setup;
  /** This iteration's row of `--data` (undefined without it). */
  readonly data: Row | undefined;
  request(method: string, url: string, options?: RequestOptions): Promise<Response>;
  get(url: string, options?: RequestOptions): Promise<Response>;
  post(url: string, options?: RequestOptions): Promise<Response>;
  put(url: string, options?: RequestOptions): Promise<Response>;
  patch(url: string, options?: RequestOptions): Promise<Response>;
  delete(url: string, options?: RequestOptions): Promise<Response>;
  /**
   * Counts checks without failing anything (k6's `check`): each named predicate of `value` passes or
   * fails (one that throws fails); true when all passed.
   */
  check<T>(value: T, checks: Readonly<Record<string, (value: T) => boolean>>): boolean;
  /** Counts one check by name: passed when `passed` is true; returns it. */
  check(name: string, passed: boolean): boolean;
  /** Runs `body` and times it as one step named `name` (its requests still count as their own steps). */
  group<T>(name: string, body: () => Promise<T> | T): Promise<T>;
  /** Think time: waits `ms` milliseconds (cut short when the run ends). */
  sleep(ms: number): Promise<void>;
  /** This user's cookie jar (kept across iterations unless `cookies: "iteration"`). */
  readonly cookies: {
    get(name: string): string | undefined;
    set(name: string, value: string): void;
    clear(): void;
  };
}

/**
 * `export const options`: any flag of `salvo run`, its long name in camelCase (`--max-in-flight` is
 * `maxInFlight`); a repeatable flag takes a list. Flags on the command line win over these.
 */
export interface Options {
  /** Where relative request URLs point (`--base-url`). */
  readonly baseUrl?: string;
  readonly concurrency?: number;
  readonly duration?: string;
  /** Iterations in all (`-n`): a scenario counts iterations, not requests. */
  readonly requests?: number;
  /** Open model: iterations started per second. */
  readonly rate?: number;
  readonly maxInFlight?: number;
  readonly stages?: string;
  readonly delay?: string;
  readonly threads?: number | "auto";
  readonly timeout?: string;
  readonly threshold?: ReadonlyArray<string>;
  /** Rows for the users (`--data FILE`): CSV with a header line, a JSON array, or NDJSON. */
  readonly data?: string;
  /** How rows are dealt: each once across the run, in turn, or at random (`--data-order`). */
  readonly dataOrder?: "unique" | "round-robin" | "random";
  /** Keep each user's cookies for the whole run (`user`, the default) or clear them per iteration. */
  readonly cookies?: "user" | "iteration" | "off";
  readonly [flag: string]: string | number | boolean | ReadonlyArray<string> | undefined;
}

/** What a scenario module exports. */
export interface Scenario<Setup = unknown, Row = Record<string, unknown>> {
  /** One iteration of one user. */
  default: (user: User<Setup, Row>) => Promise<void> | void;
  options?: Options;
  /** Once, before any user starts; what it returns (JSON-able) is every user's `setup`. */
  setup?: () => Promise<Setup> | Setup;
  /** Once, after the load, given what `setup` returned. */
  teardown?: (setup: Setup) => Promise<void> | void;
}
