// A comparison as people read it: the text (80 columns, an inconclusive figure's reason, the gate and
// warnings), the JSON (a relative threshold's change, null when inconclusive), and the HTML (both
// runs overlaid, or each round; verdicts coloured).
import { Either } from "effect";
import type { Result } from "../../src/core/compare.ts";
import * as Thresholds from "../../src/core/thresholds.ts";
import * as CompareHtml from "../../src/report/compare_html.ts";
import { type Comparison, json, text } from "../../src/report/comparison.ts";
import { assert, assertEquals } from "../assert.ts";

const result = (figure: string, verdict: Result["verdict"], change?: number): Result => ({
  figure,
  verdict,
  changePct: change,
  lowPct: change === undefined ? undefined : change - 1,
  highPct: change === undefined ? undefined : change + 1,
  why: change === undefined ? "too few windows with requests: each run needs 6" : undefined,
});

const threshold = (s: string) => Either.getOrThrow(Thresholds.parse(s));

const comparison = (pictures: Comparison["pictures"]): Comparison => ({
  sides: ["base a.json: 3 windows", "new  b.json: 3 windows"],
  method: "change: test",
  base: (f) => (f === "rps" ? 1000 : f === "success_rate" ? 100 : 2),
  next: (f) => (f === "rps" ? 900 : f === "success_rate" ? 99.5 : 2.5),
  results: [
    result("rps", "regressed", -10),
    result("success_rate", "improved", 0.5),
    result("p50", "no significant change", 1),
    result("p99", "inconclusive"),
  ],
  evaluations: [
    {
      threshold: threshold("p99<+10%"),
      passed: false,
      actual: Number.NaN,
      change: {
        verdict: "inconclusive",
        base: 2,
        next: 2.5,
        changePct: undefined,
        lowPct: undefined,
        highPct: undefined,
        why: "too few windows with requests: each run needs 6",
      },
    },
    {
      threshold: threshold("rps>-5%"),
      passed: false,
      actual: -10,
      change: {
        verdict: "regressed",
        base: 1000,
        next: 900,
        changePct: -10,
        lowPct: -11,
        highPct: -9,
        why: undefined,
      },
    },
  ],
  warnings: ["a.json and b.json are runs of different tests"],
  hint: "record more windows",
  json: { base: { file: "a.json" } },
  ...(pictures === undefined ? {} : { pictures }),
});

Deno.test("compare's text: every line within 80 columns, the inconclusive figure's reason and what to do, the gate, the warning", () => {
  const t = text(comparison(undefined));
  for (const l of t.split("\n")) assert([...l].length <= 80, l);
  assert(/\np99 +2\.000 ms +2\.500 ms +n\/a/.test(t), t);
  assert(
    t.includes(
      "inconclusive: too few windows with requests: each run needs 6\n  record more windows",
    ),
    t,
  );
  assert(t.includes("FAIL p99<+10%: inconclusive: too few windows"), t);
  assert(
    t.includes(
      "FAIL rps>-5%: -10.0% [-11.0%, -9.0%] (base 1000 req/s, new 900 req/s): regressed\n  beyond the allowance",
    ),
    t,
  );
  assert(t.endsWith("warning: a.json and b.json are runs of different tests\n"), t);
});

Deno.test("compare's JSON: figures rounded, an inconclusive one null with its reason, a relative threshold's change and interval", () => {
  const j = json(comparison(undefined));
  assertEquals((j as Record<string, unknown>).base, { file: "a.json" });
  assertEquals(j.figures[3], {
    figure: "p99",
    base: 2,
    new: 2.5,
    change_pct: null,
    interval_pct: null,
    verdict: "inconclusive",
    why: "too few windows with requests: each run needs 6",
  });
  const [p99, rps] = j.thresholds;
  assertEquals([p99!.actual, p99!.relative?.change_pct, p99!.relative?.interval_pct], [
    null,
    null,
    null,
  ]);
  assertEquals(rps!.relative, {
    verdict: "regressed",
    base: 1000,
    new: 900,
    change_pct: -10,
    interval_pct: [-11, -9],
  });
});

Deno.test("compare's HTML: both runs' percentiles and throughput overlaid, or each round; verdicts coloured; no pictures, no charts", () => {
  const rows = [0, 1, 2].map((i) => ({
    startMs: i * 1000,
    endMs: (i + 1) * 1000,
    requests: 10,
    successes: 10,
    rps: 10,
    dropped: 0,
    p50: 1,
    p90: 2,
    p99: 3,
    p999: 3,
    max: 4,
    status: {},
    errors: {},
  }));
  const percentiles = [{ percentile: 50, ms: 1 }, { percentile: 100, ms: 4 }];
  const runs = CompareHtml.render(comparison([
    { label: "base", percentiles, rows },
    { label: "new", percentiles: [], rows: [] },
  ]));
  assert(runs.includes('id="percentiles"') && runs.includes('id="throughput"'), "overlays");
  assert(!runs.includes('id="rounds-p99"'), "no rounds");
  assert(
    runs.includes('<td class="fail">regressed</td>') &&
      runs.includes('<td class="pass">improved</td>'),
  );
  assert(runs.includes('<p class="verdict fail">FAILED</p>'));
  assert(runs.includes("warning: a.json and b.json are runs of different tests"));
  const rounds = CompareHtml.render(comparison([
    { label: "A", percentiles: [], rows: [], rounds: [{ rps: 10, p99: 3 }, { rps: 11, p99: 2 }] },
    { label: "B", percentiles: [], rows: [], rounds: [{ rps: 9, p99: 4 }, { rps: 9, p99: 5 }] },
  ]));
  assert(rounds.includes('id="rounds-rps"') && rounds.includes('id="rounds-p99"'), "rounds");
  assert(!rounds.includes('id="percentiles"'), "no percentiles without them");
  const bare = CompareHtml.render({ ...comparison(undefined), evaluations: [], warnings: [] });
  assert(!bare.includes("<svg") && !bare.includes('class="verdict '), "nothing to draw or judge");
});
