// Ctrl-C and SIGTERM end salvo within 1 s in every state: opening an output nobody reads, reading an
// input nobody writes, sending, writing the report, and in `knee` and `report` alike.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, entry, tcpServer, untimedCoverage } from "./support.ts";

const root = new URL("../../", import.meta.url);

const mkfifo = async (path: string) => {
  const r = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert(r.success, "mkfifo failed");
};

/**
 * Spawns `salvo ARGS`, waits `afterMs` (start-up takes a few hundred ms), sends `signal`, and
 * measures how long salvo took to exit after it; a salvo still alive 10 s later is killed.
 */
const signalled = async (
  args: ReadonlyArray<string>,
  signal: Deno.Signal,
  afterMs: number,
  ready: () => boolean = () => true,
) => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", entry, ...args],
    cwd: root,
    clearEnv: true,
    env: untimedCoverage(),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await new Promise((r) => setTimeout(r, afterMs));
  // A busy machine loads salvo slower: wait (up to 10 s more) for the state under test.
  for (let i = 0; i < 200 && !ready(); i++) await new Promise((r) => setTimeout(r, 50));
  const sent = performance.now();
  child.kill(signal);
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const out = await child.output();
  const ms = performance.now() - sent;
  clearTimeout(killer);
  const text = new TextDecoder();
  return { code: out.code, ms, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
};

const within1s = (r: { ms: number; code: number; stderr: string }, code: number) => {
  assertEquals(r.code, code, r.stderr);
  assert(r.ms < 1000, `exited ${r.ms.toFixed(0)} ms after the signal`);
  assert(!/\n\s+at /.test(r.stderr), `a stack trace:\n${r.stderr}`);
};

Deno.test("start-up: --results to a FIFO nobody reads ends at SIGTERM and at Ctrl-C, nothing sent", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    await mkfifo(`${dir}/fifo`);
    const args = ["run", `${server.url}/`, "-n", "10", "--results", `${dir}/fifo`];
    within1s(await signalled(args, "SIGTERM", 1500), 143);
    within1s(await signalled(args, "SIGINT", 1500), 130);
    assertEquals(server.count(), 0);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start-up: --targets and --body-file from a FIFO nobody writes end at SIGTERM, nothing sent", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    await mkfifo(`${dir}/fifo`);
    within1s(await signalled(["run", "--targets", `${dir}/fifo`, "-n", "5"], "SIGTERM", 1500), 143);
    within1s(
      await signalled(
        ["run", `${server.url}/`, "-X", "POST", "--body-file", `${dir}/fifo`, "-n", "5"],
        "SIGTERM",
        1500,
      ),
      143,
    );
    within1s(await signalled(["report", `${dir}/fifo`], "SIGTERM", 1500), 143);
    assertEquals(server.count(), 0);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sending: requests a server never answers are cut and reported within 1 s of SIGTERM, on 1 and 2 threads", async () => {
  // Reads requests and never answers.
  let requests = 0;
  const server = tcpServer(async (conn) => {
    const buf = new Uint8Array(4096);
    while ((await conn.read(buf)) !== null) requests++;
  });
  try {
    for (const threads of ["1", "2"]) {
      requests = 0;
      const r = await signalled(
        ["run", `${server.url}/`, "-c", "4", "-t", threads, "-d", "20s", "-o", "json", "-q"],
        "SIGTERM",
        500,
        () => requests === 4,
      );
      within1s(r, 143);
      const j = JSON.parse(r.stdout);
      assertEquals([j.interrupted, j.requests, j.errors.cancelled], [true, 4, 4]);
    }
  } finally {
    await server.stop();
  }
});

Deno.test("writing the report: --out to a FIFO nobody reads ends at SIGTERM, the summary printed", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    await mkfifo(`${dir}/fifo`);
    const r = await signalled(
      ["run", `${server.url}/`, "-n", "20", "-c", "2", "--out", `${dir}/fifo`, "-q"],
      "SIGTERM",
      2500,
    );
    within1s(r, 143);
    assertEquals(server.count(), 20);
    assert(r.stdout.includes("requests   20"), r.stdout);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("knee: SIGTERM during a step ends the search within 1 s; Ctrl-C after a step still writes --html", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const knee = (more: ReadonlyArray<string>) => [
      "knee",
      `${server.url}/`,
      ...["--slo", "p99<1s", "--start-rate", "1000", "--warmup", "0s", ...more],
    ];
    within1s(await signalled(knee(["--step", "10s"]), "SIGTERM", 2000), 143);
    // The first step (1,000 samples at 1,000/s) is over once the server has seen them.
    const before = server.count();
    const r = await signalled(
      knee(["--step", "500ms", "--html", `${dir}/knee.html`]),
      "SIGINT",
      500,
      () => server.count() - before > 1200,
    );
    within1s(r, 130);
    const html = await Deno.readTextFile(`${dir}/knee.html`);
    assert(/interrupted after [1-9]\d* steps?: no knee/.test(html), html.slice(0, 500));
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM before the load is under way: the summary says interrupted, nothing answered", async () => {
  // Nothing listens: a connect to a port the kernel drops would hang, so use a server that accepts
  // connections and never reads; the signal lands while load threads load (-t 2) or connections warm.
  const server = tcpServer(() => new Promise(() => {}));
  try {
    for (const threads of ["1", "2"]) {
      const before = server.connections();
      const r = await signalled(
        ["run", `${server.url}/`, "-c", "2", "-t", threads, "-d", "20s", "-o", "json", "-q"],
        "SIGTERM",
        0,
        () => server.connections() > before,
      );
      // salvo listens for signals before it connects: the first connection says it does.
      within1s(r, 143);
      assert(r.stdout.trim() !== "", `-t ${threads}: no summary; stderr: ${r.stderr}`);
      const j = JSON.parse(r.stdout);
      assertEquals(j.interrupted, true, r.stdout.slice(0, 300));
      // Whatever was sent by then was cut, none answered.
      assertEquals(j.successes, 0);
    }
  } finally {
    await server.stop();
  }
});
