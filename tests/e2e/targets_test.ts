// --targets: many requests from vegeta's format or NDJSON, in turn or at random; bad lines named by number.
import { assert, assertEquals } from "../assert.ts";
import { runJson, salvo } from "./support.ts";

/** A server counting requests per method and path, and remembering bodies and one header. */
const recording = () => {
  const seen = new Map<string, number>();
  const bodies: string[] = [];
  const traces: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const key = `${req.method} ${new URL(req.url).pathname}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const body = await req.text();
    if (body !== "") bodies.push(body);
    traces.push(req.headers.get("x-trace") ?? "");
    return new Response("ok");
  });
  return {
    base: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
    seen,
    bodies,
    traces,
    stop: () => server.shutdown(),
  };
};

Deno.test("vegeta-format targets are taken in turn, with their headers and @body files", async () => {
  const s = recording();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/body.json`, `{"hello":1}`);
    await Deno.writeTextFile(
      `${dir}/targets.txt`,
      `GET ${s.base}/a\nX-Trace: from-target\n\n# a comment\nPOST ${s.base}/b\nContent-Type: application/json\n@${dir}/body.json\n\nDELETE ${s.base}/c\n`,
    );
    const { code, json } = await runJson([
      "--targets",
      `${dir}/targets.txt`,
      "-n",
      "30",
      "-c",
      "3",
      "-H",
      "X-Trace: global",
    ]);
    assertEquals(code, 0);
    assertEquals(json.requests, 30);
    assertEquals(Object.fromEntries(s.seen), { "GET /a": 10, "POST /b": 10, "DELETE /c": 10 });
    assert(s.bodies.length === 10 && s.bodies.every((b) => b === `{"hello":1}`), "POST bodies");
    assertEquals(s.traces.filter((t) => t === "from-target").length, 10);
    assertEquals(s.traces.filter((t) => t === "global").length, 20);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("NDJSON targets from stdin, at random, reach every target", async () => {
  const s = recording();
  try {
    const lines = [
      JSON.stringify({
        method: "PUT",
        url: `${s.base}/x`,
        headers: { "X-Trace": ["1"] },
        body: "put-body",
      }),
      JSON.stringify({ url: `${s.base}/y` }),
    ].join("\n");
    const out = await salvo(
      ["run", "--targets", "-", "--targets-order", "random", "-n", "200", "-q", "-o", "json"],
      { stdin: lines },
    );
    assertEquals(out.code, 0, out.stderr);
    const put = s.seen.get("PUT /x") ?? 0, get = s.seen.get("GET /y") ?? 0;
    assertEquals(put + get, 200);
    assert(put > 50 && get > 50, `random order: ${put} / ${get}`);
    assert(s.bodies.every((b) => b === "put-body"));
  } finally {
    await s.stop();
  }
});

Deno.test("a malformed target names its line and exits 2, or is skipped and counted with --skip-invalid", async () => {
  const s = recording();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/t.txt`,
      `GET ${s.base}/ok\n\nFETCH\n\nGET ${s.base}/ok2\nno colon here\n\nGET ${s.base}/ok3\n`,
    );
    const strict = await salvo(["run", "--targets", `${dir}/t.txt`, "-n", "3"]);
    assertEquals(strict.code, 2);
    assertEquals(
      strict.stderr.trim(),
      "salvo: --targets line 3: expected 'METHOD URL', found 'FETCH'",
    );
    const lenient = await runJson([
      "--targets",
      `${dir}/t.txt`,
      "-n",
      "4",
      "-c",
      "1",
      "--skip-invalid",
    ]);
    assertEquals(lenient.code, 0);
    assert(lenient.stderr.includes("--targets: skipped 2 invalid targets"), lenient.stderr);
    assertEquals(Object.fromEntries(s.seen), { "GET /ok": 2, "GET /ok3": 2 });
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a URL and --targets together, or neither, exit 2", async () => {
  assertEquals((await salvo(["run", "http://127.0.0.1:9/", "--targets", "x.txt"])).code, 2);
  const none = await salvo(["run", "-n", "1"]);
  assertEquals(none.code, 2);
  assert(none.stderr.includes("missing a URL (or --targets FILE)"), none.stderr);
});

Deno.test("--name=value works for every option, and a value that looks like an option stays a value", async () => {
  const s = recording();
  try {
    const { code, json } = await runJson([
      `${s.base}/b`,
      "-X",
      "POST",
      "--body",
      "--x=y",
      "--requests=3",
      "--concurrency=1",
    ]);
    assertEquals(code, 0);
    assertEquals(json.requests, 3);
    assertEquals(s.bodies, ["--x=y", "--x=y", "--x=y"]);
  } finally {
    await s.stop();
  }
});

Deno.test("vegeta's JSON targets send their header lists and base64 bodies decoded", async () => {
  const s = recording();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/targets.json`,
      `{"method":"POST","url":"${s.base}/v","header":{"x-trace":["foo"]},"body":"QVRUQUNLIQ=="}\n`,
    );
    const { code, json } = await runJson([
      "--targets",
      `${dir}/targets.json`,
      "-n",
      "4",
      "-c",
      "1",
    ]);
    assertEquals(code, 0);
    assertEquals(json.requests, 4);
    assertEquals(s.seen.get("POST /v"), 4);
    assertEquals(s.traces, ["foo", "foo", "foo", "foo"]);
    assertEquals(s.bodies, ["ATTACK!", "ATTACK!", "ATTACK!", "ATTACK!"]);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--body goes to targets without a body of their own; -H to every target, its own header winning", async () => {
  const s = recording();
  try {
    const targets = [
      `{"method": "POST", "url": "${s.base}/plain"}`,
      `{"method": "POST", "url": "${s.base}/own", "body": "own body", "headers": {"X-Trace": "own"}}`,
    ].join("\n");
    const out = await salvo(
      [
        "run",
        "--targets",
        "-",
        "-n",
        "4",
        "-c",
        "1",
        "--body",
        "flag body",
        "-H",
        "X-Trace: flag",
        "-q",
      ],
      { stdin: targets },
    );
    assertEquals(out.code, 0, out.stderr);
    assertEquals(s.bodies, ["flag body", "own body", "flag body", "own body"]);
    assertEquals(s.traces, ["flag", "own", "flag", "own"]);
  } finally {
    await s.stop();
  }
});
