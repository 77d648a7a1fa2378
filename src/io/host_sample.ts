// Reads what Linux says about CPU given and taken (/proc, cgroup files); where a file is missing or
// unreadable (macOS, Windows, no permission) that source is undefined, never a guess.
import * as Host from "../core/host.ts";

const read = (path: string): string | undefined => {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
};

/** Every thread of this process, by thread id; undefined without /proc. */
const processSched = (): Map<string, Host.Sched> | undefined => {
  let tasks: Iterable<Deno.DirEntry>;
  try {
    tasks = Deno.readDirSync("/proc/self/task");
  } catch {
    return undefined;
  }
  const out = new Map<string, Host.Sched>();
  for (const t of tasks) {
    const s = read(`/proc/self/task/${t.name}/schedstat`);
    const parsed = s === undefined ? undefined : Host.parseSchedstat(s);
    if (parsed !== undefined) out.set(t.name, parsed);
  }
  return out.size > 0 ? out : undefined;
};

/** The cgroup v2 folder of this process ("0::/path"), else v1's cpu controller folder. */
const cpuStatPaths = (): string[] => {
  const own = read("/proc/self/cgroup")?.split("\n") ?? [];
  const v2 = own.find((l) => l.startsWith("0::"))?.slice(3).trim();
  const v1 = own.find((l) => /^\d+:[^:]*\bcpu\b[^:]*:/.test(l))?.split(":")[2]?.trim();
  return [
    ...(v2 === undefined ? [] : [`/sys/fs/cgroup${v2 === "/" ? "" : v2}/cpu.stat`]),
    ...(v1 === undefined ? [] : [`/sys/fs/cgroup/cpu${v1 === "/" ? "" : v1}/cpu.stat`]),
  ];
};

let throttlingPath: string | null | undefined;

const throttling = (): Host.Throttling | undefined => {
  if (throttlingPath === undefined) {
    throttlingPath = cpuStatPaths().find((p) => {
      const t = read(p);
      return t !== undefined && Host.parseCpuStat(t) !== undefined;
    }) ?? null;
  }
  if (throttlingPath === null) return undefined;
  const t = read(throttlingPath);
  return t === undefined ? undefined : Host.parseCpuStat(t);
};

/** One reading of the machine; takes well under a millisecond. */
export const sample = (): Host.HostSample => {
  const stat = read("/proc/stat");
  const pressure = read("/proc/pressure/cpu");
  return {
    at: performance.now(),
    cpu: stat === undefined ? undefined : Host.parseProcStat(stat),
    process: processSched(),
    pressureSomeUs: pressure === undefined ? undefined : Host.parsePressure(pressure),
    throttling: throttling(),
  };
};

/** This thread's own scheduler statistics (a load thread reads its own). */
export const threadSched = (): Host.Sched | undefined => {
  const s = read("/proc/thread-self/schedstat");
  return s === undefined ? undefined : Host.parseSchedstat(s);
};
