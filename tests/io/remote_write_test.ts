// Remote write's body: the protobuf and snappy bytes against vectors worked out from the specs, and a
// round trip through decoders written from the specs alone.
import fc from "fast-check";
import { encode, type Series } from "../../src/core/remote_write.ts";
import { compress } from "../../src/core/snappy.ts";
import { assertEquals } from "../assert.ts";
import { decodeWriteRequest, uncompress } from "./remote_write_decode.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
const ascii = (s: string) => [...new TextEncoder().encode(s)];

Deno.test("a one-sample WriteRequest is the bytes remote.proto and types.proto define", () => {
  const got = encode([{ labels: [["job", "x"], ["__name__", "up"]], points: [[1, 1000]] }]);
  const label1 = [0x0a, 8, ...ascii("__name__"), 0x12, 2, ...ascii("up")];
  const label2 = [0x0a, 3, ...ascii("job"), 0x12, 1, ...ascii("x")];
  // double 1.0 little-endian, then timestamp 1000 as a varint (0xe8 0x07).
  const sample = [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0xe8, 0x07];
  const series = [0x0a, 14, ...label1, 0x0a, 8, ...label2, 0x12, 12, ...sample];
  assertEquals(hex(got), hex(Uint8Array.from([0x0a, 40, ...series])));
});

Deno.test("snappy writes a repeat as a literal and an overlapping copy, per the format description", () => {
  // 16 bytes: varint 0x10; literal 'abcd' (tag (4-1)<<2); a copy of 12 bytes from 4 back (tag 10).
  assertEquals(
    hex(compress(new TextEncoder().encode("abcdabcdabcdabcd"))),
    hex(Uint8Array.from([0x10, 0x0c, ...ascii("abcd"), 0x2e, 0x04, 0x00])),
  );
});

Deno.test("snappy spells long literals' lengths in the bytes after the tag", () => {
  // 300 bytes that never repeat a 4-byte run: one literal, tag 61<<2, length-1 = 299 in two bytes.
  const src = Uint8Array.from({ length: 300 }, (_, i) => (i < 256 ? i : (i * 3) % 256));
  const out = compress(src);
  assertEquals(
    hex(out.subarray(0, 5)),
    hex(Uint8Array.from([0xac, 0x02, 61 << 2, 299 & 0xff, 299 >> 8])),
  );
  assertEquals(hex(uncompress(out)), hex(src));
});

/** `n` bytes in which no 4-byte run repeats (up to 300): all one literal. */
const unique = (n: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i < 256 ? i : (i * 3) % 256));

Deno.test("snappy's literal tags change form exactly at 60 and 256 bytes", () => {
  // Length - 1 below 60 in the tag; 60..255 in one byte after tag 60; from 256 in two after tag 61.
  const head: Array<[number, number[]]> = [
    [60, [60, 59 << 2]],
    [61, [61, 60 << 2, 60]],
    [256, [0x80, 0x02, 60 << 2, 255]],
    [257, [0x81, 0x02, 61 << 2, 0, 1]],
  ];
  for (const [n, want] of head) {
    const out = compress(unique(n));
    assertEquals(hex(out.subarray(0, want.length)), hex(Uint8Array.from(want)), `${n} bytes`);
    assertEquals(out.length, want.length + n, `${n} bytes: one literal`);
    assertEquals(hex(uncompress(out)), hex(unique(n)));
  }
});

Deno.test("snappy copies a repeat that ends exactly at the input's end, and a preamble of 128 takes two bytes", () => {
  // "abcdabcd": a literal of 4, then a copy of 4 from 4 back (tag (4-1)<<2 | 2).
  assertEquals(
    hex(compress(new TextEncoder().encode("abcdabcd"))),
    hex(Uint8Array.from([0x08, 0x0c, ...ascii("abcd"), 0x0e, 0x04, 0x00])),
  );
  const zeros = compress(new Uint8Array(128));
  assertEquals(hex(zeros.subarray(0, 2)), "80 01");
  assertEquals(hex(uncompress(zeros)), hex(new Uint8Array(128)));
});

Deno.test("a literal longer than 64 KiB goes in pieces, and comes back whole", () => {
  // A 16-bit counter, big-endian: no 4-byte run repeats within 64 KiB, so matches are rare.
  const src = Uint8Array.from(
    { length: 140_000 },
    (_, i) => (i % 2 === 0 ? (i >> 9) & 0xff : (i >> 1) & 0xff),
  );
  // The preamble (3 bytes), then the first piece: tag 61 with 65535, i.e. 64 KiB.
  assertEquals(hex(compress(src).subarray(3, 6)), hex(Uint8Array.from([61 << 2, 0xff, 0xff])));
  assertEquals(uncompress(compress(src)).length, src.length);
  assertEquals(uncompress(compress(src)).every((b, i) => b === src[i]), true);
});

Deno.test("labels and values longer than the encoder's first buffer come back whole", () => {
  const long = "x".repeat(5000);
  const back = decodeWriteRequest(
    encode([{ labels: [["__name__", "up"], ["team", long]], points: [[1, 2]] }]),
  );
  assertEquals(back[0]!.labels[1], ["team", long]);
});

Deno.test("any bytes come back whole through snappy, repeats or not", () => {
  const chunk = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 400 }))
      .map(([b, n]) => Uint8Array.from({ length: b.length * n }, (_, i) => b[i % b.length]!)),
  );
  fc.assert(
    fc.property(fc.array(chunk, { maxLength: 8 }), (parts) => {
      const src = Uint8Array.from(parts.flatMap((p) => [...p]));
      assertEquals(hex(uncompress(compress(src))), hex(src));
    }),
    { numRuns: 500 },
  );
});

Deno.test("series come back from the wire with their labels sorted and every point in order", () => {
  const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
  const series = fc.record({
    labels: fc.uniqueArray(fc.tuple(name, fc.string({ maxLength: 20 })), {
      selector: ([k]) => k,
      minLength: 1,
      maxLength: 6,
    }),
    points: fc.array(
      fc.tuple(fc.double({ noNaN: true }), fc.integer({ min: 0, max: 2 ** 53 - 1 })),
      { minLength: 1, maxLength: 4 },
    ),
  });
  fc.assert(
    fc.property(fc.array(series, { maxLength: 5 }), (all: Series[]) => {
      const back = decodeWriteRequest(uncompress(compress(encode(all))));
      assertEquals(back.length, all.length);
      back.forEach((b, i) => {
        const want = [...all[i]!.labels].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0));
        assertEquals(JSON.stringify(b.labels), JSON.stringify(want));
        assertEquals(
          b.samples.map(([v, t]) => `${Object.is(v, -0) ? "-0" : v}@${t}`).join(),
          all[i]!.points.map(([v, t]) => `${Object.is(v, -0) ? "-0" : v}@${t}`).join(),
        );
      });
    }),
    { numRuns: 300 },
  );
});
