// No secrets in output: credentials are sent as given but masked wherever salvo echoes the request.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, salvo } from "./support.ts";

Deno.test("Authorization, Cookie and token headers and key query parameters are masked in every output", async () => {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    seen.push(
      `${req.headers.get("authorization")}|${req.headers.get("cookie")}|${
        new URL(req.url).searchParams.get("api_key")
      }`,
    );
    return new Response("ok");
  });
  const dir = await Deno.makeTempDir();
  try {
    const url = `http://127.0.0.1:${
      (server.addr as Deno.NetAddr).port
    }/x?api_key=QUERYSECRET&page=2`;
    const args = [
      "run",
      url,
      ...["-n", "3", "-c", "1", "-q", "--results", `${dir}/r.ndjson`, "--out", `${dir}/s.json`],
      ...["-H", "Authorization: Bearer HEADERSECRET", "-H", "Cookie: session=COOKIESECRET"],
      ...["-H", "X-Auth-Token: TOKENSECRET", "-H", "X-Env: staging"],
    ];
    const text = await salvo(args);
    const json = await salvo([...args, "-o", "json"]);
    assertEquals(seen[0], "Bearer HEADERSECRET|session=COOKIESECRET|QUERYSECRET", "sent as given");
    const outputs = [
      text.stdout,
      text.stderr,
      json.stdout,
      json.stderr,
      await Deno.readTextFile(`${dir}/r.ndjson`),
      await Deno.readTextFile(`${dir}/s.json`),
    ];
    for (const out of outputs) assert(!/SECRET/.test(out), `a secret leaked:\n${out}`);
    assert(
      text.stdout.includes(
        "Authorization: **** · Cookie: **** · X-Auth-Token: **** · X-Env: staging",
      ),
      text.stdout,
    );
    assert(text.stdout.includes("api_key=****&page=2"), text.stdout);
    assertEquals(JSON.parse(json.stdout).request.headers["X-Env"], "staging");
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a malformed header is refused without repeating its value", async () => {
  const r = await salvo(["run", "http://127.0.0.1:9/", "-H", "Authorization Bearer HEADERSECRET"]);
  assertEquals(r.code, 2);
  assert(!r.stderr.includes("HEADERSECRET"), r.stderr);
  assert(r.stderr.includes("'Authorization…' is not a header"), r.stderr);
});

Deno.test("a password in the URL is masked in the refusal, on the command line and in --targets", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await salvo(["run", "http://user:URLSECRET@127.0.0.1:9/"]);
    assertEquals(r.code, 2);
    assertEquals(
      r.stderr,
      "salvo: 'http://user:****@127.0.0.1:9/' is not a usable URL: put credentials in an Authorization header\n",
    );
    const odd = await salvo(["run", "http://user:URL@SECRET@/x?api_key=KEYSECRET"]);
    assertEquals(odd.code, 2);
    assert(!odd.stderr.includes("SECRET"), odd.stderr);
    await Deno.writeTextFile(`${dir}/t.txt`, "GET http://me:TARGETSECRET@127.0.0.1:9/\n");
    await Deno.writeTextFile(`${dir}/t2.txt`, "GET http://me:TARGETSECRET@127.0.0.1:9/ extra\n");
    for (const file of ["t.txt", "t2.txt"]) {
      const t = await salvo(["run", "--targets", `${dir}/${file}`]);
      assertEquals(t.code, 2);
      assert(t.stderr.startsWith("salvo: --targets line 1: "), t.stderr);
      assert(t.stderr.includes("me:****@"), t.stderr);
      assert(!t.stderr.includes("SECRET"), t.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("signatures, sessions and codes are masked by the rule, and --mask adds names, in the text, JSON, NDJSON, HTML and knee outputs", async () => {
  const server = countingServer(0, () => 500);
  const dir = await Deno.makeTempDir();
  try {
    const url = `${server.url}/dl?sig=SECRETSIG&X-Amz-Signature=SECRETAMZ&code=SECRETCODE` +
      `&session=SECRETSESSION&tenant=SECRETTENANT&page=2`;
    const headers = [
      ...["-H", "X-Session-Id: SECRETSID", "-H", "X-Signature: SECRETXSIG"],
      ...["-H", "X-Tenant: SECRETXTENANT", "-H", "X-Env: staging", "--mask", "tenant"],
    ];
    const run = ["run", url, ...headers, "-n", "4", "-c", "2"];
    // Two load threads: each masks by the rule and --mask, as its plan says.
    const text = await salvo(
      [...run, "-t", "2", "--html", `${dir}/r.html`, "--results", `${dir}/r.ndjson`],
    );
    const json = await salvo([...run, "-o", "json", "-q", "--out", `${dir}/s.json`]);
    const knee = await salvo([
      "knee",
      url,
      ...headers,
      // One step: 1,000 samples (the knee's least per step) at 2,000/s.
      ...["--slo", "p99<1s", "--start-rate", "2000", "--step", "300ms", "--warmup", "0s"],
      ...["--max-rate", "2000", "--html", `${dir}/k.html`, "--results", `${dir}/k.ndjson`],
    ]);
    assertEquals(server.count() > 6, true);
    const outputs: Array<[string, string]> = [
      ["run text", text.stdout + text.stderr],
      ["run json", json.stdout + json.stderr],
      ["html", await Deno.readTextFile(`${dir}/r.html`)],
      ["ndjson", await Deno.readTextFile(`${dir}/r.ndjson`)],
      ["--out", await Deno.readTextFile(`${dir}/s.json`)],
      ["knee", knee.stdout + knee.stderr],
      ["knee html", await Deno.readTextFile(`${dir}/k.html`)],
      ["knee ndjson", await Deno.readTextFile(`${dir}/k.ndjson`)],
    ];
    for (const [name, out] of outputs) {
      assert(!/SECRET/.test(out), `a secret leaked in the ${name} output:\n${out.slice(0, 3000)}`);
    }
    assert(text.stdout.includes("X-Env: staging"), text.stdout);
    assert(text.stdout.includes("page=2"), text.stdout);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
