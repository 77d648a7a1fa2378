// HdrHistogram's V2 compressed encoding (base64 of the deflated V2 form): what other HdrHistogram tools read and write.
//
// V2 form, big-endian: cookie 0x1c849313 (int32), payload length (int32), normalizing index offset
// (int32; 0 here, ignored when read: hdr-histogram-js writes 1), significant digits (int32), lowest
// discernible value (int64; 1 here), highest trackable value (int64), integer-to-double ratio (8 bytes;
// ignored when read), then the counts from index 0 to the index of the largest value as ZigZag LEB128
// varints, a run of k > 1 empty slots written as -k.
// Compressed: cookie 0x1c849314 (int32), length (int32), then the V2 form deflated with zlib.
import * as Either from "effect/Either";
import { deflateSync, inflateSync } from "node:zlib";
import { equivalentRange, Histogram, indexOf, layout, valueFromIndex } from "./histogram.ts";

// Java's HdrHistogram ORs 0x10 into both cookies (the word-size nibble); readers ignore that nibble.
const v2Cookie = 0x1c849313;
const compressedV2Cookie = 0x1c849314;
const cookieBase = (cookie: number): number => cookie & ~0xf0;
const headerSize = 40;

export class DecodeError extends Error {
  readonly _tag = "DecodeError";
}

const zigZagSize = (v: number): number => {
  let zz = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (zz >= 128) {
    zz = Math.floor(zz / 128);
    n++;
  }
  return n;
};

const putZigZag = (out: Uint8Array, at: number, v: number): number => {
  let zz = v >= 0 ? v * 2 : -v * 2 - 1;
  while (zz >= 128) {
    out[at++] = (zz % 128) | 128;
    zz = Math.floor(zz / 128);
  }
  out[at++] = zz;
  return at;
};

/** Walks the counts as V2 writes them: `emit(value)` per count, or per run of empty slots (negative). */
const eachEncoded = (h: Histogram, emit: (v: number) => void): void => {
  if (h.totalCount === 0) return;
  const limit = indexOf(h.layout, h.maxValue) + 1;
  const counts = h.counts;
  for (let i = 0; i < limit;) {
    const c = counts[i++] ?? 0;
    if (c !== 0) {
      emit(c);
      continue;
    }
    let zeros = 1;
    while (i < limit && (counts[i] ?? 0) === 0) {
      zeros++;
      i++;
    }
    emit(zeros > 1 ? -zeros : 0);
  }
};

/** The uncompressed V2 form. */
export const encodeV2 = (h: Histogram): Uint8Array => {
  let payloadLength = 0;
  eachEncoded(h, (v) => (payloadLength += zigZagSize(v)));
  const out = new Uint8Array(headerSize + payloadLength);
  const view = new DataView(out.buffer);
  view.setInt32(0, v2Cookie);
  view.setInt32(4, payloadLength);
  view.setInt32(8, 0);
  view.setInt32(12, h.layout.significantDigits);
  view.setBigInt64(16, 1n);
  view.setBigInt64(24, BigInt(h.layout.highestTrackableValue));
  view.setFloat64(32, 1.0);
  let at = headerSize;
  eachEncoded(h, (v) => (at = putZigZag(out, at, v)));
  return out;
};

/** The compressed V2 form, base64: the string HdrHistogram tools exchange. */
export const encode = (h: Histogram): string => {
  const deflated = deflateSync(encodeV2(h));
  const out = new Uint8Array(8 + deflated.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, compressedV2Cookie);
  view.setInt32(4, deflated.length);
  out.set(deflated, 8);
  let binary = "";
  for (let i = 0; i < out.length; i += 0x8000) {
    binary += String.fromCharCode(...out.subarray(i, i + 0x8000));
  }
  return btoa(binary);
};

const fromBase64 = (text: string): Uint8Array => {
  const binary = atob(text.trim());
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
};

/** Decodes the uncompressed V2 form. Mean and stdev come from slot midpoints: V2 carries no moments. */
export const decodeV2 = (bytes: Uint8Array): Histogram => {
  if (bytes.length < headerSize) throw new DecodeError("histogram is shorter than its header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (cookieBase(view.getInt32(0)) !== cookieBase(v2Cookie)) {
    throw new DecodeError("not an HdrHistogram V2 encoding");
  }
  const payloadLength = view.getInt32(4);
  const digits = view.getInt32(12);
  const lowest = view.getBigInt64(16);
  const highest = Number(view.getBigInt64(24));
  if (lowest !== 1n) {
    throw new DecodeError(`lowest discernible value ${lowest} is not supported (only 1)`);
  }
  if (digits < 1 || digits > 5) throw new DecodeError(`bad significant digits ${digits}`);
  if (!Number.isSafeInteger(highest) || highest < 2) {
    throw new DecodeError(`bad highest value ${highest}`);
  }
  if (payloadLength < 0 || headerSize + payloadLength > bytes.length) {
    throw new DecodeError("histogram payload is cut short");
  }
  const h = new Histogram(layout(digits, highest));
  const end = headerSize + payloadLength;
  let at = headerSize;
  let index = 0;
  while (at < end) {
    let zz = 0, scale = 1, b = 0, n = 0;
    do {
      if (at >= end || n >= 9) throw new DecodeError("bad varint in histogram payload");
      b = bytes[at++]!;
      zz += (n === 8 ? b : b & 127) * scale;
      scale *= 128;
      n++;
    } while (b & 128 && n < 9);
    const v = zz % 2 === 0 ? zz / 2 : -(zz + 1) / 2;
    if (v < 0) {
      index += -v;
      continue;
    }
    if (v > 0) {
      if (index >= h.layout.countsLength) {
        throw new DecodeError("histogram counts beyond its range");
      }
      const low = valueFromIndex(h.layout, index);
      h.recordCount(low + Math.floor(equivalentRange(h.layout, low) / 2), v);
    }
    index++;
  }
  return h;
};

/** Decodes the base64 compressed V2 form (or the base64 uncompressed form). */
export const decode = (text: string): Either.Either<Histogram, DecodeError> => {
  try {
    const bytes = fromBase64(text);
    if (bytes.length < 8) return Either.left(new DecodeError("histogram string is too short"));
    const view = new DataView(bytes.buffer);
    const cookie = view.getInt32(0);
    if (cookieBase(cookie) === cookieBase(v2Cookie)) return Either.right(decodeV2(bytes));
    if (cookieBase(cookie) !== cookieBase(compressedV2Cookie)) {
      return Either.left(new DecodeError("not an HdrHistogram V2 compressed encoding"));
    }
    const length = view.getInt32(4);
    if (length < 0 || 8 + length > bytes.length) {
      return Either.left(new DecodeError("histogram string is cut short"));
    }
    return Either.right(decodeV2(new Uint8Array(inflateSync(bytes.subarray(8, 8 + length)))));
  } catch (e) {
    return Either.left(
      e instanceof DecodeError ? e : new DecodeError(`bad histogram string: ${String(e)}`),
    );
  }
};
