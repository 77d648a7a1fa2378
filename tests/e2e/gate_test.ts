// End-to-end CI gate: thresholds, exit codes, the failure block, the diagnosis and JUnit output.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, runJson, salvo, startServe } from "./support.ts";

Deno.test("the passing gate: 8 workers for 3 s with a 5 ms delay against a 2 ms server exits 0", async () => {
  const server = countingServer(2);
  try {
    const r = await salvo([
      "run",
      server.url,
      ...["-c", "8", "-d", "3s", "--delay", "5ms", "-q"],
      ...["--threshold", "requests>=15", "--threshold", "success_rate>=85%"],
      ...["--threshold", "mean<500ms", "--threshold", "max<2s"],
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assert(r.stdout.includes("all 4 thresholds passed"), r.stdout);
    assert(r.stdout.includes("PASS requests>=15: got "), r.stdout);
  } finally {
    await server.stop();
  }
});

Deno.test("the failing gate: one worker behind a 300 ms delay explains itself as pacing-limited", async () => {
  const server = countingServer(2);
  try {
    const r = await salvo([
      "run",
      server.url,
      "-c",
      "1",
      "-d",
      "2.5s",
      "--delay",
      "300ms",
      "--threshold",
      "requests>=15",
      "-q",
    ]);
    assertEquals(r.code, 1, r.stdout + r.stderr);
    const n = server.count();
    assert(n >= 7 && n <= 10, `requests ${n}`);
    assert(
      r.stdout.includes(`FAIL requests>=15: got ${n}, needs >= 15 (${15 - n} under)`),
      r.stdout,
    );
    assert(
      new RegExp(
        `attempts ${n} · failed 0 · success rate 100\\.0% · \\d\\.\\d req/s · mean \\d\\.\\d\\dms`,
      ).test(r.stdout),
      r.stdout,
    );
    assert(
      /diagnosis: pacing-limited: workers were idle 9\d% of the time in --delay 300ms/.test(
        r.stdout,
      ),
      r.stdout,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("503 on every 10th request fails success_rate>=95% as error-bound, naming 503", async () => {
  const server = await startServe(["--error-rate", "0.1"]);
  try {
    const { code, json, stderr } = await runJson([
      server.url,
      "-n",
      "500",
      "-c",
      "4",
      "--threshold",
      "success_rate>=95%",
    ]);
    assertEquals(code, 1);
    assertEquals(json.thresholds, [{
      expression: "success_rate>=95%",
      passed: false,
      actual: 0.9,
      limit: 0.95,
    }]);
    assertEquals(json.diagnosis.verdict, "error-bound");
    assert(json.diagnosis.explanation.includes("status 503 (50×)"), json.diagnosis.explanation);
    assert(stderr.includes("FAIL success_rate>=95%: got 90.0%"), stderr);
  } finally {
    await server.stop();
  }
});

Deno.test("a 200 ms server at -c 4 is server-bound", async () => {
  const server = countingServer(200);
  try {
    const { code, json } = await runJson([server.url, "-c", "4", "-d", "1s"]);
    assertEquals(code, 0);
    assertEquals(json.diagnosis.verdict, "server-bound");
    assertEquals(json.requests, server.count());
  } finally {
    await server.stop();
  }
});

for (const bad of ["p95<", "foo>1", "p101<1s", "rps>>1"]) {
  Deno.test(`a malformed threshold '${bad}' exits 2 with one line naming it`, async () => {
    const r = await salvo(["run", "http://127.0.0.1:9/", "--threshold", bad]);
    assertEquals(r.code, 2);
    assertEquals(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert(r.stderr.includes(`--threshold '${bad}'`), r.stderr);
  });
}

Deno.test("--abort-on-fail stops as soon as failures<=3 is exceeded", async () => {
  const server = countingServer(0, () => 500);
  try {
    const started = performance.now();
    const { code, json } = await runJson([
      server.url,
      ...[
        "-c",
        "1",
        "-d",
        "10s",
        "--delay",
        "20ms",
        "--threshold",
        "failures<=3",
        "--abort-on-fail",
      ],
    ]);
    assertEquals(code, 1);
    assertEquals(json.aborted, true);
    assert(json.requests >= 4 && json.requests < 40, `requests ${json.requests}`);
    assert(performance.now() - started < 5000, "did not stop early");
    assertEquals(json.requests, server.count());
  } finally {
    await server.stop();
  }
});

Deno.test("--junit writes well-formed JUnit XML with one testcase per threshold", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  const file = `${dir}/gate.xml`;
  try {
    const r = await salvo([
      "run",
      server.url,
      ...["-n", "20", "-q", "--junit", file],
      ...[
        "--threshold",
        "requests>=15",
        "--threshold",
        "p99<1ms & more",
        "--threshold",
        "failures==0",
      ],
    ]);
    assertEquals(r.code, 2, "a bad threshold is refused before any request");
    const ok = await salvo([
      "run",
      server.url,
      ...["-n", "20", "-q", "--junit", file],
      ...[
        "--threshold",
        "requests>=15",
        "--threshold",
        "requests<10",
        "--threshold",
        "failures==0",
      ],
    ]);
    assertEquals(ok.code, 1);
    const xml = await Deno.readTextFile(file);
    assert(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>`), xml);
    assertEquals(xml.match(/<testcase /g)?.length, 3);
    assertEquals(xml.match(/<failure /g)?.length, 1);
    assert(xml.includes(`name="requests&lt;10"`), xml);
    assert(xml.includes(`<testsuite name="salvo" tests="3" failures="1"`), xml);
    assertWellFormed(xml);
    assertEquals(
      (await Array.fromAsync(Deno.readDir(dir))).length,
      1,
      "no temporary file left behind",
    );
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a --junit write that fails after the run (a full device) exits 3 after printing the summary", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    // A device like /dev/full, made in the temporary directory: it passes the up-front check (it is
    // written in place) and every write to it fails.
    const full = `${dir}/full`;
    const made = await new Deno.Command("mknod", { args: [full, "c", "1", "7"] }).output();
    assert(made.success, "mknod is needed for this test (run as root)");
    const r = await salvo([
      "run",
      server.url,
      ...["-n", "5", "-q", "--junit", full, "--threshold", "requests>=1"],
    ]);
    assertEquals(r.code, 3, r.stderr);
    assert(r.stdout.includes("requests   5 in"), r.stdout);
    assert(r.stderr.includes(`--junit: cannot write '${full}': No space left on device`), r.stderr);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every tag opened is closed in order, attributes are quoted, and text has no bare '<' or '&'. */
const assertWellFormed = (xml: string): void => {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = token.exec(body)) !== null) {
    consumed = token.lastIndex;
    if (m[5] !== undefined) {
      assert(!/&(?!(amp|lt|gt|quot|apos);)/.test(m[5]), `bare & in ${m[5]}`);
      continue;
    }
    if (m[1] === "/") assertEquals(stack.pop(), m[2]);
    else if (m[4] !== "/") stack.push(m[2]!);
  }
  assertEquals(consumed, body.length, `unparsed XML from ${body.slice(consumed, consumed + 40)}`);
  assertEquals(stack, []);
};

Deno.test("a 1-request run is diagnosed inconclusive, not client-saturated by start-up", async () => {
  const server = countingServer();
  try {
    const { code, json } = await runJson([server.url, "-n", "1"]);
    assertEquals(code, 0);
    assertEquals(server.count(), 1);
    assertEquals(json.diagnosis.verdict, "inconclusive");
    assert(
      json.diagnosis.explanation.startsWith("too little to judge: 1 request in "),
      json.diagnosis.explanation,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("--abort-on-fail stops as soon as max<50ms is crossed by a 100 ms response", async () => {
  const server = countingServer(100);
  try {
    const started = performance.now();
    const { code, json } = await runJson([
      server.url,
      ...["-c", "1", "-d", "10s", "--threshold", "max<50ms", "--abort-on-fail"],
    ]);
    assertEquals(code, 1);
    assertEquals(json.aborted, true);
    assert(performance.now() - started < 3000, "did not stop early");
    assert(json.requests >= 1 && json.requests <= 10, `requests ${json.requests}`);
    assertEquals(json.requests, server.count());
  } finally {
    await server.stop();
  }
});
