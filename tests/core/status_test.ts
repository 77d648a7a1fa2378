// Success statuses at their edges: the default's 100 and 399, ranges that start or end on a bound, one-status ranges, and ranges refused for their order or size.
import { Either } from "effect";
import { defaultSuccess, parseSuccessStatus } from "../../src/core/status.ts";
import { assertEquals, refusal } from "../assert.ts";

Deno.test("by default a status from 100 to 399 succeeds, and none outside", () => {
  assertEquals([99, 100, 399, 400].map(defaultSuccess), [false, true, true, false]);
});

Deno.test("a range includes both its ends, and a one-status range is that status", () => {
  const ok = Either.getOrThrow(parseSuccessStatus("200-299, 404-404,100,999"));
  assertEquals(
    [199, 200, 299, 300, 403, 404, 405, 100, 101, 999, 998].map(ok),
    [false, true, true, false, false, true, false, true, false, true, false],
  );
});

Deno.test("a range that runs backwards, or starts below 100, is refused with the part that is wrong", () => {
  const why = (t: string) => refusal(parseSuccessStatus(t));
  assertEquals(
    why("200, 300-200"),
    "--success-status: '300-200' is not a status or range like 200-299",
  );
  assertEquals(why("099-200"), "--success-status: '099-200' is not a status or range like 200-299");
  assertEquals(why("2xx"), "--success-status: '2xx' is not a status or range like 200-299");
});
