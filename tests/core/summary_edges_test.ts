// A summary at its edges: the first failure reason and the last status code counted where they belong, a TLS handshake of 0 µs is a handshake, no rate from no time, and salvo's share of a p99 of 0.
import * as Summary from "../../src/core/summary.ts";
import { reasons } from "../../src/domain/reason.ts";
import { assertEquals } from "../assert.ts";

Deno.test("summary: the first reason counts as a failure, status 999 as a status; status 0 without a reason counts as neither", () => {
  const s = Summary.empty();
  s.record(0, 0, false, 1000, 1000, 0);
  s.record(999, -1, true, 1000, 1000, 10);
  s.record(1, -1, true, 1000, 1000, 10);
  s.record(0, -1, false, 1000, 1000, 0);
  const d = Summary.describe(s, 1000);
  assertEquals(d.errors, { [reasons[0]!]: 1 });
  assertEquals(d.statusCodes, { "1": 1, "999": 1 });
  assertEquals([d.requests, d.failures, d.bytes], [4, 2, 20]);
});

Deno.test("summary: a TLS handshake of 0 µs is counted; no handshake (-1) is not", () => {
  const s = Summary.empty();
  s.recordConnect(300, -1);
  assertEquals(s.tls, undefined);
  s.recordConnect(300, 0);
  assertEquals([s.connect?.totalCount, s.tls?.totalCount], [2, 1]);
});

Deno.test("summary: a run of no time has a rate of 0, not infinity; a p99 of 0 has no share of salvo's lag", () => {
  const s = Summary.empty();
  s.record(200, -1, true, 0, 0, 0);
  s.recordLag(0);
  const d = Summary.describe(s, 0);
  assertEquals([d.rps, d.durationS, d.successRate], [0, 0, 1]);
  assertEquals(Summary.ownShareOfP99(d), undefined);
  const late = Summary.empty();
  late.record(200, -1, true, 10_000, 8_000, 0);
  late.recordLag(2_000);
  assertEquals(Summary.ownShareOfP99(Summary.describe(late, 1000))! > 0, true);
  assertEquals(Summary.describe(Summary.empty(), 1000).successRate, 0);
});

Deno.test("summary: every latency figure and timing is reported in ms, each from its own statistic", () => {
  const s = Summary.empty();
  // Corrected latencies 1, 2, 3, 4 ms; uncorrected 0.5 ms less. Above 2048 µs the histogram keeps
  // values to 2 µs, and reports the top of a value's bucket: 4 ms as 4.001.
  for (const ms of [1, 2, 3, 4]) s.record(200, -1, true, ms * 1000, ms * 1000 - 500, 0);
  for (const us of [100, 200, 300, 400]) {
    s.recordConnect(us, us * 2);
    s.recordQueue(us * 3);
    s.recordLag(us * 4);
  }
  const d = Summary.describe(s, 1000);
  const stdev = Math.sqrt(1.25); // Of 1, 2, 3, 4 (population).
  assertEquals(d.latency, {
    min: 1,
    mean: 2.5,
    stdev,
    p50: 2,
    p90: 4.001,
    p95: 4.001,
    p99: 4.001,
    p99_9: 4.001,
    max: 4.001,
  });
  assertEquals([d.latencyUncorrected.min, d.latencyUncorrected.max], [0.5, 3.501]);
  assertEquals(d.connect, { count: 4, p50: 0.2, p90: 0.4, p99: 0.4, max: 0.4 });
  assertEquals(d.tls, { count: 4, p50: 0.4, p90: 0.8, p99: 0.8, max: 0.8 });
  assertEquals(d.queue, { count: 4, p50: 0.6, p90: 1.2, p99: 1.2, max: 1.2 });
  assertEquals(d.scheduleLag, { p50: 0.8, p99: 1.6, max: 1.6 });
  assertEquals(Summary.ownShareOfP99(d), 1.6 / 4.001);
  // Four of five succeed, over 2.5 s.
  s.record(500, -1, false, 1000, 1000, 0);
  const e = Summary.describe(s, 2500);
  assertEquals([e.successRate, e.rps], [0.8, 2]);
});

Deno.test("summary: a failure's message is shown only for a reason that was counted", () => {
  const s = Summary.empty();
  s.why[0] = "kept, but never counted";
  s.why[1] = "connection refused";
  s.record(0, 1, false, 1000, 1000, 0);
  assertEquals(Summary.describe(s, 1000).errorMessages, { [reasons[1]!]: "connection refused" });
});
