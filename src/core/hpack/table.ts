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

/** The dynamic table: newest entry first (index staticLength + 1), oldest evicted to fit `maxSize`. */
export class DynamicTable {
  /** Newest last: entry k (from 0, newest) is entries[entries.length - 1 - k]. */
  private entries: Array<readonly [string, string]> = [];
  size = 0;
  /** Entries added since the table was made: a cache of encoded blocks is valid while it stays put. */
  inserts = 0;

  constructor(public maxSize: number) {}

  get length(): number {
    return this.entries.length;
  }

  /** Entry `k`, 0 the newest; undefined past the end. */
  at(k: number): readonly [string, string] | undefined {
    return this.entries[this.entries.length - 1 - k];
  }

  /** Adds an entry, evicting the oldest to make room; one larger than the table empties it (§4.4). */
  add(name: string, value: string): void {
    this.inserts++;
    const size = entrySize(name, value);
    this.evictTo(this.maxSize - size);
    if (size <= this.maxSize) {
      this.entries.push([name, value]);
      this.size += size;
    }
  }

  /** A dynamic table size update (§6.3), or a new limit from SETTINGS. */
  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  private evictTo(limit: number): void {
    let drop = 0;
    while (this.size > Math.max(0, limit) && drop < this.entries.length) {
      const [n, v] = this.entries[drop++]!;
      this.size -= entrySize(n, v);
      this.inserts++;
    }
    if (drop > 0) this.entries.splice(0, drop);
  }
}
