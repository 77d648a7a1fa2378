// Results streams read back (io/results_reader.ts): what each line adds, every way a line is refused, a cut-short last line, the span and windows.
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import { read, type ReadResults, windowsOf } from "../../src/io/results_reader.ts";
import { assert, assertEquals } from "../assert.ts";

/** Reads `text` as one results file; the outcome, or the one-line error. */
const readText = async (
  text: string,
  skipInvalid = false,
  timeline = false,
): Promise<Either.Either<ReadResults, string>> => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/r.ndjson`, text);
    const r = await Effect.runPromise(
      Effect.either(read([`${dir}/r.ndjson`], skipInvalid, timeline)),
    );
    return Either.mapLeft(r, (e) => e.message.replace(`${dir}/`, ""));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

const line = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    intended_us: 1_000_000,
    sent_us: 1_000_000,
    latency_us: 2000,
    status: 200,
    ok: true,
    bytes: 100,
    error: null,
    ...over,
  });

Deno.test("results reader: each refused line names its file, line and what is wrong", async () => {
  const bad: Array<[string, string]> = [
    ["[1]", "not a JSON object"],
    ["null", "not a JSON object"],
    ['{"type":"interval","start_us":1}', "an interval record needs start_us and end_us"],
    ['{"type":"interval","end_us":1}', "an interval record needs start_us and end_us"],
    ['{"dropped":true}', "a dropped arrival needs intended_us"],
    [line({ intended_us: "1" }), "intended_us and sent_us must be numbers"],
    [line({ sent_us: null }), "intended_us and sent_us must be numbers"],
    [line({ latency_us: 1.5 }), "latency_us must be a whole number of microseconds"],
    [line({ latency_us: -1 }), "latency_us must be a whole number of microseconds"],
    [line({ lag_us: -1 }), "lag_us must be a whole number of microseconds"],
    [line({ status: 1000 }), "status must be a number 0..999"],
    [line({ status: "200" }), "status must be a number 0..999"],
    [line({ ok: "yes" }), "ok must be true or false"],
    [line({ bytes: 0.5 }), "bytes must be a whole number"],
    [line({ error: "nope" }), 'unknown error reason "nope"'],
  ];
  for (const [text, problem] of bad) {
    const r = await readText(`${line()}\n${text}\n`);
    assertEquals(r, Either.left(`r.ndjson:2: ${problem}`), text);
  }
  // At the limits: status 999 and 0, latency 0, lag 0 are accepted.
  const edge = await readText(
    [
      line({ status: 999 }),
      line({ status: 0, ok: false, error: "timeout" }),
      line({ latency_us: 0, lag_us: 0 }),
    ]
      .join("\n") + "\n",
  );
  assert(Either.isRight(edge), String(edge));
  assertEquals(edge.right.requestLines, 3);
});

Deno.test("results reader: --skip-invalid counts what it skipped, in one warning", async () => {
  for (const [n, word] of [[1, "line"], [2, "lines"]] as const) {
    const r = await readText([line(), ...Array(n).fill("[]"), line()].join("\n") + "\n", true);
    assert(Either.isRight(r), String(r));
    assertEquals([r.right.skipped, r.right.requestLines], [n, 2]);
    assertEquals(r.right.warnings, [`skipped ${n} invalid ${word}`]);
  }
});

Deno.test("results reader: a last line cut short is ignored with a warning; whole or parseable, it counts", async () => {
  const cut = await readText(`${line()}\n${line().slice(0, 20)}`);
  assert(Either.isRight(cut), String(cut));
  assertEquals(cut.right.requestLines, 1);
  assertEquals(cut.right.warnings, [
    "r.ndjson:2: the last line is cut short (a write interrupted mid-line?); ignored".replace(
      "r.ndjson",
      cut.right.warnings[0]!.split(":")[0]!,
    ),
  ]);
  const whole = await readText(`${line()}\n${line()}`);
  assert(Either.isRight(whole));
  assertEquals([whole.right.requestLines, whole.right.warnings.length], [2, 0]);
  const broken = await readText(`${line()}\n${line().slice(0, 20)}\n${line()}\n`);
  assertEquals(broken, Either.left("r.ndjson:2: not JSON"));
});

Deno.test("results reader: no result at all is an error, never a summary of nothing", async () => {
  for (const text of ["", "\n\n", "   \n"]) {
    const r = await readText(text);
    assert(
      Either.isLeft(r) && r.left.startsWith("no results in "),
      `${JSON.stringify(text)}: ${r}`,
    );
  }
});

Deno.test("results reader: requests, drops, retries and lag add up; the span runs from the first intended start to the last end", async () => {
  const r = await readText(
    [
      line({
        intended_us: 5_000_000,
        sent_us: 5_001_000,
        latency_us: 3000,
        lag_us: 1000,
        target: "GET http://a/",
      }),
      line({
        intended_us: 4_000_000,
        sent_us: 4_000_000,
        latency_us: 9000,
        status: 503,
        ok: false,
        retried: true,
        target: "GET http://b/",
      }),
      JSON.stringify({ dropped: true, intended_us: 7_000_000, by: "client" }),
      JSON.stringify({ dropped: true, intended_us: 3_500_000 }),
      line({
        intended_us: 6_000_000,
        sent_us: 6_000_000,
        latency_us: 100,
        status: 0,
        ok: false,
        error: "timeout",
        bytes: 0,
      }),
    ].join("\n") + "\n",
    false,
    true,
  );
  assert(Either.isRight(r), String(r));
  const { summary: s } = r.right;
  assertEquals([s.requests, s.successes, s.bytes], [3, 1, 200]);
  assertEquals([s.dropped, s.droppedByClient, s.retried], [2, 1, 1]);
  assertEquals([r.right.startedUs, r.right.endedUs], [3_500_000, 7_000_000]);
  assertEquals([r.right.target, r.right.targets, r.right.requestLines], ["GET http://a/", 2, 5]);
  assertEquals(s.latency.max >= 9000 && s.latency.max < 9100, true, `max ${s.latency.max}`);
  // The sent-only latency leaves out the 1 ms the first request waited to be sent: a third of a
  // millisecond less on average over the three.
  const less = s.latency.mean - s.sent.mean;
  assert(less > 300 && less < 370, `sent-only is ${less} µs less on average`);
  assertEquals(s.lag?.totalCount, 1);
  assertEquals(r.right.byTarget?.map((t) => [t.name, t.summary.requests]), [["GET http://a/", 1], [
    "GET http://b/",
    1,
  ]]);
  // One-second windows from 3.5 s to 7 s: every result lands in one, drops included.
  const rows = r.right.timeline!;
  assertEquals(rows.reduce((n, row) => n + row.requests, 0), 3);
  assertEquals(rows.reduce((n, row) => n + row.dropped, 0), 2);
  assertEquals([rows[0]!.startMs, rows.at(-1)!.endMs], [0, 3500]);
});

Deno.test("results reader: interval records merge, their windows as long as the records", async () => {
  const base = await readText(line() + "\n");
  assert(Either.isRight(base));
  const { toRecord } = await import("../../src/io/summary_record.ts");
  const rec = (start: number, end: number) =>
    JSON.stringify({
      type: "interval",
      start_us: start,
      end_us: end,
      ...toRecord(base.right.summary),
    });
  const r = await readText(
    [rec(0, 2_000_000), rec(2_000_000, 4_000_000)].join("\n") + "\n",
    false,
    true,
  );
  assert(Either.isRight(r), String(r));
  assertEquals([r.right.intervalRecords, r.right.summary.requests], [2, 2]);
  assertEquals([r.right.startedUs, r.right.endedUs], [0, 4_000_000]);
  assertEquals(r.right.timeline!.map((row) => [row.startMs, row.endMs, row.requests]), [[
    0,
    2000,
    1,
  ], [2000, 4000, 1]]);
});

Deno.test("results reader: interval records starting late on the clock keep their length, and the timeline and the windows a comparison judges count from the results' start", async () => {
  const base = await readText(line() + "\n");
  assert(Either.isRight(base));
  const { toRecord } = await import("../../src/io/summary_record.ts");
  const rec = (start: number, end: number, over: Record<string, unknown> = {}) =>
    JSON.stringify({
      type: "interval",
      start_us: start,
      end_us: end,
      ...toRecord(base.right.summary),
      ...over,
    });
  const r = await readText(
    [rec(5_000_000, 6_000_000), rec(6_000_000, 7_000_000)].join("\n") + "\n",
    false,
    true,
  );
  assert(Either.isRight(r), String(r));
  assertEquals(r.right.timeline!.map((w) => [w.startMs, w.endMs]), [[0, 1000], [1000, 2000]]);
  assertEquals(windowsOf(r.right).map((w) => [w.startMs, w.endMs, w.requests]), [
    [0, 1000, 1],
    [1000, 2000, 1],
  ]);
  // Without a timeline, none is made.
  const plain = await readText(rec(5_000_000, 6_000_000) + "\n");
  assert(Either.isRight(plain), String(plain));
  assertEquals([plain.right.timeline, plain.right.records], [undefined, undefined]);
  // A record's own fields, and its by_target, are checked.
  for (
    const [over, problem] of [
      [{ requests: -1 }, "'requests' is missing or not a whole number"],
      [{ by_target: [1] }, "by_target must be an object of records by name"],
      [
        { by_target: { "GET /a": { requests: 1 } } },
        `by_target "GET /a": 'successes' is missing or not a whole number`,
      ],
    ] as const
  ) {
    assertEquals(
      await readText(rec(0, 1_000_000, over) + "\n"),
      Either.left(`r.ndjson:1: ${problem}`),
    );
  }
});

Deno.test("results reader: per-request lines make one-second windows from the first result, counted from the results' start", async () => {
  const r = await readText(
    [
      line({ intended_us: 3_000_000, sent_us: 3_000_000 }),
      line({ intended_us: 4_100_000, sent_us: 4_100_000 }),
    ].join("\n") + "\n",
    false,
    true,
  );
  assert(Either.isRight(r), String(r));
  assertEquals(windowsOf(r.right).map((w) => [w.startMs, w.endMs, w.requests]), [
    [0, 1000, 1],
    [1000, 1102, 1],
  ]);
});

Deno.test("results reader: an empty first line and a line and a record together are read whole", async () => {
  const base = await readText(line() + "\n");
  assert(Either.isRight(base));
  const { toRecord } = await import("../../src/io/summary_record.ts");
  const record = JSON.stringify({
    type: "interval",
    start_us: 0,
    end_us: 1_000_000,
    ...toRecord(base.right.summary),
  });
  const r = await readText(`\n${line()}\n${record}\n`);
  assert(Either.isRight(r), String(r));
  assertEquals([r.right.requestLines, r.right.intervalRecords, r.right.summary.requests], [
    1,
    1,
    2,
  ]);
  assertEquals(r.right.warnings, []);
});

Deno.test("results reader: each target's summary is kept, with its sends' own latency, up to 200 targets; past them none is, and 1,000 names at most are counted", async () => {
  const named = (n: number) =>
    Array.from({ length: n }, (_, i) => line({ target: `GET /t${i}` })).join("\n") + "\n";
  const none = await readText(line() + "\n");
  assert(Either.isRight(none));
  assertEquals([none.right.byTarget, none.right.targets], [undefined, 0]);
  const late = await readText(
    line({ intended_us: 1000, sent_us: 1500, latency_us: 2000, target: "GET /a" }) + "\n",
  );
  assert(Either.isRight(late));
  assertEquals(late.right.byTarget?.[0]?.summary.sent.max, 1500);
  const kept = await readText(named(200));
  assert(Either.isRight(kept));
  assertEquals([kept.right.byTarget?.length, kept.right.targets], [200, 200]);
  for (const n of [201, 202]) {
    const past = await readText(named(n));
    assert(Either.isRight(past));
    assertEquals([past.right.byTarget, past.right.targets], [undefined, n], `${n} targets`);
  }
  const most = await readText(named(1001));
  assert(Either.isRight(most));
  assertEquals(most.right.targets, 1000);
});
