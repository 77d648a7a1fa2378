// The open model's sender: each arrival takes a permit (at most max-in-flight) and an idle connection.
import * as Summary from "../core/summary.ts";
import { Connection, type Endpoint } from "./http1.ts";
import { Permits } from "./permits.ts";
import { isRedirect } from "./redirects.ts";
import { noError, settle, type Shared } from "./worker.ts";

export class OpenLoad {
  readonly summary = Summary.empty();
  /** Every connection opened, idle or busy: the watchdog checks them all. */
  readonly connections: Connection[] = [];
  private readonly idle: Connection[] = [];

  readonly permits: Permits;

  constructor(
    private readonly shared: Shared,
    private readonly endpoint: Endpoint,
    maxInFlight: number,
  ) {
    this.permits = new Permits(maxInFlight);
  }

  /** Sends one request intended to start at `intended` (performance.now() time) on an idle connection. */
  async send(intended: number): Promise<void> {
    const s = this.shared;
    const conn = this.idle.pop() ?? this.open();
    s.issued++;
    const sentAt = performance.now();
    this.summary.recordLag(Math.max(0, Math.round((sentAt - intended) * 1000)));
    conn.begin(sentAt + s.timeoutMs);
    let error: unknown = noError;
    try {
      await conn.exchange(s.request, s.head);
      if (s.redirects !== undefined && isRedirect(conn.status)) await s.redirects.follow(conn);
    } catch (e) {
      error = e;
    }
    settle(s, conn, this.summary, intended, sentAt, error);
    this.idle.push(conn);
  }

  /**
   * Opens `n` connections before the clock starts, so the first arrivals find some ready instead of
   * all opening connections at once.
   */
  async warm(n: number): Promise<void> {
    const conns = Array.from({ length: Math.min(n, this.permits.size) }, () => this.open());
    await Promise.all(conns.map((c) => c.warm()));
    this.idle.push(...conns);
  }

  /** One arrival: sent at once if a permit is free, else counted as dropped, never delayed. */
  arrive(intended: number): void {
    if (!this.permits.tryAcquire()) {
      this.summary.dropped++;
      return;
    }
    this.send(intended).finally(() => this.permits.release());
  }

  private open(): Connection {
    const c = new Connection(this.endpoint, this.shared.redirects !== undefined);
    this.connections.push(c);
    return c;
  }
}
