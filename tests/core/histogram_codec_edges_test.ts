// HdrHistogram's V2 encoding at its edges, byte by byte: an empty payload, single empty slots as 0 (as HdrHistogram writes them), the header's limits, and each way a string is refused.
import { Either } from "effect";
import * as Histogram from "../../src/core/histogram.ts";
import * as Codec from "../../src/core/histogram_codec.ts";
import { assert, assertEquals } from "../assert.ts";

const payloadOf = (h: Histogram.Histogram) => [...Codec.encodeV2(h).subarray(40)];
/** encodeV2's bytes with the header's int32 at `at` set to `v` (or its int64 when `wide`). */
const withHeader = (h: Histogram.Histogram, at: number, v: number, wide = false) => {
  const b = Codec.encodeV2(h);
  const view = new DataView(b.buffer);
  if (wide) view.setBigInt64(at, BigInt(v));
  else view.setInt32(at, v);
  return b;
};
const refusal = (f: () => unknown) => {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof Codec.DecodeError ? e.message : `not a DecodeError: ${e}`;
  }
};
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

Deno.test("codec: an empty histogram has no payload; a single empty slot is written 0, a run of them -n", () => {
  assertEquals(Codec.encodeV2(Histogram.make()).length, 40);
  assertEquals(Codec.decodeV2(Codec.encodeV2(Histogram.make())).totalCount, 0);
  const h = Histogram.make();
  h.record(1);
  h.record(3);
  // Slot 0 empty (0), 1 once (zig-zag 2), slot 2 empty (0), 3 once (2).
  assertEquals(payloadOf(h), [0, 2, 0, 2]);
  const gap = Histogram.make();
  gap.record(1);
  gap.record(5);
  assertEquals(payloadOf(gap), [0, 2, 5, 2]); // three empty slots: -3, zig-zag 5
});

Deno.test("codec: 1 and 5 significant digits and a highest value of 2 decode; 0, 6 and 1 do not", () => {
  for (const [digits, highest] of [[1, 1000], [5, 1000], [3, 2]] as const) {
    const h = Histogram.make(digits, highest);
    h.record(2);
    const back = Codec.decodeV2(Codec.encodeV2(h));
    assertEquals([back.layout.significantDigits, back.totalCount], [digits, 1]);
  }
  const h = Histogram.make();
  h.record(7);
  assertEquals(refusal(() => Codec.decodeV2(withHeader(h, 12, 0))), "bad significant digits 0");
  assertEquals(refusal(() => Codec.decodeV2(withHeader(h, 12, 6))), "bad significant digits 6");
  assertEquals(refusal(() => Codec.decodeV2(withHeader(h, 24, 1, true))), "bad highest value 1");
});

Deno.test("codec: a payload length past the bytes, or negative, is refused; exactly the bytes is read", () => {
  const h = Histogram.make();
  h.record(7);
  const whole = Codec.encodeV2(h);
  assertEquals(Codec.decodeV2(whole).totalCount, 1);
  const cut = "histogram payload is cut short";
  assertEquals(refusal(() => Codec.decodeV2(withHeader(h, 4, whole.length - 39))), cut);
  assertEquals(refusal(() => Codec.decodeV2(withHeader(h, 4, -1))), cut);
  assertEquals(
    refusal(() => Codec.decodeV2(whole.subarray(0, 39))),
    "histogram is shorter than its header",
  );
});

Deno.test("codec: counts past the layout's last slot are refused", () => {
  const h = Histogram.make(1, 2);
  const b = Codec.encodeV2(h);
  const slots = Histogram.layout(1, 2).countsLength;
  // A run of every slot empty (-slots, zig-zagged, as a varint), then a count of 1 past them.
  const zz = slots * 2 - 1;
  const varint = zz < 128 ? [zz] : [(zz % 128) | 128, Math.floor(zz / 128)];
  const bytes = new Uint8Array([...b, ...varint, 2]);
  new DataView(bytes.buffer).setInt32(4, varint.length + 1);
  assertEquals(refusal(() => Codec.decodeV2(bytes)), "histogram counts beyond its range");
});

Deno.test("codec: strings too short, cut short, or of another kind are refused; an uncompressed V2 string is read", () => {
  const h = Histogram.make();
  h.record(7);
  const left = (s: string) => {
    const r = Codec.decode(s);
    return Either.isLeft(r) ? r.left.message : undefined;
  };
  assertEquals(left(b64(new Uint8Array(7))), "histogram string is too short");
  assertEquals(left(b64(new Uint8Array(8))), "not an HdrHistogram V2 compressed encoding");
  const good = Codec.encode(h);
  assertEquals(left(good), undefined);
  const bytes = Uint8Array.from(atob(good), (c) => c.charCodeAt(0));
  assertEquals(left(b64(bytes.subarray(0, bytes.length - 1))), "histogram string is cut short");
  const negative = bytes.slice();
  new DataView(negative.buffer).setInt32(4, -1);
  assertEquals(left(b64(negative)), "histogram string is cut short");
  const none = bytes.slice();
  new DataView(none.buffer).setInt32(4, 0);
  assertEquals(left(b64(none))?.startsWith("bad histogram string"), true, "nothing compressed");
  const plain = Codec.decode(b64(Codec.encodeV2(h)));
  assert(Either.isRight(plain) && plain.right.totalCount === 1, "an uncompressed V2 string");
});

Deno.test("codec: a varint cut by the payload's end is refused; one of nine bytes takes its ninth whole and ends there", () => {
  const withPayload = (payload: number[]) => {
    const b = new Uint8Array([...Codec.encodeV2(Histogram.make()), ...payload]);
    new DataView(b.buffer).setInt32(4, payload.length);
    return b;
  };
  assertEquals(
    refusal(() => Codec.decodeV2(withPayload([0x80]))),
    "bad varint in histogram payload",
  );
  // Zig-zag 2 × 128⁸ (all eight low groups 0, the ninth byte 2): a count of 128⁸ at slot 0; the
  // ninth byte's top bit is data, not a continuation, so the next byte (a count of 1) is a value.
  const nine = Codec.decodeV2(
    withPayload([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x82, 2]),
  );
  assertEquals(nine.totalCount, 65 * 2 ** 56 + 1);
});
