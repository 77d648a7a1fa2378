// Snappy's block format (google/snappy, format_description.txt), compression only: what a remote-write
// body is. Greedy matching over a hash of 4-byte sequences, as the reference encoder does.

const hashBits = 14;
const maxOffset = 65535;

const varint = (out: number[], n: number): void => {
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
};

/**
 * A literal: tag 00, its length - 1 in the tag up to 59, else in 1 or 2 bytes after it. Literals past
 * 64 KiB go in pieces, so the 3- and 4-byte forms are never needed.
 */
const literal = (out: number[], src: Uint8Array, from: number, to: number): void => {
  for (let at = from; at < to; at += 0x10000) {
    const end = Math.min(to, at + 0x10000);
    const n = end - at - 1;
    if (n < 60) out.push(n << 2);
    else if (n < 0x100) out.push(60 << 2, n);
    else out.push(61 << 2, n & 0xff, n >>> 8);
    for (let i = at; i < end; i++) out.push(src[i]!);
  }
};

/** A copy with a 2-byte offset (tag 10): 1–64 bytes each, a longer match in several. */
const copy = (out: number[], offset: number, length: number): void => {
  let left = length;
  while (left > 0) {
    const n = Math.min(left, 64);
    out.push(((n - 1) << 2) | 2, offset & 0xff, offset >>> 8);
    left -= n;
  }
};

const load32 = (b: Uint8Array, i: number): number =>
  (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

const hash = (x: number): number => Math.imul(x, 0x1e35a7bd) >>> (32 - hashBits);

/** Compresses `src` into one snappy block: the length as a varint, then literals and copies. */
export const compress = (src: Uint8Array): Uint8Array<ArrayBuffer> => {
  const out: number[] = [];
  varint(out, src.length);
  const table = new Int32Array(1 << hashBits).fill(-1);
  let pending = 0;
  let i = 0;
  while (i + 4 <= src.length) {
    const x = load32(src, i);
    const h = hash(x);
    const candidate = table[h]!;
    table[h] = i;
    if (candidate >= 0 && i - candidate <= maxOffset && load32(src, candidate) === x) {
      let length = 4;
      while (i + length < src.length && src[candidate + length] === src[i + length]) length++;
      literal(out, src, pending, i);
      copy(out, i - candidate, length);
      i += length;
      pending = i;
    } else {
      i++;
    }
  }
  literal(out, src, pending, src.length);
  return Uint8Array.from(out);
};
