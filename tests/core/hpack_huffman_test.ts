// HPACK's Huffman code symbol by symbol: the code is RFC 7541's canonical one, long strings decode whole, and EOS anywhere in the bits is refused.
import fc from "fast-check";
import * as Huffman from "../../src/core/hpack/huffman.ts";
import { assertEquals } from "../assert.ts";

/** A symbol's code as the encoder writes it: its length (from 8 copies, whole octets) and its bits. */
const codeOf = (c: number): { bits: number; code: number } => {
  const s = String.fromCharCode(c);
  const bits = Huffman.encodedLength(s.repeat(8));
  const out = new Uint8Array(4);
  Huffman.encodeInto(s, out, 0);
  const word = ((out[0]! << 24) | (out[1]! << 16) | (out[2]! << 8) | out[3]!) >>> 0;
  return { bits, code: Math.floor(word / 2 ** (32 - bits)) };
};

const octets = Array.from({ length: 256 }, (_, c) => c);

Deno.test("Huffman: codes RFC 7541 Appendix B lists, bit for bit", () => {
  // '0' 00000, 'a' 00011, ' ' 010100, '%' 010101, ':' 1011100, 'Q' 1101100, '\0' 1111111111000 (13).
  const want: ReadonlyArray<[number, number, number]> = [
    [0x30, 5, 0b00000],
    [0x61, 5, 0b00011],
    [0x20, 6, 0b010100],
    [0x25, 6, 0b010101],
    [0x3a, 7, 0b1011100],
    [0x51, 7, 0b1101100],
    [0x00, 13, 0x1ff8],
    [0xff, 26, 0x3ffffee],
  ];
  for (const [c, bits, code] of want) assertEquals(codeOf(c), { bits, code }, `symbol ${c}`);
});

Deno.test("Huffman: the code is canonical: ordered by length then by symbol, each code is the last plus one, shifted", () => {
  const byRank = octets.map((c) => ({ c, ...codeOf(c) }))
    .sort((a, b) => a.bits - b.bits || a.c - b.c);
  for (let i = 1; i < byRank.length; i++) {
    const [p, q] = [byRank[i - 1]!, byRank[i]!];
    assertEquals(q.code, (p.code + 1) * 2 ** (q.bits - p.bits), `symbol ${q.c} after ${p.c}`);
  }
  // The last octet's code is followed by EOS's: 30 ones.
  const last = byRank[255]!;
  assertEquals((last.code + 1) * 2 ** (30 - last.bits), 2 ** 30 - 1);
});

Deno.test("Huffman: a long string decodes whole, longer than any buffer a shorter one left", () => {
  for (const n of [10, 400, 5000, 40_000]) {
    const s = "a".repeat(n) + "\u00ff";
    const out = new Uint8Array(Huffman.encodedLength(s));
    const end = Huffman.encodeInto(s, out, 0);
    assertEquals(Huffman.decode(out, 0, end), s);
  }
});

/** Bits to octets, the last padded with ones. */
const pack = (bits: string): Uint8Array => {
  const padded = bits + "1".repeat((8 - (bits.length % 8)) % 8);
  return Uint8Array.from(padded.match(/.{8}/g) ?? [], (b) => parseInt(b, 2));
};
const bitsOf = (s: ReadonlyArray<number>) =>
  s.map((c) => {
    const { bits, code } = codeOf(c);
    return code.toString(2).padStart(bits, "0");
  }).join("");

Deno.test("property: EOS's code inside a string, at any bit offset and with anything after it, is refused", () => {
  const symbols = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 });
  fc.assert(
    fc.property(symbols, symbols, (before, after) => {
      const bytes = pack(bitsOf(before) + "1".repeat(30) + bitsOf(after));
      assertEquals(Huffman.decode(bytes, 0, bytes.length), undefined);
      // Without EOS the same symbols decode.
      const ok = pack(bitsOf([...before, ...after]));
      assertEquals(Huffman.decode(ok, 0, ok.length), String.fromCharCode(...before, ...after));
    }),
    { numRuns: 2000 },
  );
});
