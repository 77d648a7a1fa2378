// Fuzz the CLI with arbitrary argv: it exits 0, 1 or 2 only, with one stderr line for 2 and never a stack trace.
// In-process for 1,000 cases (every run targets a closed loopback port, one request at most), and a
// few spawned processes to check the real entry point too.
import { Effect } from "effect";
import fc from "fast-check";
import { main } from "../../src/cli/app.ts";
import { platform } from "../../src/run_main.ts";
import { assert } from "../assert.ts";
import { closedPort, salvo } from "./support.ts";

const target = `http://127.0.0.1:${closedPort()}/`;

/** Flags that cannot make a run long or send elsewhere; time and count flags are fixed at the end. */
const token = fc.oneof(
  fc.constantFrom(
    "-c",
    "--concurrency",
    "-X",
    "--method",
    "-H",
    "--header",
    "--body",
    "-o",
    "--output",
    "-q",
    "--quiet",
    "--threshold",
    "--success-status",
    "--insecure",
    "--abort-on-fail",
    "--max-in-flight",
    "--help",
    "--version",
    "--frobnicate",
    "-Z",
    "json",
    "text",
    "1",
    "0",
    "-1",
    "GET",
    "p99<1s",
    "200-299",
  ),
  fc.string({ maxLength: 12 }),
);
const argv = fc.array(token, { maxLength: 8 }).map((
  ts,
) => ["run", ...ts, target, "-n", "1", "--timeout", "200ms"]);

const runInProcess = async (args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error, info, warn } = console;
  console.log = (...a: unknown[]) => out.push(a.map(String).join(" "));
  console.info = console.log;
  console.error = (...a: unknown[]) => err.push(a.map(String).join(" "));
  console.warn = console.error;
  try {
    const code = await Effect.runPromise(main(args).pipe(Effect.provide(platform)));
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    Object.assign(console, { log, error, info, warn });
  }
};

const check = (r: { code: number; stderr: string }, args: string[]) => {
  const shown = JSON.stringify(args);
  assert([0, 1, 2].includes(r.code), `exit ${r.code} for ${shown}`);
  assert(!/\n\s+at /.test(r.stderr), `stack trace for ${shown}: ${r.stderr}`);
  if (r.code === 2) {
    const lines = r.stderr.trimEnd().split("\n");
    assert(lines.length === 1 && lines[0]!.length > 0, `not one line for ${shown}: ${r.stderr}`);
  }
};

Deno.test("arbitrary argv, in-process: exit 0, 1 or 2, one stderr line for 2, no stack trace", async () => {
  await fc.assert(
    fc.asyncProperty(argv, async (args) => check(await runInProcess(args), args)),
    { numRuns: 1000 },
  );
});

Deno.test("arbitrary argv, as a process: exit 0, 1 or 2, one stderr line for 2, no stack trace", async () => {
  await fc.assert(
    fc.asyncProperty(argv, async (args) => check(await salvo(args), args)),
    { numRuns: 15 },
  );
});
