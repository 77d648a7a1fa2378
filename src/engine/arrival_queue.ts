// Arrivals of the open model waiting for a connection, oldest first: their intended times and targets.
import type { Target } from "./target.ts";

/** A ring buffer that grows by doubling: no allocation per arrival once it has grown. */
export class ArrivalQueue {
  private times = new Float64Array(16);
  private targets: Array<Target | undefined> = new Array(16);
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(intended: number, target: Target): void {
    if (this.size === this.times.length) this.grow();
    const i = (this.head + this.size) & (this.times.length - 1);
    this.times[i] = intended;
    this.targets[i] = target;
    this.size++;
  }

  /** The oldest arrival's intended time; `shiftedTarget` then holds its target. Only when not empty. */
  shift(): number {
    const i = this.head;
    const t = this.times[i]!;
    this.shiftedTarget = this.targets[i]!;
    this.targets[i] = undefined;
    this.head = (i + 1) & (this.times.length - 1);
    this.size--;
    return t;
  }

  /** The target of the arrival `shift` returned last. */
  shiftedTarget: Target | undefined;

  private grow(): void {
    const n = this.times.length;
    const times = new Float64Array(n * 2);
    const targets: Array<Target | undefined> = new Array(n * 2);
    for (let k = 0; k < n; k++) {
      const i = (this.head + k) & (n - 1);
      times[k] = this.times[i]!;
      targets[k] = this.targets[i];
    }
    this.times = times;
    this.targets = targets;
    this.head = 0;
  }
}
