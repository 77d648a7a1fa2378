// What a scenario's user can do, each checked against an echo server on loopback: every method, query, JSON/text/bytes bodies, headers and the response's head and body, cookies by hand, groups, think time, state; --delay, a ramp, the open model's drops, and the results stream naming each step.
import { assert, assertEquals } from "../assert.ts";
import { type Json, runJson, scenarioDir } from "./support.ts";

/** Answers every request with what it received, as JSON; sets a cookie on /set. */
const echoServer = () => {
  let count = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    count++;
    const url = new URL(req.url);
    const body = new Uint8Array(await req.arrayBuffer());
    return Response.json(
      {
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: new TextDecoder().decode(body),
        bytes: body.length,
        cookie: req.headers.get("cookie"),
        type: req.headers.get("content-type"),
        custom: req.headers.get("x-custom"),
      },
      {
        headers: url.pathname === "/set"
          ? { "set-cookie": "flavour=mint; Path=/", "x-a": "1" }
          : { "x-a": "1" },
      },
    );
  });
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
    count: () => count,
    stop: () => server.shutdown(),
  };
};

const sink = `
export default async (u) => {
  const get = await u.get("/things?x=1", { query: { page: 2, on: true }, headers: { "X-Custom": "yes" } });
  const g = get.json();
  u.check("get echoes", g.method === "GET" && g.path === "/things" && g.query.x === "1" && g.query.page === "2" && g.query.on === "true" && g.custom === "yes");
  u.check("head and body read", get.ok && get.status === 200 && get.header("X-A") === "1" && get.headers()["content-type"] === "application/json" && get.bytes().length === get.text().length && get.durationMs > 0 && get.error === undefined);
  const posted = (await u.post("/things", { json: { a: 1 } })).json();
  u.check("json body", posted.body === '{"a":1}' && posted.type === "application/json");
  const put = (await u.put("/things/7", { body: "plain" })).json();
  u.check("put text", put.method === "PUT" && put.body === "plain" && put.type === null);
  const patch = (await u.patch("/things/7", { body: new Uint8Array([1, 2, 3]), name: "patch a thing" })).json();
  u.check("patch bytes", patch.method === "PATCH" && patch.bytes === 3);
  const del = (await u.delete("/things/7")).json();
  u.check("delete", del.method === "DELETE");
  const other = (await u.request("options", "/things")).json();
  u.check("any method", other.method === "OPTIONS");
  await u.get("/set");
  u.check("cookie kept", (await u.get("/c")).json().cookie === "flavour=mint" && u.cookies.get("flavour") === "mint");
  u.cookies.set("extra", "1");
  u.check("cookie set by hand", (await u.get("/c")).json().cookie === "flavour=mint; extra=1");
  u.cookies.clear();
  u.check("cookies cleared", (await u.get("/c")).json().cookie === null);
  const inGroup = await u.group("twice", async () => {
    await u.get("/a/1");
    await u.get("/a/2");
    return 42;
  });
  u.check("group returns", inGroup === 42);
  const t0 = Date.now();
  await u.sleep(20);
  u.check("slept", Date.now() - t0 >= 19);
  u.state.n = (u.state.n ?? 0) + 1;
  u.check("state kept", u.state.n === u.iteration + 1 && u.index >= 0);
};
`;

const stepOf = (json: Json, name: string) => json.scenario.steps.find((s: Json) => s.name === name);

Deno.test("a user sends every method with query, headers and JSON, text and byte bodies, reads the answer's head and body, keeps, sets and clears cookies, times a group and sleeps; every check passes", async () => {
  const server = echoServer();
  const dir = await scenarioDir({ "sink.js": sink });
  try {
    const { code, json } = await runJson([
      `${dir}/sink.js`,
      "--base-url",
      server.url,
      "-n",
      "6",
      "-c",
      "2",
    ]);
    assertEquals(code, 0);
    const failing = json.scenario.checks.filter((c: Json) => c.failed > 0);
    assertEquals(failing, []);
    assertEquals(json.scenario.checks.length, 13);
    assertEquals(json.scenario.iterations.count, 6);
    // 12 requests an iteration; numeric path segments make one step.
    assertEquals(json.requests, 6 * 12);
    assertEquals(server.count(), 6 * 12);
    assertEquals(stepOf(json, "GET /a/:id").requests, 12);
    assertEquals(stepOf(json, "PUT /things/:id").requests, 6);
    assertEquals(stepOf(json, "patch a thing").requests, 6);
    assertEquals(stepOf(json, "OPTIONS /things").requests, 6);
    const group = json.scenario.groups.find((g: Json) => g.name === "twice");
    assertEquals(group.count, 6);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--results names each request's step; --delay paces a user's iterations; a ramp of users holds those above it", async () => {
  const server = echoServer();
  const dir = await scenarioDir({
    "steps.js": `export default async (u) => {
  await u.get("/one", { name: "first" });
  await u.post("/two");
};
`,
  });
  try {
    const results = `${dir}/results.ndjson`;
    const { code, json } = await runJson([
      `${dir}/steps.js`,
      "--base-url",
      server.url,
      "-c",
      "2",
      "-d",
      "1s",
      "--delay",
      "100ms",
      "--results",
      results,
    ]);
    assertEquals(code, 0);
    const lines = (await Deno.readTextFile(results)).trim().split("\n").map((l) => JSON.parse(l));
    const names = new Set(lines.map((l) => l.target));
    assertEquals([...names].sort(), ["POST /two", "first"]);
    assertEquals(lines.length, json.requests);
    // 2 users, an iteration every ~100 ms for 1 s: about 20, far below what no delay would send.
    const it = json.scenario.iterations.count + json.scenario.iterations.cut;
    assert(it >= 8 && it <= 24, `${it} iterations`);
    const ramp = await runJson([
      `${dir}/steps.js`,
      "--base-url",
      server.url,
      "--stages",
      "1s:0",
      "-c",
      "4",
      "-d",
      "1s",
    ]);
    assertEquals(ramp.code, 0);
    assert(ramp.json.scenario.iterations.count > 0);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("open model: iterations start at the rate; an arrival that finds every user busy is dropped and counted", async () => {
  const server = echoServer();
  const dir = await scenarioDir({
    "slow.js": `export default async (u) => {
  await u.get("/x");
  await u.sleep(200);
};
`,
  });
  try {
    const { code, json } = await runJson([
      `${dir}/slow.js`,
      "--base-url",
      server.url,
      "--rate",
      "50",
      "--max-in-flight",
      "2",
      "-d",
      "1s",
    ]);
    assertEquals(code, 0);
    // 50 arrivals in 1 s, 2 users each busy 200 ms a go: at most ~10 start, the rest are dropped.
    const started = json.scenario.iterations.count + json.scenario.iterations.cut;
    assertEquals(started + json.dropped, 50);
    assert(json.dropped >= 35, `${json.dropped} dropped`);
    assertEquals(json.requests, started);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
