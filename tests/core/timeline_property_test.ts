// The timeline: windows cut from cumulative summaries, or from results read back, count every request
// once, in windows that follow each other with no gap.
import fc from "fast-check";
import * as Summary from "../../src/core/summary.ts";
import { Bucketer, since, Timeline } from "../../src/core/timeline.ts";
import { assert, assertEquals } from "../assert.ts";

/** A result: when it ended (ms from the start), its status (0 with a reason), its latency (µs). */
const result = fc.record({
  atMs: fc.integer({ min: 0, max: 20_000 }),
  status: fc.constantFrom(200, 200, 204, 404, 503, 0),
  latencyUs: fc.integer({ min: 1, max: 5_000_000 }),
});

const record = (s: Summary.Summary, r: { status: number; latencyUs: number }) =>
  s.record(
    r.status,
    r.status === 0 ? 3 : -1,
    r.status > 0 && r.status < 400,
    r.latencyUs,
    r.latencyUs,
    10,
  );

const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0);

Deno.test("timeline: windows of cumulative snapshots sum to the whole run, back to back", () => {
  fc.assert(
    fc.property(
      fc.array(result, { maxLength: 300 }),
      fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 60 }),
      (results, gaps) => {
        const sorted = [...results].sort((a, b) => a.atMs - b.atMs);
        const whole = Summary.empty();
        const timeline = new Timeline(1000);
        let i = 0, now = 0;
        for (const gap of gaps) {
          now += gap;
          while (i < sorted.length && sorted[i]!.atMs < now) record(whole, sorted[i++]!);
          timeline.push(now, whole);
        }
        while (i < sorted.length) record(whole, sorted[i++]!);
        const end = Math.max(now, (sorted.at(-1)?.atMs ?? 0) + 1);
        timeline.close(end, whole);
        const rows = timeline.rows;
        assertEquals(sum(rows.map((r) => r.requests)), results.length);
        assertEquals(sum(rows.map((r) => r.successes)), whole.successes);
        assertEquals(sum(rows.map((r) => r.status["503"] ?? 0)), whole.statusCounts[503]);
        assertEquals(sum(rows.map((r) => r.errors["timeout"] ?? 0)), whole.errorCounts[3]);
        assertEquals(rows[0]?.startMs ?? 0, 0);
        for (let k = 1; k < rows.length; k++) assertEquals(rows[k]!.startMs, rows[k - 1]!.endMs);
        for (const r of rows) {
          assert(
            r.endMs - r.startMs >= 1000 || r === rows.at(-1),
            `a short window ${JSON.stringify(r)}`,
          );
          assert(r.max <= whole.latency.max / 1000, "a window's max above the run's");
        }
      },
    ),
  );
});

Deno.test("timeline: the difference of two cumulative summaries is what was recorded between them", () => {
  fc.assert(
    fc.property(fc.array(result), fc.array(result), (before, after) => {
      const a = Summary.empty(), between = Summary.empty();
      for (const r of before) record(a, r);
      const b = Summary.empty().merge(a);
      for (const r of after) {
        record(b, r);
        record(between, r);
      }
      const d = since(b, a);
      assertEquals(d.requests, between.requests);
      assertEquals(d.successes, between.successes);
      assertEquals([...d.statusCounts], [...between.statusCounts]);
      assertEquals([...d.errorCounts], [...between.errorCounts]);
      assertEquals(d.latency.totalCount, between.latency.totalCount);
      for (const p of [50, 90, 99, 100]) {
        assertEquals(d.latency.valueAtPercentile(p), between.latency.valueAtPercentile(p));
      }
    }),
  );
});

Deno.test("timeline: results read back out of order land in their windows, a row per window, none lost", () => {
  fc.assert(
    fc.property(
      fc.array(result, { maxLength: 300 }),
      fc.integer({ min: 0, max: 3000 }),
      (results, jitterMs) => {
        const originUs = 1_700_000_000_000_000;
        // Roughly time-ordered, as a results stream is: ends within `jitterMs` of each other swap.
        const order = [...results].sort((a, b) => a.atMs + (a.latencyUs % (jitterMs + 1)) - b.atMs);
        const b = new Bucketer(1000);
        for (const r of order) record(b.at(originUs + r.atMs * 1000), r);
        const rows = b.rows(originUs);
        assertEquals(sum(rows.map((r) => r.requests)), results.length);
        for (let k = 1; k < rows.length; k++) {
          assertEquals(rows[k]!.startMs, rows[k - 1]!.endMs);
          assertEquals(rows[k]!.endMs - rows[k]!.startMs, 1000);
        }
        if (results.length > 0) {
          const first = Math.min(...results.map((r) => r.atMs));
          assertEquals(rows[0]!.startMs, Math.floor(first / 1000) * 1000);
          // Without reordering each result is in the window of its own time.
          if (jitterMs === 0) {
            for (const r of rows) {
              assertEquals(
                r.requests,
                results.filter((x) => x.atMs >= r.startMs && x.atMs < r.endMs).length,
              );
            }
          }
        }
      },
    ),
  );
});
