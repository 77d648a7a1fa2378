// Outputs that cannot lie: a failed write stops the run and exits 3, output paths are checked before
// the first request, and links, FIFOs and devices are written through, never replaced.
import { assert, assertEquals } from "../assert.ts";
import { countingServer, entry, salvo } from "./support.ts";

const root = new URL("../../", import.meta.url);

/** A character device like /dev/full (1, 7), made inside `dir`: writes to it fail with ENOSPC. */
const fullDevice = async (dir: string): Promise<string | undefined> => {
  const path = `${dir}/full`;
  const made = await new Deno.Command("mknod", { args: [path, "c", "1", "7"] }).output()
    .catch(() => undefined);
  return made?.success ? path : undefined;
};

const mkfifo = async (path: string) => {
  const r = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert(r.success, "mkfifo failed");
};

/**
 * Reads a FIFO to its end in a child process, so salvo's open for writing does not block. `text()`
 * gives up after `ms` once asked (a FIFO replaced by a file never sees a writer: the reader would wait
 * forever).
 */
const readFifo = (path: string) => {
  const child = new Deno.Command("cat", { args: [path], stdout: "piped" }).spawn();
  const out = new Response(child.stdout).text();
  return {
    text: async (ms = 3000): Promise<string> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill();
          reject(new Error(`nothing was written to ${path}`));
        }, ms);
      });
      try {
        return await Promise.race([out, late]);
      } finally {
        clearTimeout(timer);
        await child.status;
      }
    },
  };
};

for (const threads of ["1", "2"]) {
  Deno.test(`a results file that fills up stops the run (-t ${threads}): exit 3, the cause on stderr, thresholds not judged`, async () => {
    const server = countingServer();
    const dir = await Deno.makeTempDir();
    try {
      const full = await fullDevice(dir);
      if (full === undefined) throw new Error("mknod is needed for this test (run as root)");
      const started = performance.now();
      const r = await salvo([
        "run",
        server.url,
        ...["-c", "4", "-t", threads, "-d", "5s", "-q", "--results", full],
        ...["--threshold", "p99<50ms"],
      ]);
      assertEquals(r.code, 3, r.stdout + r.stderr);
      assert(performance.now() - started < 4000, "the run went on after the write failed");
      assert(
        r.stderr.includes(`--results: cannot write '${full}': No space left on device`),
        r.stderr,
      );
      assert(r.stderr.includes("the stream is incomplete"), r.stderr);
      assert(!r.stdout.includes("PASS"), r.stdout);
      assert(r.stdout.includes("NOT JUDGED"), r.stdout);
      assert(r.stdout.includes("stopped: output failed"), r.stdout);
      assert(Deno.lstatSync(full).isCharDevice, "the device was replaced");
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("--results - into a pipe whose reader left (| head -1): exit 3, the cause on stderr, no PASS", async () => {
  const server = countingServer();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", entry, "run", server.url, "-d", "3s", "--results", "-"],
      cwd: root,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert(!first.done && first.value.length > 0, "no line before the reader left");
    await reader.cancel();
    const started = performance.now();
    const [status, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
    ]);
    assertEquals(status.code, 3, stderr);
    assert(performance.now() - started < 2500, "the run went on after the pipe closed");
    assert(stderr.includes("--results: cannot write stdout: the reader closed the pipe"), stderr);
    assert(!stderr.includes("PASS"), stderr);
  } finally {
    await server.stop();
  }
});

Deno.test("a FIFO as --out and --results is written through and stays a FIFO", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/out.fifo`, results = `${dir}/results.fifo`;
    await mkfifo(out);
    await mkfifo(results);
    const outReader = readFifo(out), resultsReader = readFifo(results);
    const r = await salvo([
      "run",
      server.url,
      ...["-n", "20", "-c", "2", "-q", "--out", out, "--results", results],
    ]);
    const [outText, resultsText] = [await outReader.text(), await resultsReader.text()];
    assertEquals(r.code, 0, r.stderr);
    assertEquals(JSON.parse(outText).requests, 20);
    assertEquals(resultsText.trimEnd().split("\n").length, 20);
    assert(Deno.lstatSync(out).isFifo && Deno.lstatSync(results).isFifo, "a FIFO was replaced");
    assertEquals(server.count(), 20);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a symlink as --out and --junit: its target is replaced atomically, the link is kept", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/reports`);
    await Deno.writeTextFile(`${dir}/reports/summary.json`, "old");
    await Deno.writeTextFile(`${dir}/reports/junit.xml`, "old");
    await Deno.symlink("reports/summary.json", `${dir}/out.json`);
    await Deno.symlink(`${dir}/reports/junit.xml`, `${dir}/junit.xml`);
    const before = Deno.statSync(`${dir}/reports/summary.json`).ino;
    const r = await salvo([
      "run",
      server.url,
      ...["-n", "10", "-q", "--threshold", "requests>=10"],
      ...["--out", `${dir}/out.json`, "--junit", `${dir}/junit.xml`],
    ]);
    assertEquals(r.code, 0, r.stderr);
    for (
      const [link, target] of [["out.json", "reports/summary.json"], [
        "junit.xml",
        `${dir}/reports/junit.xml`,
      ]]
    ) {
      assert(Deno.lstatSync(`${dir}/${link}`).isSymlink, `${link} is no longer a link`);
      assertEquals(Deno.readLinkSync(`${dir}/${link}`), target);
    }
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/reports/summary.json`)).requests, 10);
    assert((await Deno.readTextFile(`${dir}/reports/junit.xml`)).startsWith("<?xml"), "junit");
    // A new inode: written beside the target and renamed over it, never half-written in place.
    assert(Deno.statSync(`${dir}/reports/summary.json`).ino !== before, "not replaced atomically");
    assertEquals([...Deno.readDirSync(`${dir}/reports`)].length, 2, "a temporary file was left");
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--out, --junit and --html that replace a file keep its permission bits; a new file gets the usual ones", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    const modes = { "out.json": 0o640, "junit.xml": 0o664, "report.html": 0o604 };
    for (const [name, mode] of Object.entries(modes)) {
      await Deno.writeTextFile(`${dir}/${name}`, "old");
      await Deno.chmod(`${dir}/${name}`, mode);
    }
    const flags = ["--out", "out.json", "--junit", "junit.xml", "--html", "report.html"];
    const r = await salvo([
      "run",
      server.url,
      ...["-n", "10", "-q"],
      ...flags.map((f, i) => i % 2 === 1 ? `${dir}/${f}` : f),
    ]);
    assertEquals(r.code, 0, r.stderr);
    const fresh = await salvo(["run", server.url, "-n", "1", "-q", "--out", `${dir}/new-out.json`]);
    assertEquals(fresh.code, 0, fresh.stderr);
    for (const [name, mode] of Object.entries(modes)) {
      assertEquals((Deno.statSync(`${dir}/${name}`).mode ?? 0) & 0o777, mode, name);
      assert((await Deno.readTextFile(`${dir}/${name}`)) !== "old", `${name} was not replaced`);
    }
    // A new file: what creating it would give (0o666 less the umask), never a leftover temp mode.
    const umask = Deno.umask();
    assertEquals((Deno.statSync(`${dir}/new-out.json`).mode ?? 0) & 0o777, 0o666 & ~umask);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--out and --junit that cannot be written are refused before the first request, within 0.5 s of start-up", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    const t0 = performance.now();
    // Start-up as `run` pays it: the whole CLI loaded, the flags resolved, then a usage error.
    assertEquals((await salvo(["run", server.url, "-c", "0"])).code, 2);
    const startUp = performance.now() - t0;
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ["--out", `${dir}/missing/x.json`, "does not exist"],
      ["--junit", `${dir}/file/j.xml`, "is not a directory"],
      ["--out", dir, "it is a directory"],
    ];
    for (const [flag, path, why] of cases) {
      const t = performance.now();
      const r = await salvo(["run", server.url, "-d", "3s", "-q", flag, path]);
      const took = performance.now() - t;
      assertEquals(r.code, 3, `${flag} ${path}: ${r.stderr}`);
      assert(r.stderr.startsWith(`salvo: ${flag}: cannot write '${path}'`), r.stderr);
      assert(r.stderr.includes(why), r.stderr);
      assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert(took - startUp < 500, `${flag}: refused after ${took} ms (start-up ${startUp} ms)`);
    }
    assertEquals(server.count(), 0, "a request was sent");
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an output that is another output or an input is refused before any request, each file left as it was", async () => {
  const server = countingServer();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/t.txt`, `GET ${server.url}/\n`);
    await Deno.writeTextFile(`${dir}/b.json`, `{"a":1}`);
    await Deno.symlink(`${dir}/b.json`, `${dir}/link.json`);
    const refused = async (args: ReadonlyArray<string>, says: RegExp) => {
      const r = await salvo(args);
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert(says.test(r.stderr), r.stderr);
      assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    };
    const url = `${server.url}/`;
    await refused(
      ["run", url, "-n", "5", "--out", `${dir}/same.json`, "--html", `${dir}/same.json`],
      /--out and --html name the same file/,
    );
    await refused(
      [
        "run",
        url,
        "-n",
        "5",
        "--results",
        `${dir}/r.ndjson`,
        "--out",
        `${dir}/../${dir.split("/").pop()}/r.ndjson`,
      ],
      /--results and --out name the same file/,
    );
    await refused(
      ["run", "--targets", `${dir}/t.txt`, "-n", "5", "--results", `${dir}/t.txt`],
      /--results would overwrite --targets/,
    );
    // A link to the body file is the body file.
    await refused(
      [
        "run",
        url,
        "-X",
        "POST",
        "--body-file",
        `${dir}/b.json`,
        "-n",
        "5",
        "--junit",
        `${dir}/link.json`,
      ],
      /--junit would overwrite --body-file/,
    );
    await refused(
      ["report", `${dir}/t.txt`, "--html", `${dir}/t.txt`],
      /--html would overwrite the results file/,
    );
    await refused(
      ["knee", url, "--slo", "p99<50ms", "--results", `${dir}/k`, "--html", `${dir}/k`],
      /--results and --html name the same file/,
    );
    assertEquals(server.count(), 0);
    assertEquals(await Deno.readTextFile(`${dir}/t.txt`), `GET ${server.url}/\n`);
    assertEquals(await Deno.readTextFile(`${dir}/b.json`), `{"a":1}`);
    // Outputs of their own are written as before.
    const ok = await salvo(
      ["run", url, "-n", "5", "-q", "--out", `${dir}/a.json`, "--results", `${dir}/a.ndjson`],
    );
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals(server.count(), 5);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
