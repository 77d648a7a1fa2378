// Aborts exchanges at their deadline: one timer, set for the earliest deadline in flight.
//
// Deadlines are plain fields the hot path sets (`Connection.begin`), so no timer is made per request.
// A scan aborts what is due and sleeps until the earliest deadline left; an exchange that begins after
// a scan has its deadline at least `timeoutMs` later, so sleeping no longer than that misses none.
// The timer fires a millisecond or more late when the event loop is busy (hundreds of exchanges cut
// at once), so the figures do not hang on it: a timed-out exchange is recorded as ending at its limit,
// and a response that arrives after the limit, before the watchdog got to it, is a timeout too.
import type { Channel } from "./channel.ts";
import { timerMs } from "./timer_limit.ts";

export class Watchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly connections: ReadonlyArray<Channel>,
    private readonly timeoutMs: number,
  ) {}

  /** Scans now: aborts every exchange past its deadline, then sleeps until the next one is due. */
  readonly scan = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const now = performance.now();
    let next = now + this.timeoutMs;
    for (const c of this.connections) {
      // An aborted exchange keeps its deadline until it settles: it is not aborted twice.
      if (c.deadline <= 0 || c.aborted !== undefined) continue;
      if (now >= c.deadline) c.abort(c.deadline < c.timeoutAt ? "cancelled" : "timeout");
      else if (c.deadline < next) next = c.deadline;
    }
    // Past a timer's limit (--timeout 720h) the scan comes early and sleeps again.
    this.timer = setTimeout(this.scan, timerMs(next - performance.now()));
  };

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
