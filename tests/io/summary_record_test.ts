// A summary's record (what a load thread posts, what `merge` reads) keeps each reason's first message.
import { Either } from "effect";
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
  // A summary without failures has no messages, and its record says nothing of them.
  assertEquals("error_messages" in toRecord(Summary.empty()), false);
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
