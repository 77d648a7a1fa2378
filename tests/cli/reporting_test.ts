// The reporting path's pure parts: which failure the diagnosis names.
import { topFailure } from "../../src/cli/reporting.ts";
import * as Summary from "../../src/core/summary.ts";
import { reasonIndex } from "../../src/domain/reason.ts";
import { assertEquals } from "../assert.ts";

Deno.test("topFailure names the most frequent failure, reasons and failing statuses alike", () => {
  const s = Summary.empty();
  const record = (status: number, reason: number, n: number) => {
    for (let i = 0; i < n; i++) s.record(status, reason, false, 1000, 1000, 0);
  };
  record(0, reasonIndex.timeout, 3);
  record(503, -1, 7);
  record(0, reasonIndex.connection_reset, 5);
  record(404, -1, 1);
  for (let i = 0; i < 20; i++) s.record(200, -1, true, 1000, 1000, 10);
  assertEquals(topFailure(Summary.describe(s, 1000)), { what: "status 503", count: 7 });
  record(0, reasonIndex.timeout, 6);
  assertEquals(topFailure(Summary.describe(s, 1000)), { what: "timeout", count: 9 });
  assertEquals(topFailure(Summary.describe(Summary.empty(), 1000)), undefined);
});
