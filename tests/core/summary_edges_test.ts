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
