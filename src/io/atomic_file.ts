// Whole output files are written atomically: a temporary file beside the target, then a rename.
import { Effect } from "effect";
import { RunError } from "../domain/errors.ts";

export const write = (path: string, text: string): Effect.Effect<void, RunError> =>
  Effect.tryPromise({
    try: async () => {
      const slash = path.lastIndexOf("/");
      const dir = slash >= 0 ? path.slice(0, slash + 1) : "";
      const temp = `${dir}.${path.slice(slash + 1)}.${Deno.pid}.tmp`;
      try {
        await Deno.writeTextFile(temp, text);
        await Deno.rename(temp, path);
      } catch (e) {
        await Deno.remove(temp).catch(() => {});
        throw e;
      }
    },
    catch: (e) =>
      new RunError({
        reason: "output",
        message: `cannot write '${path}': ${e instanceof Error ? e.message : String(e)}`,
      }),
  });
