// End-to-end: bad input gets one clear line on stderr and exit code 2, never a stack trace.
import { assert, assertEquals } from "../assert.ts";
import { salvo } from "./support.ts";

const badInput: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
  [
    "an unknown flag",
    ["run", "http://127.0.0.1:9/", "--frobnicate"],
    /unknown argument: '--frobnicate'/,
  ],
  ["a malformed URL", ["run", "not-a-url"], /'not-a-url' is not a usable URL/],
  ["a URL with another scheme", ["run", "ftp://127.0.0.1/"], /must start with http/],
  [
    "a bad duration",
    ["run", "http://127.0.0.1:9/", "-d", "3parsecs"],
    /--duration: '3parsecs' is not a duration/,
  ],
  ["a duration without unit", ["run", "http://127.0.0.1:9/", "-d", "3"], /--duration: '3'/],
  [
    "a negative count",
    ["run", "http://127.0.0.1:9/", "-n", "-5"],
    /--requests: '-5' must be a whole number/,
  ],
  ["zero workers", ["run", "http://127.0.0.1:9/", "-c", "0"], /--concurrency: '0'/],
  ["a missing URL", ["run"], /missing a URL/],
  ["an unknown command", ["bogus"], /Invalid subcommand/],
  ["a bad header", ["run", "http://127.0.0.1:9/", "-H", "nocolon"], /--header: 'nocolon'/],
  [
    "an unreadable body file",
    ["run", "http://127.0.0.1:9/", "--body-file", "/nonexistent/x"],
    /--body-file: cannot read/,
  ],
  [
    "a bad success range",
    ["run", "http://127.0.0.1:9/", "--success-status", "200-1"],
    /--success-status/,
  ],
  ["a bad output format", ["run", "http://127.0.0.1:9/", "-o", "yaml"], /text, json/],
];

for (const [what, args, message] of badInput) {
  Deno.test(`${what} exits 2 with one line on stderr`, async () => {
    const r = await salvo(args);
    assertEquals(r.code, 2, `stderr: ${r.stderr}`);
    assertEquals(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, `stderr: ${r.stderr}`);
    assert(message.test(lines[0]!), `stderr: ${r.stderr}`);
    assert(!/\n\s+at /.test(r.stderr), "stack trace on stderr");
  });
}

Deno.test("--version prints the version", async () => {
  const r = await salvo(["--version"]);
  assertEquals(r.code, 0);
  assert(/\d+\.\d+\.\d+/.test(r.stdout), r.stdout);
});

Deno.test("run --help shows examples and exit codes", async () => {
  const r = await salvo(["run", "--help"]);
  assertEquals(r.code, 0);
  assert(
    r.stdout.includes("salvo run http://127.0.0.1:8080/health -c 8 -d 3s --delay 5ms"),
    r.stdout,
  );
  assert(r.stdout.includes("Exit codes"), r.stdout);
});

Deno.test("more workers than the open-file limit allows fails up front, naming the limit and the need", async () => {
  if (Deno.build.os !== "linux") return;
  const out = await new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -n 256 && exec "${Deno.execPath()}" run -A src/main.ts run http://127.0.0.1:9/ -c 500 -d 1s`,
    ],
    cwd: new URL("../../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 2, stderr);
  assertEquals(
    stderr.trim(),
    "salvo: -c 500 needs about 532 open files, but the limit is 256 (ulimit -n); raise it with 'ulimit -n 532' or lower -c",
  );
});
