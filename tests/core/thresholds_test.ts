// Threshold parsing and evaluation: the grammar, k6's spelling, and messages that point at the problem.
import { Either } from "effect";
import fc from "fast-check";
import * as Thresholds from "../../src/core/thresholds.ts";
import { assert, assertEquals } from "../assert.ts";

const parsed = (s: string) => Either.getOrThrow(Thresholds.parse(s));
const message = (s: string) =>
  Either.match(Thresholds.parse(s), { onLeft: (e) => e.message, onRight: () => "(parsed)" });

const cases: ReadonlyArray<readonly [string, string, string, number]> = [
  // expression, metric, op, limit in canonical unit
  ["requests>=15", "requests", ">=", 15],
  ["success_rate>=85%", "success_rate", ">=", 0.85],
  ["success_rate >= 0.85", "success_rate", ">=", 0.85],
  ["error_rate<1%", "error_rate", "<", 0.01],
  ["mean<500ms", "mean", "<", 500],
  ["avg<500ms", "mean", "<", 500],
  ["max<2s", "max", "<", 2000],
  ["p95<300ms", "p95", "<", 300],
  ["p(95)<300ms", "p95", "<", 300],
  ["p99.9 <= 1.5s", "p99.9", "<=", 1500],
  ["p50<250us", "p50", "<", 0.25],
  ["med<1m", "p50", "<", 60_000],
  ["rps>100", "rps", ">", 100],
  ["failures==0", "failures", "==", 0],
  ["stdev!=0ms", "stdev", "!=", 0],
];

for (const [text, metric, op, limit] of cases) {
  Deno.test(`threshold '${text}' parses to ${metric} ${op} ${limit}`, () => {
    const t = parsed(text);
    assertEquals([t.metric.name, t.op], [metric, op]);
    assert(Math.abs(t.limit - limit) < 1e-12, `limit ${t.limit}`);
  });
}

const bad: ReadonlyArray<readonly [string, RegExp]> = [
  ["p95<", /missing value after '<'/],
  ["foo>1", /unknown metric 'foo'/],
  ["p101<1s", /percentile 101 is out of range/],
  ["rps>>1", /expected a number after '>', found '>1'/],
  ["p95<300", /give the value a unit, like 300ms/],
  ["success_rate>=85", /did you mean 85%/],
  ["requests>=15ms", /plain number/],
  ["requests=15", /use '=='/],
  ["requests", /missing comparison/],
  ["", /expected METRIC OP VALUE/],
];

for (const [text, pattern] of bad) {
  Deno.test(`threshold '${text}' is rejected with a message that points at the problem`, () => {
    const m = message(text);
    assert(pattern.test(m), m);
    assert(m.startsWith(`--threshold '${text}'`), m);
  });
}

Deno.test("threshold parser returns a value or a typed error for any string, never throws", () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      const r = Thresholds.parse(s);
      assert(Either.isRight(r) || r.left._tag === "UsageError");
    }),
    { numRuns: 1000 },
  );
});

const figures = (over: Partial<Thresholds.Figures> = {}): Thresholds.Figures => ({
  requests: 9,
  successes: 9,
  failures: 0,
  rps: 2.9,
  latencyMs: (n) => ({ min: 1, mean: 2, stdev: 0.5, max: 4 })[n],
  percentileMs: (p) => p / 10,
  ...over,
});

Deno.test("evaluation compares the actual value with the limit", () => {
  const e = Thresholds.evaluate(parsed("requests>=15"), figures());
  assertEquals([e.passed, e.actual], [false, 9]);
  assert(Thresholds.evaluate(parsed("mean<500ms"), figures()).passed);
  assertEquals(Thresholds.evaluate(parsed("p99<9ms"), figures()).actual, 9.9);
  assertEquals(Thresholds.evaluate(parsed("error_rate<=0%"), figures()).passed, true);
});

Deno.test("only thresholds on growing counts and max can fail before the end of a run", () => {
  const f = figures({ failures: 4, requests: 50 });
  assert(Thresholds.cannotPass(parsed("failures<=3"), f));
  assert(!Thresholds.cannotPass(parsed("failures<=4"), f));
  assert(Thresholds.cannotPass(parsed("max<4ms"), f));
  assert(!Thresholds.cannotPass(parsed("requests>=100"), f), "more requests may still come");
  assert(!Thresholds.cannotPass(parsed("success_rate>=99%"), f), "a rate may still recover");
});

Deno.test("a percentile threshold on too few samples is warned about", () => {
  const ts = [parsed("p99<300ms"), parsed("p50<1s"), parsed("mean<1s")];
  assertEquals(Thresholds.sampleWarnings(ts, 42), [
    "p99<300ms rests on 42 samples; p99 needs at least 100",
  ]);
  assertEquals(Thresholds.sampleWarnings(ts, 100), []);
  assertEquals(Thresholds.minimumSamples(99.9), 1000);
});

Deno.test("every operator at, below and above its limit: the whole truth table", () => {
  // requests is 9 in `figures()`; each row: limit, then <, <=, >, >=, ==, != against it.
  const table: ReadonlyArray<readonly [number, ReadonlyArray<boolean>]> = [
    [8, [false, false, true, true, false, true]], // 9 is above 8
    [9, [false, true, false, true, true, false]], // 9 is at 9
    [10, [true, true, false, false, false, true]], // 9 is below 10
  ];
  const ops = ["<", "<=", ">", ">=", "==", "!="] as const;
  for (const [limit, expected] of table) {
    ops.forEach((op, i) => {
      const e = Thresholds.evaluate(parsed(`requests${op}${limit}`), figures());
      assertEquals(e.passed, expected[i], `9 ${op} ${limit}`);
    });
  }
});

Deno.test("cannotPass: an upper bound crossed by a growing count stays crossed, == included", () => {
  const f = figures({ failures: 4, requests: 50 });
  assert(Thresholds.cannotPass(parsed("failures==3"), f), "4 failures can never become 3");
  assert(!Thresholds.cannotPass(parsed("failures==4"), f), "4 is still 4");
  assert(!Thresholds.cannotPass(parsed("failures==5"), f), "one more failure may come");
  assert(Thresholds.cannotPass(parsed("failures<4"), f));
  assert(!Thresholds.cannotPass(parsed("failures!=4"), f), "one more failure may come");
  assert(!Thresholds.cannotPass(parsed("failures>=5"), f));
  assert(!Thresholds.cannotPass(parsed("failures<=3"), figures({ failures: 4, requests: 0 })));
});

Deno.test("limits at the edge of what a metric can be: accepted where some run could pass, refused where none could", () => {
  for (
    const ok of [
      "p0<1ms",
      "p100<1ms",
      "p99<=0ms",
      "success_rate>=100%",
      "success_rate==100%",
      "success_rate>=1",
    ]
  ) {
    assertEquals(message(ok), "(parsed)", ok);
  }
  assertEquals(message("p99<0ms"), "--threshold 'p99<0ms': it can never pass: p99 is at least 0");
  assertEquals(
    message("success_rate>100%"),
    "--threshold 'success_rate>100%': it can never pass: success_rate is between 0% and 100%",
  );
  assertEquals(
    message("p9.9.9<1ms"),
    "--threshold 'p9.9.9<1ms': 'p9.9.9' is not a percentile like p99 or p(99.9)",
  );
  assertEquals(
    message("p100.5<1ms"),
    "--threshold 'p100.5<1ms': percentile 100.5 is out of range 0..100",
  );
  assertEquals(
    message("success_rate>=0.5ms"),
    "--threshold 'success_rate>=0.5ms': success_rate is a rate: write it as 85% or 0.85",
  );
  assertEquals(Thresholds.minimumSamples(100), 1);
});

Deno.test("rates are shares of the requests, and 0 when there were none", () => {
  const f = figures({ requests: 4, successes: 3, failures: 1 });
  assertEquals(Thresholds.evaluate(parsed("success_rate>=0%"), f).actual, 0.75);
  assertEquals(Thresholds.evaluate(parsed("error_rate<=100%"), f).actual, 0.25);
  const none = figures({ requests: 0, successes: 0, failures: 0 });
  assertEquals(Thresholds.evaluate(parsed("success_rate>=0%"), none).actual, 0);
});

Deno.test("max is a figure a change from the baseline can bound, and such a bound is never settled mid-run", () => {
  const t = parsed("max<+10%");
  assertEquals(Thresholds.relativeFigure(t.metric), "max");
  // Max is 50 ms here, far above the 10 (percent) limit: only the end of the run can judge a change.
  assertEquals(Thresholds.cannotPass(t, figures({ latencyMs: () => 50 })), false);
  assertEquals(Thresholds.cannotPass(parsed("max<10ms"), figures({ latencyMs: () => 50 })), true);
});
