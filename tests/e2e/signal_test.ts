// Interrupts: Ctrl-C and SIGTERM stop the run, print the partial summary, keep files whole, exit 130 / 143.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, entry, tcpServer, untimedCoverage } from "./support.ts";

const root = new URL("../../", import.meta.url);

const interrupt = async (args: ReadonlyArray<string>, signal: Deno.Signal, afterMs: number) => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", entry, "run", ...args],
    cwd: root,
    clearEnv: true,
    env: untimedCoverage(),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const started = performance.now();
  // Wait for the run to be under way (module loading takes a few hundred ms), then signal.
  await new Promise((r) => setTimeout(r, afterMs));
  child.kill(signal);
  const out = await child.output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
    ms: performance.now() - started,
  };
};

Deno.test("SIGINT 1 s into a 10 s run: summary printed, exit 130, every results line parses", async () => {
  const server = countingServer(1);
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/results.ndjson`;
    const r = await interrupt(
      [server.url, "-c", "4", "-d", "10s", "--results", file, "-o", "json", "-q"],
      "SIGINT",
      1500,
    );
    assertEquals(r.code, 130, r.stderr);
    assert(r.ms < 6000, `took ${r.ms} ms`);
    const summary = JSON.parse(r.stdout);
    assertEquals(summary.interrupted, true);
    assert(summary.requests > 0);
    const text = await Deno.readTextFile(file);
    assert(text.endsWith("\n"), "the file ends with a whole line");
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines.length, summary.requests);
    assertEquals(summary.requests, server.count());
    assert(
      lines.every((l) => l.status === 200 && l.ok === true && typeof l.latency_us === "number"),
    );
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM stops the run with the partial text summary and exit 143", async () => {
  const server = countingServer(1);
  try {
    const r = await interrupt([server.url, "-c", "2", "-d", "10s", "-q"], "SIGTERM", 1500);
    assertEquals(r.code, 143, r.stderr);
    assert(r.stdout.includes("· interrupted"), r.stdout);
    assert(r.stdout.includes("requests   "), r.stdout);
  } finally {
    await server.stop();
  }
});

Deno.test("a request in flight at Ctrl-C gets a short grace, then is cut, and the run still reports", async () => {
  const server = countingServer(5000);
  try {
    const r = await interrupt(
      [server.url, "-c", "1", "-d", "10s", "-o", "json", "-q"],
      "SIGINT",
      1500,
    );
    assertEquals(r.code, 130);
    const summary = JSON.parse(r.stdout);
    assertEquals(summary.requests, 1);
    assertEquals(summary.errors, { cancelled: 1 });
    assert(r.ms < 4500, `took ${r.ms} ms`);
  } finally {
    await server.stop();
  }
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`a second ${signal} exits at once, without waiting out the grace`, async () => {
    // Reads requests and never answers: the one in flight waits for the grace.
    const server = tcpServer(async (conn) => {
      const buf = new Uint8Array(4096);
      while ((await conn.read(buf)) !== null) { /* never answers */ }
    });
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", entry, "run", server.url, "-c", "1", "-d", "10s", "-q"],
        cwd: root,
        clearEnv: true,
        env: untimedCoverage(),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      await new Promise((r) => setTimeout(r, 1500));
      child.kill(signal);
      await new Promise((r) => setTimeout(r, 50));
      const second = performance.now();
      child.kill(signal);
      const out = await child.output();
      assertEquals(out.code, code);
      // The grace (0.5 s) would end 450 ms after the second signal: well before that, it exited.
      const ms = performance.now() - second;
      assert(ms < 300, `${ms.toFixed(0)} ms: waited for the grace after the second ${signal}`);
    } finally {
      await server.stop();
    }
  });
}

Deno.test("Ctrl-C wins over a failing threshold: exit 130, the gate still printed", async () => {
  const server = countingServer(1);
  try {
    const r = await interrupt(
      [server.url, "-c", "2", "-d", "10s", "-q", "--threshold", "requests>=100000000"],
      "SIGINT",
      1500,
    );
    assertEquals(r.code, 130, r.stderr);
    assert(r.stdout.includes("FAIL requests>=100000000"), r.stdout);
  } finally {
    await server.stop();
  }
});

Deno.test("Ctrl-C keeps --interval records whole, and Ctrl-C or SIGTERM keeps --results - whole: counts add up", async () => {
  const server = countingServer(1);
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/windows.ndjson`;
    const windows = await interrupt(
      [
        server.url,
        "-c",
        "2",
        "-d",
        "10s",
        "-q",
        "--results",
        file,
        "--interval",
        "200ms",
        "-o",
        "json",
      ],
      "SIGINT",
      1500,
    );
    assertEquals(windows.code, 130, windows.stderr);
    const text = await Deno.readTextFile(file);
    assert(text.endsWith("\n"), "a torn last record");
    const records = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert(records.length >= 3, `records ${records.length}`);
    const sum = records.reduce((n, r) => n + r.requests, 0);
    assertEquals(sum, JSON.parse(windows.stdout).requests);
    assertEquals(sum, server.count());
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      const before = server.count();
      const stdout = await interrupt(
        [server.url, "-c", "2", "-d", "10s", "-q", "--results", "-"],
        signal,
        1500,
      );
      assertEquals(stdout.code, code, stdout.stderr);
      assert(stdout.stdout.endsWith("\n"), `${signal}: a torn last line`);
      const lines = stdout.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
      assertEquals(lines.length, server.count() - before, signal);
      assert(stdout.stderr.includes("· interrupted"), stdout.stderr);
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("after a second Ctrl-C the results file holds whole lines only (the last few may be missing)", async () => {
  // Requests take 300 ms: after the first Ctrl-C some are still in flight when the second comes.
  const server = countingServer(300);
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/r.ndjson`;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        entry,
        "run",
        server.url,
        "-c",
        "4",
        "-d",
        "10s",
        "-q",
        "--results",
        file,
      ],
      cwd: root,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Under way: requests have reached the server (start-up takes longer in a fresh checkout).
    for (let i = 0; i < 200 && server.count() < 40; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGINT");
    assertEquals((await child.status).code, 130);
    const text = await Deno.readTextFile(file);
    assert(text.length > 0 && text.endsWith("\n"), "a torn last line");
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert(lines.length <= server.count(), `${lines.length} lines, ${server.count()} requests`);
    assert(lines.every((l) => l.status === 200), "a line that is not a result");
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C in the open model: every arrival is a line (answered, cut or dropped), and the server saw each request sent", async () => {
  // 300 ms answers at 400/s keep ~120 requests in flight: the pool is still growing when the signal comes.
  const server = countingServer(300);
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/results.ndjson`;
    const r = await interrupt(
      [server.url, "--rate", "400", "-d", "10s", "--results", file, "-o", "json", "-q"],
      "SIGINT",
      1500,
    );
    assertEquals(r.code, 130, r.stderr);
    const summary = JSON.parse(r.stdout);
    assertEquals(summary.interrupted, true);
    const lines = (await Deno.readTextFile(file)).trimEnd().split("\n").map((l) => JSON.parse(l));
    const dropped = lines.filter((l) => l.dropped === true).length;
    assertEquals(dropped, summary.dropped);
    assertEquals(lines.length, summary.requests + summary.dropped);
    assertEquals(summary.requests, server.count());
    // Those in flight at the signal were answered within the grace or cut as cancelled, never lost.
    const reasons = new Set(lines.filter((l) => l.dropped !== true).map((l) => l.error ?? "ok"));
    for (const reason of reasons) assert(reason === "ok" || reason === "cancelled", reason);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
