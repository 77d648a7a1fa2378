// Hand-written cases for the HDR histogram: empty, one value, equal values, both ends, out of range.
import { Either } from "effect";
import * as Histogram from "../../src/core/histogram.ts";
import * as Codec from "../../src/core/histogram_codec.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";

Deno.test("an empty histogram reports zeros and encodes to an empty histogram", () => {
  const h = Histogram.make();
  assertEquals([h.totalCount, h.min, h.max, h.mean, h.stdev, h.valueAtPercentile(99)], [
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  const back = Either.getOrThrow(Codec.decode(Codec.encode(h)));
  assertEquals(back.totalCount, 0);
});

Deno.test("one value is every percentile, exactly below 2048", () => {
  const h = Histogram.of([1234]);
  for (const p of [0, 1, 50, 99.9, 100]) assertEquals(h.valueAtPercentile(p), 1234);
  assertEquals([h.min, h.max, h.mean, h.stdev], [1234, 1234, 1234, 0]);
});

Deno.test("equal values have zero stdev and one slot", () => {
  const h = Histogram.of(Array(1000).fill(50_000));
  assertEquals(h.stdev, 0);
  assertEquals(h.mean, 50_000);
  assertEquals(h.valueAtPercentile(50), Histogram.highestEquivalent(h.layout, 50_000));
  assert(h.valueAtPercentile(50) - 50_000 < 50_000 / 1000);
});

Deno.test("values at both ends of the range are kept", () => {
  const top = Histogram.defaultHighestTrackableValue;
  const h = Histogram.of([0, 1, top]);
  assertEquals(h.min, 0);
  assertEquals(h.valueAtPercentile(50), 1);
  assert(h.max >= top && h.max - top <= top / 1000, `max ${h.max}`);
  assertEquals(h.clampedCount, 0);
});

Deno.test("out-of-range values are clamped and counted, never dropped", () => {
  const top = Histogram.defaultHighestTrackableValue;
  const h = Histogram.of([-5, top * 10, 12.6, Number.NaN, 7]);
  assertEquals(h.totalCount, 5);
  assertEquals(h.clampedCount, 4);
  assertEquals(h.min, 0);
  assert(h.max >= top);
  assertEquals(h.valueAtPercentile(40), 0); // -5 and NaN became 0
});

Deno.test("counts grow on demand: a histogram of milliseconds stays small", () => {
  const h = Histogram.of(Array.from({ length: 10_000 }, (_, i) => 1000 + i));
  const full = h.layout.countsLength * 8;
  assert(h.byteSize < full / 2, `byteSize ${h.byteSize} of ${full}`);
  h.record(Histogram.defaultHighestTrackableValue);
  assertEquals(h.counts.length, h.layout.countsLength);
});

Deno.test("a corrupt histogram string is a DecodeError, not a throw", () => {
  for (
    const bad of [
      "",
      "AAAA",
      "not base64 at all!",
      Codec.encode(Histogram.of([1, 2, 3])).slice(0, 20),
    ]
  ) {
    assert(Either.isLeft(Codec.decode(bad)), bad);
  }
});

Deno.test("values at the edges of buckets and past 2^32 are kept in their own slot, to 3 significant digits", () => {
  for (
    const v of [2047, 2048, 2049, 4095, 4096, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5000, 5e9, 2 ** 39]
  ) {
    const h = Histogram.make(3, 2 ** 40);
    h.record(v);
    assert(h.min <= v && v <= h.max, `${v}: slot ${h.min}..${h.max}`);
    assert(h.max - h.min < v / 1000, `${v}: slot ${h.min}..${h.max} is too wide`);
    assertEquals(h.clampedCount, 0);
    const p50 = h.valueAtPercentile(50);
    assert(Math.abs(p50 - v) <= v / 1000, `${v}: p50 ${p50}`);
  }
});

Deno.test("a layout covers its highest trackable value with as many buckets as HdrHistogram's; 1 to 5 significant digits", () => {
  assertEquals(Histogram.layout(3, 2047).bucketCount, 1);
  assertEquals(Histogram.layout(3, 2048).bucketCount, 2);
  assertEquals(Histogram.layout(5, 1000).significantDigits, 5);
  assertThrows(() => Histogram.layout(6, 1000));
  assertThrows(() => Histogram.layout(0, 1000));
  assertEquals(Histogram.layout(1, 1000).significantDigits, 1);
  assertEquals(Histogram.layout(3, 2).highestTrackableValue, 2);
  assertThrows(() => Histogram.layout(3, 1));
});

Deno.test("a value at the first index past the counts' first size is counted, recorded or added; adding empty histograms changes nothing", () => {
  const sum = (h: Histogram.Histogram) => h.counts.reduce((a, b) => a + b, 0);
  // 3 digits: the counts start at 4 × 1024 slots; 8192 is the first value past them.
  const h = Histogram.make();
  assertEquals(h.counts.length, 4096);
  h.record(8192);
  assertEquals([sum(h), h.totalCount], [1, 1]);
  const into = Histogram.make();
  into.add(h);
  assertEquals([sum(into), into.totalCount, into.max], [1, 1, h.max]);
  const twice = Histogram.make().add(h).add(h);
  assertEquals([sum(twice), twice.valueAtPercentile(100)], [2, h.max]);
  const empty = Histogram.make().add(Histogram.make());
  assertEquals([empty.totalCount, empty.mean, empty.m2, empty.stdev], [0, 0, 0, 0]);
  const same = h.copy().add(Histogram.make());
  assertEquals([same.totalCount, same.mean, same.m2], [1, 8192, 0]);
});

Deno.test("mean and spread are exact for values recorded one by one or several at once", () => {
  const one = Histogram.make();
  one.record(10);
  one.record(20);
  assertEquals([one.mean, one.stdev], [15, 5]);
  const many = Histogram.make();
  many.recordCount(10, 2);
  many.recordCount(20, 2);
  assertEquals([many.totalCount, many.mean, many.m2, many.stdev], [4, 15, 100, 5]);
});

Deno.test("a percentile whose rank, as a float product, lands just above a whole number is that number's: p7 of 1..100 is 7", () => {
  assertEquals((7 / 100) * 100 > 7, true, "the product this guards against");
  const h = Histogram.of(Array.from({ length: 100 }, (_, i) => i + 1));
  assertEquals([h.valueAtPercentile(7), h.valueAtPercentile(57), h.valueAtPercentile(100)], [
    7,
    57,
    100,
  ]);
});

Deno.test("adding a histogram of another layout re-records each slot: every count lands, none more", () => {
  const other = Histogram.make(2, 3_600_000_000);
  // 8192 lands on the first slot past the 3-digit histogram's first counts array.
  for (const v of [5, 500, 8192, 50_000, 5_000_000]) other.record(v);
  const into = Histogram.make().add(other);
  assertEquals([into.counts.reduce((a, b) => a + b, 0), into.totalCount], [5, 5]);
  assert(Math.abs(into.valueAtPercentile(100) - 5_000_000) < 5_000_000 / 50, `${into.max}`);
});

Deno.test("same counts: a clamped value is not the same as the value it was clamped to; the size counts the counts and a fixed part", () => {
  const clamped = Histogram.make();
  clamped.record(-5);
  const zero = Histogram.make();
  zero.record(0);
  assertEquals([Histogram.sameCounts(clamped, zero), Histogram.sameCounts(zero, zero.copy())], [
    false,
    true,
  ]);
  assertEquals(Histogram.make().byteSize, 4096 * 8 + 96);
});

Deno.test("the codec round-trips counts and empty runs at the lengths where a varint gains a byte", () => {
  // A count of 64 zig-zags to 128 (two bytes); a run of 64 empty slots to 127 (one); 65 to 129 (two).
  for (const gap of [63, 64, 65]) {
    for (const count of [63, 64, 8191, 8192]) {
      const h = Histogram.make();
      h.recordCount(100, count);
      h.record(100 + gap + 1); // below 2048 every value is its own slot
      // The payload is exactly the varints written: its length as the header says, no byte to spare.
      const v2 = Codec.encodeV2(h);
      assertEquals(new DataView(v2.buffer).getInt32(4), v2.length - 40);
      assert(v2[v2.length - 1] !== 0, `gap ${gap}, count ${count}: a spare byte at the end`);
      const back = Codec.decode(Codec.encode(h));
      assert(Either.isRight(back), `gap ${gap}, count ${count}`);
      assertEquals(Histogram.sameCounts(h, back.right), true, `gap ${gap}, count ${count}`);
    }
  }
});
