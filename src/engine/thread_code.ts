// A load thread's code, bundled on its own: scripts/build.ts writes it here in the bundle and the
// binary (undefined from source, where the Worker loads thread_entry.ts itself).
export const threadCode: string | undefined = undefined;
