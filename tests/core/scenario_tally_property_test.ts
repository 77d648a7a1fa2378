// A scenario's tally: split across load threads in any way, merged, it is the tally of one thread that saw everything; scoped thresholds read its steps, groups, iterations and checks.
import fc from "fast-check";
import * as Figures from "../../src/core/scenario_figures.ts";
import { maxSteps, mergeAll, otherStep, passRate, Tally } from "../../src/core/scenario_tally.ts";
import * as Thresholds from "../../src/core/thresholds.ts";
import { fromTallyRecord, toTallyRecord } from "../../src/io/tally_record.ts";
import * as Either from "effect/Either";
import { assert, assertEquals } from "../assert.ts";

type Event =
  | { kind: "request"; step: string; status: number; us: number }
  | { kind: "check"; name: string; passed: boolean }
  | { kind: "group"; name: string; us: number }
  | { kind: "iteration"; us: number; error: string | undefined }
  | { kind: "cut" }
  | { kind: "stray" };

const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({
    kind: fc.constant("request" as const),
    step: fc.constantFrom("POST /login", "GET /items", "GET /items/:id"),
    status: fc.constantFrom(200, 201, 404, 503),
    us: fc.integer({ min: 1, max: 5_000_000 }),
  }),
  fc.record({
    kind: fc.constant("check" as const),
    name: fc.constantFrom("ok", "has id"),
    passed: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("group" as const),
    name: fc.constantFrom("browse", "buy"),
    us: fc.integer({ min: 1, max: 9_000_000 }),
  }),
  fc.record({
    kind: fc.constant("iteration" as const),
    us: fc.integer({ min: 1, max: 9_000_000 }),
    error: fc.option(fc.constantFrom("boom (flow.ts:3:9)", "no id (flow.ts:9:1)"), {
      nil: undefined,
    }),
  }),
  fc.record({ kind: fc.constant("cut" as const) }),
  fc.record({ kind: fc.constant("stray" as const) }),
);

const apply = (t: Tally, e: Event): void => {
  switch (e.kind) {
    case "request":
      t.step(e.step).record(e.status, -1, e.status < 400, e.us, e.us, 10);
      break;
    case "check":
      t.check(e.name, e.passed);
      break;
    case "group":
      t.group(e.name, e.us);
      break;
    case "iteration":
      t.iteration(e.us, e.error);
      break;
    case "cut":
      t.cut++;
      break;
    case "stray":
      t.stray("floating (flow.ts:1:1)");
      break;
  }
};

/** What a tally says, in a form assertEquals compares (histograms by their counts and extremes). */
const view = (t: Tally) => ({
  steps: [...t.steps].map((
    [n, s],
  ) => [n, s.requests, s.successes, s.latency.totalCount, s.latency.max]).sort(),
  groups: [...t.groups].map(([n, g]) => [n, g.count, g.durations.totalCount, g.durations.max])
    .sort(),
  checks: [...t.checks].map(([n, c]) => [n, c.passed, c.failed]).sort(),
  iterations: [t.iterations.count, t.iterations.durations.totalCount, t.iterations.durations.max],
  errors: [t.scriptErrors, t.strays, t.cut, t.scriptWhy !== undefined],
});

Deno.test("tally: events split across threads in any way merge to the tally of one thread that saw them all, and survive their record", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(event, fc.integer({ min: 0, max: 3 })), { maxLength: 200 }),
      (events) => {
        const whole = new Tally();
        const parts = Array.from({ length: 4 }, () => new Tally());
        for (const [e, k] of events) {
          apply(whole, e);
          apply(parts[k]!, e);
        }
        const merged = mergeAll(parts);
        assertEquals(view(merged), view(whole));
        assertEquals(passRate(merged), passRate(whole));
        const back = fromTallyRecord(JSON.parse(JSON.stringify(toTallyRecord(merged))));
        assert(Either.isRight(back), Either.isLeft(back) ? back.left : "");
        assertEquals(view(back.right), view(whole));
      },
    ),
  );
});

Deno.test("tally: past the most step names kept, further names count under one step, so ids in names cannot grow it without end", () => {
  const t = new Tally();
  for (let i = 0; i < maxSteps + 50; i++) {
    t.step(`GET /items/${i}`).record(200, -1, true, 1000, 1000, 1);
  }
  assertEquals(t.steps.size, maxSteps + 1);
  assertEquals(t.steps.get(otherStep)!.requests, 50);
});

Deno.test("tally: a check's pass rate, all checks' together, and 1 when none ran", () => {
  const t = new Tally();
  assertEquals(passRate(t), 1);
  for (let i = 0; i < 10; i++) t.check("tenth fails", i !== 9);
  t.check("always", true);
  assertEquals([passRate(t, "tenth fails"), passRate(t, "always"), passRate(t)], [0.9, 1, 10 / 11]);
});

Deno.test("tally record: a malformed record says which field is wrong", () => {
  const good = toTallyRecord(new Tally());
  const bad = (r: unknown) => {
    const e = fromTallyRecord(r);
    assert(Either.isLeft(e));
    return e.left;
  };
  assertEquals(bad(null), "not a JSON object");
  assertEquals(bad({ ...good, steps: [{ summary: {} }] }), "a step has no name");
  assert(bad({ ...good, steps: [{ name: "x", summary: {} }] }).startsWith("step x: "));
  assertEquals(bad({ ...good, groups: [{ name: "g" }] }), "a group is malformed");
  assertEquals(
    bad({ ...good, groups: [{ name: "g", count: 1, histogram: "nope" }] }).startsWith(
      "'group g' does not decode",
    ),
    true,
  );
  assertEquals(
    bad({ ...good, checks: [{ name: "c", passed: -1, failed: 0 }] }),
    "a check is malformed",
  );
  assertEquals(bad({ ...good, iterations: {} }), "'iterations' is malformed");
  assertEquals(bad({ ...good, iterations: { count: 1 } }), "'iterations' is missing");
  assertEquals(bad({ ...good, cut: 1.5 }), "'script_errors' or 'cut' is malformed");
  assertEquals(bad({ ...good, strays: "x" }), "'strays' is malformed");
});

const scoped = (text: string) => {
  const t = Thresholds.parse(text);
  assert(Either.isRight(t), Either.isLeft(t) ? t.left.message : "");
  return t.right;
};

Deno.test("scoped thresholds judge one step, group, check or the iterations; an unknown scope fails and names what the run has", () => {
  const t = new Tally();
  for (let i = 1; i <= 100; i++) {
    t.step("POST /login").record(i % 10 === 0 ? 503 : 200, -1, i % 10 !== 0, i * 1000, i * 1000, 1);
  }
  for (let i = 1; i <= 50; i++) t.group("browse", i * 10_000);
  for (let i = 1; i <= 20; i++) t.iteration(i * 100_000, i <= 2 ? "boom" : undefined);
  for (let i = 0; i < 10; i++) t.check("has token", i !== 0);
  const judge = (text: string) => Figures.evaluateScoped(scoped(text), t, 10_000);
  assertEquals(judge("POST /login: p99<100ms").passed, true);
  assertEquals(judge("POST /login: p99<99ms").passed, false);
  assertEquals(judge("POST /login: success_rate>=90%").passed, true);
  assertEquals(judge("POST /login: rps>=10").actual, 10);
  // Histograms keep 3 significant digits: 500 ms is recorded as at most 500.3 ms.
  assertEquals(judge("browse: max<=501ms").passed, true);
  assertEquals(judge("browse: p50<250ms").passed, false);
  assertEquals(judge("browse: requests==50").passed, true);
  assertEquals(judge("iterations: requests==20").passed, true);
  assertEquals(judge("iterations: failures==2").passed, true);
  assertEquals(judge("iterations: mean>1s").passed, true);
  assertEquals(judge("iterations: min<=100ms").passed, true);
  assertEquals(judge("iterations: stdev<1s").passed, true);
  assertEquals(judge("has token: checks>=90%").passed, true);
  assertEquals(judge("has token: checks>90%").passed, false);
  assertEquals(judge("has token: failures==1").passed, true);
  const missing = judge("logn: p99<1s");
  assertEquals([missing.passed, Number.isNaN(missing.actual)], [false, true]);
  assertEquals(
    missing.missing,
    "the run has no step, group or check named 'logn' (it has 'POST /login', 'browse', 'has token')",
  );
  const empty = new Tally();
  assertEquals(Figures.evaluateScoped(scoped("iterations: p99<1s"), empty, 1000).actual, 0);
  assertEquals(
    Figures.evaluateScoped(scoped("x: p99<1s"), empty, 1000).missing,
    "the run has no step, group or check named 'x'",
  );
});

Deno.test("scoped figures: iterations and groups count their rate per second and their successes; a check counts its passes and failures; no time elapsed is no rate", () => {
  const t = new Tally();
  for (let i = 1; i <= 20; i++) t.iteration(i * 1000, i <= 3 ? "boom" : undefined);
  for (let i = 1; i <= 50; i++) t.group("browse", i * 1000);
  for (let i = 0; i < 10; i++) t.check("has token", i >= 4);
  const actual = (text: string, elapsedMs = 10_000) =>
    Figures.evaluateScoped(scoped(text), t, elapsedMs).actual;
  assertEquals(actual("iterations: rps>0"), 2);
  assertEquals(actual("browse: rps>0"), 5);
  assertEquals(actual("iterations: rps>0", 0), 0);
  assertEquals(actual("iterations: successes>0"), 17);
  assertEquals(actual("browse: successes>0"), 50);
  assertEquals(actual("has token: requests>0"), 10);
  assertEquals(actual("has token: successes>0"), 6);
});

Deno.test("threshold syntax: 'NAME: EXPR' scopes a threshold to a step (spaces and colons in the name allowed); checks is a rate; neither is for a run without a scenario; no scoped change from a baseline", () => {
  const t = scoped("GET /items/:id: p(95) < 300ms");
  assertEquals([t.scope, t.metric.name, t.limit], ["GET /items/:id", "p95", 300]);
  assertEquals(scoped("checks>=99%").metric, { kind: "rate", name: "checks" });
  assertEquals(scoped("p99<1s").scope, undefined);
  assertEquals(Thresholds.scenarioOnly(scoped("p99<1s")), undefined);
  assert(Thresholds.scenarioOnly(scoped("checks>0.9"))!.includes("a scenario's"));
  assert(Thresholds.scenarioOnly(scoped("login: rps>1"))!.includes("salvo run FLOW.ts"));
  const relative = Thresholds.parse("login: p99<+10%");
  assert(Either.isLeft(relative));
  assertEquals(
    relative.left.message,
    "--threshold 'login: p99<+10%': a change from the baseline bounds the whole run, not one step",
  );
  const unknown = Thresholds.parse("login: p99<");
  assert(Either.isLeft(unknown) && unknown.left.message.includes("missing value"));
  // Outside a scenario, checks has no value to judge.
  assert(Number.isNaN(
    Thresholds.evaluate(scoped("checks>0.5"), {
      requests: 1,
      successes: 1,
      failures: 0,
      rps: 1,
      latencyMs: () => 1,
      percentileMs: () => 1,
    }).actual,
  ));
});
