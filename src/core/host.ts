// The machine's CPU accounting around a run, as Linux reports it: parsers for its text files and the
// figures two samples give. Pure: a missing file is `undefined` here, "not measured" when reported.

/** Ticks of the machine's CPU time by kind, all cores together (/proc/stat, line `cpu`). */
export interface CpuTicks {
  /** user + nice + system + irq + softirq (guest time is inside user). */
  readonly busy: number;
  readonly idle: number;
  readonly steal: number;
  readonly total: number;
  /** Cores that /proc/stat lists (`cpu0`, `cpu1`, …). */
  readonly cores: number;
}

/** A thread's (or a process's) scheduler statistics: time on a CPU and time runnable but waiting. */
export interface Sched {
  readonly runNs: number;
  readonly waitNs: number;
}

/** A cgroup's CPU throttling (cgroup v2 `cpu.stat`, or v1's with its `throttled_time` in ns). */
export interface Throttling {
  readonly periods: number;
  readonly throttledPeriods: number;
  readonly throttledUs: number;
}

/** One reading of every source; each is undefined where its file could not be read. */
export interface HostSample {
  /** performance.now() when taken. */
  readonly at: number;
  readonly cpu: CpuTicks | undefined;
  /** Every thread of salvo's process, by thread id. */
  readonly process: ReadonlyMap<string, Sched> | undefined;
  /** /proc/pressure/cpu: total µs during which some runnable task waited for a CPU. */
  readonly pressureSomeUs: number | undefined;
  readonly throttling: Throttling | undefined;
}

/** What the machine did during a run; each figure is undefined when it was not measured. */
export interface HostFigures {
  readonly cores: number | undefined;
  /** Share of all cores' time spent working (steal apart), 0..1. */
  readonly busyShare: number | undefined;
  /** Share of all cores' time the hypervisor gave to other machines, 0..1. */
  readonly stealShare: number | undefined;
  /** Of `busyShare`, what salvo's own process did not use: other processes, the server under test. */
  readonly othersShare: number | undefined;
  /** Time salvo's threads were ready to run but waited for a CPU, all threads added, ms. */
  readonly waitMs: number | undefined;
  /** Share of the run during which some task on the machine waited for a CPU (PSI `some`), 0..1. */
  readonly pressureShare: number | undefined;
  /** Time the container's CPU quota held salvo's cgroup back, ms, and in how many periods. */
  readonly throttledMs: number | undefined;
  readonly throttledPeriods: number | undefined;
}

export const notMeasured: HostFigures = {
  cores: undefined,
  busyShare: undefined,
  stealShare: undefined,
  othersShare: undefined,
  waitMs: undefined,
  pressureShare: undefined,
  throttledMs: undefined,
  throttledPeriods: undefined,
};

const numbers = (line: string): number[] => line.trim().split(/\s+/).slice(1).map(Number);

/** /proc/stat's `cpu` line and its per-core lines; undefined when the text has none. */
export const parseProcStat = (text: string): CpuTicks | undefined => {
  const lines = text.split("\n");
  const all = lines.find((l) => /^cpu\s/.test(l));
  if (all === undefined) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = numbers(all);
  const fields = [user, nice, system, idle, iowait, irq, softirq, steal ?? 0];
  if (fields.some((n) => n === undefined || !Number.isFinite(n))) return undefined;
  const busy = user! + nice! + system! + irq! + softirq!;
  const waiting = idle! + iowait!;
  return {
    busy,
    idle: waiting,
    steal: steal ?? 0,
    total: busy + waiting + (steal ?? 0),
    cores: lines.filter((l) => /^cpu\d+\s/.test(l)).length,
  };
};

/** `/proc/…/schedstat`: "run_ns wait_ns timeslices". */
export const parseSchedstat = (text: string): Sched | undefined => {
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  return run !== undefined && wait !== undefined && Number.isFinite(run) && Number.isFinite(wait)
    ? { runNs: run, waitNs: wait }
    : undefined;
};

/** `/proc/pressure/cpu`: the `some` line's `total=` (µs). */
export const parsePressure = (text: string): number | undefined => {
  const m = /^some\b.*\btotal=(\d+)/m.exec(text);
  return m === null ? undefined : Number(m[1]);
};

/** A cgroup's `cpu.stat`: v2 reports `throttled_usec`, v1 `throttled_time` in ns. */
export const parseCpuStat = (text: string): Throttling | undefined => {
  const kv = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k !== undefined && v !== undefined && Number.isFinite(Number(v))) kv.set(k, Number(v));
  }
  const periods = kv.get("nr_periods");
  const throttledPeriods = kv.get("nr_throttled");
  const us = kv.get("throttled_usec") ??
    (kv.has("throttled_time") ? kv.get("throttled_time")! / 1000 : undefined);
  return periods === undefined || throttledPeriods === undefined || us === undefined
    ? undefined
    : { periods, throttledPeriods, throttledUs: us };
};

/**
 * What the threads of `b` waited since `a`: a thread started since then waited all of its count
 * during the span; one gone by `b` is not counted (its last figures were not read).
 */
const waitedNs = (a: ReadonlyMap<string, Sched>, b: ReadonlyMap<string, Sched>): number => {
  let ns = 0;
  for (const [tid, s] of b) ns += Math.max(0, s.waitNs - (a.get(tid)?.waitNs ?? 0));
  return ns;
};

const share = (part: number, whole: number): number =>
  whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 0;

/**
 * The figures of a run between two samples. `salvoCpuMs` is the CPU time salvo's process used in that
 * span; what the machine's cores did beyond it was other work.
 */
export const figures = (a: HostSample, b: HostSample, salvoCpuMs: number): HostFigures => {
  const ms = b.at - a.at;
  const cpu = a.cpu !== undefined && b.cpu !== undefined && b.cpu.total > a.cpu.total
    ? { a: a.cpu, b: b.cpu }
    : undefined;
  const total = cpu === undefined ? 0 : cpu.b.total - cpu.a.total;
  const busyShare = cpu === undefined ? undefined : share(cpu.b.busy - cpu.a.busy, total);
  const cores = cpu?.b.cores || undefined;
  const salvoShare = cores === undefined ? undefined : share(salvoCpuMs, ms * cores);
  return {
    cores,
    busyShare,
    stealShare: cpu === undefined ? undefined : share(cpu.b.steal - cpu.a.steal, total),
    othersShare: busyShare === undefined || salvoShare === undefined
      ? undefined
      : Math.max(0, busyShare - salvoShare),
    waitMs: a.process === undefined || b.process === undefined
      ? undefined
      : waitedNs(a.process, b.process) / 1e6,
    pressureShare: a.pressureSomeUs === undefined || b.pressureSomeUs === undefined || ms <= 0
      ? undefined
      : share(b.pressureSomeUs - a.pressureSomeUs, ms * 1000),
    throttledMs: a.throttling === undefined || b.throttling === undefined
      ? undefined
      : Math.max(0, b.throttling.throttledUs - a.throttling.throttledUs) / 1000,
    throttledPeriods: a.throttling === undefined || b.throttling === undefined
      ? undefined
      : Math.max(0, b.throttling.throttledPeriods - a.throttling.throttledPeriods),
  };
};
