// salvo knee against the built-in target with a known capacity, and against one faster than salvo.
import { assert, assertEquals } from "../assert.ts";
import { entry, type Json, salvo, startServe } from "./support.ts";

const knee = async (args: ReadonlyArray<string>) => {
  const r = await salvo(["knee", ...args, "-o", "json"]);
  let json: Json;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`knee printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
};

Deno.test("knee finds 400 req/s (±10 %) at p99<100ms on a target of 4 slots × 10 ms", async () => {
  const server = await startServe(["--capacity", "4", "--latency", "10ms"]);
  const dir = await Deno.makeTempDir();
  try {
    // Shorter steps than the defaults keep the test quick; p99 still gets its 1,000 samples a step.
    const { code, json } = await knee([
      server.url,
      ...["--slo", "p99<100ms", "--start-rate", "250", "--step", "1s", "--warmup", "300ms"],
      ...["--html", `${dir}/knee.html`, "--results", `${dir}/steps.ndjson`],
    ]);
    const html = await Deno.readTextFile(`${dir}/knee.html`);
    assert(
      html.includes(`knee ${Math.round(json.knee_rps)}/s`),
      `the knee is not marked: ${
        JSON.stringify([
          json.knee_rps,
          json.limited_by,
          json.steps.map((s: Json) => [s.offered_rps, s.outcome, s.dropped, s.diagnosis?.verdict]),
        ])
      }`,
    );
    assertEquals(html.match(/<tr><td>/g)?.length, json.steps.length);
    // --results: every judged request, tagged with its step.
    const lines = (await Deno.readTextFile(`${dir}/steps.ndjson`)).trimEnd().split("\n").map((l) =>
      JSON.parse(l)
    );
    for (const s of json.steps) {
      const step = lines.filter((l) => l.step === s.step);
      assertEquals(step.filter((l) => !l.dropped).length, s.requests, `step ${s.step}`);
      assertEquals(step.filter((l) => l.dropped).length, s.dropped, `step ${s.step}: dropped`);
    }
    assertEquals(code, 0, JSON.stringify(json.steps.map((s: Json) => [s.offered_rps, s.outcome])));
    assertEquals(json.limited_by, "slo");
    assert(json.knee_rps >= 360 && json.knee_rps <= 440, `knee ${json.knee_rps}`);
    assert(json.failed_rps > json.knee_rps, "the failing rate is above the knee");
    for (const s of json.steps) {
      assert(s.requests >= 1000, `step ${s.step}: ${s.requests} requests, p99 wants 1,000`);
      assertEquals(s.outcome === "pass", s.slo[0].passed, `step ${s.step}`);
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("knee against a target faster than salvo ends limited_by client (or starved, with who took the CPU, on a busy machine), exit 3, no knee", async () => {
  const server = await startServe();
  try {
    const { code, json, stderr } = await knee([
      server.url,
      ...["--slo", "p99<100ms", "--start-rate", "4000", "--step", "1s", "--warmup", "200ms"],
    ]);
    assertEquals(code, 3, stderr);
    assertEquals(json.knee_rps, null);
    const last = json.steps.at(-1);
    assertEquals(json.client_limit_rps, last.offered_rps);
    if (json.limited_by === "starved") {
      // Other work held the CPU (noisy.sh's busy loops, a CI neighbour): the rate was measured three
      // times, each starved, and the step says who took the CPU.
      const tries = json.steps.filter((s: Json) => s.offered_rps === last.offered_rps);
      assert(tries.length >= 3 && tries.slice(-3).every((s: Json) => s.outcome === "starved"));
      assert(last.starvation.includes("salvo waited"), last.starvation);
      assert(stderr.startsWith("salvo: no knee: salvo was starved of CPU at "), stderr);
      return;
    }
    assertEquals(json.limited_by, "client");
    assertEquals(last.outcome, "client");
    assert(
      json.steps.slice(0, -1).every((s: Json) => s.outcome === "pass" || s.outcome === "starved"),
      "a step before the last",
    );
    assertEquals(json.client_limit_rps, json.steps.at(-1).offered_rps);
    assert(stderr.startsWith("salvo: no knee: salvo itself was the limit at "), stderr);
  } finally {
    await server.stop();
  }
});

Deno.test("knee --require-rate: above the knee exits 1 saying how far short; below it exits 0", async () => {
  const server = await startServe(["--capacity", "2", "--latency", "10ms"]);
  try {
    // 200 req/s, each answer 10 ms; mean<20ms needs 100 samples a step; no warm-up, so the server saw only the steps.
    const args = [
      server.url,
      ...["--slo", "mean<20ms", "--start-rate", "150", "--step", "500ms", "--warmup", "0s"],
    ];
    const short = await salvo(["knee", ...args, "--require-rate", "1000"]);
    assertEquals(short.code, 1, short.stdout + short.stderr);
    assert(
      /--require-rate 1000 NOT met: \d+ req\/s \(\d+%\) short/.test(short.stdout),
      short.stdout,
    );
    const before = await server.count();
    const met = await knee([...args, "--require-rate", "100"]);
    assertEquals(met.code, 0, met.stderr);
    assert(met.json.knee_rps >= 180 && met.json.knee_rps <= 220, `knee ${met.json.knee_rps}`);
    assertEquals(met.json.require_rps, 100);
    const sent = met.json.steps.reduce((n: number, s: Json) => n + s.requests, 0);
    assertEquals(sent, (await server.count()) - before, "requests = what the server received");
  } finally {
    await server.stop();
  }
});

for (
  const [args, message] of [
    [
      ["knee", "http://127.0.0.1:9/"],
      "salvo: knee needs at least one --slo, like --slo 'p99<50ms'",
    ],
    [
      ["knee", "http://127.0.0.1:9/", "--slo", "p99<50"],
      "salvo: --slo 'p99<50': p99 is a latency: give the value a unit, like 50ms",
    ],
    [
      ["knee", "http://127.0.0.1:9/", "--slo", "p99<50ms", "--precision", "0"],
      "salvo: --precision: '0' is not a share between 0 and 100%, like 5% or 0.05",
    ],
    [
      [
        "knee",
        "http://127.0.0.1:9/",
        "--slo",
        "p99<50ms",
        "--start-rate",
        "500",
        "--max-rate",
        "100",
      ],
      "salvo: --start-rate 500 is above --max-rate 100",
    ],
    [
      ["knee", "http://127.0.0.1:9/", "--slo", "p99<50ms", "--start-rate", "fast"],
      "salvo: --start-rate: 'fast' is not a rate; use requests per second like 200, 200/s or 12000/m",
    ],
    [
      ["knee", "http://127.0.0.1:9/", "--slo", "p99<50ms", "--step", "0"],
      "salvo: --step must be longer than 0",
    ],
    [
      ["knee", "http://127.0.0.1:9/", "--slo", "p99<50ms", "--require-rate", "lots"],
      "salvo: --require-rate: 'lots' is not a rate; use requests per second like 200, 200/s or 12000/m",
    ],
    [
      ["knee", "http://127.0.0.1:9/", "--slo", "p99<50ms", "--rate", "100"],
      "salvo: unknown option --rate for 'knee'; see salvo help knee",
    ],
    [
      ["serve", "--capacity", "0", "--latency", "5ms"],
      "salvo: --capacity: '0' is not a number of slots 1..100000",
    ],
    [
      ["serve", "--capacity", "4"],
      "salvo: --capacity needs --latency above 0: each slot is busy that long per request",
    ],
  ] as const
) {
  Deno.test(`${args.join(" ")} exits 2 with one line`, async () => {
    const r = await salvo(args, { killAfterMs: 10_000 });
    assertEquals(r.code, 2, r.stdout);
    assertEquals(r.stderr, `${message}\n`);
  });
}

Deno.test("Ctrl-C during knee prints the steps so far and exits 130", async () => {
  const server = await startServe(["--capacity", "4", "--latency", "10ms"]);
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        entry,
        "knee",
        server.url,
        "--slo",
        "p99<100ms",
        "--start-rate",
        "200",
        "--step",
        "1s",
        "--warmup",
        "0s",
      ],
      cwd: new URL("../../", import.meta.url),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await new Promise((r) => setTimeout(r, 8000));
    child.kill("SIGINT");
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 130, stdout);
    assert(/^1 +200\/s /m.test(stdout), stdout);
    assert(/interrupted after [1-9]\d* steps/.test(stdout), stdout);
  } finally {
    await server.stop();
  }
});

Deno.test("knee --html to a directory that does not exist is refused before the first step", async () => {
  const server = await startServe();
  const dir = await Deno.makeTempDir();
  try {
    const r = await salvo([
      "knee",
      server.url,
      "--slo",
      "p99<50ms",
      "--html",
      `${dir}/missing/k.html`,
    ]);
    assertEquals(r.code, 3, r.stdout);
    assert(r.stderr.startsWith(`salvo: --html: cannot write '${dir}/missing/k.html'`), r.stderr);
    assertEquals(await server.count(), 0);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
