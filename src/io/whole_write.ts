// Writes a buffer whole with synchronous writes, so that a stream of lines never holds half a line.
export const writeWhole = (out: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void => {
  let at = 0;
  while (at < bytes.length) at += out.writeSync(at === 0 ? bytes : bytes.subarray(at));
};

/** Why a write failed, in words: a closed pipe is named as such (`salvo run --results - | head`). */
export const writeFailure = (e: unknown): string =>
  e instanceof Deno.errors.BrokenPipe
    ? "the reader closed the pipe"
    : e instanceof Error
    ? e.message
    : String(e);

/** Writes `bytes` whole; returns why it failed, or undefined. Output sinks keep the first failure. */
export const tryWriteWhole = (
  out: { writeSync(p: Uint8Array): number },
  bytes: Uint8Array,
): string | undefined => {
  try {
    writeWhole(out, bytes);
    return undefined;
  } catch (e) {
    return writeFailure(e);
  }
};
