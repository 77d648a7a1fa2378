// The exported families: counts that add up to the summary's, buckets read exactly off the HDR
// histogram, histograms that add up across threads, and the label rules.
import fc from "fast-check";
import * as Histogram from "../../src/core/histogram.ts";
import * as Metrics from "../../src/core/metrics.ts";
import * as Summary from "../../src/core/summary.ts";
import { assert, assertEquals } from "../assert.ts";

const labels = [["run_id", "r1"]] as const;

/** A summary of `n` requests: statuses, a bad status, transport failures, latencies in µs. */
const summaryOf = (latencies: ReadonlyArray<number>, extra?: (s: Summary.Summary) => void) => {
  const s = Summary.empty();
  latencies.forEach((us, i) => {
    const kind = i % 10;
    if (kind === 7) {
      s.add({
        status: 0,
        reason: "timeout",
        ok: false,
        latencyUs: us,
        sentLatencyUs: us,
        bytes: 0,
      });
    } else if (kind === 8) {
      s.add({
        status: 404,
        reason: undefined,
        ok: false,
        latencyUs: us,
        sentLatencyUs: us,
        bytes: 10,
      });
    } else {s.add({
        status: 200,
        reason: undefined,
        ok: true,
        latencyUs: us,
        sentLatencyUs: us,
        bytes: 100,
      });}
  });
  extra?.(s);
  return s;
};

const view = (summary: Summary.Summary, targetRps?: number): Metrics.View => ({
  summary,
  elapsedMs: 1000,
  inFlight: 3,
  threads: 2,
  targetRps,
});

const samples = (fs: ReadonlyArray<Metrics.Family>, name: string) =>
  fs.flatMap((f) => f.samples).filter((s) => s.name === name);

const value = (fs: ReadonlyArray<Metrics.Family>, name: string, label?: [string, string]) =>
  samples(fs, name)
    .filter((s) =>
      label === undefined || s.labels.some(([k, v]) => k === label[0] && v === label[1])
    )
    .reduce((n, s) => n + s.value, 0);

Deno.test("requests by status add up to the summary's requests, with no answer as status 0", () => {
  const s = summaryOf(Array.from({ length: 50 }, (_, i) => 1000 + i));
  const fs = Metrics.families(view(s), labels);
  assertEquals(value(fs, "salvo_requests_total"), 50);
  assertEquals(value(fs, "salvo_requests_total", ["status", "0"]), 5);
  assertEquals(value(fs, "salvo_requests_total", ["status", "404"]), 5);
  assertEquals(value(fs, "salvo_requests_total", ["status", "200"]), 40);
  // Every request answered: no status "0" series at all.
  const answered = Metrics.families(view(summaryOf([1000, 2000, 3000])), labels);
  assertEquals(
    samples(answered, "salvo_requests_total").map((s) =>
      s.labels.find(([k]) => k === "status")?.[1]
    ),
    ["200", "200", "200"].slice(0, 1),
  );
});

Deno.test("failures by reason add up to the summary's failures, a bad status as http_status", () => {
  const s = summaryOf(Array.from({ length: 50 }, () => 1000));
  const fs = Metrics.families(view(s), labels);
  assertEquals(value(fs, "salvo_request_failures_total"), s.requests - s.successes);
  assertEquals(value(fs, "salvo_request_failures_total", ["reason", "timeout"]), 5);
  assertEquals(value(fs, "salvo_request_failures_total", ["reason", "http_status"]), 5);
  // Every reason is there from the start, at zero, so that increase() sees a reason's first failures.
  assertEquals(value(fs, "salvo_request_failures_total", ["reason", "connection_refused"]), 0);
  assertEquals(samples(fs, "salvo_request_failures_total").length, 15);
});

Deno.test("bytes, retries, in-flight and threads are the view's", () => {
  const s = summaryOf([1000, 2000, 3000], (x) => (x.retried = 2));
  const fs = Metrics.families(view(s), labels);
  assertEquals(value(fs, "salvo_received_bytes_total"), 300);
  assertEquals(value(fs, "salvo_requests_retried_total"), 2);
  assertEquals(value(fs, "salvo_requests_in_flight"), 3);
  assertEquals(value(fs, "salvo_load_threads"), 2);
  assertEquals(value(fs, "salvo_run_elapsed_seconds"), 1);
});

Deno.test("a bucket counts what is at or below its bound, +Inf the whole, _sum in seconds", () => {
  const us = [100, 150, 151, 999, 1000, 1001, 1500, 6996, 7001, 2_000_000];
  const s = summaryOf(us);
  const fs = Metrics.families(view(s), labels, [0.00015, 0.001, 0.007, 1]);
  const bucket = (le: string) => value(fs, "salvo_request_duration_seconds_bucket", ["le", le]);
  assertEquals(bucket("0.00015"), 2);
  assertEquals(bucket("0.001"), 5);
  assertEquals(bucket("0.007"), 8);
  assertEquals(bucket("1"), 9);
  assertEquals(bucket("+Inf"), 10);
  assertEquals(
    samples(fs, "salvo_request_duration_seconds_bucket").length,
    5,
    "a bucket per bound, +Inf",
  );
  assertEquals(value(fs, "salvo_request_duration_seconds_count"), 10);
  // Above 4096 µs a slot holds 4 µs: 7000 shares 7000–7003 with values above 7 ms, so it is not
  // claimed at or below 7 ms (never faster than HDR can show).
  const edge = Metrics.families(view(summaryOf([7000])), labels, [0.007]);
  assertEquals(value(edge, "salvo_request_duration_seconds_bucket", ["le", "0.007"]), 0);
  const sum = us.reduce((a, b) => a + b, 0) / 1e6;
  assert(Math.abs(value(fs, "salvo_request_duration_seconds_sum") - sum) < 1e-9, "sum");
});

Deno.test("bucket counts match counting each value's HDR slot against the bound", () => {
  const v = fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 120_000_000 }));
  const bounds = fc.uniqueArray(fc.integer({ min: 1, max: 100_000_000 }), {
    minLength: 1,
    maxLength: 12,
  })
    .map((b) => b.sort((x, y) => x - y).map((x) => x / 1e6));
  fc.assert(
    fc.property(fc.array(v, { maxLength: 200 }), bounds, (xs, bs) => {
      const h = Histogram.of(xs);
      const got = Metrics.cumulative(h, bs);
      assertEquals(got.length, bs.length);
      bs.forEach((b, k) => {
        const want = xs.filter((x) => Histogram.highestEquivalent(h.layout, x) <= b * 1e6).length;
        assertEquals(got[k], want, `le=${b}`);
        // Below 2048 µs a slot is one microsecond: the count is exact.
        if (b * 1e6 < 2048) assertEquals(got[k], xs.filter((x) => x <= b * 1e6).length);
      });
    }),
    { numRuns: 300 },
  );
});

Deno.test("two threads' families add up to the families of their merged summary", () => {
  const lat = fc.array(fc.integer({ min: 1, max: 10_000_000 }), { maxLength: 100 });
  fc.assert(
    fc.property(lat, lat, (a, b) => {
      const sa = summaryOf(a), sb = summaryOf(b);
      const whole = Metrics.families(view(Summary.empty().merge(sa).merge(sb)), labels);
      const parts = [Metrics.families(view(sa), labels), Metrics.families(view(sb), labels)];
      for (const f of whole) {
        if (f.type === "gauge") continue;
        for (const s of f.samples) {
          const key = JSON.stringify(s.labels);
          const added = parts.flatMap((p) => p.flatMap((g) => g.samples))
            .filter((x) => x.name === s.name && JSON.stringify(x.labels) === key)
            .reduce((n, x) => n + x.value, 0);
          assert(Math.abs(added - s.value) <= 1e-9 * Math.max(1, s.value), `${s.name} ${key}`);
        }
      }
    }),
    { numRuns: 100 },
  );
});

Deno.test("the open model adds the target rate, drops, the uncorrected latency and the lag", () => {
  const s = summaryOf([1000, 2000]);
  s.dropped = 4;
  const closed = Metrics.families(view(s), labels).map((f) => f.name);
  const open = Metrics.families(view(s, 250), labels);
  assertEquals(closed.includes("salvo_target_requests_per_second"), false);
  assertEquals(value(open, "salvo_target_requests_per_second"), 250);
  assertEquals(value(open, "salvo_requests_dropped_total"), 4);
  assertEquals(value(open, "salvo_request_sent_duration_seconds_count"), 2);
  // No lag recorded yet: the family is there, empty, so dashboards see it from the first scrape.
  assertEquals(value(open, "salvo_schedule_lag_seconds_count"), 0);
});

Deno.test("every sample carries the run's labels first, and the defaults rise from 100 µs to 60 s", () => {
  const fs = Metrics.families(view(summaryOf([5])), [["run_id", "r"], ["team", "api"]]);
  for (const s of fs.flatMap((f) => f.samples)) {
    assertEquals(
      JSON.stringify(s.labels.slice(0, 2)),
      JSON.stringify([["run_id", "r"], ["team", "api"]]),
    );
  }
  const d = Metrics.defaultBuckets;
  assertEquals(d[0], 0.0001);
  assertEquals(d[d.length - 1], 60);
  assert(d.every((b, i) => i === 0 || b > d[i - 1]!), "rising");
  assert(
    d.every((b) =>
      Number.isInteger(Math.round(b * 1e6)) && Math.abs(b * 1e6 - Math.round(b * 1e6)) < 1e-6
    ),
    "whole µs",
  );
});

Deno.test("a tag's name must be a Prometheus label name that salvo and Prometheus leave free", () => {
  assertEquals(Metrics.tagNameProblem("team"), undefined);
  assertEquals(Metrics.tagNameProblem("_env2"), undefined);
  assert(Metrics.tagNameProblem("2team") !== undefined, "digit first");
  assert(Metrics.tagNameProblem("team-a") !== undefined, "dash");
  assert(Metrics.tagNameProblem("") !== undefined, "empty");
  assert(Metrics.tagNameProblem("__x") !== undefined, "reserved prefix");
  for (const r of ["run_id", "status", "reason", "le", "job", "instance", "url", "method"]) {
    assert(Metrics.tagNameProblem(r) !== undefined, r);
  }
});
