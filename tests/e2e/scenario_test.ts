// Scenarios against the built-in target's stateful API: each step's count against the target's count of its route, checks, unique data rows, cookies, setup and teardown.
import * as Target from "../../src/serve/target.ts";
import { assert, assertEquals } from "../assert.ts";
import { type Json, runJson, salvo, scenarioDir } from "./support.ts";

const withTarget = async (fn: (url: string, stats: () => Promise<Json>) => Promise<void>) => {
  const t = Target.start({ hostname: "127.0.0.1", port: 0, latencyMs: 0, errorRate: 0 });
  try {
    await fn(t.url, async () => await (await fetch(`${t.url}/__salvo/stats`)).json());
  } finally {
    await t.shutdown();
  }
};

/** The example 4-step flow against `url`: 2 users for 1 s. */
const shortFlow = (url: string) => [
  "examples/scenarios/flow.ts",
  "--base-url",
  url,
  "-c",
  "2",
  "-d",
  "1s",
];

const stepOf = (json: Json, name: string) =>
  json.scenario.steps.find((s: Json) => s.name === name) ?? { requests: 0, failures: 0 };

const flows: ReadonlyArray<{ name: string; args: ReadonlyArray<string> }> = [
  { name: "closed model, 1 thread", args: ["-t", "1"] },
  { name: "closed model, 2 threads", args: ["-t", "2"] },
  { name: "open model, 1 thread", args: ["-t", "1", "--rate", "400", "--max-in-flight", "8"] },
  { name: "open model, 2 threads", args: ["-t", "2", "--rate", "400", "--max-in-flight", "8"] },
];

/** A flow's run and what its target counted meanwhile. */
interface FlowRun {
  readonly code: number;
  readonly json: Json;
  readonly seen: Json;
}

/**
 * The flows run at once, each against a target of its own (their counts are what the tests hold,
 * not their speed): four after one another took 14 s of CI's 20 minutes.
 */
let flowRuns: Promise<ReadonlyMap<string, FlowRun>> | undefined;
const runFlows = () =>
  flowRuns ??= Promise.all(flows.map(async (flow) => {
    const t = Target.start({ hostname: "127.0.0.1", port: 0, latencyMs: 0, errorRate: 0 });
    try {
      const { code, json } = await runJson([
        "examples/scenarios/flow.ts",
        "--base-url",
        t.url,
        ...flow.args,
      ]);
      const seen = await (await fetch(`${t.url}/__salvo/stats`)).json();
      return [flow.name, { code, json, seen }] as const;
    } finally {
      await t.shutdown();
    }
  })).then((runs) => new Map(runs));

for (const flow of flows) {
  Deno.test({
    name:
      `a 4-step flow (log in, list, create, read back) at -c 8 for 3 s, ${flow.name}: each step's count is the target's count of its route, every item read back by its owner`,
    // The four flows run together (runFlows): a test may find the others still running.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const { code, json, seen } = (await runFlows()).get(flow.name)!;
      assertEquals(code, 0);
      const routes = ["POST /login", "GET /items", "POST /items", "GET /items/:id"];
      for (const route of routes) {
        assertEquals(stepOf(json, route).requests, seen.routes[route] ?? 0, route);
        assertEquals(stepOf(json, route).failures, 0, route);
      }
      assertEquals(json.requests, seen.requests);
      assert(seen.routes["GET /items/:id"] > 50, `only ${seen.routes["GET /items/:id"]} reads`);
      // Read back with the token its own user got: the target saw no other user's item asked for.
      assertEquals(seen.wrong_owner, 0);
      // Each user logged in once and kept its token: the closed model's 8 users (-c 8) all ran; the
      // open model's pool of 8 (--max-in-flight 8) lends the users free at each arrival.
      assertEquals(seen.repeat_logins, 0);
      if (flow.args.includes("--rate")) assert(seen.users >= 1 && seen.users <= 8, `${seen.users}`);
      else assertEquals(seen.users, 8);
      assertEquals(json.scenario.checks_rate, 1);
      // Every iteration that began ran to its end, or was cut by the end of the run (a request refused).
      const it = json.scenario.iterations;
      assertEquals(it.script_errors, 0);
      assertEquals(seen.routes["GET /items"], it.count + it.cut);
    },
  });
}

Deno.test("checks count without failing anything: one failing on every 10th iteration shows 90.0 % on 1 and 2 threads, and a threshold on checks judges it", async () => {
  await withTarget(async (url) => {
    const dir = await scenarioDir({
      "checks.js": `let n = 0;
export default async (u) => {
  const r = await u.get("/");
  u.check(r, {
    "status is 200": (x) => x.status === 200,
    "a predicate that throws fails": () => { throw new Error("no"); },
  });
  u.check("every 10th fails", ++n % 10 !== 0);
};
`,
    });
    try {
      for (const threads of ["1", "2"]) {
        const { code, json } = await runJson([
          `${dir}/checks.js`,
          "--base-url",
          url,
          "-n",
          "200",
          "-c",
          "4",
          "-t",
          threads,
          "--threshold",
          "checks>=95%",
        ]);
        const tenth = json.scenario.checks.find((c: Json) => c.name === "every 10th fails");
        assertEquals([tenth.passed, tenth.failed, tenth.rate], [180, 20, 0.9], `-t ${threads}`);
        const ok = json.scenario.checks.find((c: Json) => c.name === "status is 200");
        assertEquals([ok.passed, ok.failed], [200, 0]);
        const thrown = json.scenario.checks.find((c: Json) =>
          c.name === "a predicate that throws fails"
        );
        assertEquals([thrown.passed, thrown.failed], [0, 200]);
        // 380 of 600 checks passed.
        assertEquals(json.scenario.checks_rate, 0.633333);
        assertEquals(code, 1, "checks>=95% fails at 63 %");
        assertEquals(json.scenario.iterations.count, 200);
      }
      const r = await salvo([
        "run",
        `${dir}/checks.js`,
        "--base-url",
        url,
        "-n",
        "100",
        "-c",
        "2",
        "--threshold",
        "every 10th fails: checks>=95%",
        "-q",
      ]);
      assertEquals(r.code, 1);
      assert(r.stdout.includes("FAIL every 10th fails: checks>=95%: got 90.0%"), r.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("a threshold on one step fails the run with exit 1 and names the step; the other steps' pass", async () => {
  await withTarget(async (url) => {
    const r = await salvo([
      "run",
      ...shortFlow(url),
      "-q",
      "--threshold",
      "POST /items: max<1us",
      "--threshold",
      "GET /items/:id: success_rate==100%",
    ]);
    assertEquals(r.code, 1);
    assert(/^FAIL POST \/items: max<1us: got /m.test(r.stdout), r.stdout);
    assert(/^PASS GET \/items\/:id: success_rate==100%/m.test(r.stdout), r.stdout);
  });
});

Deno.test("--data rows dealt unique are each used once across two load threads: the target sees each user log in once, and the run ends when they are used up", async () => {
  await withTarget(async (url, stats) => {
    const users = Array.from({ length: 30 }, (_, i) => `ann${i}`);
    const dir = await scenarioDir({
      "users.csv": `user,password\n${users.map((u) => `${u},salvo`).join("\n")}\n`,
      "login.ts":
        `export default async (u: { post: Function; data: { user: string; password: string } }) => {
  await u.post("/login", { json: { user: u.data.user, password: u.data.password } });
};
`,
    });
    try {
      const { code, json } = await runJson([
        `${dir}/login.ts`,
        "--base-url",
        url,
        "--data",
        `${dir}/users.csv`,
        "-c",
        "4",
        "-t",
        "2",
        "-d",
        "20s",
      ]);
      assertEquals(code, 0);
      const seen = await stats();
      assertEquals([seen.users, seen.repeat_logins], [30, 0]);
      assertEquals(json.scenario.iterations.count, 30);
      assertEquals(json.scenario.data_exhausted, true);
      assert(json.duration_s < 10, `the run went on after its rows: ${json.duration_s} s`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("cookies are kept per user across its iterations by default, and cleared per iteration with options.cookies = 'iteration'", async () => {
  await withTarget(async (url) => {
    const flow = (mode: string) =>
      `export const options = { cookies: "${mode}" };
export default async (u) => {
  if (u.iteration === 0) await u.post("/login", { json: { user: "cookie" + u.index, password: "salvo" } });
  const r = await u.get("/items");
  u.check("items by cookie", r.status === 200);
};
`;
    const dir = await scenarioDir({ "user.js": flow("user"), "iteration.js": flow("iteration") });
    try {
      const rate = async (file: string) =>
        (await runJson([`${dir}/${file}`, "--base-url", url, "-c", "2", "-n", "20", "-t", "1"]))
          .json.scenario.checks[0];
      const kept = await rate("user.js");
      assertEquals([kept.passed, kept.failed], [20, 0]);
      // Only each user's first iteration logged in: the 18 others had no cookie left.
      const cleared = await rate("iteration.js");
      assertEquals([cleared.passed, cleared.failed], [2, 18]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("setup() runs once before any request and every user gets what it returned; teardown() runs once after the load", async () => {
  await withTarget(async (url, stats) => {
    const dir = await scenarioDir({
      "setup.js": `export const setup = async () => {
  await fetch("${url}/setup");
  return { user: "from-setup" };
};
export default async (u) => {
  await u.post("/login", { name: "login", json: { user: u.setup.user, password: "salvo" } });
};
export const teardown = async (data) => {
  await fetch("${url}/teardown/" + data.user);
};
`,
    });
    try {
      const { code, json } = await runJson([
        `${dir}/setup.js`,
        "--base-url",
        url,
        "-n",
        "10",
        "-c",
        "2",
      ]);
      assertEquals(code, 0);
      const seen = await stats();
      assertEquals(stepOf(json, "login").requests, 10);
      // The 10 logins, and setup's and teardown's own requests.
      assertEquals(seen.requests, 12);
      assertEquals([seen.users, seen.repeat_logins], [1, 9]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("salvo merge adds scenario runs' steps, iterations and checks exactly, and judges a step's threshold; salvo report of their results streams (a line per request, and --interval records) shows and judges each step", async () => {
  await withTarget(async (url, stats) => {
    const dir = await Deno.makeTempDir({ prefix: "salvo-scenario-merge-" });
    try {
      // Run b records windows (each step's apart, by_target), run a a line per request.
      const runs = await Promise.all(
        [["a"], ["b", "--interval", "300ms"]].map(([name, ...more]) =>
          runJson([
            ...shortFlow(url),
            "--out",
            `${dir}/${name}.json`,
            "--results",
            `${dir}/${name}.ndjson`,
            ...more,
          ])
        ),
      );
      const seen = await stats();
      const sum = (f: (j: Json) => number) => runs.reduce((t, r) => t + f(r.json), 0);
      const merged = await salvo([
        "merge",
        `${dir}/a.json`,
        `${dir}/b.json`,
        "-o",
        "json",
        "--threshold",
        "GET /items/:id: requests>=1",
      ]);
      assertEquals(merged.code, 0, merged.stderr);
      const m = JSON.parse(merged.stdout);
      for (const route of ["POST /login", "GET /items", "POST /items", "GET /items/:id"]) {
        assertEquals(stepOf(m, route).requests, seen.routes[route], route);
      }
      assertEquals(m.scenario.iterations.count, sum((j) => j.scenario.iterations.count));
      assertEquals(
        m.scenario.checks.find((c: Json) => c.name === "created").passed,
        sum((j) => j.scenario.checks.find((c: Json) => c.name === "created").passed),
      );
      assertEquals(m.thresholds[0].passed, true);
      const windows = (await Deno.readTextFile(`${dir}/b.ndjson`)).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      assert(windows.length >= 2 && windows.every((w) => w.type === "interval" && w.by_target));
      const report = await salvo([
        "report",
        `${dir}/a.ndjson`,
        `${dir}/b.ndjson`,
        "--threshold",
        "POST /items: requests>=1",
        "--threshold",
        "POST /nothing: requests>=1",
      ]);
      assertEquals(report.code, 1);
      assert(/^PASS POST \/items: requests>=1: got \d+/m.test(report.stdout), report.stdout);
      assert(/^FAIL POST \/nothing: requests>=1: the run has no step/m.test(report.stdout));
      const row = new RegExp(
        `^\\s+GET /items/:id\\s+${seen.routes["GET /items/:id"]}\\s+0\\s`,
        "m",
      );
      assert(row.test(report.stdout), report.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("the HTML report of a scenario shows its iterations, its checks, a row per step and each step's latency by percentile", async () => {
  await withTarget(async (url) => {
    const dir = await Deno.makeTempDir({ prefix: "salvo-scenario-html-" });
    try {
      const { code, json } = await runJson([
        ...shortFlow(url),
        "--html",
        `${dir}/r.html`,
      ]);
      assertEquals(code, 0);
      const html = await Deno.readTextFile(`${dir}/r.html`);
      assert(html.includes(`${json.scenario.iterations.count} iterations`), "iterations");
      assert(html.includes("<h2>Checks</h2>") && html.includes("<th>read back my item</th>"));
      assert(html.includes("<h2>By step</h2>"));
      for (const step of json.scenario.steps) {
        assert(html.includes(`<th>${step.name}</th><td>${step.requests}</td>`), step.name);
      }
      // The percentile plot: the whole run's line, then one per step.
      const plot = html.slice(html.indexOf('id="percentiles"'));
      for (const name of ["all steps", "GET /items/:id", "POST /login"]) {
        assert(plot.includes(`>${name}</text>`), name);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
