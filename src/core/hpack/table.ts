// HPACK's header tables (RFC 7541 §2.3): the static table of Appendix A and a dynamic table with its size rule.
//
// Names and values are byte strings (one char per octet), so a string's length is its size in octets.

/** Appendix A: index i + 1 is staticTable[i]. */
export const staticTable: ReadonlyArray<readonly [string, string]> = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"],
  ["accept-language", ""],
  ["accept-ranges", ""],
  ["accept", ""],
  ["access-control-allow-origin", ""],
  ["age", ""],
  ["allow", ""],
  ["authorization", ""],
  ["cache-control", ""],
  ["content-disposition", ""],
  ["content-encoding", ""],
  ["content-language", ""],
  ["content-length", ""],
  ["content-location", ""],
  ["content-range", ""],
  ["content-type", ""],
  ["cookie", ""],
  ["date", ""],
  ["etag", ""],
  ["expect", ""],
  ["expires", ""],
  ["from", ""],
  ["host", ""],
  ["if-match", ""],
  ["if-modified-since", ""],
  ["if-none-match", ""],
  ["if-range", ""],
  ["if-unmodified-since", ""],
  ["last-modified", ""],
  ["link", ""],
  ["location", ""],
  ["max-forwards", ""],
  ["proxy-authenticate", ""],
  ["proxy-authorization", ""],
  ["range", ""],
  ["referer", ""],
  ["refresh", ""],
  ["retry-after", ""],
  ["server", ""],
  ["set-cookie", ""],
  ["strict-transport-security", ""],
  ["transfer-encoding", ""],
  ["user-agent", ""],
  ["vary", ""],
  ["via", ""],
  ["www-authenticate", ""],
];

export const staticLength = staticTable.length;

/** An entry's size: its name and value in octets, plus 32 (§4.1). */
export const entrySize = (name: string, value: string): number => name.length + value.length + 32;

/**
 * The dynamic table: newest entry first (index staticLength + 1), oldest evicted to fit `maxSize`.
 * Held in a ring, so that an insertion that evicts (every response, from a server that indexes each
 * field it sends, as nginx does) moves no other entry.
 */
export class DynamicTable {
  /** Entry k (from 0, newest) is names/values[(head - 1 - k) mod capacity]. */
  private names: string[];
  private values: string[];
  private head = 0;
  private count = 0;
  size = 0;
  /** Entries added or evicted since the table was made: a cache of encoded blocks is valid while it stays put. */
  inserts = 0;

  constructor(public maxSize: number) {
    // Every entry takes at least 32 octets: this many always fit.
    const capacity = Math.floor(maxSize / 32) + 1;
    this.names = new Array<string>(capacity).fill("");
    this.values = new Array<string>(capacity).fill("");
  }

  get length(): number {
    return this.count;
  }

  /** Entry `k`, 0 the newest; undefined past the end. */
  at(k: number): readonly [string, string] | undefined {
    if (k < 0 || k >= this.count) return undefined;
    const i = this.slot(k);
    return [this.names[i]!, this.values[i]!];
  }

  /** Entry `k`'s name (k below `length`). */
  nameAt(k: number): string {
    return this.names[this.slot(k)]!;
  }

  /** Entry `k`'s value (k below `length`). */
  valueAt(k: number): string {
    return this.values[this.slot(k)]!;
  }

  private slot(k: number): number {
    const i = this.head - 1 - k;
    return i < 0 ? i + this.names.length : i;
  }

  /** Adds an entry, evicting the oldest to make room; one larger than the table empties it (§4.4). */
  add(name: string, value: string): void {
    this.inserts++;
    const size = entrySize(name, value);
    this.evictTo(this.maxSize - size);
    if (size > this.maxSize) return;
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.head = this.head + 1 === this.names.length ? 0 : this.head + 1;
    this.count++;
    this.size += size;
  }

  /** A dynamic table size update (§6.3), or a new limit from SETTINGS. */
  resize(maxSize: number): void {
    this.evictTo(maxSize);
    this.maxSize = maxSize;
    const capacity = Math.floor(maxSize / 32) + 1;
    if (capacity > this.names.length) {
      // Grow the ring, keeping the entries in order (oldest first from slot 0).
      const names: string[] = new Array<string>(capacity).fill("");
      const values: string[] = new Array<string>(capacity).fill("");
      for (let k = this.count - 1, j = 0; k >= 0; k--, j++) {
        names[j] = this.nameAt(k);
        values[j] = this.valueAt(k);
      }
      this.names = names;
      this.values = values;
      this.head = this.count;
    }
  }

  private evictTo(limit: number): void {
    const floor = Math.max(0, limit);
    while (this.size > floor && this.count > 0) {
      const oldest = this.slot(this.count - 1);
      this.size -= entrySize(this.names[oldest]!, this.values[oldest]!);
      this.names[oldest] = this.values[oldest] = "";
      this.count--;
      this.inserts++;
    }
  }
}
