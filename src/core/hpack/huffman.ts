// HPACK's Huffman code (RFC 7541 Appendix B): encoding, and decoding that rejects what §5.2 forbids.
//
// The code is canonical: sorting the 257 symbols (256 octets and EOS) by code length, then by value,
// and counting up gives the RFC's table. So only the lengths are written here, one letter per symbol
// ('A' = 5 bits … 'Z' = 30 bits), and the codes are rebuilt from them at load time; the RFC's
// examples (Appendix C.4, C.6) in tests/core/hpack_test.ts check the result.
const lengthLetters =
  "ISXXXXXXXTZXXZXXXXXXXXZXXXXXXXXXBFFHIBDGFFDGDBBBAAABBBBBBBCDKBHFIBCCCCCCCCCCCCCCCCCCCCCCDCDIOIJBKA" +
  "BABABBBACCBBBABCBAABCCCCCKGJIXPRPPRRRSRSSSSSTSTTRSTSSSSQRSRSSTRQPRRSSQSRRTQRSSQQRQSRSSPRRRSRRSVVPOR" +
  "SRUVVVWWVTUOQVWWVWTQQVVXWWWPTPQRQQSRRUUTTVSVWVVWWWWWXWWWWWVZ";

const eos = 256;
/** Bits of each symbol's code, and the code itself (right-aligned). */
const lengths = new Uint8Array(257);
const codes = new Uint32Array(257);

/** The decoding tree: node n's children are child[2n] (bit 0) and child[2n + 1] (bit 1); a leaf holds -1 - symbol. */
const child = new Int32Array(2 * 512).fill(0);

(() => {
  for (let s = 0; s < 257; s++) lengths[s] = lengthLetters.charCodeAt(s) - 65 + 5;
  const order = Array.from({ length: 257 }, (_, s) => s).sort((a, b) =>
    lengths[a]! - lengths[b]! || a - b
  );
  let code = 0;
  let nodes = 1;
  order.forEach((s, i) => {
    if (i > 0) code = (code + 1) * 2 ** (lengths[s]! - lengths[order[i - 1]!]!);
    codes[s] = code;
    let node = 0;
    for (let b = lengths[s]! - 1; b >= 0; b--) {
      const slot = 2 * node + (Math.floor(code / 2 ** b) & 1);
      if (b === 0) child[slot] = -1 - s;
      else {
        if (child[slot] === 0) child[slot] = nodes++;
        node = child[slot]!;
      }
    }
  });
})();

/** Octets the Huffman encoding of `s` (a byte string: one char per octet) takes. */
export const encodedLength = (s: string): number => {
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += lengths[s.charCodeAt(i) & 0xff]!;
  return Math.ceil(bits / 8);
};

/** Writes the Huffman encoding of `s` at `out[at]`, padded with the EOS prefix; returns the end. */
export const encodeInto = (s: string, out: Uint8Array, at: number): number => {
  let acc = 0; // pending bits, right-aligned; never more than 7 + 30, so kept as a float-safe number
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) & 0xff;
    acc = acc * 2 ** lengths[c]! + codes[c]!;
    n += lengths[c]!;
    while (n >= 8) {
      n -= 8;
      const byte = Math.floor(acc / 2 ** n);
      out[at++] = byte;
      acc -= byte * 2 ** n;
    }
  }
  if (n > 0) out[at++] = (acc * 2 ** (8 - n)) | (0xff >> n);
  return at;
};

/**
 * Decodes `src[start..end)` into a byte string; undefined when it is not a valid encoding: EOS
 * inside, padding longer than 7 bits, or padding that is not EOS's prefix (RFC 7541 §5.2).
 */
export const decode = (src: Uint8Array, start: number, end: number): string | undefined => {
  let out = "";
  let node = 0;
  let depth = 0; // bits read since the last whole symbol
  let ones = true; // and all of them were 1
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    for (let b = 7; b >= 0; b--) {
      const bit = (byte >> b) & 1;
      const next = child[2 * node + bit]!;
      if (next < 0) {
        const s = -1 - next;
        if (s === eos) return undefined;
        out += String.fromCharCode(s);
        node = 0;
        depth = 0;
        ones = true;
      } else {
        node = next;
        depth++;
        if (bit === 0) ones = false;
      }
    }
  }
  return depth <= 7 && ones ? out : undefined;
};
