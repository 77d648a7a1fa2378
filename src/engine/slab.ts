// Copies of small byte ranges carved from shared blocks: one backing store per block, not one per copy.
//
// A scenario keeps each response's head and body for the script (engine/scenario_user.ts). Copying
// them with `slice` made a new ArrayBuffer each time, 3–4 % of a one-request scenario's profile
// against nginx; carved from a block, a copy takes 0.1–0.2x the time (scripts/bench_copy.ts). A
// block lives while any view of it does: a script that keeps a response keeps its block alive.

/** Bytes in one block. */
export const blockSize = 16384;
/** A range longer than this gets a buffer of its own (a block holds at least four). */
const largest = blockSize / 4;
/** Ranges up to this long are copied byte by byte (cheaper than a `set` and its source view). */
const short = 16;

let block = new Uint8Array(blockSize);
let used = 0;

/** A copy of src[from..to) that later writes to `src` do not change. */
export const copyOf = (src: Uint8Array, from: number, to: number): Uint8Array => {
  const n = to - from;
  if (n > largest) return src.slice(from, to);
  if (used + n > blockSize) {
    block = new Uint8Array(blockSize);
    used = 0;
  }
  const at = used;
  used += n;
  if (n <= short) {
    for (let i = 0; i < n; i++) block[at + i] = src[from + i]!;
  } else block.set(src.subarray(from, to), at);
  return block.subarray(at, used);
};
