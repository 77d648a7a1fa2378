// The summary is a fold: summarising a ++ b equals merging the summaries of a and b.
import fc from "fast-check";
import * as Histogram from "../../src/core/histogram.ts";
import * as Summary from "../../src/core/summary.ts";
import { reasons } from "../../src/domain/reason.ts";
import { assert, assertEquals } from "../assert.ts";

const result: fc.Arbitrary<Summary.Result> = fc.oneof(
  fc.record({
    status: fc.constantFrom(200, 201, 204, 301, 404, 500, 503),
    reason: fc.constant(undefined),
    latencyUs: fc.integer({ min: 0, max: 10_000_000 }),
    lag: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50_000 })),
    bytes: fc.nat(100_000),
  }).map(({ status, latencyUs, lag, bytes }) => ({
    status,
    reason: undefined,
    ok: status < 400,
    latencyUs: latencyUs + lag,
    sentLatencyUs: latencyUs,
    bytes,
  })),
  fc.record({
    reason: fc.constantFrom(...reasons),
    latencyUs: fc.integer({ min: 0, max: 30_000_000 }),
  }).map((
    { reason, latencyUs },
  ) => ({ status: 0, reason, ok: false, latencyUs, sentLatencyUs: latencyUs, bytes: 0 })),
);

const sameSummary = (a: Summary.Summary, b: Summary.Summary): void => {
  assertEquals([a.requests, a.successes, a.failures, a.bytes], [
    b.requests,
    b.successes,
    b.failures,
    b.bytes,
  ]);
  assertEquals(Array.from(a.statusCounts), Array.from(b.statusCounts));
  assertEquals(Array.from(a.errorCounts), Array.from(b.errorCounts));
  assert(Histogram.sameCounts(a.latency, b.latency), "latency histograms differ");
  assert(Histogram.sameCounts(a.sent, b.sent), "sent histograms differ");
};

Deno.test("summary of a ++ b equals merge(summary(a), summary(b))", () => {
  fc.assert(
    fc.property(
      fc.array(result, { maxLength: 200, size: "medium" }),
      fc.array(result, { maxLength: 200, size: "medium" }),
      (a, b) => {
        sameSummary(Summary.merge(Summary.of(a), Summary.of(b)), Summary.of([...a, ...b]));
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("summary counts are conserved: requests = successes + failures = statuses + errors", () => {
  fc.assert(
    fc.property(fc.array(result, { maxLength: 300, size: "medium" }), (rs) => {
      const s = Summary.of(rs);
      const stats = Summary.describe(s, 1000);
      assertEquals(s.requests, rs.length);
      assertEquals(s.successes + s.failures, rs.length);
      const byStatus = Object.values(stats.statusCodes).reduce((x, y) => x + y, 0);
      const byReason = Object.values(stats.errors).reduce((x, y) => x + (y ?? 0), 0);
      assertEquals(byStatus + byReason, rs.length);
      assertEquals(s.latency.totalCount, rs.length);
      assertEquals(stats.rps, rs.length);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("the closed model keeps one histogram: sent latency equals corrected latency", () => {
  const s = Summary.of([100, 200, 300].map((us) => ({
    status: 200,
    reason: undefined,
    ok: true,
    latencyUs: us,
    sentLatencyUs: us,
    bytes: 1,
  })));
  assert(s.sent === s.latency);
  s.add({ status: 200, reason: undefined, ok: true, latencyUs: 900, sentLatencyUs: 400, bytes: 1 });
  assert(s.sent !== s.latency);
  assertEquals([s.sent.totalCount, s.sent.max, s.latency.max], [4, 400, 900]);
});
