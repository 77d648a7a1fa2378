// Where a load thread's module comes from: from source, thread_entry.ts; in the bundle and the
// compiled binary, the thread's own bundle that the build embedded (a blob: URL), so salvo stays one
// file. A Worker of its own bundle (424 KB) holds ~15 MB less than one of the whole program's (2.3 MB).
// That is also why the modules a thread loads import Effect's modules one by one ("effect/Effect"):
// through the "effect" barrel the thread's bundle is 654 KB. The embedded code is imported only when a
// run starts threads: the bundle keeps it in a chunk of its own, so a run on one thread, and start-up,
// never parse its 438 KB.

let url: Promise<string> | undefined;

/** The URL a load thread's Worker runs. */
export const threadUrl = (): Promise<string> =>
  url ??= import("./thread_code.ts").then(({ threadCode }) =>
    threadCode === undefined
      ? new URL("./thread_entry.ts", import.meta.url).href
      : URL.createObjectURL(new Blob([threadCode], { type: "text/javascript" }))
  );
