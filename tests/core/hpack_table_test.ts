// HPACK's dynamic table against a plain newest-first list: its ring wraps, grows and evicts as the list would, and the encoder signals each limit change.
import fc from "fast-check";
import { DynamicTable, entrySize } from "../../src/core/hpack/table.ts";
import { Encoder } from "../../src/core/hpack/encoder.ts";
import { Decoder } from "../../src/core/hpack/decoder.ts";
import { assertEquals } from "../assert.ts";

/** RFC 7541 §4 written as plainly as it reads: a list, newest first, evicted from the end. */
class Model {
  entries: [string, string][] = [];
  inserts = 0;
  constructor(public maxSize: number) {}
  get size(): number {
    return this.entries.reduce((s, [n, v]) => s + entrySize(n, v), 0);
  }
  private evictTo(limit: number): void {
    while (this.size > Math.max(0, limit) && this.entries.length > 0) {
      this.entries.pop();
      this.inserts++;
    }
  }
  add(name: string, value: string): void {
    this.inserts++;
    this.evictTo(this.maxSize - entrySize(name, value));
    if (entrySize(name, value) <= this.maxSize) this.entries.unshift([name, value]);
  }
  resize(maxSize: number): void {
    this.evictTo(maxSize);
    this.maxSize = maxSize;
  }
}

/** Every entry, by each accessor, and the ends on either side. */
const agree = (t: DynamicTable, m: Model) => {
  assertEquals(t.length, m.entries.length);
  assertEquals(t.size, m.size);
  assertEquals(t.maxSize, m.maxSize);
  assertEquals(t.inserts, m.inserts);
  assertEquals(t.at(-1), undefined);
  assertEquals(t.at(m.entries.length), undefined);
  for (const [k, [name, value]] of m.entries.entries()) {
    assertEquals(t.at(k), [name, value]);
    assertEquals([t.nameAt(k), t.valueAt(k)], [name, value]);
  }
};

type Op = { add: [string, string] } | { resize: number };
const text = (max: number) => fc.string({ maxLength: max });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(text(40), text(40)).map((add) => ({ add })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 }).map((resize) => ({ resize })) },
);

Deno.test("property: for any additions and resizes, the dynamic table holds what a newest-first list would", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), fc.array(op, { maxLength: 60 }), (max, ops) => {
      const t = new DynamicTable(max);
      const m = new Model(max);
      agree(t, m);
      for (const o of ops) {
        if ("add" in o) [t, m].forEach((x) => x.add(...o.add));
        else [t, m].forEach((x) => x.resize(o.resize));
        agree(t, m);
      }
    }),
    { numRuns: 1000 },
  );
});

Deno.test("a table of 32-octet entries holds exactly maxSize / 32 of them, newest first, through many wraps of its ring", () => {
  const t = new DynamicTable(96);
  for (let i = 0; i < 10; i++) {
    t.add("", "");
    assertEquals(t.length, Math.min(i + 1, 3));
    assertEquals(t.size, 32 * Math.min(i + 1, 3));
  }
  const u = new DynamicTable(96);
  for (let i = 0; i < 10; i++) u.add(String(i % 10), "");
  // Each entry is 33 octets now: two fit in 96.
  assertEquals([u.at(0), u.at(1), u.at(2)], [["9", ""], ["8", ""], undefined]);
});

Deno.test("the ring keeps its slots: a thousand entries through a table use no more than it was made with", () => {
  const t = new DynamicTable(100);
  const slots = () => (t as unknown as { names: string[]; values: string[] });
  const made = [slots().names.length, slots().values.length];
  for (let i = 0; i < 1000; i++) t.add(`n${i}`, "v");
  assertEquals([slots().names.length, slots().values.length], made);
  assertEquals([t.at(0), t.at(1), t.at(2)], [["n999", "v"], ["n998", "v"], undefined]);
});

Deno.test("growing the table keeps its entries in order, and the grown ring wraps like a new one", () => {
  const t = new DynamicTable(70); // Room for two 33-octet entries, in a ring of three slots.
  for (const name of ["a", "b", "c"]) t.add(name, ""); // "a" evicted; the ring has wrapped.
  t.resize(200);
  assertEquals([t.at(0), t.at(1), t.length], [["c", ""], ["b", ""], 2]);
  for (const name of ["d", "e", "f", "g"]) t.add(name, "");
  assertEquals(Array.from({ length: t.length }, (_, k) => t.nameAt(k)).join(""), "gfedcb");
  t.add("h", ""); // 7 × 33 > 200: "b" goes.
  assertEquals(Array.from({ length: t.length }, (_, k) => t.at(k)?.[0]).join(""), "hgfedc");
  assertEquals(t.size, 6 * 33);
});

Deno.test("an entry larger than the table empties it and is not added (RFC 7541 §4.4)", () => {
  const t = new DynamicTable(100);
  t.add("x", "y");
  t.add("n".repeat(60), "v".repeat(10));
  assertEquals([t.length, t.size, t.inserts], [0, 0, 3]);
  const z = new DynamicTable(0);
  z.add("", "");
  assertEquals([z.length, z.size, z.inserts], [0, 0, 1]);
});

Deno.test("resizing to zero evicts every entry, and each eviction counts as a change", () => {
  const t = new DynamicTable(4096);
  for (let i = 0; i < 5; i++) t.add(`k${i}`, "v");
  assertEquals(t.inserts, 5);
  t.resize(0);
  assertEquals([t.length, t.size, t.maxSize, t.inserts], [0, 0, 0, 10]);
});

Deno.test("the encoder signals a new limit only when it changes: none for the size it already has", () => {
  const e = new Encoder({ huffman: false });
  e.setLimit(4096);
  e.setLimit(1 << 20); // Above 4096: the table stays at 4096.
  assertEquals(e.pendingUpdate, false);
  assertEquals([...e.encode([])], []);
});

Deno.test("the encoder signals the smallest limit since its last block, then the last one: 0 then 100", () => {
  const e = new Encoder({ huffman: false });
  e.setLimit(0);
  e.setLimit(100);
  assertEquals(e.pendingUpdate, true);
  // 001 00000 is an update to 0; 001 11111 then 69 (31 + 69 = 100) an update to 100.
  assertEquals([...e.encode([])], [0x20, 0x3f, 0x45]);
  assertEquals(e.pendingUpdate, false);
  assertEquals([...e.encode([])], []);
  // A decoder that was told 100 at most takes both.
  const d = new Decoder(100);
  const block = new Uint8Array([0x20, 0x3f, 0x45]);
  assertEquals(d.decode(block, 0, block.length, () => {}), undefined);
});

Deno.test("the encoder signals one update when the last limit is also the smallest", () => {
  const e = new Encoder({ huffman: false });
  e.setLimit(1000);
  e.setLimit(200);
  // 001 11111 then 169 = 0xa9 0x01 (31 + 169 = 200).
  assertEquals([...e.encode([])], [0x3f, 0xa9, 0x01]);
});
