// A scenario's faults: what an iteration throws is counted as data and the run goes on; a module that cannot run is refused before any request, in one line naming file:line:col.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, runJson, salvo, scenarioDir } from "./support.ts";

const files = {
  "thrown.js": `export default async (u) => {
  await u.get("/");
  if (u.iteration % 2 === 1) throw new Error("boom Bearer abc123secret");
  if (u.iteration % 5 === 4) Promise.reject(new Error("floating"));
};
`,
  "rejects.js":
    `export default (u) => u.get("/").then(() => Promise.reject(new Error("rejected promise")));
`,
  "syntax.ts": `export default async () => {
  const x: number = ;
};
`,
  "no_default.js": `export const options = { requests: 3 };
`,
  "setup_fails.js": `export const setup = () => {
  throw new Error("no password=hunter2 for you");
};
export default async (u) => { await u.get("/"); };
`,
  "busy.js": `export default async (u) => {
  await u.get("/");
  for (;;) {}
};
`,
  "imports_missing.ts": `import { helper } from "./lib/missing.ts";
export default async () => helper();
`,
  "plain.js": `export default async (u) => { await u.get("/"); };
`,
  "bad.csv": "user,password\nann,salvo\nbob\n",
};

const withDir = async (fn: (dir: string) => Promise<void>) => {
  const dir = await scenarioDir(files);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

Deno.test("an iteration that throws is counted as a script error with its message (credentials masked) and file:line, and the user goes on; a promise left rejected is counted too", async () => {
  const server = countingServer();
  await withDir(async (dir) => {
    try {
      const { code, json, stderr } = await runJson([
        `${dir}/thrown.js`,
        "--base-url",
        server.url,
        "-n",
        "100",
        "-c",
        "1",
      ]);
      assertEquals(code, 0);
      const it = json.scenario.iterations;
      // Iterations 1, 3, 5 … threw: half of them; every one sent its request first.
      assertEquals([it.count, it.script_errors], [100, 50]);
      assertEquals(json.requests, 100);
      assertEquals(server.count(), 100);
      // Iterations 4, 14, 24 … (the even ones of 4, 9, 14 …) left a rejected promise behind.
      assertEquals(it.unawaited_rejections, 10);
      assert(
        /^boom Bearer \*\*\*\* \(.*thrown\.js:3:\d+\)$/.test(it.script_error),
        it.script_error,
      );
      assert(!JSON.stringify(json).includes("abc123secret") && !stderr.includes("abc123secret"));
    } finally {
      await server.stop();
    }
  });
});

Deno.test("an iteration that returns a rejected promise is a script error, counted", async () => {
  const server = countingServer();
  await withDir(async (dir) => {
    try {
      const { code, json } = await runJson([
        `${dir}/rejects.js`,
        "--base-url",
        server.url,
        "-n",
        "20",
        "-c",
        "2",
      ]);
      assertEquals(code, 0);
      assertEquals([json.scenario.iterations.count, json.scenario.iterations.script_errors], [
        20,
        20,
      ]);
      assert(json.scenario.iterations.script_error.startsWith("rejected promise"));
    } finally {
      await server.stop();
    }
  });
});

Deno.test("a module that cannot run is refused before any request, with exit 2 and one line naming where: a syntax error, no default export, a failing setup(), a missing import, a missing file, a bad --data file", async () => {
  const server = countingServer();
  await withDir(async (dir) => {
    try {
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
        [[`${dir}/syntax.ts`], /syntax\.ts:2:21: Expression expected$/],
        [
          [`${dir}/no_default.js`],
          /no_default\.js: a scenario's default export must be a function/,
        ],
        [
          [`${dir}/setup_fails.js`],
          /setup_fails\.js: setup\(\) failed: no password=\*\*\*\* for you \(.*setup_fails\.js:2:9\)$/,
        ],
        [
          [`${dir}/imports_missing.ts`],
          /imports_missing\.ts:1:24: Module not found '.*lib\/missing\.ts'/,
        ],
        [[`${dir}/nothere.ts`], /nothere\.ts: no such file$/],
        [
          [`${dir}/plain.js`, "--data", `${dir}/bad.csv`],
          /--data .*bad\.csv:3: 1 fields where the header has 2$/,
        ],
      ];
      // Each is its own process: run together.
      const runs = await Promise.all(
        cases.map(([args]) => salvo(["run", ...args, "--base-url", server.url, "-n", "5", "-q"])),
      );
      runs.forEach((r, i) => {
        const [args, message] = cases[i]!;
        assertEquals(r.code, 2, args[0]);
        const lines = r.stderr.trimEnd().split("\n");
        assertEquals(lines.length, 1, r.stderr);
        assert(message.test(lines[0]!), lines[0]);
        assert(!r.stderr.includes("hunter2"));
      });
      assertEquals(server.count(), 0);
    } finally {
      await server.stop();
    }
  });
});

Deno.test("a scenario that never awaits again is stopped by the watchdog with one line saying so, not a hang", async () => {
  const server = countingServer();
  await withDir(async (dir) => {
    try {
      const t0 = performance.now();
      const r = await salvo([
        "run",
        `${dir}/busy.js`,
        "--base-url",
        server.url,
        "-d",
        "60s",
        "-c",
        "2",
        "-q",
      ], {
        killAfterMs: 30_000,
      });
      assertEquals(r.code, 3);
      assert(performance.now() - t0 < 25_000);
      const lines = r.stderr.trimEnd().split("\n");
      assert(
        lines.some((l) =>
          /stopped answering .*without awaiting \(a loop with no await\?\)/.test(l)
        ),
        r.stderr,
      );
    } finally {
      await server.stop();
    }
  });
});
