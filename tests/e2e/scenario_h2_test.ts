// A scenario over HTTP/2 in cleartext (--h2c): nginx speaks it and hands each request to the built-in target's API, whose counts the steps must match.
import * as Target from "../../src/serve/target.ts";
import { assertEquals } from "../assert.ts";
import { freePort, startNginx } from "./nginx.ts";
import { type Json, runJson } from "./support.ts";

const flows: ReadonlyArray<{ name: string; args: ReadonlyArray<string> }> = [
  { name: "closed model, 1 thread", args: ["-t", "1"] },
  { name: "closed model, 2 threads", args: ["-t", "2"] },
  { name: "open model, 1 thread", args: ["-t", "1", "--rate", "300", "--max-in-flight", "8"] },
  { name: "open model, 2 threads", args: ["-t", "2", "--rate", "300", "--max-in-flight", "8"] },
];
// A target and an h2c server in front of it for each flow, and one more for the cookie test: the
// flows run at once (their counts are what the tests hold, not their speed).
const targets = Array.from(
  { length: flows.length + 1 },
  () => Target.start({ hostname: "127.0.0.1", port: 0, latencyMs: 0, errorRate: 0 }),
);
const ports = targets.map(() => freePort());
const nginx = await startNginx(
  (dir) =>
    targets.map((t, i) => `
  upstream api${i} { server 127.0.0.1:${new URL(t.url).port}; keepalive 64; }
  server {
    listen 127.0.0.1:${ports[i]} http2;
    access_log ${dir}/h2c${i}.log count;
    location / {
      proxy_pass http://api${i};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }`).join(""),
  ports,
  targets.map((_, i) => `h2c${i}`),
);
const stats = async (i: number): Promise<Json> =>
  await (await fetch(`${targets[i]!.url}/__salvo/stats`)).json();

let flowRuns:
  | Promise<ReadonlyArray<{ code: number; json: Json; seen: Json; served: number }>>
  | undefined;
const runFlows = () =>
  flowRuns ??= Promise.all(flows.map(async (flow, i) => {
    const { code, json } = await runJson([
      "examples/scenarios/flow.ts",
      "--h2c",
      "--base-url",
      `http://127.0.0.1:${ports[i]}`,
      ...flow.args,
    ]);
    return { code, json, seen: await stats(i), served: await nginx.count(`h2c${i}`) };
  }));

flows.forEach((flow, i) => {
  Deno.test({
    name:
      `over h2c, the 4-step flow at -c 8 for 3 s, ${flow.name}: each step's count is the target's count of its route, every item read back by its owner, cookies and tokens carried`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const { code, json, seen, served } = (await runFlows())[i]!;
      assertEquals(code, 0);
      for (const route of ["POST /login", "GET /items", "POST /items", "GET /items/:id"]) {
        const step = json.scenario.steps.find((s: Json) => s.name === route);
        assertEquals(step.requests, seen.routes[route], route);
        assertEquals(step.failures, 0, route);
      }
      assertEquals(json.requests, served);
      assertEquals(seen.wrong_owner, 0);
      // Each user logged in once and kept its token (the open model lends its 8 users as needed).
      assertEquals(seen.repeat_logins, 0);
      if (flow.args.includes("--rate")) assertEquals(seen.users >= 1 && seen.users <= 8, true);
      else assertEquals(seen.users, 8);
      assertEquals(json.scenario.checks_rate, 1);
      assertEquals(json.request.protocol, "HTTP/2");
    },
  });
});

Deno.test({
  name: "over h2c, a user's cookie set by the server goes back with its next requests",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { code, json } = await runJson([
      "tests/e2e/fixtures/cookie_flow.js",
      "--h2c",
      "--base-url",
      `http://127.0.0.1:${ports[flows.length]}`,
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
    for (const t of targets) await t.shutdown();
  },
});
