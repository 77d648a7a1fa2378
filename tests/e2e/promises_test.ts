// The README's promises that had no test of their own, each named for what it promises.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, runJson, salvo } from "./support.ts";

Deno.test("README: an unwritable --results path exits 3 before the first request", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const r = await salvo([
      "run",
      server.url,
      "-d",
      "3s",
      "-q",
      "--results",
      `${dir}/missing/r.ndjson`,
    ]);
    assertEquals(r.code, 3, r.stderr);
    assert(
      r.stderr.startsWith(`salvo: --results: cannot write '${dir}/missing/r.ndjson'`),
      r.stderr,
    );
    assertEquals(server.count(), 0);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("README: merge of a missing file, a file that is not JSON, or JSON that is not a summary exits 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/text.json`, "not json");
    await Deno.writeTextFile(`${dir}/other.json`, `{"requests": 1}`);
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      [`${dir}/absent.json`, /^salvo: cannot read '.*absent\.json'/],
      [`${dir}/text.json`, /^salvo: .*text\.json: not a JSON summary$/],
      [`${dir}/other.json`, /^salvo: .*other\.json: /],
    ];
    for (const [file, message] of cases) {
      const r = await salvo(["merge", file]);
      assertEquals(r.code, 2, `${file}: ${r.stdout}`);
      assert(message.test(r.stderr.trim()), r.stderr);
      assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("README: --body-file sends the file's bytes as the body, with its Content-Length", async () => {
  const bodies: string[] = [];
  const lengths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    lengths.push(req.headers.get("content-length") ?? "");
    bodies.push(await req.text());
    return new Response("ok");
  });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/payload.json`, `{"hello":"wörld"}`);
    const { code, json } = await runJson([
      `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`,
      ...["-X", "POST", "--body-file", `${dir}/payload.json`, "-n", "3", "-c", "1"],
    ]);
    assertEquals(code, 0);
    assertEquals(json.requests, 3);
    assertEquals(bodies, [`{"hello":"wörld"}`, `{"hello":"wörld"}`, `{"hello":"wörld"}`]);
    assertEquals(lengths, ["18", "18", "18"]);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("README: a missing or non-PEM --cacert exits 2 with one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/not.pem`, "hello");
    const missing = await salvo(["run", "https://127.0.0.1:9/", "--cacert", `${dir}/absent.pem`]);
    assertEquals(missing.code, 2);
    assert(
      missing.stderr.startsWith(`salvo: --cacert: cannot read '${dir}/absent.pem'`),
      missing.stderr,
    );
    const notPem = await salvo(["run", "https://127.0.0.1:9/", "--cacert", `${dir}/not.pem`]);
    assertEquals(notPem.code, 2);
    assertEquals(notPem.stderr, `salvo: --cacert: '${dir}/not.pem' holds no PEM certificate\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("README: secrets are masked in error messages, in --targets mode and in Proxy-Authorization", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const refused = await salvo(["run", "ftp://127.0.0.1/x?api_key=QUERYSECRET"]);
    assertEquals(refused.code, 2);
    assertEquals(
      refused.stderr,
      "salvo: 'ftp://127.0.0.1/x?api_key=****' is not a usable URL: it must start with http:// or https://\n",
    );
    await Deno.writeTextFile(
      `${dir}/targets.txt`,
      `GET ${server.url}/a?token=TARGETSECRET\nProxy-Authorization: Basic PROXYSECRET\n`,
    );
    const args = [
      "run",
      "--targets",
      `${dir}/targets.txt`,
      "-n",
      "3",
      "-q",
      "--results",
      `${dir}/r.ndjson`,
    ];
    const text = await salvo(args);
    const json = await salvo([
      ...args,
      "-o",
      "json",
      "-H",
      "Proxy-Authorization: Basic FLAGSECRET",
    ]);
    assertEquals(text.code + json.code, 0, text.stderr + json.stderr);
    assertEquals(server.count(), 6);
    for (
      const out of [
        text.stdout,
        text.stderr,
        json.stdout,
        json.stderr,
        await Deno.readTextFile(`${dir}/r.ndjson`),
      ]
    ) {
      assert(!/SECRET/.test(out), `a secret leaked:\n${out}`);
    }
    assert((await Deno.readTextFile(`${dir}/r.ndjson`)).includes("/a?token=****"), "target name");
    const single = await salvo([
      "run",
      server.url,
      ...["-n", "1", "-q", "-H", "Proxy-Authorization: Basic FLAGSECRET"],
    ]);
    assert(single.stdout.includes("Proxy-Authorization: ****"), single.stdout);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
