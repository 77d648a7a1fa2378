// Remote write: batches of points POSTed to a Prometheus receiver in order, one request at a time,
// each bounded in time; what cannot be sent waits in a bounded queue, and what falls out is counted.
// Nothing here can slow the load: sends are plain promises beside it, and a failure is only counted.
import { maskUrl } from "../core/request.ts";
import { encode, type Series } from "../core/remote_write.ts";
import { compress } from "../core/snappy.ts";
import { version } from "../version.ts";

export interface PushReport {
  /** Points the receiver accepted. */
  readonly sent: number;
  /** Points given up on: the queue was full, the receiver refused them, or the run ended first. */
  readonly dropped: number;
  /** The last reason a push failed, in words (never the URL's credentials). */
  readonly lastProblem: string | undefined;
}

interface Batch {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly points: number;
}

const pointsOf = (series: ReadonlyArray<Series>): number =>
  series.reduce((n, s) => n + s.points.length, 0);

/** Basic credentials in the URL become a header (fetch refuses URLs that carry them). */
const split = (url: URL): { target: string; headers: Record<string, string> } => {
  const headers: Record<string, string> = {
    "content-encoding": "snappy",
    "content-type": "application/x-protobuf",
    "user-agent": `salvo/${version}`,
    "x-prometheus-remote-write-version": "0.1.0",
  };
  if (url.username === "" && url.password === "") return { target: url.href, headers };
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  const user = decodeURIComponent(url.username), pass = decodeURIComponent(url.password);
  headers.authorization = `Basic ${
    btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${pass}`)))
  }`;
  return { target: bare.href, headers };
};

/** A failed fetch in words: what a user can act on, with no URL (it may hold credentials). */
const problemOf = (e: unknown, timeoutMs: number): string => {
  if (e instanceof DOMException && (e.name === "TimeoutError" || e.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  const m = e instanceof Error ? `${e.message} ${String(e.cause ?? "")}` : String(e);
  if (/refused/i.test(m)) return "connection refused";
  if (/reset/i.test(m)) return "connection reset";
  if (/dns|lookup|resolve/i.test(m)) return "the host name does not resolve";
  return "the request failed";
};

export class Pusher {
  private readonly queue: Batch[] = [];
  private queued = 0;
  private sent = 0;
  private dropped = 0;
  private lastProblem: string | undefined;
  private sending: Promise<void> | undefined;
  /** The batch whose POST is under way: first in the queue until it ends. */
  private inFlight: Batch | undefined;
  private readonly target: string;
  private readonly headers: Record<string, string>;
  private readonly stopped = new AbortController();
  /** The URL as printed: credentials and secret parameters masked. */
  readonly shown: string;

  constructor(
    url: URL,
    private readonly timeoutMs: number,
    private readonly maxQueuedPoints: number,
  ) {
    ({ target: this.target, headers: this.headers } = split(url));
    this.shown = maskUrl(url);
  }

  /**
   * Queues `series` and starts sending if idle. Past the bound the oldest batches are dropped, but
   * never the newest, nor the one being sent (its POST is under way: it is counted when it ends).
   */
  push(series: ReadonlyArray<Series>): void {
    const batch = { body: compress(encode(series)), points: pointsOf(series) };
    this.queue.push(batch);
    this.queued += batch.points;
    for (;;) {
      const oldest = this.queue[0] === this.inFlight ? 1 : 0;
      if (this.queued <= this.maxQueuedPoints || oldest >= this.queue.length - 1) break;
      const old = this.queue.splice(oldest, 1)[0]!;
      this.queued -= old.points;
      this.dropped += old.points;
      this.lastProblem ??= "the queue of unsent points was full";
    }
    this.kick();
  }

  /** Starts draining the queue unless a drain is under way. */
  private kick(): void {
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
    });
  }

  /** Sends queued batches oldest first until one fails for a reason worth retrying. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped.signal.aborted) {
      const batch = this.queue[0]!;
      this.inFlight = batch;
      const outcome = await this.send(batch); // send() answers every failure; it never rejects
      this.inFlight = undefined;
      if (outcome === "retry") return;
      this.queue.shift();
      this.queued -= batch.points;
      if (outcome === "sent") this.sent += batch.points;
      else this.dropped += batch.points;
    }
  }

  /** One POST: sent; given up (the receiver refused it for good, a 4xx); or worth a retry. */
  private async send(batch: Batch): Promise<"sent" | "refused" | "retry"> {
    try {
      const res = await fetch(this.target, {
        method: "POST",
        headers: this.headers,
        body: batch.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stopped.signal]),
      });
      await res.body?.cancel();
      if (res.ok) return "sent";
      this.lastProblem = `the receiver answered ${res.status}`;
      // The spec: 5xx and 429 may be retried; any other 4xx would fail again.
      return res.status >= 500 || res.status === 429 ? "retry" : "refused";
    } catch (e) {
      // Cut off by the end's deadline: what failed before says more than the cut.
      if (!this.stopped.signal.aborted || this.lastProblem === undefined) {
        this.lastProblem = problemOf(e, this.timeoutMs);
      }
      return "retry";
    }
  }

  /**
   * The last push, then what is still queued gets until `withinMs` to go; whatever has not gone by
   * then counts as dropped.
   */
  async finish(series: ReadonlyArray<Series>, withinMs: number): Promise<PushReport> {
    this.push(series);
    const deadline = performance.now() + withinMs;
    while (this.queue.length > 0 && performance.now() < deadline) {
      this.kick();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.sending,
        new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - performance.now())))),
      ]);
      clearTimeout(timer);
      // A retry is due: pause briefly rather than spin against a receiver that refuses at once.
      if (this.queue.length > 0 && this.sending === undefined) {
        await new Promise((r) =>
          setTimeout(r, Math.min(100, Math.max(0, deadline - performance.now())))
        );
      }
    }
    this.stopped.abort();
    await this.sending?.catch(() => {});
    this.dropped += this.queued;
    this.queue.length = 0;
    this.queued = 0;
    return { sent: this.sent, dropped: this.dropped, lastProblem: this.lastProblem };
  }
}
