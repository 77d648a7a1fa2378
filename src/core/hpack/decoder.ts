// HPACK's decoder (RFC 7541 §6): header blocks to fields, malformed input answered with a message, never a throw.
import * as Huffman from "./huffman.ts";
import { defaultTableSize } from "./encoder.ts";
import { DynamicTable, staticLength, staticTable } from "./table.ts";

/** Receives each decoded field, names and values as byte strings. */
export type FieldSink = (name: string, value: string) => void;

/** Integers above this are refused: no header block needs them, and they would lose precision. */
const maxInteger = 2 ** 31;
/** Strings up to this many octets on the wire are remembered, decoded, by their bytes. */
const cachedLength = 64;
const cacheEntries = 512;

/** A decoded string and the octets it came from. */
interface Cached {
  readonly raw: Uint8Array;
  readonly value: string;
}

export class Decoder {
  readonly table: DynamicTable;
  private pos = 0;
  private end = 0;
  private src: Uint8Array = new Uint8Array(0);
  /**
   * Servers send the same literals response after response (nginx indexes every field it sends,
   * so each one is a literal, decoded and inserted anew): decoded once, they are found by a hash of
   * their octets and checked octet by octet.
   */
  private readonly cache = new Map<number, Cached>();

  /** `maxSize`: the SETTINGS_HEADER_TABLE_SIZE this side announced. */
  constructor(private readonly maxSize = defaultTableSize) {
    this.table = new DynamicTable(maxSize);
  }

  /**
   * Decodes the block `src[start..end)`, calling `emit` for each field in order. `skip(name)` true:
   * that field's value need not be read (it is passed as "" unless it enters the table, so the table
   * stays right). Returns why the block is malformed, or undefined.
   */
  decode(
    src: Uint8Array,
    start: number,
    end: number,
    emit: FieldSink,
    skip?: (name: string) => boolean,
  ): string | undefined {
    this.src = src;
    this.pos = start;
    this.end = end;
    let fields = 0;
    while (this.pos < this.end) {
      const b = src[this.pos]!;
      if (b & 0x80) {
        const entry = this.entry(this.int(7));
        if (entry === undefined) return "header index out of range";
        emit(entry[0], entry[1]);
      } else if ((b & 0xe0) === 0x20) {
        if (fields > 0) return "table size update after a field";
        const size = this.int(5);
        if (size < 0 || size > this.maxSize) return "table size update above the limit";
        this.table.resize(size);
        continue;
      } else {
        const indexing = (b & 0xc0) === 0x40;
        const index = this.int(indexing ? 6 : 4);
        if (index < 0) return "malformed integer";
        let name: string | undefined;
        if (index > 0) name = this.nameOf(index);
        else name = this.string(false);
        if (name === undefined) return index > 0 ? "header index out of range" : "malformed name";
        const value = this.string(!indexing && skip !== undefined && skip(name));
        if (value === undefined) return "malformed value";
        if (indexing) this.table.add(name, value);
        emit(name, value);
      }
      fields++;
      if (this.pos > this.end) return "truncated block";
    }
    return undefined;
  }

  private entry(index: number): readonly [string, string] | undefined {
    if (index <= 0) return undefined;
    return index <= staticLength ? staticTable[index - 1] : this.table.at(index - staticLength - 1);
  }

  /** The name of entry `index`, without making a pair. */
  private nameOf(index: number): string | undefined {
    if (index <= staticLength) return staticTable[index - 1]?.[0];
    const k = index - staticLength - 1;
    return k < this.table.length ? this.table.nameAt(k) : undefined;
  }

  /** An N-bit-prefix integer at `pos`; -1 when truncated or too large. */
  private int(prefixBits: number): number {
    const src = this.src;
    const max = (1 << prefixBits) - 1;
    let value = src[this.pos++]! & max;
    if (value < max) return value;
    for (let shift = 1;; shift *= 128) {
      if (this.pos >= this.end) return -1;
      const b = src[this.pos++]!;
      value += (b & 0x7f) * shift;
      if (value > maxInteger) return -1;
      if ((b & 0x80) === 0) return value;
    }
  }

  /** A string literal at `pos`; "" without reading it when `skipped`; undefined when malformed. */
  private string(skipped: boolean): string | undefined {
    if (this.pos >= this.end) return undefined;
    const huffman = (this.src[this.pos]! & 0x80) !== 0;
    const length = this.int(7);
    if (length < 0 || this.pos + length > this.end) return undefined;
    const src = this.src;
    const start = this.pos;
    const end = this.pos += length;
    if (skipped) return "";
    if (length > cachedLength) return this.literal(huffman, start, end);
    let hash = huffman ? 0x811c9dc5 : 0x50c5d1f;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ src[i]!, 0x01000193);
    const hit = this.cache.get(hash);
    if (hit !== undefined && hit.raw.length === length) {
      let same = true;
      for (let i = 0; i < length && same; i++) same = hit.raw[i] === src[start + i];
      if (same) return hit.value;
    }
    const value = this.literal(huffman, start, end);
    if (value !== undefined) {
      if (this.cache.size >= cacheEntries) this.cache.clear();
      this.cache.set(hash, { raw: src.slice(start, end), value });
    }
    return value;
  }

  private literal(huffman: boolean, start: number, end: number): string | undefined {
    if (huffman) return Huffman.decode(this.src, start, end);
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(this.src[i]!);
    return s;
  }
}
