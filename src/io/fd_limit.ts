// The process's limit on open files (`ulimit -n`), where the platform tells it (Linux), else undefined.

/** `limits`: the file to read (a test passes its own). */
export const openFileLimit = (limits = "/proc/self/limits"): number | undefined => {
  try {
    const text = Deno.readTextFileSync(limits);
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
    return m === null || m[1] === "unlimited" ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
};

/** Files salvo holds besides its connections: stdio, the runtime's own, an output file or two. */
export const reservedFiles = 32;

/** Files each load thread (a Worker) holds besides its connections: measured 6 (its event loop's). */
export const filesPerThread = 8;

/** Files salvo holds besides its connections when running on `threads` load threads. */
export const reservedFor = (threads: number): number =>
  reservedFiles + (threads > 1 ? filesPerThread * threads : 0);
