// --threads: load threads share a run's work; salvo's counts equal the server's however it is split.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, entry, runJson, startServe } from "./support.ts";

const root = new URL("../../", import.meta.url);

for (const t of ["1", "2", "4"]) {
  Deno.test(`-t ${t} -c 40: by duration and by -n, salvo serve and a plain Deno.serve counted what salvo sent`, async () => {
    const serve = await startServe();
    const plain = countingServer();
    try {
      const timed = await runJson([serve.url, "-t", t, "-c", "40", "-d", "1s"]);
      assertEquals(timed.code, 0, timed.stderr);
      assert(timed.json.requests > 0);
      assertEquals(timed.json.requests, await serve.count());
      assertEquals(timed.json.threads.length, Number(t));
      assertEquals(
        timed.json.threads.reduce((n: number, x: { requests: number }) => n + x.requests, 0),
        timed.json.requests,
        "the threads' requests add up to the run's",
      );
      const counted = await runJson([plain.url, "-t", t, "-c", "40", "-n", "2003"]);
      assertEquals(counted.code, 0, counted.stderr);
      assertEquals([counted.json.requests, plain.count()], [2003, 2003]);
      const timedPlain = await runJson([plain.url, "-t", t, "-c", "40", "-d", "1s"]);
      assertEquals(timedPlain.json.requests, plain.count() - 2003);
    } finally {
      await serve.stop();
      await plain.stop();
    }
  });
}

Deno.test("the open model on 2 threads: 2,000/s for 3 s sends 6,000 ± 2, as the server counted, at the plan's times", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/r.ndjson`;
    const r = await runJson([
      server.url,
      "-t",
      "2",
      "--rate",
      "2000",
      "-d",
      "3s",
      "--results",
      file,
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.json.requests, server.count());
    assert(Math.abs(r.json.requests - 6000) <= 2, `sent ${r.json.requests}`);
    assertEquals(r.json.dropped, 0);
    assertEquals(r.json.threads.length, 2);
    // The threads' arrivals interleave into the plan: one every 500 µs, not two at once every 1 ms.
    const intended = (await Deno.readTextFile(file)).trimEnd().split("\n")
      .map((l) => JSON.parse(l).intended_us as number).sort((a, b) => a - b);
    const gaps = intended.slice(1).map((t, i) => t - intended[i]!);
    const off = gaps.filter((g) => Math.abs(g - 500) > 5).length;
    assert(off <= 2, `${off} of ${gaps.length} gaps between intended starts are not 500 µs`);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--results on 3 threads: every line whole, one per request, as many as the server counted; --interval records add up", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/r.ndjson`;
    const r = await runJson([server.url, "-t", "3", "-c", "9", "-d", "1s", "--results", file]);
    assertEquals(r.code, 0, r.stderr);
    const text = await Deno.readTextFile(file);
    assert(text.endsWith("\n"));
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines.length, r.json.requests);
    assertEquals(r.json.requests, server.count());
    assert(lines.every((l) => l.status === 200 && typeof l.intended_us === "number"));
    const start = r.json.started_us, end = r.json.ended_us;
    assert(
      lines.every((l) => l.intended_us >= start - 1000 && l.intended_us <= end + 1000),
      "every line's time lies within the run, on the main thread's clock",
    );
    const before = server.count();
    const iv = `${dir}/i.ndjson`;
    const r2 = await runJson([
      server.url,
      "-t",
      "2",
      "-c",
      "4",
      "-d",
      "1200ms",
      "--results",
      iv,
      "--interval",
      "300ms",
    ]);
    assertEquals(r2.code, 0, r2.stderr);
    const records = (await Deno.readTextFile(iv)).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert(records.length >= 3, `${records.length} records`);
    assertEquals(records.reduce((n, x) => n + x.requests, 0), r2.json.requests);
    assertEquals(r2.json.requests, server.count() - before);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

const spawn = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", entry, "run", ...args],
    cwd: root,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

Deno.test("Ctrl-C during a -t 4 run: exit 130, the summary, the results file whole, lines = requests = server count", async () => {
  const server = countingServer(1);
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/r.ndjson`;
    const child = spawn([
      server.url,
      "-t",
      "4",
      "-c",
      "8",
      "-d",
      "20s",
      "--results",
      file,
      "-o",
      "json",
      "-q",
    ]);
    // Signal once traffic flows: before that, the process is still loading.
    const waitedSince = performance.now();
    while (server.count() < 200 && performance.now() - waitedSince < 15_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const signalledAt = performance.now();
    child.kill("SIGINT");
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 130, stderr);
    assert(performance.now() - signalledAt < 5000, "it stops within the grace period and a bit");
    const summary = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(summary.interrupted, true);
    assertEquals(summary.threads.length, 4);
    const text = await Deno.readTextFile(file);
    assert(text.endsWith("\n"), "the file ends with a whole line");
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines.length, summary.requests);
    assertEquals(summary.requests, server.count());
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a load thread that dies stops the run: one line naming it and why, exit 3, no hang", async () => {
  const server = countingServer();
  try {
    const child = spawn([server.url, "-t", "2", "-c", "4", "-d", "20s", "-q"], {
      SALVO_FAULT_THREAD: "2",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const out = await child.output();
    clearTimeout(timer);
    const stderr = new TextDecoder().decode(out.stderr).trim();
    assertEquals(out.code, 3, stderr);
    const lines = stderr.split("\n");
    assertEquals(lines.length, 1, stderr);
    assert(lines[0]!.includes("load thread 2 of 2 stopped"), stderr);
    assert(lines[0]!.includes("injected fault"), stderr);
    assert(!stderr.includes("    at "), "no stack trace");
  } finally {
    await server.stop();
  }
});

Deno.test("a worker ramp on 2 threads wakes workers in the run's order: 1 of 4 active sends as one worker", async () => {
  const server = countingServer(20);
  try {
    // One worker active for 1 s (about 45 requests at 20 ms each), then the ramp to 4 ends the run.
    // Were each thread to count its own workers from 0, two would be active: about 90.
    const { json } = await runJson([server.url, "-c", "1", "--stages", "1s:1,10ms:4", "-t", "2"]);
    assertEquals(json.requests, server.count());
    assertEquals(json.threads.length, 2);
    assert(json.requests >= 30 && json.requests <= 60, `requests ${json.requests}`);
  } finally {
    await server.stop();
  }
});
