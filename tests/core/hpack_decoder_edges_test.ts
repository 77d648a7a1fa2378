// The HPACK decoder byte by byte at its edges: the last static entry, the first index past the dynamic table, integers cut at the block's end with more bytes behind it, and each malformed block's own reason.
import { Decoder } from "../../src/core/hpack/decoder.ts";
import { assertEquals } from "../assert.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
/** Decodes `block` (hex), with `after` (hex) lying in the buffer past its end: fields, or the reason. */
const decode = (block: string, after = "", d = new Decoder()) => {
  const fields: Array<[string, string]> = [];
  const error = d.decode(hex(block + after), 0, block.length / 2, (n, v) => fields.push([n, v]));
  return error ?? fields;
};

Deno.test("hpack: index 61, the last static entry, is read as a field and as a name", () => {
  assertEquals(decode("bd"), [["www-authenticate", ""]]);
  assertEquals(decode("7d0178"), [["www-authenticate", "x"]]);
});

Deno.test("hpack: the first name index past the dynamic table is out of range", () => {
  const d = new Decoder();
  // Literal with incremental indexing, new name "a", value "b": one entry, index 62.
  assertEquals(decode("4001610162", "", d), [["a", "b"]]);
  // Literals without indexing (4-bit prefix), so the table keeps one entry.
  assertEquals(decode("0f2f0178", "", d), [["a", "x"]]); // name index 62
  assertEquals(decode("0f300178", "", d), "header index out of range"); // name index 63
});

Deno.test("hpack: each malformed block says why", () => {
  assertEquals(decode("0f"), "malformed integer"); // a 4-bit prefix of ones and nothing after
  assertEquals(decode("00"), "malformed name"); // a new name, but no string
  assertEquals(decode("000161"), "malformed value");
  assertEquals(decode("80"), "header index out of range");
});

Deno.test("hpack: an integer cut at the block's end is malformed, whatever bytes lie past the end", () => {
  assertEquals(decode("0f", "05"), "malformed integer");
  assertEquals(decode("ff", "0000"), "header index out of range");
  assertEquals(decode("7f", "01"), "malformed integer");
});

Deno.test("hpack: a string longer than what is left of the block is malformed; a skipped value is passed as empty, unread", () => {
  assertEquals(decode("000261", "62"), "malformed name"); // a name of 2 bytes, 1 in the block
  const fields: Array<[string, string]> = [];
  const error = new Decoder().decode(
    hex("0001610162" + "0001630164"),
    0,
    10,
    (n, v) => fields.push([n, v]),
    (name) => name === "a",
  );
  assertEquals([error, fields], [undefined, [["a", ""], ["c", "d"]]]);
});
