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

/** Builds the code, the tree and the decoder's steps on first use: a run over HTTP/1.1 never pays it. */
let built = false;
const build = (): void => {
  built = true;
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
  buildSteps();
};

/** Octets the Huffman encoding of `s` (a byte string: one char per octet) takes. */
export const encodedLength = (s: string): number => {
  if (!built) build();
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += lengths[s.charCodeAt(i) & 0xff]!;
  return Math.ceil(bits / 8);
};

/** Writes the Huffman encoding of `s` at `out[at]`, padded with the EOS prefix; returns the end. */
export const encodeInto = (s: string, out: Uint8Array, at: number): number => {
  if (!built) build();
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
 * The decoder's state machine, four bits at a time (as nghttp2 does): a state is a node of the
 * tree, and step[state * 16 + nibble] is the node reached, plus 256 × (symbol + 1) when a symbol
 * ended on the way, or -1 when the way passes EOS. No code is shorter than 5 bits, so a nibble ends
 * at most one symbol. A node is a valid place to stop (padding) when it is at most 7 bits deep on a
 * path of ones.
 */
const step = new Int32Array(256 * 16);
const canEnd = new Uint8Array(256);

const buildSteps = (): void => {
  // Node numbers of the tree above run to 255 (256 internal nodes); leaves are negative.
  const depth = new Int32Array(256);
  const ones = new Uint8Array(256).fill(0);
  ones[0] = 1;
  const order = [0];
  for (let i = 0; i < order.length; i++) {
    const n = order[i]!;
    for (let bit = 0; bit < 2; bit++) {
      const c = child[2 * n + bit]!;
      if (c > 0) {
        depth[c] = depth[n]! + 1;
        ones[c] = ones[n]! & bit;
        order.push(c);
      }
    }
  }
  for (let n = 0; n < 256; n++) canEnd[n] = n === 0 || (depth[n]! <= 7 && ones[n] === 1) ? 1 : 0;
  for (let n = 0; n < 256; n++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = n;
      let emitted = 0;
      let failed = false;
      for (let b = 3; b >= 0; b--) {
        const c = child[2 * node + ((nibble >> b) & 1)]!;
        if (c < 0) {
          const sym = -1 - c;
          if (sym === eos) failed = true;
          emitted = sym + 1;
          node = 0;
        } else node = c;
      }
      step[n * 16 + nibble] = failed ? -1 : node + 256 * emitted;
    }
  }
};

/** Where the symbols of one decode go before they become a string. */
let scratch = new Uint8Array(256);

/**
 * Decodes `src[start..end)` into a byte string; undefined when it is not a valid encoding: EOS
 * inside, padding longer than 7 bits, or padding that is not EOS's prefix (RFC 7541 §5.2).
 */
export const decode = (src: Uint8Array, start: number, end: number): string | undefined => {
  if (!built) build();
  // Every symbol takes at least 5 bits: at most 8/5 of a symbol per octet.
  if (scratch.length < (end - start) * 2) scratch = new Uint8Array((end - start) * 2);
  const out = scratch;
  let n = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    let t = step[state * 16 + (byte >> 4)]!;
    if (t < 0) return undefined;
    if (t >= 256) out[n++] = (t >> 8) - 1;
    t = step[(t & 0xff) * 16 + (byte & 0xf)]!;
    if (t < 0) return undefined;
    if (t >= 256) out[n++] = (t >> 8) - 1;
    state = t & 0xff;
  }
  if (canEnd[state] !== 1) return undefined;
  let s = "";
  // In slices: a call's arguments are bounded.
  for (let at = 0; at < n; at += 8192) {
    s += String.fromCharCode.apply(
      null,
      out.subarray(at, Math.min(n, at + 8192)) as unknown as number[],
    );
  }
  return s;
};
