// A counting semaphore for the open model's hot path: try to take a permit now, or drop the arrival.
//
// Plain JavaScript rather than Effect's Semaphore: it is taken and released once per request, and one
// Effect per request costs a quarter of the throughput (and long GC pauses at high rates).
export class Permits {
  private free: number;
  private waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** performance.now() when the last free permit was taken (the pool has been full since). */
  fullSince = 0;

  /** Takes a permit if one is free; never waits. */
  tryAcquire(): boolean {
    if (this.free === 0) return false;
    if (--this.free === 0) this.fullSince = performance.now();
    return true;
  }

  release(): void {
    this.free++;
    if (this.free === this.size && this.waiters.length > 0) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    }
  }

  /** Resolves once every permit is back: nothing is in flight. */
  idle(): Promise<void> {
    return this.free === this.size
      ? Promise.resolve()
      : new Promise((resolve) => this.waiters.push(resolve));
  }
}
