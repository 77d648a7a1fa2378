// Relative thresholds against a baseline (`--baseline FILE --threshold 'p50<+10%'`) on run, report,
// merge and compare: a real slowdown fails the gate, a change within the allowance or a run against
// itself passes, JUnit and the JSON carry each change with its interval, and a baseline that cannot
// judge (missing, no windows, another test) is one line and exit 2.
import { assert, assertEquals } from "../assert.ts";
import { intervalStream as stream } from "./interval_stream.ts";
import { countingServer, type Json, runJson, salvo } from "./support.ts";

const tempDir = () => Deno.makeTempDir({ prefix: "salvo-baseline-" });

const threshold = (json: Json, expression: string) =>
  json.thresholds.find((t: { expression: string }) => t.expression === expression);

Deno.test("run --baseline: a target 5× slower than its baseline fails p50<+10% as regressed; JUnit and JSON say base, new, change and interval", async () => {
  const server = countingServer(10);
  const dir = await tempDir();
  try {
    // The baseline: the same target answering in 2 ms, nine windows.
    await Deno.writeTextFile(`${dir}/base.ndjson`, stream(9, 2000, 1, `GET ${server.url}/`));
    const { code, json, stderr } = await runJson([
      `${server.url}/`,
      "-c",
      "2",
      "-d",
      "8s",
      "--baseline",
      `${dir}/base.ndjson`,
      "--threshold",
      "p50<+10%",
      "--threshold",
      "rps>-99%",
      "--junit",
      `${dir}/gate.xml`,
      "--html",
      `${dir}/run.html`,
    ]);
    assertEquals(code, 1, stderr);
    assertEquals(json.requests, server.count());
    const p50 = threshold(json, "p50<+10%");
    assertEquals(p50.passed, false);
    assertEquals(p50.relative.verdict, "regressed");
    assert(p50.relative.change_pct > 200, JSON.stringify(p50));
    assert(p50.relative.interval_pct[0] > 10, JSON.stringify(p50));
    assert(Math.abs(p50.relative.base - 2) < 0.2, JSON.stringify(p50));
    assert(p50.relative.new >= 10, JSON.stringify(p50));
    // Whatever the rate did (the baseline's 200 req/s were written, not measured), it is within -99 %.
    const rps = threshold(json, "rps>-99%");
    assertEquals(rps.passed, true);
    assert(rps.relative.interval_pct.length === 2, JSON.stringify(rps));
    assert(json.windows.length >= 7, `${json.windows.length} windows`);
    assert(stderr.includes("FAIL p50<+10%: +"), stderr);
    const xml = await Deno.readTextFile(`${dir}/gate.xml`);
    assert(
      /<failure message="FAIL p50&lt;\+10%: \+\d+\.\d% \[\+\d+\.\d%, \+\d+\.\d%\] \(base \d\.\d+ms, new \d+\.\d+ms\): regressed beyond the allowance"/
        .test(xml),
      xml,
    );
    assert(/<system-out>PASS rps&gt;-99%: -\d+\.\d% \[/.test(xml), xml);
    const html = await Deno.readTextFile(`${dir}/run.html`);
    assert(
      /<li class="fail">FAIL p50&lt;\+10%: \+\d+\.\d% \[/.test(html),
      "the HTML shows the change",
    );
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report, merge and compare --baseline: a run against itself passes p99<+0%; a 20 % slowdown fails p50<+10% and passes p50<+30%", async () => {
  const dir = await tempDir();
  const target = "GET http://127.0.0.1:8080/";
  try {
    await Deno.writeTextFile(`${dir}/base.ndjson`, stream(12, 2000, 1, target));
    await Deno.writeTextFile(`${dir}/new.ndjson`, stream(12, 2400, 2, target));
    // A JSON summary of the base, windows included, for merge and compare.
    const out = await salvo(["report", `${dir}/base.ndjson`, "--out", `${dir}/base.json`]);
    assertEquals(out.code, 0, out.stderr);
    const self = await salvo([
      "report",
      `${dir}/base.ndjson`,
      "--baseline",
      `${dir}/base.json`,
      "--threshold",
      "p99<+0%",
      "-o",
      "json",
    ]);
    assertEquals(self.code, 0, self.stderr);
    const same = threshold(JSON.parse(self.stdout), "p99<+0%");
    assertEquals([same.relative.verdict, same.relative.change_pct], ["no significant change", 0]);
    const args = ["--baseline", `${dir}/base.json`, "--threshold", "p50<+10%"];
    const slower = await salvo(["report", `${dir}/new.ndjson`, ...args]);
    assertEquals(slower.code, 1, slower.stdout);
    assert(
      /FAIL p50<\+10%: \+(1[5-9]|2[0-5])\.\d% \[\+\d+\.\d%, \+\d+\.\d%\]/.test(slower.stdout),
      slower.stdout,
    );
    const within = await salvo([
      "compare",
      `${dir}/base.json`,
      `${dir}/new.ndjson`,
      "--threshold",
      "p50<+30%",
    ]);
    assertEquals(within.code, 0, within.stdout);
    assert(within.stdout.includes("PASS p50<+30%: +"), within.stdout);
    assert(within.stdout.includes("): regressed"), within.stdout);
    const beyond = await salvo([
      "compare",
      `${dir}/base.json`,
      `${dir}/new.ndjson`,
      "--threshold",
      "p50<+10%",
      "-o",
      "json",
    ]);
    assertEquals(beyond.code, 1, beyond.stdout);
    assert(beyond.stderr.startsWith("FAIL p50<+10%"), beyond.stderr);
    // merge keeps the windows of what it merged, so a merge can be judged against a baseline too.
    const merged = await salvo([
      "merge",
      `${dir}/base.json`,
      ...args.slice(0, 2),
      "--threshold",
      "p99<+0%",
    ]);
    assertEquals(merged.code, 0, merged.stdout);
    assert(merged.stdout.includes("PASS p99<+0%: +0.0% [-"), merged.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a baseline that cannot judge is one line and exit 2: none given, missing, no windows, another target (unless --allow-different), too few rounds", async () => {
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/base.ndjson`,
      stream(9, 2000, 1, "GET http://127.0.0.1:8080/"),
    );
    await Deno.writeTextFile(
      `${dir}/other.ndjson`,
      stream(9, 2000, 2, "GET http://127.0.0.1:9090/x"),
    );
    const json = await salvo(["report", `${dir}/base.ndjson`, "-o", "json"]);
    const old = JSON.parse(json.stdout);
    delete old.windows;
    await Deno.writeTextFile(`${dir}/old.json`, JSON.stringify(old));
    const cases: Array<[string[], RegExp]> = [
      [
        ["report", `${dir}/base.ndjson`, "--threshold", "p99<+10%"],
        /^salvo: --threshold 'p99<\+10%' is a change from a baseline: give --baseline FILE/,
      ],
      [
        [
          "report",
          `${dir}/base.ndjson`,
          "--baseline",
          `${dir}/nope.json`,
          "--threshold",
          "p99<+10%",
        ],
        /^salvo: cannot read '.*nope\.json'/,
      ],
      [
        [
          "report",
          `${dir}/base.ndjson`,
          "--baseline",
          `${dir}/old.json`,
          "--threshold",
          "p99<+10%",
        ],
        /^salvo: --baseline .*old\.json: 0 windows, and 'p99<\+10%' needs 6; record it with `salvo run … --out FILE`/,
      ],
      [
        ["compare", `${dir}/base.ndjson`, `${dir}/other.ndjson`],
        /^salvo: .*base\.ndjson and .*other\.ndjson are runs of different tests: target GET http:\/\/127\.0\.0\.1:8080\/ vs GET http:\/\/127\.0\.0\.1:9090\/x; to compare them anyway, add --allow-different$/,
      ],
      [
        [
          "report",
          `${dir}/other.ndjson`,
          "--baseline",
          `${dir}/base.ndjson`,
          "--threshold",
          "p50<+10%",
        ],
        /^salvo: .*base\.ndjson and this run are runs of different tests: target/,
      ],
      [
        ["compare", "a", "b", "--min-change", "two"],
        /^salvo: --min-change 'two': give a percentage 0\.\.100, like 2%$/,
      ],
      [
        ["knee", "http://127.0.0.1:1/", "--slo", "p99<+10%"],
        /^salvo: --slo 'p99<\+10%': an SLO is a limit, like p99<50ms, not a change from a baseline$/,
      ],
      [
        ["compare", "a", "b", "--threshold", "p99>+10%"],
        /^salvo: --threshold 'p99>\+10%': bound how much p99 may grow: p99<\+10%$/,
      ],
      [
        ["compare", "a", "b", "--threshold", "mean<+10%"],
        /^salvo: --threshold 'mean<\+10%': a change from the baseline can bound rps, success_rate, p50, p90, p99, p99\.9, max, not mean$/,
      ],
      [
        ["compare", "--run", "http://127.0.0.1:1/", "http://127.0.0.1:1/", "--rounds", "2"],
        /^salvo: --rounds 2: give 3 to 1000/,
      ],
      [
        [
          "compare",
          "--run",
          "http://127.0.0.1:1/",
          "http://127.0.0.1:1/",
          "--threshold",
          "p99<5ms",
        ],
        /^salvo: --threshold 'p99<5ms': compare --run judges changes/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await salvo(args);
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert(message.test(r.stderr.trim()), `${args.join(" ")}: ${r.stderr}`);
      assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    const allowed = await salvo([
      "compare",
      `${dir}/base.ndjson`,
      `${dir}/other.ndjson`,
      "--allow-different",
    ]);
    assertEquals(allowed.code, 0, allowed.stderr);
    assert(/\(compared\s+anyway:\s+--allow-different\)/.test(allowed.stdout), allowed.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compare --run: rounds alternate A and B, every request reaches its server, a target 10× slower regresses p50", async () => {
  const fast = countingServer(2);
  const slow = countingServer(20);
  const dir = await tempDir();
  try {
    const r = await salvo([
      "compare",
      "--run",
      `${fast.url}/`,
      `${slow.url}/`,
      "--rounds",
      "3",
      "-o",
      "json",
      "--threshold",
      "p50<+50%",
      "--html",
      `${dir}/c.html`,
      "--",
      "-c",
      "2",
      "-d",
      "300ms",
    ]);
    assertEquals(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assertEquals([out.base.rounds, out.new.rounds], [3, 3]);
    const p50 = out.figures.find((f: { figure: string }) => f.figure === "p50");
    assertEquals(p50.verdict, "regressed");
    assert(p50.change_pct > 200 && p50.interval_pct[0] > 50, JSON.stringify(p50));
    assertEquals(out.thresholds[0].passed, false);
    // A progress line per round; each side's requests are what its server counted.
    assertEquals(r.stderr.split("\n").filter((l) => l.startsWith("salvo: round ")).length, 3);
    assertEquals([out.base.requests, out.new.requests], [fast.count(), slow.count()]);
    const html = await Deno.readTextFile(`${dir}/c.html`);
    assert(
      html.includes('id="rounds-p99"') && html.includes("regressed"),
      "the HTML charts rounds",
    );
    const bad = await salvo([
      "compare",
      "--run",
      `${fast.url}/`,
      `${slow.url}/`,
      "--",
      "-c",
      "zero",
    ]);
    assertEquals([bad.code, bad.stderr], [
      2,
      "salvo: compare --run: --concurrency: 'zero' must be a whole number of at least 1\n",
    ]);
    // The runs' own outputs are compare's to write: one after -- is refused, not ignored.
    const outFlag = await salvo([
      "compare",
      "--run",
      `${fast.url}/`,
      `${slow.url}/`,
      "--",
      "--out",
      "x.json",
    ]);
    assertEquals(outFlag.code, 2, outFlag.stderr);
    assert(
      outFlag.stderr.startsWith("salvo: compare --run: --out after -- is not a load flag"),
      outFlag.stderr,
    );
  } finally {
    await fast.stop();
    await slow.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
