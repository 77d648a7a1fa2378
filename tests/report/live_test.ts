// The live view's renderer against golden screens: a closed-model, an open-model and a failing run, at
// 80×24 and 160×48. SALVO_UPDATE_GOLDEN=1 rewrites the files (then read them before committing).
import * as Distribution from "../../src/core/distribution.ts";
import * as Histogram from "../../src/core/histogram.ts";
import * as Live from "../../src/report/live.ts";
import { assert, assertEquals } from "../assert.ts";

const latency = (values: ReadonlyArray<number>) => {
  const h = Histogram.of(values);
  return {
    bins: Distribution.bins(h, 16),
    whole: {
      p50: h.valueAtPercentile(50) / 1000,
      p90: h.valueAtPercentile(90) / 1000,
      p99: h.valueAtPercentile(99) / 1000,
      max: h.max / 1000,
    },
  };
};

/** Latencies in µs: mostly near `typical`, with a tail to 40×. */
const spread = (typical: number, n: number) =>
  Array.from({ length: n }, (_, i) => Math.round(typical * (1 + 40 * (i / n) ** 12)));

const closed: Live.Frame = {
  title: "GET http://127.0.0.1:8080/health · 8 workers",
  elapsedMs: 1750,
  durationMs: 3000,
  maxRequests: undefined,
  requests: 61_234,
  failures: 0,
  rpsNow: 35_102,
  rpsHistory: [31_000, 34_500, 35_102],
  last: { p50: 0.21, p90: 0.35, p99: 1.1, max: 4.2 },
  ...latency(spread(210, 5000)),
  status: { "200": 61_234 },
  errors: {},
  inFlight: 8,
  open: undefined,
  threads: 1,
};

const open: Live.Frame = {
  title: "POST http://127.0.0.1:8080/items · 2000 req/s",
  elapsedMs: 12_400,
  durationMs: 30_000,
  maxRequests: undefined,
  requests: 24_790,
  failures: 3,
  rpsNow: 1998,
  rpsHistory: Array.from({ length: 12 }, (_, i) => 1990 + (i % 3) * 5),
  last: { p50: 1.9, p90: 3.1, p99: 8.2, max: 12.5 },
  ...latency(spread(1900, 5000)),
  status: { "201": 24_787, "503": 3 },
  errors: {},
  inFlight: 5,
  open: { targetRps: 2000, dropped: 0, lagP99Ms: 0.08 },
  threads: 2,
};

const failing: Live.Frame = {
  title: "GET http://127.0.0.1:8080/slow · 50 workers",
  elapsedMs: 4200,
  durationMs: undefined,
  maxRequests: 10_000,
  requests: 3_120,
  failures: 1_460,
  rpsNow: 610,
  rpsHistory: [820, 700, 610, 590],
  last: { p50: 45, p90: 210, p99: 1000, max: 1000 },
  ...latency(spread(45_000, 3000)),
  status: { "200": 1_660, "500": 1_200 },
  errors: { timeout: 240, connection_reset: 20 },
  inFlight: 50,
  open: undefined,
  threads: 1,
};

const step = (name: string, requests: number, failures: number, p50: number, p99: number) => ({
  name,
  requests,
  failures,
  p50,
  p99,
});

const scenario: Live.Frame = {
  title: "scenario examples/scenarios/shop.ts · 16 users",
  elapsedMs: 2400,
  durationMs: 10_000,
  maxRequests: undefined,
  requests: 38_410,
  failures: 12,
  rpsNow: 16_020,
  rpsHistory: [15_100, 16_020],
  last: { p50: 0.4, p90: 0.9, p99: 3.1, max: 9.8 },
  ...latency(spread(400, 5000)),
  status: { "200": 28_810, "201": 9_588, "500": 12 },
  errors: {},
  inFlight: 16,
  open: undefined,
  threads: 2,
  scenario: {
    iterations: 9_600,
    iterationsPerSec: 4_000,
    checksPassed: 0.9987,
    scriptErrors: 3,
    steps: [
      step("POST /login", 16, 0, 8.6, 9.6),
      step("GET /items", 9_610, 0, 0.45, 3.3),
      step("POST /items (a name long enough to be cut on a narrow terminal)", 9_600, 12, 0.42, 3.2),
      step("GET /items/:id", 9_588, 0, 0.24, 2.1),
    ],
    moreSteps: 0,
  },
};

const frames = { closed, open, failing, scenario } as const;
const sizes = [[80, 24], [160, 48]] as const;
const dir = new URL("../fixtures/live/", import.meta.url);
const update = Deno.env.get("SALVO_UPDATE_GOLDEN") === "1";

for (const [name, frame] of Object.entries(frames)) {
  for (const [w, h] of sizes) {
    Deno.test(`live view: a ${name} run at ${w}×${h} matches its golden screen and fits`, async () => {
      const lines = Live.render(frame, w, h, false);
      const file = new URL(`${name}-${w}x${h}.txt`, dir);
      const text = lines.join("\n") + "\n";
      if (update) await Deno.writeTextFile(file, text);
      assertEquals(text, await Deno.readTextFile(file), "the screen differs from its golden file");
      assert(lines.length <= h - 1, `${lines.length} lines on a ${h}-row terminal`);
      for (const l of lines) assert([...l].length <= w - 1, `a line wider than ${w - 1}: ${l}`);
    });
  }
}

Deno.test("live view: colour only adds escapes; without it the text is the same", () => {
  // deno-lint-ignore no-control-regex
  const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
  const plain = Live.render(failing, 80, 24, false);
  const coloured = Live.render(failing, 80, 24, true);
  assertEquals(coloured.map(strip), plain);
  assert(coloured.some((l) => l.includes("\x1b[31m")), "failures are not red");
  assert(plain.every((l) => !l.includes("\x1b")), "escapes without colour");
});

Deno.test("live view: the histogram rows shown add up to every request and leave the status line, whatever the height", () => {
  for (let h = 12; h <= 30; h++) {
    const lines = Live.render(closed, 80, h, false);
    const bars = lines.filter((l) => l.includes("≤ "));
    const total = bars.reduce(
      (n, l) => n + Number(l.trim().split(" ").pop()!.replace(/,/g, "")),
      0,
    );
    assert(bars.length === 0 || total === 5000, `at ${h} rows the bars count ${total}`);
    assert(lines.length <= h - 1, `${lines.length} lines at ${h} rows`);
    // The histogram gets what is left over: it never pushes the status codes off the screen.
    assert(lines.at(-1)!.includes("status    200 ×61,234"), `at ${h} rows: ${lines.at(-1)}`);
  }
});

Deno.test("live view: a scenario's steps fit the terminal, the rest counted on one line, the status line kept", () => {
  const many: Live.Frame = {
    ...scenario,
    scenario: {
      ...scenario.scenario!,
      steps: Array.from({ length: 20 }, (_, i) => step(`step ${i + 1}`, 100 + i, 0, 1, 2)),
      moreSteps: 7,
    },
  };
  for (const w of [30, 80, 160]) {
    for (let h = 10; h <= 48; h++) {
      const lines = Live.render(many, w, h, false);
      const at = `at ${w}×${h}`;
      assert(lines.length <= h - 1, `${lines.length} lines ${at}`);
      for (const l of lines) {
        assert([...l].length <= w - 1, `a line wider than ${w - 1} ${at}: ${l}`);
      }
      assert(lines.at(-1)!.includes("status    200 ×28,810"), `${at}: ${lines.at(-1)}`);
      const rows = lines.filter((l) => /^ {2}step \d+ /.test(l)).length;
      const more = lines.map((l) => /^ {2}… (\d+) more steps?$/.exec(l)).find((m) => m !== null);
      // Every step is either shown or counted in the "more" line (27 in all).
      if (rows > 0) assertEquals(rows + Number(more?.[1] ?? 0), 27, `${at}: ${rows} rows`);
      // Below 50 columns the figures do not fit: no table, the iterations line alone.
      if (w < 50) assertEquals(rows, 0, at);
      else if (h >= 40) assert(rows >= 10, `${at}: only ${rows} step rows on a tall terminal`);
      assert(lines.some((l) => l.startsWith("  iterations 9,600")) || h < 16, at);
    }
  }
});
