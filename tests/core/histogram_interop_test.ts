// salvo's V2 compressed encoding and hdr-histogram-js's read each other to the same counts.
import * as hdr from "hdr-histogram-js";
import fc from "fast-check";
import { Either } from "effect";
import * as Histogram from "../../src/core/histogram.ts";
import * as Codec from "../../src/core/histogram_codec.ts";
import { assert, assertEquals } from "../assert.ts";

const values = fc.array(
  fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 3_600_000_000 })),
  {
    minLength: 1,
    maxLength: 200,
  },
);

const theirs = (xs: ReadonlyArray<number>) => {
  const h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: Histogram.defaultHighestTrackableValue,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 64,
  });
  for (const x of xs) h.recordValue(x);
  return h;
};

Deno.test("what salvo encodes, hdr-histogram-js decodes to the same counts and percentiles", () => {
  fc.assert(
    fc.property(values, (xs) => {
      const ours = Histogram.of(xs);
      const decoded = hdr.decodeFromCompressedBase64(Codec.encode(ours), 64);
      assertEquals(decoded.totalCount, ours.totalCount);
      for (const p of [0.1, 50, 90, 99, 99.9, 100]) {
        assertEquals(decoded.getValueAtPercentile(p), ours.valueAtPercentile(p), `p${p}`);
      }
      assertEquals(decoded.maxValue, ours.max);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("what hdr-histogram-js encodes, salvo decodes to the same counts", () => {
  fc.assert(
    fc.property(values, (xs) => {
      const encoded = hdr.encodeIntoCompressedBase64(theirs(xs));
      const decoded = Either.getOrThrow(Codec.decode(encoded));
      assert(Histogram.sameCounts(decoded, Histogram.of(xs)));
    }),
    { numRuns: 1000 },
  );
});
