// HPACK against RFC 7541 Appendix C (both directions, with and without Huffman) and its round-trip properties.
import fc from "fast-check";
import { Decoder } from "../../src/core/hpack/decoder.ts";
import { Encoder } from "../../src/core/hpack/encoder.ts";
import * as Huffman from "../../src/core/hpack/huffman.ts";
import { assert, assertEquals } from "../assert.ts";

interface Chain {
  tableSize: number;
  huffman: boolean;
  blocks: string[];
  lists: [string, string][][];
  tables: [string, string, number][][];
}
const rfc = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/hpack/rfc7541_appendix_c.json", import.meta.url)),
) as {
  single: Record<
    string,
    { block: string; field: [string, string]; table: [string, string, number][] }
  >;
  chains: Record<string, Chain>;
};

const bytes = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
const hex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

const decodeAll = (d: Decoder, block: Uint8Array): [string, string][] | string => {
  const out: [string, string][] = [];
  const error = d.decode(block, 0, block.length, (n, v) => out.push([n, v]));
  return error ?? out;
};

const tableOf = (t: Decoder["table"] | Encoder["table"]): [string, string, number][] =>
  Array.from({ length: t.length }, (_, k) => {
    const [n, v] = t.at(k)!;
    return [n, v, n.length + v.length + 32];
  });

for (const [name, c] of Object.entries(rfc.single)) {
  Deno.test(`RFC 7541 ${name} decodes to its field and table`, () => {
    const d = new Decoder();
    assertEquals(decodeAll(d, bytes(c.block)), [c.field]);
    assertEquals(tableOf(d.table), c.table);
  });
}

for (const [name, c] of Object.entries(rfc.chains)) {
  Deno.test(`RFC 7541 ${name}: each block decodes to its header list, the table after it as printed`, () => {
    const d = new Decoder(c.tableSize);
    c.blocks.forEach((block, i) => {
      assertEquals(decodeAll(d, bytes(block)), c.lists[i]);
      assertEquals(tableOf(d.table), c.tables[i]);
    });
  });
  Deno.test(`RFC 7541 ${name}: the encoder writes the RFC's exact bytes`, () => {
    const e = new Encoder({ huffman: c.huffman, tableSize: c.tableSize });
    c.lists.forEach((list, i) => {
      assertEquals(hex(e.encode(list)), c.blocks[i]);
      assertEquals(tableOf(e.table), c.tables[i]);
    });
  });
}

Deno.test("credentials are never indexed: authorization goes as a never-indexed literal and stays out of the table", () => {
  const e = new Encoder({ huffman: false });
  const block = e.encode([["authorization", "Bearer s3cret"]]);
  // 0001xxxx with the static name index 23 (authorization): 0x1f 0x08, then the value in clear.
  assertEquals(hex(block.subarray(0, 2)), "1f08");
  assertEquals(e.table.length, 0);
  const d = new Decoder();
  assertEquals(decodeAll(d, block), [["authorization", "Bearer s3cret"]]);
  assertEquals(d.table.length, 0);
});

Deno.test("malformed blocks are answered with a reason, never a throw", () => {
  // Index 0; an index past the table; an update above the limit; truncated strings; a lone prefix.
  for (const block of ["80", "be", "3fe21f", "400a6375", "41", "ff", "7f80808080808001"]) {
    const error = new Decoder().decode(bytes(block), 0, block.length / 2, () => {});
    assert(typeof error === "string", `${block} was accepted`);
  }
});

Deno.test("a table size update after the first field is refused", () => {
  assert(new Decoder().decode(bytes("8220"), 0, 2, () => {}) !== undefined);
  assertEquals(new Decoder().decode(bytes("2082"), 0, 2, () => {}), undefined);
});

Deno.test("Huffman: EOS inside, padding over 7 bits, and padding of zeros are refused", () => {
  // "a" is 00011: padded with ones it is 0x1f; with zeros 0x18; a byte of ones after it is 15 bits of padding.
  assertEquals(Huffman.decode(bytes("1f"), 0, 1), "a");
  assertEquals(Huffman.decode(bytes("18"), 0, 1), undefined);
  assertEquals(Huffman.decode(bytes("1fff"), 0, 2), undefined);
  assertEquals(Huffman.decode(bytes("ffffffff"), 0, 4), undefined); // EOS: 30 ones
});

const byteString = fc.uint8Array({ maxLength: 40 }).map((b) => String.fromCharCode(...b));
const headerName = fc.oneof(
  fc.constantFrom(":path", ":status", "authorization", "cookie", "content-length", "x-id"),
  byteString.map((s) => s.toLowerCase()),
);
const headerList = fc.array(fc.tuple(headerName, byteString), { maxLength: 12 });

Deno.test("property: Huffman decode(encode(s)) is s for any byte string", () => {
  fc.assert(
    fc.property(byteString, (s) => {
      const out = new Uint8Array(Huffman.encodedLength(s));
      const end = Huffman.encodeInto(s, out, 0);
      assertEquals(end, out.length);
      assertEquals(Huffman.decode(out, 0, end), s);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("property: for any header lists in sequence and any table limits, decode(encode(list)) is the list", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ list: headerList, limit: fc.option(fc.integer({ min: 0, max: 4096 })) }),
        { minLength: 1, maxLength: 8 },
      ),
      fc.boolean(),
      (steps, huffman) => {
        const e = new Encoder({ huffman });
        const d = new Decoder();
        for (const { list, limit } of steps) {
          if (limit !== null) e.setLimit(limit);
          const block = e.encode(list);
          assertEquals(decodeAll(d, block), list.map(([n, v]) => [n, v]));
          // Both sides' tables agree after every block.
          assertEquals(tableOf(d.table), tableOf(e.table));
        }
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("property: the decoder never throws on arbitrary bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      const r = new Decoder().decode(b, 0, b.length, () => {});
      assert(r === undefined || typeof r === "string");
    }),
    { numRuns: 1000 },
  );
});
