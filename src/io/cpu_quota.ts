// The cores this process may use: the machine's, lowered to a container's CPU quota (cgroup v2 or v1).

const read = (path: string): string | undefined => {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
};

/** The CPU quota in cores, rounded up; undefined when there is none (or it cannot be read). */
export const quotaCores = (): number | undefined => {
  // cgroup v2: "max 100000" or "200000 100000" (quota and period, µs).
  const v2 = read("/sys/fs/cgroup/cpu.max")?.split(/\s+/);
  if (v2 !== undefined && v2[0] !== "max") {
    const [q, p] = [Number(v2[0]), Number(v2[1])];
    if (q > 0 && p > 0) return Math.max(1, Math.ceil(q / p));
  }
  const q1 = Number(read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"));
  const p1 = Number(read("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
  return q1 > 0 && p1 > 0 ? Math.max(1, Math.ceil(q1 / p1)) : undefined;
};

/** Cores available to salvo: the machine's (its CPU affinity), or the container's quota if lower. */
export const usableCores = (): number =>
  Math.max(1, Math.min(navigator.hardwareConcurrency || 1, quotaCores() ?? Infinity));
