// A scenario's part of the reports: the text lines (iterations, the steps' table, groups, checks) and the JSON summary's `scenario` section.
import { Tally } from "../../src/core/scenario_tally.ts";
import { toTallyRecord } from "../../src/io/tally_record.ts";
import * as Scenario from "../../src/report/scenario.ts";
import { assertEquals } from "../assert.ts";

const tally = (): Tally => {
  const t = new Tally();
  for (let i = 1; i <= 100; i++) {
    t.step("POST /login").record(200, -1, true, 2000, 2000, 10);
    t.step("GET /items/:id").record(i % 4 === 0 ? 404 : 200, -1, i % 4 !== 0, 1000, 1000, 10);
    t.iteration(5000, i % 50 === 0 ? "boom (flow.ts:3:9)" : undefined);
    t.check("read back", i % 10 !== 0);
  }
  t.group("browse", 3000);
  return t;
};

Deno.test("scenario text: iterations with their rate and durations, a row per step and group, and each check's pass rate under all checks'", () => {
  const t = tally();
  t.cut = 3;
  t.stray("floating (flow.ts:7:1)");
  t.exhausted = true;
  assertEquals(Scenario.lines(t, 2000), [
    "  iterations 100 · 50.0/s · p50 5.00ms · p95 5.00ms · max 5.00ms · script errors 2 · 1 rejected promise never awaited · cut by the end 3",
    "  why        script_error: boom (flow.ts:3:9)",
    "  data       the --data rows dealt unique were all used: users stopped",
    "  steps      step            requests  failed     p50     p95     p99     max",
    "             POST /login          100       0  2.00ms  2.00ms  2.00ms  2.00ms",
    "             GET /items/:id       100      25  1.00ms  1.00ms  1.00ms  1.00ms",
    "             browse (group)         1          3.00ms  3.00ms  3.00ms  3.00ms",
    "  checks     90.0% passed (90 of 100)",
    "             read back  90.0%  90/100",
  ]);
});

Deno.test("scenario text: a run with no iteration, step or check says so in one line", () => {
  assertEquals(Scenario.lines(new Tally(), 1000), [
    "  iterations 0 · 0.0/s · p50 0µs · p95 0µs · max 0µs",
  ]);
});

Deno.test("scenario JSON: iterations, each step's figures, groups, checks and their rate, and the tally merge reads", () => {
  const t = tally();
  const record = toTallyRecord(t);
  const j = Scenario.json("flow.ts", t, 2000, record);
  assertEquals(j.module, "flow.ts");
  assertEquals(j.iterations, {
    count: 100,
    rate: 50,
    script_errors: 2,
    script_error: "boom (flow.ts:3:9)",
    cut: 0,
    duration_ms: { p50: 5.003, p95: 5.003, p99: 5.003, max: 5.003 },
  });
  assertEquals(j.steps.map((s) => [s.name, s.requests, s.failures, s.success_rate, s.rps]), [
    ["POST /login", 100, 0, 1, 50],
    ["GET /items/:id", 100, 25, 0.75, 50],
  ]);
  assertEquals(j.steps[1]!.status_codes, { "200": 75, "404": 25 });
  assertEquals(j.groups, [
    { name: "browse", count: 1, duration_ms: { p50: 3.001, p95: 3.001, p99: 3.001, max: 3.001 } },
  ]);
  assertEquals(j.checks, [{ name: "read back", passed: 90, failed: 10, rate: 0.9 }]);
  assertEquals(j.checks_rate, 0.9);
  assertEquals(j.tally, record);
  assertEquals("data_exhausted" in j, false);
  t.stray("x");
  t.exhausted = true;
  const k = Scenario.json("flow.ts", t, 0, toTallyRecord(t));
  assertEquals([k.iterations.rate, k.data_exhausted, k.iterations.unawaited_rejections], [
    0,
    true,
    1,
  ]);
});
