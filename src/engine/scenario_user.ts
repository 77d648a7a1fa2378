// One virtual user of a scenario: the `User` its iterations get (src/domain/scenario_api.ts), sending over its own connections through the engine's HTTP/1.1 client.
import { CookieJar } from "../core/cookie_jar.ts";
import type { Row } from "../core/scenario_data.ts";
import type { Tally } from "../core/scenario_tally.ts";
import type * as Summary from "../core/summary.ts";
import type * as Api from "../domain/scenario_api.ts";
import { reasons } from "../domain/reason.ts";
import { noError, settle, type Shared, type Step } from "./exchange.ts";
import { Connection, encodeRequest, type Endpoint } from "./http1.ts";

/** Thrown into an iteration when the run has ended: the iteration is cut, not failed. */
export const stopSignal: unique symbol = Symbol("salvo: the run has ended");

/** What every user of one load thread shares. */
export interface ScenarioEnv {
  readonly shared: Shared;
  readonly tally: Tally;
  readonly baseUrl: URL | undefined;
  /** Every connection the users opened: the watchdog scans them, the end of the run closes them. */
  readonly connections: Connection[];
  /** The endpoint for an origin, with the run's transport settings (TLS, --connect-to, …). */
  readonly endpointOf: (url: URL) => Endpoint;
  readonly userAgent: string;
  readonly keepAlive: boolean;
  readonly retry: boolean;
  readonly cookies: "user" | "iteration" | "off";
  readonly setup: unknown;
  /** Wakes sleeping users when the run stops. */
  readonly sleepers: Set<() => void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Header bytes as Latin-1, as HTTP/1.1 defines them. */
const latin1 = new TextDecoder("latin1");
const idempotent = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** A request's step name when the script gives none: its method and path, all-digit segments as `:id`. */
export const defaultStepName = (method: string, url: URL): string =>
  `${method} ${url.pathname.replace(/\/\d+(?=\/|$)/g, "/:id")}`;

/** The response a script reads: the status, and the head and body parsed only when asked. */
class Answer implements Api.Response {
  private parsed: Map<string, string> | undefined;

  constructor(
    readonly status: number,
    readonly ok: boolean,
    readonly error: string | undefined,
    readonly durationMs: number,
    private readonly headText: string,
    private readonly body: Uint8Array,
  ) {}

  private map(): Map<string, string> {
    if (this.parsed !== undefined) return this.parsed;
    const m = new Map<string, string>();
    for (const line of this.headText.split("\r\n").slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const had = m.get(name);
      m.set(name, had === undefined ? value : `${had}, ${value}`);
    }
    return (this.parsed = m);
  }

  header(name: string): string | undefined {
    return this.map().get(name.toLowerCase());
  }

  headers(): Record<string, string> {
    return Object.fromEntries(this.map());
  }

  text(): string {
    return decoder.decode(this.body);
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  bytes(): Uint8Array {
    return this.body;
  }
}

const noBody = new Uint8Array(0);

/** Set-Cookie lines of a head, in order (each its own header: they are never joined). */
const setCookies = (head: string): string[] => {
  const out: string[] = [];
  let at = head.indexOf("\r\n");
  while (at >= 0) {
    const next = head.indexOf("\r\n", at + 2);
    const line = head.slice(at + 2, next < 0 ? undefined : next);
    if (line.length > 11 && line[10] === ":" && line.slice(0, 10).toLowerCase() === "set-cookie") {
      out.push(line.slice(11).trim());
    }
    at = next;
  }
  return out;
};

export class VirtualUser implements Api.User {
  iteration = 0;
  readonly state: Record<string, unknown> = {};
  data: Row | undefined;
  /** The run ended during this iteration (a request was refused with `stopSignal`). */
  cut = false;
  private readonly byOrigin = new Map<string, Connection>();
  private readonly jar = new CookieJar();
  private readonly steps = new Map<string, Step>();

  readonly cookies = {
    get: (name: string) => this.jar.get(name),
    set: (name: string, value: string) => this.jar.set(name, value),
    clear: () => this.jar.clear(),
  };

  constructor(
    private readonly env: ScenarioEnv,
    readonly index: number,
    /** Where this user's requests fold (shared with other users of the thread). */
    private readonly summary: Summary.Summary,
  ) {}

  get setup(): unknown {
    return this.env.setup;
  }

  /** Starts an iteration: a fresh jar when cookies are kept per iteration. */
  begin(row: Row | undefined): void {
    this.data = row;
    this.cut = false;
    if (this.env.cookies === "iteration") this.jar.clear();
  }

  private stepOf(name: string): Step {
    let s = this.steps.get(name);
    if (s === undefined) {
      s = { summary: this.env.tally.step(name), nameJson: JSON.stringify(name) };
      this.steps.set(name, s);
    }
    return s;
  }

  private connectionTo(url: URL): Connection {
    let c = this.byOrigin.get(url.origin);
    if (c === undefined) {
      c = new Connection(this.env.endpointOf(url), false, true);
      this.byOrigin.set(url.origin, c);
      this.env.connections.push(c);
    }
    return c;
  }

  private urlOf(url: string, query: Api.RequestOptions["query"]): URL {
    const base = this.env.baseUrl;
    if (base === undefined && !/^https?:\/\//i.test(url)) {
      throw new Error(`${url}: a relative URL needs --base-url (or options.baseUrl)`);
    }
    const u = new URL(url, base);
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new Error(`${url}: only http:// and https:// URLs can be sent`);
    }
    if (query !== undefined) {
      for (const [k, v] of Object.entries(query)) u.searchParams.append(k, String(v));
    }
    return u;
  }

  async request(method: string, url: string, options: Api.RequestOptions = {}): Promise<Answer> {
    const env = this.env, s = env.shared;
    if (s.stopping || performance.now() >= s.endAt) {
      this.cut = true;
      throw stopSignal;
    }
    const m = method.toUpperCase();
    const target = this.urlOf(url, options.query);
    const headers: Array<readonly [string, string]> = Object.entries(options.headers ?? {});
    const has = (n: string) => headers.some(([k]) => k.toLowerCase() === n);
    let body: Uint8Array | undefined;
    if (options.json !== undefined) {
      body = encoder.encode(JSON.stringify(options.json));
      if (!has("content-type")) headers.push(["Content-Type", "application/json"]);
    } else if (options.body !== undefined) {
      body = typeof options.body === "string" ? encoder.encode(options.body) : options.body;
    }
    const now = Date.now();
    if (env.cookies !== "off" && !has("cookie")) {
      const cookie = this.jar.header(target, now);
      if (cookie !== undefined) headers.push(["Cookie", cookie]);
    }
    if (!env.keepAlive && !has("connection")) headers.push(["Connection", "close"]);
    const wire = encodeRequest(m, target, headers, body, env.userAgent);
    const conn = this.connectionTo(target);
    const step = this.stepOf(options.name ?? defaultStepName(m, target));
    const start = performance.now();
    conn.begin(start + s.timeoutMs);
    let error: unknown = noError;
    try {
      await conn.exchange(wire, m === "HEAD", false, env.retry && idempotent.has(m));
    } catch (e) {
      error = e;
    }
    const end = settle(s, conn, this.summary, start, start, error, step);
    const reason = s.lastReason;
    if (reason >= 0) {
      return new Answer(0, false, reasons[reason], end - start, "", noBody);
    }
    const head = conn.head === undefined ? "" : latin1.decode(conn.head);
    if (env.cookies !== "off") {
      for (const c of setCookies(head)) this.jar.take(c, target, now);
    }
    const status = conn.status;
    return new Answer(
      status,
      s.okByStatus[status] === 1,
      undefined,
      end - start,
      head,
      conn.body(),
    );
  }

  get(url: string, options?: Api.RequestOptions): Promise<Answer> {
    return this.request("GET", url, options);
  }
  post(url: string, options?: Api.RequestOptions): Promise<Answer> {
    return this.request("POST", url, options);
  }
  put(url: string, options?: Api.RequestOptions): Promise<Answer> {
    return this.request("PUT", url, options);
  }
  patch(url: string, options?: Api.RequestOptions): Promise<Answer> {
    return this.request("PATCH", url, options);
  }
  delete(url: string, options?: Api.RequestOptions): Promise<Answer> {
    return this.request("DELETE", url, options);
  }

  check<T>(
    value: T | string,
    checks: Readonly<Record<string, (value: T) => boolean>> | boolean,
  ): boolean {
    const tally = this.env.tally;
    if (typeof value === "string" && typeof checks === "boolean") {
      tally.check(value, checks);
      return checks;
    }
    let all = true;
    for (const [name, predicate] of Object.entries(checks as Record<string, (v: T) => boolean>)) {
      let passed: boolean;
      try {
        passed = predicate(value as T) === true;
      } catch {
        passed = false;
      }
      tally.check(name, passed);
      all &&= passed;
    }
    return all;
  }

  async group<T>(name: string, body: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await body();
    } finally {
      this.env.tally.group(name, Math.round((performance.now() - t0) * 1000));
    }
  }

  sleep(ms: number): Promise<void> {
    const s = this.env.shared;
    const wait = Math.min(ms, s.endAt - performance.now());
    if (s.stopping || !(wait > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const sleepers = this.env.sleepers;
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, wait);
      sleepers.add(done);
    });
  }

  /** Closes this user's connections (at the end of the run). */
  shutdown(): void {
    for (const c of this.byOrigin.values()) c.shutdown();
  }
}
