// A scenario over HTTP/2 in cleartext (--h2c): nginx speaks it and hands each request to the built-in target's API, whose counts the steps must match.
import * as Target from "../../src/serve/target.ts";
import { assertEquals } from "../assert.ts";
import { freePort, startNginx } from "./nginx.ts";
import { type Json, runJson } from "./support.ts";

const target = Target.start({ hostname: "127.0.0.1", port: 0, latencyMs: 0, errorRate: 0 });
const targetPort = new URL(target.url).port;
const h2c = freePort();
const nginx = await startNginx(
  (dir) => `
  upstream api { server 127.0.0.1:${targetPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${h2c} http2;
    access_log ${dir}/h2c.log count;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }`,
  [h2c],
  ["h2c"],
);
const stats = async (): Promise<Json> => await (await fetch(`${target.url}/__salvo/stats`)).json();

const flows: ReadonlyArray<{ name: string; args: ReadonlyArray<string> }> = [
  { name: "closed model, 1 thread", args: ["-t", "1"] },
  { name: "closed model, 2 threads", args: ["-t", "2"] },
  { name: "open model, 2 threads", args: ["-t", "2", "--rate", "300", "--max-in-flight", "8"] },
];

for (const flow of flows) {
  Deno.test({
    name:
      `over h2c, the 4-step flow at -c 8 for 3 s, ${flow.name}: each step's count is the target's count of its route, every item read back by its owner, cookies and tokens carried`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const before = await stats();
      await nginx.reset();
      const { code, json } = await runJson([
        "examples/scenarios/flow.ts",
        "--h2c",
        "--base-url",
        `http://127.0.0.1:${h2c}`,
        ...flow.args,
      ]);
      assertEquals(code, 0);
      const after = await stats();
      for (const route of ["POST /login", "GET /items", "POST /items", "GET /items/:id"]) {
        const step = json.scenario.steps.find((s: Json) => s.name === route);
        assertEquals(step.requests, after.routes[route] - (before.routes[route] ?? 0), route);
        assertEquals(step.failures, 0, route);
      }
      assertEquals(json.requests, await nginx.count("h2c"));
      assertEquals(after.wrong_owner, 0);
      // Each user logged in once and kept its token (the open model lends its 8 users as needed).
      const logins = after.routes["POST /login"] - (before.routes["POST /login"] ?? 0);
      if (flow.args.includes("--rate")) assertEquals(logins <= 8 && logins >= 1, true);
      else assertEquals(logins, 8);
      assertEquals(json.scenario.checks_rate, 1);
      assertEquals(json.request.protocol, "HTTP/2");
    },
  });
}

Deno.test({
  name: "over h2c, a user's cookie set by the server goes back with its next requests",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { code, json } = await runJson([
      "tests/e2e/fixtures/cookie_flow.js",
      "--h2c",
      "--base-url",
      `http://127.0.0.1:${h2c}`,
      "-c",
      "2",
      "-n",
      "10",
    ]);
    assertEquals(code, 0);
    assertEquals(json.scenario.checks, [{
      name: "items by cookie",
      passed: 10,
      failed: 0,
      rate: 1,
    }]);
  },
});

Deno.test({
  name: "h2c scenario tests: the target and nginx stop",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await nginx.stop();
    await target.shutdown();
  },
});
