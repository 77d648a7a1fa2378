// What a scenario counts beside its requests: each step's own summary, groups, iterations, checks and script errors; merged exactly across load threads.
import * as Histogram from "./histogram.ts";
import * as Summary from "./summary.ts";

export interface CheckCount {
  passed: number;
  failed: number;
}

export interface Timed {
  count: number;
  /** Durations, µs. */
  readonly durations: Histogram.Histogram;
}

const timed = (): Timed => ({ count: 0, durations: Histogram.make() });

/** Most distinct step names kept; requests of further names count under `otherStep`. */
export const maxSteps = 200;
export const otherStep = "(other steps)";

export class Tally {
  /** Each step's requests, in the order the steps were first seen. */
  readonly steps = new Map<string, Summary.Summary>();
  readonly groups = new Map<string, Timed>();
  readonly checks = new Map<string, CheckCount>();
  /** Iterations that ran to their end (or threw: `scriptErrors` counts those). */
  readonly iterations: Timed = timed();
  /** Iterations that threw; each is also in `iterations`. */
  scriptErrors = 0;
  /** The first script error's message, with the scenario's file:line where known. */
  scriptWhy: string | undefined;
  /** Rejections no iteration awaited (a promise the script left behind): script errors outside iterations. */
  strays = 0;
  /** Iterations the end of the run cut before their end (not in `iterations`). */
  cut = 0;
  /** A user stopped because `--data` rows dealt `unique` were used up. */
  exhausted = false;

  /** The summary of step `name`, made when first seen. */
  step(name: string): Summary.Summary {
    let s = this.steps.get(name);
    if (s === undefined) {
      if (this.steps.size >= maxSteps && name !== otherStep) return this.step(otherStep);
      s = Summary.empty();
      this.steps.set(name, s);
    }
    return s;
  }

  check(name: string, passed: boolean): void {
    let c = this.checks.get(name);
    if (c === undefined) {
      c = { passed: 0, failed: 0 };
      this.checks.set(name, c);
    }
    if (passed) c.passed++;
    else c.failed++;
  }

  group(name: string, us: number): void {
    let g = this.groups.get(name);
    if (g === undefined) {
      g = timed();
      this.groups.set(name, g);
    }
    g.count++;
    g.durations.record(us);
  }

  iteration(us: number, error: string | undefined): void {
    this.iterations.count++;
    this.iterations.durations.record(us);
    if (error !== undefined) {
      this.scriptErrors++;
      this.scriptWhy ??= error;
    }
  }

  stray(error: string): void {
    this.strays++;
    this.scriptWhy ??= error;
  }

  /** Adds `other`'s counts to this one's. */
  merge(other: Tally): this {
    for (const [name, s] of other.steps) {
      const mine = this.steps.get(name);
      if (mine === undefined) this.steps.set(name, Summary.empty().merge(s));
      else mine.merge(s);
    }
    for (const [name, g] of other.groups) {
      const mine = this.groups.get(name) ?? timed();
      mine.count += g.count;
      mine.durations.add(g.durations);
      this.groups.set(name, mine);
    }
    for (const [name, c] of other.checks) {
      const mine = this.checks.get(name) ?? { passed: 0, failed: 0 };
      mine.passed += c.passed;
      mine.failed += c.failed;
      this.checks.set(name, mine);
    }
    this.iterations.count += other.iterations.count;
    this.iterations.durations.add(other.iterations.durations);
    this.scriptErrors += other.scriptErrors;
    this.strays += other.strays;
    this.scriptWhy ??= other.scriptWhy;
    this.cut += other.cut;
    this.exhausted ||= other.exhausted;
    return this;
  }
}

export const mergeAll = (all: Iterable<Tally>): Tally => {
  const t = new Tally();
  for (const one of all) t.merge(one);
  return t;
};

/** The share of checks that passed, 0..1 (1 when none ran); by name, or of all checks together. */
export const passRate = (t: Tally, name?: string): number => {
  let passed = 0, total = 0;
  for (const [n, c] of t.checks) {
    if (name !== undefined && n !== name) continue;
    passed += c.passed;
    total += c.passed + c.failed;
  }
  return total === 0 ? 1 : passed / total;
};
