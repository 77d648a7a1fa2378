// A summary's record (what a load thread posts, what `merge` reads) keeps each reason's first message.
import { Either, Option } from "effect";
import * as Summary from "../../src/core/summary.ts";
import { reasonIndex } from "../../src/domain/reason.ts";
import { fromRecord, toRecord } from "../../src/io/summary_record.ts";
import { assertEquals } from "../assert.ts";

const failing = (reason: keyof typeof reasonIndex, why: string | undefined, n: number) => {
  const s = Summary.empty();
  for (let i = 0; i < n; i++) s.record(0, reasonIndex[reason], false, 1000, 1000, 0);
  s.why[reasonIndex[reason]] = why;
  return s;
};

Deno.test("a failure's message survives the record, merging keeps the first per reason, and the stats carry it", () => {
  const a = failing("tls", "invalid peer certificate: UnknownIssuer", 3);
  const b = failing("tls", "certificate expired", 2).merge(failing("dns", "no such host", 1));
  const back = Either.getOrThrow(fromRecord(JSON.parse(JSON.stringify(toRecord(a)))));
  const merged = back.merge(b);
  const stats = Summary.describe(merged, 1000);
  assertEquals(stats.errors, { dns: 1, tls: 5 });
  assertEquals(stats.errorMessages, {
    dns: "no such host",
    tls: "invalid peer certificate: UnknownIssuer",
  });
  // A summary without failures has no messages, and its record says nothing of them, nor of a
  // message whose reason has no count.
  assertEquals("error_messages" in toRecord(Summary.empty()), false);
  assertEquals("error_messages" in toRecord(failing("dns", "no such host", 0)), false);
});

Deno.test("a record whose error_messages is not reason → text is refused", () => {
  const r = { ...toRecord(failing("tls", "x", 1)) } as Record<string, unknown>;
  for (const bad of [[1], { tls: 5 }, { nonsense: "x" }, "tls"]) {
    assertEquals(
      Either.isLeft(fromRecord({ ...r, error_messages: bad })),
      true,
      JSON.stringify(bad),
    );
  }
});

Deno.test("a record leaves out what is zero (dropped by the client, retried), and says what it dropped and retried when they are not", () => {
  const quiet = toRecord(Summary.empty());
  assertEquals(["dropped_client" in quiet, "retried" in quiet], [false, false]);
  const s = failing("timeout", undefined, 3);
  s.dropped = 2;
  s.droppedByClient = 1;
  s.retried = 1;
  const r = toRecord(s);
  assertEquals([r.dropped, r.dropped_client, r.retried], [2, 1, 1]);
  const back = Either.getOrThrow(fromRecord(JSON.parse(JSON.stringify(r))));
  assertEquals([back.dropped, back.droppedByClient, back.retried], [2, 1, 1]);
});

Deno.test("a record with a wrong field is refused with a message naming it", () => {
  const s = failing("timeout", undefined, 3);
  s.dropped = 2;
  const good = JSON.parse(JSON.stringify(toRecord(s))) as Record<string, unknown>;
  assertEquals(Either.isRight(fromRecord(good)), true);
  const cases: Array<[Record<string, unknown> | unknown, string]> = [
    [[good], "not a JSON object"],
    [null, "not a JSON object"],
    [{ ...good, requests: -1 }, "'requests' is missing or not a whole number"],
    [{ ...good, successes: 1.5 }, "'successes' is missing or not a whole number"],
    [{ ...good, bytes: undefined }, "'bytes' is missing or not a whole number"],
    [{ ...good, dropped: "2" }, "'dropped' is not a whole number"],
    [{ ...good, status_codes: [] }, "'status_codes' or 'errors' is not an object"],
    [{ ...good, errors: null }, "'status_codes' or 'errors' is not an object"],
    [{ ...good, dropped_client: 3 }, "'dropped_client' is not a whole number up to 'dropped'"],
    [{ ...good, dropped_client: -1 }, "'dropped_client' is not a whole number up to 'dropped'"],
    [{ ...good, retried: 4 }, "'retried' is not a whole number up to 'requests'"],
    [{ ...good, retried: 0.5 }, "'retried' is not a whole number up to 'requests'"],
    [{ ...good, histogram: 7 }, "'histogram' is missing or not a string"],
    [{ ...good, histogram_lag: 7 }, "'histogram_lag' is missing or not a string"],
    [{ ...good, histogram_uncorrected: 7 }, "'histogram_uncorrected' is missing or not a string"],
    [{ ...good, histogram_queue: false }, "'histogram_queue' is missing or not a string"],
    [{ ...good, requests: 4 }, "'histogram' does not hold 'requests' values"],
    [{ ...good, status_codes: { "99": 1 } }, "bad status count '99'"],
    [{ ...good, status_codes: { "1000": 1 } }, "bad status count '1000'"],
    [{ ...good, status_codes: { "2x0": 1 } }, "bad status count '2x0'"],
    [{ ...good, status_codes: { "200": -1 } }, "bad status count '200'"],
    [{ ...good, errors: { nonsense: 1 } }, "bad error count 'nonsense'"],
    [{ ...good, errors: { timeout: 0.5 } }, "bad error count 'timeout'"],
    [{ ...good, error_messages: 5 }, "'error_messages' is not an object"],
    [{ ...good, error_messages: { timeout: 5 } }, "bad error message 'timeout'"],
  ];
  for (const [record, message] of cases) {
    assertEquals(Either.getLeft(fromRecord(record)), Option.some(message), message);
  }
  // At the bounds: as many dropped by the client as dropped, as many retried as requests, statuses
  // 100 and 999.
  assertEquals(Either.isRight(fromRecord({ ...good, dropped_client: 2, retried: 3 })), true);
  const edges = fromRecord({ ...good, status_codes: { "100": 1, "999": 2 } });
  assertEquals(
    Either.isRight(edges) && [edges.right.statusCounts[100], edges.right.statusCounts[999]],
    [1, 2],
  );
});
