// One virtual user of a scenario: the `User` its iterations get (src/domain/scenario_api.ts), sending over its own connections through the engine's HTTP/1.1 and HTTP/2 clients.
import { CookieJar } from "../core/cookie_jar.ts";
import type { Row } from "../core/scenario_data.ts";
import type { Tally } from "../core/scenario_tally.ts";
import type * as Summary from "../core/summary.ts";
import type * as Api from "../domain/scenario_api.ts";
import { reasons } from "../domain/reason.ts";
import { noError, settle, type Shared, type Step } from "./exchange.ts";
import type { Channel } from "./channel.ts";
import { H2Channel, H2Group } from "./h2_channel.ts";
import { encodeH2, type H2Request } from "./h2_request.ts";
import type { StreamLimit } from "./h2_session.ts";
import { Connection, encodeRequest, type Endpoint, Progress } from "./http1.ts";
import { joined } from "./response_parser.ts";

/** Thrown into an iteration when the run has ended: the iteration is cut, not failed. */
export const stopSignal: unique symbol = Symbol("salvo: the run has ended");

/** What every user of one load thread shares. */
export interface ScenarioEnv {
  readonly shared: Shared;
  readonly tally: Tally;
  readonly baseUrl: URL | undefined;
  /** Every connection the users opened: the watchdog scans them, the end of the run closes them. */
  readonly connections: Channel[];
  /** HTTP/2 (--h2c, --http2): each user's own connection per origin, one stream at a time. */
  readonly http2: boolean;
  /** The server's limit on concurrent streams, as HTTP/2 connections announced it. */
  readonly seen: StreamLimit;
  /** The endpoint for an origin, with the run's transport settings (TLS, --connect-to, …). */
  readonly endpointOf: (url: URL) => Endpoint;
  readonly userAgent: string;
  readonly keepAlive: boolean;
  readonly retry: boolean;
  readonly cookies: "user" | "iteration" | "off";
  readonly setup: unknown;
  /** Wakes sleeping users when the run stops. */
  readonly sleepers: Set<() => void>;
  /** Requests without options, by method and URL as the script wrote them: prepared once a thread. */
  readonly prepared: Map<string, Prepared>;
  /** Each step, by name. */
  readonly steps: Map<string, ScenarioStep>;
}

/**
 * A step: its summary in the tally, which its requests fold into (the whole run's summary is the
 * steps' merged: one fold per request, not two), and its name for the results stream.
 */
export interface ScenarioStep {
  readonly summary: Summary.Summary;
  /** What `settle` takes beside the summary: the name alone. */
  readonly named: Step;
}

/**
 * A request to one URL, resolved and encoded once (most of a script's requests repeat): its URL, its
 * origin, its bytes without a Cookie header, and its step.
 */
export interface Prepared {
  readonly url: URL;
  readonly origin: string;
  readonly method: string;
  readonly wire: Uint8Array;
  /** The same request for HTTP/2, when the run speaks it. */
  readonly h2: H2Request | undefined;
  readonly step: ScenarioStep;
}

/** Most prepared requests a thread keeps; past it they are forgotten and prepared again as needed. */
const maxPrepared = 1000;

/** The step named `name` in `env`, made when first seen. */
const stepIn = (env: ScenarioEnv, name: string): ScenarioStep => {
  let s = env.steps.get(name);
  if (s === undefined) {
    s = {
      summary: env.tally.step(name),
      named: { summary: undefined, nameJson: JSON.stringify(name) },
    };
    // Names past the tally's limit share its "(other steps)": not kept here one by one either.
    if (env.steps.size < maxPrepared) env.steps.set(name, s);
  }
  return s;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Header bytes as Latin-1, as HTTP/1.1 defines them. */
const latin1 = new TextDecoder("latin1");
const idempotent = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** Waits `ms`, or less when the run ends first, or until it stops (`env.sleepers` are woken then). */
export const pause = (env: ScenarioEnv, ms: number): Promise<void> => {
  const s = env.shared;
  const wait = Math.min(ms, s.endAt - performance.now());
  if (s.stopping || !(wait > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      env.sleepers.delete(done);
      resolve();
    };
    const timer = setTimeout(done, wait);
    env.sleepers.add(done);
  });
};

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
    /** HTTP/1.1's head as received, or HTTP/2's header fields. */
    private readonly head: Uint8Array | ReadonlyArray<readonly [string, string]> | undefined,
    private readonly body: Uint8Array,
  ) {}

  private map(): Map<string, string> {
    if (this.parsed !== undefined) return this.parsed;
    const m = new Map<string, string>();
    const add = (name: string, value: string) => {
      const had = m.get(name);
      m.set(name, had === undefined ? value : `${had}, ${value}`);
    };
    const head = this.head;
    if (head instanceof Uint8Array) {
      for (const [name, value] of headFields(head)) {
        add(name, value);
      }
    } else if (head !== undefined) {
      for (const [name, value] of head) add(name, fromOctets(value));
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

/** HPACK's strings hold one octet a character: back to text, as UTF-8. */
const fromOctets = (s: string): string => {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 127) {
      return decoder.decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
    }
  }
  return s;
};

/** An HTTP/1.1 head's header lines as [lower-case name, value], in order (the status line left out). */
const headFields = (head: Uint8Array): Array<readonly [string, string]> =>
  latin1.decode(head).split("\r\n").slice(1).flatMap((line) => {
    const colon = line.indexOf(":");
    return colon > 0
      ? [[line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const]
      : [];
  });

export class VirtualUser implements Api.User {
  iteration = 0;
  readonly state: Record<string, unknown> = {};
  data: Row | undefined;
  /** The run ended during this iteration (a request was refused with `stopSignal`). */
  cut = false;
  private readonly byOrigin = new Map<string, Channel>();
  /** The connection used last, and its origin: most users talk to one origin. */
  private lastOrigin = "";
  private lastConn: Channel | undefined;
  private readonly jar = new CookieJar();

  readonly cookies = {
    get: (name: string) => this.jar.get(name),
    set: (name: string, value: string) => this.jar.set(name, value),
    clear: () => this.jar.clear(),
  };

  /** The request without options sent last, and what was prepared for it: a script repeats them. */
  private lastKey = "";
  private lastPrepared: Prepared | undefined;

  constructor(private readonly env: ScenarioEnv, readonly index: number) {}

  get setup(): unknown {
    return this.env.setup;
  }

  /** Starts an iteration: a fresh jar when cookies are kept per iteration. */
  begin(row: Row | undefined): void {
    this.data = row;
    this.cut = false;
    if (this.env.cookies === "iteration") this.jar.clear();
  }

  private connectionTo(origin: string, url: URL): Channel {
    if (origin === this.lastOrigin) return this.lastConn!;
    let c = this.byOrigin.get(origin);
    if (c === undefined) {
      const e = this.env.endpointOf(url);
      c = e.http2
        ? new H2Channel(new H2Group(e, this.env.seen), true)
        : new Connection(e, false, true);
      this.byOrigin.set(origin, c);
      this.env.connections.push(c);
    }
    this.lastOrigin = origin;
    this.lastConn = c;
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

  private remember(url: string, p: Prepared): Prepared {
    this.lastKey = url;
    this.lastPrepared = p;
    return p;
  }

  /** What a request without options to `url` sends, prepared when first met in this thread. */
  private prepared(method: string, url: string): Prepared {
    const env = this.env, key = `${method} ${url}`;
    let p = env.prepared.get(key);
    if (p === undefined) {
      const m = method.toUpperCase();
      const target = this.urlOf(url, undefined);
      if (env.prepared.size >= maxPrepared) env.prepared.clear();
      p = {
        url: target,
        origin: target.origin,
        method: m,
        ...this.encode(m, target, [], undefined),
        step: stepIn(env, defaultStepName(m, target)),
      };
      env.prepared.set(key, p);
    }
    return p;
  }

  /** The request's bytes in the run's protocol: HTTP/1.1's, or HTTP/2's fields. */
  private encode(
    m: string,
    target: URL,
    headers: Array<readonly [string, string]>,
    body: Uint8Array | undefined,
  ): Pick<Prepared, "wire" | "h2"> {
    const env = this.env;
    if (env.http2) return { wire: noBody, h2: encodeH2(m, target, headers, body, env.userAgent) };
    if (!env.keepAlive && !headers.some(([k]) => k.toLowerCase() === "connection")) {
      headers.push(["Connection", "close"]);
    }
    return { wire: encodeRequest(m, target, headers, body, env.userAgent), h2: undefined };
  }

  /** A request with options: resolved and encoded for this one call. */
  private single(method: string, url: string, options: Api.RequestOptions): Prepared {
    const env = this.env;
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
    if (env.cookies !== "off" && this.jar.size > 0 && !has("cookie")) {
      const cookie = this.jar.header(target, Date.now());
      if (cookie !== undefined) headers.push(["Cookie", cookie]);
    }
    return {
      url: target,
      origin: target.origin,
      method: m,
      ...this.encode(m, target, headers, body),
      step: stepIn(env, options.name ?? defaultStepName(m, target)),
    };
  }

  async request(method: string, url: string, options?: Api.RequestOptions): Promise<Answer> {
    const env = this.env, s = env.shared;
    // One clock read: the stop check's and the latency's start (preparing takes microseconds).
    const start = performance.now();
    if (s.stopping || start >= s.endAt) {
      this.cut = true;
      throw stopSignal;
    }
    // A request without options sends what was prepared for it, unless a cookie must go with it.
    let p = options !== undefined
      ? this.single(method, url, options)
      : url === this.lastKey && method === this.lastPrepared!.method
      ? this.lastPrepared!
      : this.remember(url, this.prepared(method, url));
    if (options === undefined && env.cookies !== "off" && this.jar.size > 0) {
      const cookie = this.jar.header(p.url, Date.now());
      if (cookie !== undefined) {
        p = { ...p, ...this.encode(p.method, p.url, [["Cookie", cookie]], undefined) };
      }
    }
    const conn = this.connectionTo(p.origin, p.url);
    const head = p.method === "HEAD";
    conn.begin(start + s.timeoutMs);
    let error: unknown = noError;
    try {
      if (conn.h2) await conn.send(p.h2!);
      else {
        // `conn.exchange`, its steady state inlined as the closed model does: no async call of its own.
        let progress = conn.sendSmall(p.wire, head);
        while (progress === Progress.More) progress = conn.received(await conn.readMore());
        if (progress !== Progress.Done) {
          await conn.exchange(
            p.wire,
            head,
            progress === Progress.Retry,
            env.retry && idempotent.has(p.method),
          );
        }
      }
    } catch (e) {
      error = e;
    }
    const end = settle(s, conn, p.step.summary, start, start, error, p.step.named);
    const reason = s.lastReason;
    if (reason >= 0) return new Answer(0, false, reasons[reason], end - start, undefined, noBody);
    const status = conn.status, ok = s.okByStatus[status] === 1;
    if (conn.h2) {
      const kept = conn.keep!;
      if (env.cookies !== "off") {
        const now = Date.now();
        for (const [k, v] of kept.fields) {
          if (k === "set-cookie") this.jar.take(fromOctets(v), p.url, now);
        }
      }
      return new Answer(status, ok, undefined, end - start, kept.fields, joined(kept.body));
    }
    if (env.cookies !== "off" && conn.setsCookie && conn.head !== undefined) {
      const now = Date.now();
      for (const [k, v] of headFields(conn.head)) {
        if (k === "set-cookie") this.jar.take(v, p.url, now);
      }
    }
    return new Answer(status, ok, undefined, end - start, conn.head, conn.body());
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
    return pause(this.env, ms);
  }

  /** Closes this user's connections (at the end of the run). */
  shutdown(): void {
    for (const c of this.byOrigin.values()) c.shutdown();
  }
}
