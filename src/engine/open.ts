// The open model's sender: each arrival takes a permit (at most max-in-flight) and an idle connection.
import * as Summary from "../core/summary.ts";
import { Connection } from "./http1.ts";
import { Permits } from "./permits.ts";
import { pick } from "./target.ts";
import { noError, send, settle, type Shared } from "./worker.ts";

export class OpenLoad {
  readonly summary = Summary.empty();
  /** Every connection opened, idle or busy: the watchdog checks them all. */
  readonly connections: Connection[] = [];
  /** Idle connections, per endpoint. */
  private readonly idle: Connection[][];

  readonly permits: Permits;

  constructor(private readonly shared: Shared, maxInFlight: number) {
    this.permits = new Permits(maxInFlight);
    this.idle = shared.targets.endpoints.map(() => []);
  }

  /** Sends one request intended to start at `intended` (performance.now() time) on an idle connection. */
  async send(intended: number): Promise<void> {
    const s = this.shared;
    const t = pick(s.targets);
    const conn = this.idle[t.endpoint]!.pop() ?? this.open(t.endpoint);
    s.issued++;
    const sentAt = performance.now();
    this.summary.recordLag(Math.max(0, Math.round((sentAt - intended) * 1000)));
    conn.begin(sentAt + s.timeoutMs);
    let error: unknown = noError;
    try {
      await send(conn, t);
    } catch (e) {
      error = e;
    }
    settle(s, conn, this.summary, intended, sentAt, error, t);
    this.idle[t.endpoint]!.push(conn);
  }

  /**
   * Opens `n` connections before the clock starts, so the first arrivals find some ready instead of
   * all opening connections at once.
   */
  async warm(n: number): Promise<void> {
    const endpoints = this.idle.length;
    const each = Math.max(1, Math.floor(Math.min(n, this.permits.size) / endpoints));
    const opened = this.idle.map((_, e) => Array.from({ length: each }, () => this.open(e)));
    await Promise.all(opened.flat().map((c) => c.warm()));
    opened.forEach((conns, e) => this.idle[e]!.push(...conns));
  }

  /** One arrival: sent at once if a permit is free, else counted as dropped, never delayed. */
  arrive(intended: number): void {
    if (!this.permits.tryAcquire()) {
      this.summary.dropped++;
      return;
    }
    this.send(intended).finally(() => this.permits.release());
  }

  private open(endpoint: number): Connection {
    const c = new Connection(this.shared.targets.endpoints[endpoint]!, this.shared.followRedirects);
    this.connections.push(c);
    return c;
  }
}
