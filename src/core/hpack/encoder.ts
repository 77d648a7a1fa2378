// HPACK's encoder (RFC 7541 §6): header lists to header blocks, the dynamic table kept in step with the peer's.
import * as Huffman from "./huffman.ts";
import { DynamicTable, staticLength, staticTable } from "./table.ts";

/** The table size HPACK starts with, and the most this encoder uses (the peer may allow less). */
export const defaultTableSize = 4096;

/** Fields whose values never enter a table, on this side or any intermediary's (§7.1.3). */
const neverIndexed = new Set(["authorization", "proxy-authorization"]);

const staticFull = new Map<string, number>();
const staticName = new Map<string, number>();
staticTable.forEach(([n, v], i) => {
  if (!staticFull.has(`${n}\0${v}`)) staticFull.set(`${n}\0${v}`, i + 1);
  if (!staticName.has(n)) staticName.set(n, i + 1);
});

/** A growable byte buffer. */
class Bytes {
  buf = new Uint8Array(256);
  length = 0;
  room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }
  /** An integer with an N-bit prefix (§5.1); `first` holds the bits above the prefix. */
  int(value: number, prefixBits: number, first: number): void {
    this.room(8);
    const max = (1 << prefixBits) - 1;
    if (value < max) {
      this.buf[this.length++] = first | value;
      return;
    }
    this.buf[this.length++] = first | max;
    value -= max;
    while (value >= 128) {
      this.buf[this.length++] = (value % 128) + 128;
      value = Math.floor(value / 128);
    }
    this.buf[this.length++] = value;
  }
  /** A string literal (§5.2): Huffman-coded when allowed and no longer (as RFC 7541 C.6 does). */
  str(s: string, huffman: boolean): void {
    const h = huffman ? Huffman.encodedLength(s) : s.length;
    if (huffman && h <= s.length) {
      this.int(h, 7, 0x80);
      this.room(h);
      this.length = Huffman.encodeInto(s, this.buf, this.length);
      return;
    }
    this.int(s.length, 7, 0);
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i) & 0xff;
  }
}

export interface EncoderOptions {
  /** Use Huffman coding where it is shorter (default true). */
  readonly huffman?: boolean;
  /** The table size both sides start from (default 4096; RFC 7541's C.5 and C.6 use 256). */
  readonly tableSize?: number;
}

export class Encoder {
  readonly table: DynamicTable;
  /** Size updates to signal at the start of the next block: the smallest limit since, then the last. */
  private smallest = -1;
  private readonly huffman: boolean;

  constructor(options: EncoderOptions = {}) {
    this.huffman = options.huffman ?? true;
    this.table = new DynamicTable(options.tableSize ?? defaultTableSize);
  }

  /** The peer's SETTINGS_HEADER_TABLE_SIZE: the table shrinks (or grows back up to 4096) to it. */
  setLimit(peerMax: number): void {
    const size = Math.min(peerMax, defaultTableSize);
    if (size === this.table.maxSize) return;
    this.smallest = this.smallest < 0 ? size : Math.min(this.smallest, size);
    this.table.resize(size);
  }

  /** A size update is waiting to be signalled: a cached block would not carry it. */
  get pendingUpdate(): boolean {
    return this.smallest >= 0;
  }

  /** Encodes `headers` (byte strings, names in lower case) as one header block. */
  encode(headers: ReadonlyArray<readonly [string, string]>): Uint8Array {
    const out = new Bytes();
    if (this.smallest >= 0) {
      out.int(this.smallest, 5, 0x20);
      if (this.smallest !== this.table.maxSize) out.int(this.table.maxSize, 5, 0x20);
      this.smallest = -1;
    }
    for (const [name, value] of headers) this.field(out, name, value);
    return out.buf.slice(0, out.length);
  }

  private field(out: Bytes, name: string, value: string): void {
    const full = staticFull.get(`${name}\0${value}`) ?? this.dynamicIndex(name, value, true);
    if (full !== undefined) {
      out.int(full, 7, 0x80);
      return;
    }
    const nameIndex = staticName.get(name) ?? this.dynamicIndex(name, value, false) ?? 0;
    if (neverIndexed.has(name)) out.int(nameIndex, 4, 0x10);
    else {
      out.int(nameIndex, 6, 0x40);
      this.table.add(name, value);
    }
    if (nameIndex === 0) out.str(name, this.huffman);
    out.str(value, this.huffman);
  }

  /** The index of a dynamic entry with this name and (when `withValue`) value. */
  private dynamicIndex(name: string, value: string, withValue: boolean): number | undefined {
    const t = this.table;
    for (let k = 0; k < t.length; k++) {
      if (t.nameAt(k) === name && (!withValue || t.valueAt(k) === value)) {
        return staticLength + 1 + k;
      }
    }
    return undefined;
  }
}
