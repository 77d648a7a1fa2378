// A stream output named by the user: a file (created or truncated) or stdout for '-', opened before
// the run so that an unwritable path stops salvo before its first request. The open is asynchronous:
// a FIFO nobody reads blocks it, and Ctrl-C or SIGTERM must still end salvo meanwhile.
import * as Effect from "effect/Effect";
import { RunError } from "../domain/errors.ts";
import { messageOf } from "../domain/thrown.ts";

export interface OutputStream {
  readonly out: { writeSync(p: Uint8Array): number };
  /** How messages name it: `stdout` or the quoted path. */
  readonly name: string;
  readonly close: () => void;
}

export const open = (flag: string, path: string): Effect.Effect<OutputStream, RunError> =>
  Effect.tryPromise({
    try: async () => {
      const file = path === "-"
        ? undefined
        : await Deno.open(path, { write: true, create: true, truncate: true });
      return {
        out: file ?? Deno.stdout,
        name: path === "-" ? "stdout" : `'${path}'`,
        close: () => file?.close(),
      };
    },
    catch: (e) =>
      new RunError({
        reason: "output",
        message: `${flag}: cannot write '${path}': ${messageOf(e)}`,
      }),
  });
