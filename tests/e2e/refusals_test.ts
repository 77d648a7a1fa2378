// Input that could only make a false or stuck run is refused up front: one line on stderr, exit 2,
// nothing sent. (Request framing, empty paths, thresholds that can never pass, help for no command.)
import { assert, assertEquals } from "../assert.ts";
import { countingServer, salvo } from "./support.ts";

const refused = async (args: ReadonlyArray<string>, says: RegExp) => {
  const r = await salvo(args);
  assertEquals(r.code, 2, `${args.join(" ")}\n${r.stdout}${r.stderr}`);
  assert(says.test(r.stderr), r.stderr);
  assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert(!/\n\s+at /.test(r.stderr), r.stderr);
};

Deno.test("headers that would leave a request unframed or ambiguous are refused, on the command line and in --targets", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const url = `${server.url}/`;
    // Each of these once made every request wait for its timeout, or sent Host twice.
    await refused(
      ["run", url, "-n", "5", "-H", "Content-Length: 5"],
      /Content-Length '5' is not the body's 0 bytes/,
    );
    await refused(
      ["run", url, "-n", "5", "-X", "POST", "--body", "abc", "-H", "Transfer-Encoding: chunked"],
      /never chunked: drop the Transfer-Encoding header/,
    );
    await refused(
      ["run", url, "-n", "5", "-H", "Host: a", "-H", "host: b"],
      /Host is given more than once/,
    );
    await Deno.writeTextFile(`${dir}/t.txt`, `GET ${url}ok\n\nPOST ${url}x\nContent-Length: 9\n`);
    await refused(
      ["run", "--targets", `${dir}/t.txt`, "-n", "5", "--body", "abc"],
      /--targets: target 2 \(POST .*\/x\): Content-Length '9' is not the body's 3 bytes/,
    );
    // A Content-Length that is the body's own is sent as given.
    const ok = await salvo([
      "run",
      url,
      "-n",
      "5",
      "-X",
      "POST",
      "--body",
      "abc",
      "-H",
      "Content-Length: 3",
      "-q",
    ]);
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals(server.count(), 5);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an empty output path is refused before any request", async () => {
  const server = countingServer();
  try {
    for (const flag of ["--out", "--html", "--junit", "--results"]) {
      await refused(
        ["run", `${server.url}/`, "-n", "5", flag, ""],
        new RegExp(`${flag}: an empty path names no file`),
      );
    }
    assertEquals(server.count(), 0);
  } finally {
    await server.stop();
  }
});

Deno.test("a threshold that can never pass is refused before any request", async () => {
  const server = countingServer();
  try {
    for (
      const [t, why] of [
        ["p99<-1ms", /p99 is at least 0/],
        ["p99<0ms", /p99 is at least 0/],
        ["success_rate>=101%", /success_rate is between 0% and 100%/],
        ["error_rate<0%", /error_rate is between 0% and 100%/],
        ["requests<0", /requests is at least 0/],
      ] as const
    ) {
      await refused(
        ["run", `${server.url}/`, "-n", "5", "--threshold", t],
        new RegExp(
          `'${t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}': it can never pass: ${why.source}`,
        ),
      );
    }
    assertEquals(server.count(), 0);
    // At the edge, still possible: 100 % success, a p99 of at most 0 is not refused.
    const edge = await salvo([
      "run",
      `${server.url}/`,
      "-n",
      "5",
      "-q",
      "--threshold",
      "success_rate>=100%",
    ]);
    assertEquals(edge.code, 0, edge.stderr);
  } finally {
    await server.stop();
  }
});

Deno.test("salvo help for no command exits 2 with one line and a suggestion; help for a command exits 0", async () => {
  await refused(
    ["help", "foo"],
    /no help for 'foo': the commands are run, knee, report, merge, compare, serve/,
  );
  await refused(["help", "rnu"], /no help for 'rnu': did you mean 'run'\?/);
  const ok = await salvo(["help", "run"]);
  assertEquals(ok.code, 0);
  assert(ok.stdout.startsWith("Usage: salvo run URL"), ok.stdout);
});
