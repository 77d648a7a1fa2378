// Redirects are not followed unless asked, and never to another host without --follow-redirects=any.
import { assert, assertEquals } from "../assert.ts";
import { runJson } from "./support.ts";

/** A server whose /start redirects to `location(port)` and whose other paths answer 200, counting each path. */
const redirecting = (status: number, location: (self: number) => string) => {
  const hits = new Map<string, number>();
  const auth: string[] = [];
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, (req): Response => {
    const path = new URL(req.url).pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    auth.push(req.headers.get("authorization") ?? "");
    if (path === "/start") {
      return new Response(null, {
        status,
        headers: { location: location((server.addr as Deno.NetAddr).port) },
      });
    }
    return new Response("landed");
  });
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/start`,
    port: (server.addr as Deno.NetAddr).port,
    hits,
    auth,
    stop: () => server.shutdown(),
  };
};

Deno.test("redirects are not followed by default: the 3xx is the answer", async () => {
  const s = redirecting(302, () => "/landing");
  try {
    const { json } = await runJson([s.url, "-n", "10", "-c", "1"]);
    assertEquals(json.status_codes, { "302": 10 });
    assertEquals(s.hits.get("/landing"), undefined);
  } finally {
    await s.stop();
  }
});

Deno.test("--follow-redirects follows to the same host: one request, the final status, both hops counted in bytes", async () => {
  const s = redirecting(301, () => "/landing");
  try {
    const { json } = await runJson([s.url, "-n", "10", "-c", "2", "--follow-redirects"]);
    assertEquals(json.requests, 10);
    assertEquals(json.status_codes, { "200": 10 });
    assertEquals(s.hits.get("/start"), 10);
    assertEquals(s.hits.get("/landing"), 10);
    // The bytes of both hops: what the redirect alone takes, plus what the landing page alone takes.
    const redirect = await runJson([s.url, "-n", "10", "-c", "2"]);
    const landing = await runJson([s.url.replace("/start", "/landing"), "-n", "10", "-c", "2"]);
    assert(redirect.json.bytes > 0 && landing.json.bytes > 0, "no bytes");
    assertEquals(json.bytes, redirect.json.bytes + landing.json.bytes);
  } finally {
    await s.stop();
  }
});

Deno.test("--follow-redirects does not leave the host; --follow-redirects=any does, without credentials", async () => {
  const other = redirecting(200, () => "");
  // localhost is another origin than 127.0.0.1, on this machine's loopback.
  const s = redirecting(307, () => `http://localhost:${other.port}/elsewhere`);
  try {
    const same = await runJson([
      s.url,
      "-n",
      "5",
      "-c",
      "1",
      "--follow-redirects",
      "-H",
      "Authorization: Bearer x",
    ]);
    assertEquals(same.json.status_codes, { "307": 5 });
    assertEquals(other.hits.get("/elsewhere"), undefined);
    const any = await runJson([
      s.url,
      "-n",
      "5",
      "-c",
      "1",
      "--follow-redirects=any",
      "-H",
      "Authorization: Bearer x",
    ]);
    assertEquals(any.json.status_codes, { "200": 5 });
    assertEquals(other.hits.get("/elsewhere"), 5);
    assert(other.auth.every((a) => a === ""), "credentials went to another host");
    assert(s.auth.every((a) => a === "Bearer x"), "credentials are sent to the target itself");
  } finally {
    await s.stop();
    await other.stop();
  }
});

Deno.test("a redirect loop fails as redirect_limit after 10 hops; the server sees every hop", async () => {
  const s = redirecting(302, () => "/start");
  try {
    const { code, json } = await runJson([
      s.url,
      ...["-n", "20", "-c", "2", "--follow-redirects", "--timeout", "3s"],
    ]);
    assertEquals(code, 0);
    assertEquals(json.requests, 20);
    assertEquals(json.failures, 20);
    assertEquals(json.errors, { redirect_limit: 20 });
    assertEquals(json.status_codes, {});
    // Each request: the first answer and 10 followed hops, all redirects back to /start.
    assertEquals(s.hits.get("/start"), 20 * 11);
  } finally {
    await s.stop();
  }
});

Deno.test("a 303 after POST is followed with GET and no body; 307 keeps POST and its body", async () => {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    seen.push(`${req.method} ${path} ${await req.text()}`);
    if (path === "/see-other") {
      return new Response(null, { status: 303, headers: { location: "/done" } });
    }
    if (path === "/temporary") {
      return new Response(null, { status: 307, headers: { location: "/done" } });
    }
    return new Response("done");
  });
  const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  try {
    const a = await runJson([
      `${base}/see-other`,
      "-X",
      "POST",
      "--body",
      "form",
      "-n",
      "2",
      "-c",
      "1",
      "--follow-redirects",
    ]);
    assertEquals(a.json.status_codes, { "200": 2 });
    assertEquals(seen.splice(0), [
      "POST /see-other form",
      "GET /done ",
      "POST /see-other form",
      "GET /done ",
    ]);
    const b = await runJson([
      `${base}/temporary`,
      "-X",
      "POST",
      "--body",
      "form",
      "-n",
      "1",
      "-c",
      "1",
      "--follow-redirects",
    ]);
    assertEquals(b.json.status_codes, { "200": 1 });
    assertEquals(seen.splice(0), ["POST /temporary form", "POST /done form"]);
  } finally {
    await server.shutdown();
  }
});
