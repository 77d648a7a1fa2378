// Load threads' figures merge exactly: results split across k threads in any way, each thread's
// summary sent across as its record (as a Worker posts it), combine to one fold of all of them.
import * as Host from "../../src/core/host.ts";
import fc from "fast-check";
import { Either } from "effect";
import * as Histogram from "../../src/core/histogram.ts";
import * as Summary from "../../src/core/summary.ts";
import { defaultTransport, type RunPlan } from "../../src/domain/plan.ts";
import { reasons } from "../../src/domain/reason.ts";
import * as Engine from "../../src/engine/run.ts";
import { fromRecord, toRecord } from "../../src/io/summary_record.ts";
import { assert, assertEquals } from "../assert.ts";

const result = fc.record({
  status: fc.constantFrom(200, 204, 404, 503),
  reason: fc.option(fc.constantFrom(...reasons), { freq: 5 }),
  latencyUs: fc.integer({ min: 0, max: 5_000_000 }),
  lagUs: fc.integer({ min: 0, max: 20_000 }),
  bytes: fc.nat(10_000),
  thread: fc.nat(7),
});

type Gen = typeof result extends fc.Arbitrary<infer T> ? T : never;

const plan: RunPlan = {
  targets: [{ method: "GET", url: new URL("http://127.0.0.1/"), headers: [], body: undefined }],
  targetsOrder: "round-robin",
  model: { _tag: "Open", rate: { start: 1, stages: [] }, maxInFlight: 8 },
  durationMs: 1000,
  maxRequests: undefined,
  timeoutMs: 1000,
  tls: { caCerts: undefined, insecure: false },
  transport: defaultTransport,
  followRedirects: undefined,
  isSuccess: (s) => s < 400,
};

const fold = (rs: ReadonlyArray<Gen>, dropped: number) => {
  const s = Summary.empty();
  for (const r of rs) {
    const reason = r.reason === null ? -1 : reasons.indexOf(r.reason);
    s.record(
      reason < 0 ? r.status : 0,
      reason,
      reason < 0 && r.status < 400,
      r.latencyUs + r.lagUs,
      r.latencyUs,
      reason < 0 ? r.bytes : 0,
    );
    s.recordLag(r.lagUs);
  }
  s.dropped = dropped;
  return s;
};

const part = (summary: Summary.Summary, at: number): Engine.Part => ({
  summary,
  startedAt: at,
  endedAt: at + 1000,
  pausedMs: 0,
  loopLag: Histogram.make(),
  cpuMs: 500,
  waitMs: 10,
  budgetUsed: false,
  streamLimit: undefined,
  // One target, kept apart: its merge must be the run's.
  byTarget: [summary],
  tally: undefined,
});

Deno.test("results split across k threads in any way merge to the summary of one fold of all", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.array(result, { maxLength: 300, size: "medium" }),
      fc.array(fc.nat(50), { minLength: 8, maxLength: 8 }),
      (k, rs, dropped) => {
        const parts = Array.from({ length: k }, (_, t) => {
          const mine = rs.filter((r) => r.thread % k === t);
          // As a Worker sends it: the record, decoded on the main thread.
          const back = fromRecord(JSON.parse(JSON.stringify(toRecord(fold(mine, dropped[t]!)))));
          assert(Either.isRight(back), String(back));
          return part(back.right, t);
        });
        const outcome = Engine.combine(plan, parts, {
          cpuMs: 0,
          host: Host.notMeasured,
          interrupted: false,
          aborted: false,
          outputFailure: undefined,
        });
        const merged = outcome.summary;
        const target = outcome.byTarget![0]!;
        assertEquals([target.requests, target.successes], [merged.requests, merged.successes]);
        assert(
          Histogram.sameCounts(target.latency, merged.latency),
          "the target's latency differs",
        );
        const one = fold(rs, dropped.slice(0, k).reduce((a, b) => a + b, 0));
        assertEquals(
          [merged.requests, merged.successes, merged.bytes, merged.dropped],
          [one.requests, one.successes, one.bytes, one.dropped],
        );
        assertEquals(Array.from(merged.statusCounts), Array.from(one.statusCounts));
        assertEquals(Array.from(merged.errorCounts), Array.from(one.errorCounts));
        assert(Histogram.sameCounts(merged.latency, one.latency), "latency differs");
        assert(Histogram.sameCounts(merged.sent, one.sent), "latency from the send differs");
        assert(
          (merged.lag === undefined) === (one.lag === undefined) &&
            (one.lag === undefined || Histogram.sameCounts(merged.lag!, one.lag)),
          "schedule lag differs",
        );
        if (one.requests > 0) {
          const tolerance = 1e-6 * Math.max(1, one.latency.mean);
          assert(Math.abs(merged.latency.mean - one.latency.mean) <= tolerance, "means differ");
          const sd = (h: Histogram.Histogram) => Math.sqrt(h.m2 / h.totalCount);
          assert(
            Math.abs(sd(merged.latency) - sd(one.latency)) <= 1e-6 * Math.max(1, sd(one.latency)),
          );
        }
      },
    ),
    // 300 splits of up to 300 results into 1–8 threads: 15 s of CI, not 50.
    { numRuns: 300 },
  );
});
