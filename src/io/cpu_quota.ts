// The cores this process may use: the machine's, lowered to a container's CPU quota (cgroup v2 or v1).

const read = (path: string): string | undefined => {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
};

/**
 * The CPU quota in cores, rounded up (1.5 cores is 2 load threads' worth); undefined when there is
 * none (or it cannot be read). `cgroup` is where the cgroup filesystem is mounted (a test passes a
 * temporary folder).
 */
export const quotaCores = (cgroup = "/sys/fs/cgroup"): number | undefined => {
  // cgroup v2: "max 100000" or "200000 100000" (quota and period, µs).
  const v2 = read(`${cgroup}/cpu.max`)?.split(/\s+/);
  if (v2 !== undefined && v2[0] !== "max") {
    const [q, p] = [Number(v2[0]), Number(v2[1])];
    if (q > 0 && p > 0) return Math.max(1, Math.ceil(q / p));
  }
  const q1 = Number(read(`${cgroup}/cpu/cpu.cfs_quota_us`));
  const p1 = Number(read(`${cgroup}/cpu/cpu.cfs_period_us`));
  return q1 > 0 && p1 > 0 ? Math.max(1, Math.ceil(q1 / p1)) : undefined;
};

/** Cores available to salvo: the machine's (its CPU affinity), or the container's quota if lower. */
export const usableCores = (): number =>
  Math.max(1, Math.min(navigator.hardwareConcurrency || 1, quotaCores() ?? Infinity));
