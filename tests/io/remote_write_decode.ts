// Test-side decoders written from the specs alone: snappy's block format and the remote-write
// protobuf, so that what salvo encodes is read back by code that shares nothing with it.

/** Snappy block decompression (google/snappy format_description.txt), every tag type. */
export const uncompress = (src: Uint8Array): Uint8Array => {
  let i = 0;
  let length = 0, shift = 0;
  for (;;) {
    const b = src[i++]!;
    length += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) break;
  }
  const out = new Uint8Array(length);
  let o = 0;
  while (i < src.length) {
    const tag = src[i++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const extra = n - 59;
        n = 0;
        for (let k = 0; k < extra; k++) n += src[i++]! * 256 ** k;
      }
      n += 1;
      out.set(src.subarray(i, i + n), o);
      i += n;
      o += n;
      continue;
    }
    let n: number, offset: number;
    if (kind === 1) {
      n = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | src[i++]!;
    } else if (kind === 2) {
      n = (tag >> 2) + 1;
      offset = src[i]! | (src[i + 1]! << 8);
      i += 2;
    } else {
      n = (tag >> 2) + 1;
      offset = (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
      i += 4;
    }
    if (offset === 0 || offset > o) throw new Error(`bad copy offset ${offset} at ${o}`);
    for (let k = 0; k < n; k++, o++) out[o] = out[o - offset]!;
  }
  if (o !== length) throw new Error(`decoded ${o} bytes, preamble said ${length}`);
  return out;
};

export interface DecodedSeries {
  readonly labels: Array<[string, string]>;
  readonly samples: Array<[number, number]>;
}

/** Fields of one protobuf message: [field number, wire type, value bytes or number]. */
const fields = (b: Uint8Array): Array<[number, number, Uint8Array | number]> => {
  const out: Array<[number, number, Uint8Array | number]> = [];
  let i = 0;
  const varint = (): number => {
    let v = 0, s = 0;
    for (;;) {
      const x = b[i++]!;
      v += (x & 0x7f) * 2 ** s;
      s += 7;
      if (x < 0x80) return v;
    }
  };
  while (i < b.length) {
    const key = varint();
    const wire = key & 7, num = key >>> 3;
    if (wire === 0) out.push([num, wire, varint()]);
    else if (wire === 1) {
      out.push([num, wire, new DataView(b.buffer, b.byteOffset + i, 8).getFloat64(0, true)]);
      i += 8;
    } else if (wire === 2) {
      const n = varint();
      out.push([num, wire, b.subarray(i, i + n)]);
      i += n;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
};

const text = new TextDecoder();

/** WriteRequest → its time series. */
export const decodeWriteRequest = (b: Uint8Array): DecodedSeries[] =>
  fields(b).filter(([n]) => n === 1).map(([, , ts]) => {
    const series: DecodedSeries = { labels: [], samples: [] };
    for (const [n, , v] of fields(ts as Uint8Array)) {
      const f = fields(v as Uint8Array);
      if (n === 1) {
        const get = (k: number) => text.decode(f.find(([m]) => m === k)?.[2] as Uint8Array);
        series.labels.push([get(1), get(2)]);
      } else if (n === 2) {
        series.samples.push([
          (f.find(([m]) => m === 1)?.[2] as number) ?? 0,
          (f.find(([m]) => m === 2)?.[2] as number) ?? 0,
        ]);
      }
    }
    return series;
  });
