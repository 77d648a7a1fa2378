// The built-in target's stateful API, as a multi-step flow uses it: log in, take the token (or the
// cookie), create and read back items; wrong credentials, no token and another user's item are
// refused, and /__salvo/stats counts each route and each read of another user's item.
import * as Target from "../../src/serve/target.ts";
import { assertEquals } from "../assert.ts";
import { runJson } from "../e2e/support.ts";

const withTarget = async (fn: (url: string) => Promise<void>) => {
  const t = Target.start({ hostname: "127.0.0.1", port: 0, latencyMs: 0, errorRate: 0 });
  try {
    await fn(t.url);
  } finally {
    await t.shutdown();
  }
};

const call = async (url: string, init: RequestInit = {}) => {
  const r = await fetch(url, init);
  const text = await r.text();
  return { status: r.status, body: text === "" ? undefined : JSON.parse(text), headers: r.headers };
};

const login = (url: string, user: string, password = "salvo") =>
  call(`${url}/login`, { method: "POST", body: JSON.stringify({ user, password }) });

Deno.test("serve's API: a user logs in, creates an item and reads it back with its token; another user's token gets 403, and stats count every route", async () => {
  await withTarget(async (url) => {
    assertEquals((await login(url, "ann", "wrong")).status, 401);
    assertEquals((await call(`${url}/login`, { method: "POST", body: "not json" })).status, 400);
    const ann = await login(url, "ann");
    assertEquals(ann.status, 200);
    const token = ann.body.token as string;
    assertEquals(ann.headers.get("set-cookie"), `session=${token}; Path=/; HttpOnly`);
    const auth = { authorization: `Bearer ${token}` };
    assertEquals((await call(`${url}/items`)).status, 401);
    const made = await call(`${url}/items`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ name: "pen" }),
    });
    assertEquals([made.status, made.body], [201, { id: 1, name: "pen" }]);
    assertEquals((await call(`${url}/items/1`, { headers: auth })).body, { id: 1, name: "pen" });
    // The session cookie stands for the token.
    const byCookie = await call(`${url}/items`, { headers: { cookie: `a=b; session=${token}` } });
    assertEquals([byCookie.status, byCookie.body], [200, [{ id: 1, name: "pen" }]]);
    const bob = await login(url, "bob");
    const other = await call(`${url}/items/1`, {
      headers: { authorization: `Bearer ${bob.body.token}` },
    });
    assertEquals(other.status, 403);
    assertEquals((await call(`${url}/items/99`, { headers: auth })).status, 404);
    // Any other path is still the plain target.
    assertEquals(await fetch(`${url}/items-old`).then((r) => r.text()), "ok\n");
    const stats = await call(`${url}/__salvo/stats`);
    assertEquals(stats.body, {
      requests: 11,
      routes: { "POST /login": 4, "GET /items": 2, "POST /items": 1, "GET /items/:id": 3 },
      wrong_owner: 1,
      // ann and bob logged in once each (a refused login is no login).
      users: 2,
      repeat_logins: 0,
    });
  });
});

Deno.test("serve's API under salvo: every read of an item with its owner's token is counted by salvo and by the route alike", async () => {
  await withTarget(async (url) => {
    const token = (await login(url, "ann")).body.token as string;
    const auth = { authorization: `Bearer ${token}` };
    await call(`${url}/items`, { method: "POST", headers: auth, body: '{"name":"pen"}' });
    const { code, json } = await runJson([
      `${url}/items/1`,
      "-H",
      `Authorization: Bearer ${token}`,
      "-c",
      "4",
      "-n",
      "400",
    ]);
    assertEquals(code, 0);
    assertEquals(json.status_codes, { "200": 400 });
    const stats = await call(`${url}/__salvo/stats`);
    assertEquals([stats.body.routes["GET /items/:id"], stats.body.wrong_owner], [400, 0]);
  });
});
