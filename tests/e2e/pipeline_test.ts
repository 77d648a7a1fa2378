// Pipelines: results streams, report, merge — the same numbers from the same core, across processes.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, type Json, runJson, salvo, startServe } from "./support.ts";

const reportJson = async (args: ReadonlyArray<string>, stdin?: string) => {
  const r = await salvo(["report", ...args, "-o", "json"], stdin === undefined ? {} : { stdin });
  return {
    code: r.code,
    json: (r.stdout.trim() === "" ? undefined : JSON.parse(r.stdout)) as Json,
    stderr: r.stderr,
  };
};

const sameNumbers = (a: Json, b: Json) => {
  for (const k of ["requests", "successes", "failures", "status_codes", "errors"]) {
    assertEquals(a[k], b[k], k);
  }
  for (const k of ["min", "p50", "p90", "p95", "p99", "p99_9", "max"]) {
    assertEquals(a.latency_ms[k], b.latency_ms[k], k);
  }
  assert(Math.abs(a.latency_ms.mean - b.latency_ms.mean) <= 0.001, "mean");
};

Deno.test("run --results FILE then report < FILE gives the run's counts and percentiles, one line per request", async () => {
  const server = countingServer(1);
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/r.ndjson`;
    const run = await runJson([server.url, "-d", "3s", "-c", "4", "--results", file]);
    const text = await Deno.readTextFile(file);
    assertEquals(text.trimEnd().split("\n").length, run.json.requests);
    const report = await reportJson([], text);
    assertEquals(report.code, 0, report.stderr);
    sameNumbers(report.json, run.json);
    assertEquals(run.json.requests, server.count());
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--interval records report the same counts and percentiles as the run", async () => {
  const server = countingServer(1);
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/i.ndjson`;
    const run = await runJson([
      server.url,
      "-d",
      "2500ms",
      "-c",
      "2",
      "--results",
      file,
      "--interval",
      "500ms",
    ]);
    const lines = (await Deno.readTextFile(file)).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert(lines.length >= 5 && lines.length <= 7, `${lines.length} records`);
    assert(lines.every((l) => l.type === "interval"));
    const report = await reportJson([file]);
    sameNumbers(report.json, run.json);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two salvo processes at once, merged, equal the server's count and the report of both streams", async () => {
  const server = countingServer(2);
  const dir = await Deno.makeTempDir();
  try {
    await Promise.all(
      ["a", "b"].map((n) =>
        salvo([
          "run",
          server.url,
          "-d",
          "2s",
          "-c",
          "3",
          "-q",
          "--results",
          `${dir}/${n}.ndjson`,
          "--out",
          `${dir}/${n}.json`,
        ])
      ),
    );
    const merged = await salvo([
      "merge",
      `${dir}/a.json`,
      `${dir}/b.json`,
      "-o",
      "json",
      "--threshold",
      "requests>=10",
    ]);
    assertEquals(merged.code, 0, merged.stderr);
    assertEquals(merged.stderr, "", "two runs of one target merge without a warning");
    const m = JSON.parse(merged.stdout);
    assertEquals(m.requests, server.count());
    const both = await reportJson([`${dir}/a.ndjson`, `${dir}/b.ndjson`]);
    sameNumbers(m, both.json);
    const a = JSON.parse(await Deno.readTextFile(`${dir}/a.json`));
    assert(
      m.duration_s >= a.duration_s && m.duration_s < a.duration_s + 1,
      "the span is the union of both runs",
    );
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a results file cut mid-line is still reported, with one warning about the torn last line", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/r.ndjson`;
    await runJson([server.url, "-n", "40", "-c", "2", "--results", file]);
    const text = await Deno.readTextFile(file);
    await Deno.writeTextFile(file, text + text.split("\n")[0]!.slice(0, 37));
    const r = await reportJson([file]);
    assertEquals(r.code, 0);
    assertEquals(r.json.requests, 40);
    const warnings = r.stderr.trimEnd().split("\n");
    assertEquals(warnings.length, 1, r.stderr);
    assert(/r\.ndjson:41: the last line is cut short/.test(warnings[0]!), r.stderr);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a malformed results line names its line and exits 2, or is skipped and counted with --skip-invalid", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/r.ndjson`;
    await runJson([server.url, "-n", "10", "-c", "1", "--results", file]);
    const lines = (await Deno.readTextFile(file)).trimEnd().split("\n");
    lines.splice(
      3,
      0,
      `{"intended_us":1,"sent_us":1,"latency_us":-5,"status":200,"ok":true,"bytes":0,"error":null}`,
      "garbage",
    );
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    const strict = await salvo(["report", file]);
    assertEquals(strict.code, 2);
    assertEquals(
      strict.stderr.trim(),
      `salvo: ${file}:4: latency_us must be a whole number of microseconds`,
    );
    const lenient = await reportJson([file, "--skip-invalid"]);
    assertEquals(lenient.code, 0);
    assertEquals(lenient.json.requests, 10);
    assert(lenient.stderr.includes("skipped 2 invalid lines"), lenient.stderr);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report applies thresholds with the same exit codes", async () => {
  const server = countingServer(0, (n) => (n % 2 === 0 ? 500 : 200));
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/r.ndjson`;
    await runJson([server.url, "-n", "20", "-c", "1", "--results", file]);
    const r = await salvo(["report", file, "--threshold", "success_rate>=90%"]);
    assertEquals(r.code, 1);
    assert(r.stdout.includes("FAIL success_rate>=90%: got 50.0%"), r.stdout);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report of an empty or binary input exits 2 with 'no results in FILE'", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/empty.ndjson`, "");
    await Deno.writeFile(`${dir}/blob.bin`, new Uint8Array([0, 159, 146, 150, 255, 1, 2]));
    for (const name of ["empty.ndjson", "blob.bin"]) {
      const r = await salvo(["report", `${dir}/${name}`]);
      assertEquals(r.code, 2, `${name}: ${r.stdout}`);
      assert(r.stderr.startsWith(`salvo: no results in ${dir}/${name}`), r.stderr);
      assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
      assertEquals(r.stdout, "");
    }
    const stdin = await reportJson([], "");
    assertEquals(stdin.code, 2);
    assert(stdin.stderr.startsWith("salvo: no results in stdin"), stdin.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge warns when one summary is given twice, and when targets or load models differ", async () => {
  const a = countingServer(), b = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const closed = await salvo(["run", a.url, "-n", "50", "-q", "--out", `${dir}/closed.json`]);
    const open = await salvo([
      "run",
      `${b.url}/other`,
      ...["--rate", "100", "-d", "1s", "-q", "--out", `${dir}/open.json`],
    ]);
    assertEquals(closed.code + open.code, 0, closed.stderr + open.stderr);
    const twice = await salvo(["merge", `${dir}/closed.json`, `${dir}/closed.json`, "-o", "json"]);
    assertEquals(twice.code, 0);
    assertEquals(
      twice.stderr,
      `salvo: warning: ${dir}/closed.json and ${dir}/closed.json are the same run (same start, end and histogram): it is counted twice\n`,
    );
    assertEquals(JSON.parse(twice.stdout).requests, 100, "still merged: the user may mean it");
    const mixed = await salvo(["merge", `${dir}/closed.json`, `${dir}/open.json`, "-o", "json"]);
    assertEquals(mixed.code, 0);
    assert(
      mixed.stderr.includes(`the summaries are of different targets: ${a.url}/, ${b.url}/other`),
      mixed.stderr,
    );
    assert(
      mixed.stderr.includes(
        `mixes open-model runs (--rate: ${dir}/open.json) with closed-model runs`,
      ),
      mixed.stderr,
    );
    assertEquals(JSON.parse(mixed.stdout).requests, 50 + b.count());
  } finally {
    await a.stop();
    await b.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merged open-model runs keep dropped, the uncorrected latency and the moments exact", async () => {
  const server = countingServer(30);
  const dir = await Deno.makeTempDir();
  try {
    // 2 slots held 30 ms each at 100/s: about a third of the arrivals find none and are dropped.
    const runs = await Promise.all(["a", "b"].map((n) =>
      salvo([
        "run",
        server.url,
        ...["--rate", "100", "--max-in-flight", "2", "-d", "1s", "-q"],
        ...["--results", `${dir}/${n}.ndjson`, "--out", `${dir}/${n}.json`],
      ])
    ));
    for (const r of runs) assertEquals(r.code, 0, r.stderr);
    const merged = await salvo(["merge", `${dir}/a.json`, `${dir}/b.json`, "-o", "json"]);
    assertEquals(merged.code, 0, merged.stderr);
    const m = JSON.parse(merged.stdout);
    const [a, b] = await Promise.all(
      ["a", "b"].map(async (n) => JSON.parse(await Deno.readTextFile(`${dir}/${n}.json`))),
    );
    assertEquals(m.requests, server.count());
    assert(a.dropped > 0 && b.dropped > 0, `dropped ${a.dropped}, ${b.dropped}`);
    assertEquals(m.dropped, a.dropped + b.dropped);
    const both = await reportJson([`${dir}/a.ndjson`, `${dir}/b.ndjson`]);
    assertEquals(both.json.requests, m.requests);
    // Corrected latency is stored as such in each line: percentiles come from the same buckets. A
    // line's uncorrected latency is rebuilt from three times each rounded to the µs, so it may be
    // 1 µs off: within one bucket (0.1 %) and 2 µs. Min and max of a decoded histogram are its
    // buckets' bounds (3 significant digits, 0.1 %), while the streams give the exact values.
    for (const key of ["latency_ms", "latency_uncorrected_ms"]) {
      const [x, y] = [m[key], both.json[key]];
      const exact = key === "latency_ms";
      for (const k of ["p50", "p90", "p95", "p99", "p99_9"]) {
        if (exact) assertEquals(x[k], y[k], `${key}.${k}`);
        else {assert(
            Math.abs(x[k] - y[k]) <= y[k] * 0.001 + 0.002,
            `${key}.${k}: ${x[k]} vs ${y[k]}`,
          );}
      }
      for (const k of ["min", "max"]) {
        assert(Math.abs(x[k] - y[k]) <= y[k] * 0.001 + 0.002, `${key}.${k}: ${x[k]} vs ${y[k]}`);
      }
      for (const k of ["mean", "stdev"]) {
        assert(
          Math.abs(x[k] - y[k]) <= (exact ? 0.001 : 0.0025),
          `${key}.${k}: ${x[k]} vs ${y[k]}`,
        );
      }
    }
    // The intended start is before the send: corrected and uncorrected are not the same figures.
    assert(m.latency_ms.mean > m.latency_uncorrected_ms.mean, "corrected equals uncorrected");
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report of an open-model stream shows the run's dropped and send lag, per line and per interval, on 2 threads", async () => {
  const server = await startServe(["--capacity", "2", "--latency", "30ms"]);
  const dir = await Deno.makeTempDir();
  try {
    const lines = `${dir}/lines.ndjson`, windows = `${dir}/windows.ndjson`;
    const common = ["--rate", "200", "--max-in-flight", "2", "-d", "2s", "-t", "2"];
    const runs = [];
    for (const [file, extra] of [[lines, []], [windows, ["--interval", "500ms"]]] as const) {
      const r = await runJson([server.url, ...common, "--results", file, ...extra]);
      assertEquals(r.code, 0, r.stderr);
      assert(r.json.dropped > 0, "nothing was dropped: the test proves nothing");
      const back = await salvo(["report", file, "-o", "json"]);
      assertEquals(back.code, 0, back.stderr);
      runs.push([r.json, JSON.parse(back.stdout)]);
    }
    for (const [run, report] of runs) {
      assertEquals(report.requests, run.requests);
      assertEquals(report.dropped, run.dropped);
      assertEquals(report.schedule_lag_ms, run.schedule_lag_ms);
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
