// Where salvo's entry module is: a load thread is a Worker running it (in the bundle and in the
// compiled binary that is the one file salvo is), told by the entry that it is a thread.
let url: string | undefined;

/** The entry records its own URL (its import.meta.url) before anything starts threads. */
export const setEntry = (u: string): void => {
  url = u;
};

/** The entry's URL; from source, src/main.ts. */
export const entry = (): string => url ?? new URL("../main.ts", import.meta.url).href;

/** True in a Worker: there the entry serves the main thread instead of reading arguments. */
export const inWorker = (): boolean => {
  const scope = (globalThis as { WorkerGlobalScope?: abstract new () => unknown })
    .WorkerGlobalScope;
  return scope !== undefined && globalThis instanceof scope;
};
