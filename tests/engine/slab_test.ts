// The slab's copies: independent of their source, of each other, and of the block they share.
import { assert, assertEquals } from "../assert.ts";
import { blockSize, copyOf } from "../../src/engine/slab.ts";

const bytes = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255);

Deno.test("a copy keeps its bytes when the source is overwritten", () => {
  for (const n of [0, 1, 3, 16, 17, 160, blockSize / 4, blockSize / 4 + 1, blockSize + 5]) {
    const src = bytes(n + 10, n);
    const want = src.slice(5, 5 + n);
    const got = copyOf(src, 5, 5 + n);
    src.fill(0);
    assertEquals(got, want, `${n} bytes`);
  }
});

Deno.test("copies across a block's end do not overlap: each keeps its own bytes", () => {
  const copies: Array<[Uint8Array, Uint8Array]> = [];
  // 300 copies of 160 bytes: three blocks' worth, so some start new blocks.
  for (let k = 0; k < 300; k++) {
    const src = bytes(160, k);
    copies.push([copyOf(src, 0, 160), src.slice()]);
  }
  for (const [got, want] of copies) assertEquals(got, want);
  assert(
    copies[0]![0].buffer !== copies[299]![0].buffer,
    "300 copies of 160 bytes span more than one block",
  );
});
