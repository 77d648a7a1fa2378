// Whole output files in a temporary directory: a new file, a missing directory, symlink chains, a FIFO written in place, a directory refused, a replaced file's mode kept.
import { Effect, Either } from "effect";
import * as AtomicFile from "../../src/io/atomic_file.ts";
import { assert, assertEquals } from "../assert.ts";

/** The message `check` or `write` failed with, or undefined when it succeeded. */
const failed = async (e: Effect.Effect<void, { message: string }>) => {
  const r = await Effect.runPromise(Effect.either(e));
  return Either.isLeft(r) ? r.left.message : undefined;
};

const inTemp = async (f: (dir: string) => Promise<void>) => {
  const dir = await Deno.makeTempDir({ prefix: "salvo-atomic-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

Deno.test("a path that does not exist yet passes the check and is written whole, nothing else left in its directory", () =>
  inTemp(async (dir) => {
    const p = `${dir}/out.json`;
    assertEquals(await failed(AtomicFile.check("--out", p)), undefined);
    assertEquals(await failed(AtomicFile.write("--out", p, "{}\n")), undefined);
    assertEquals(await Deno.readTextFile(p), "{}\n");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["out.json"]);
  }));

Deno.test("a missing directory, a path through a file and a directory are refused, each with its reason", () =>
  inTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "x");
    await Deno.mkdir(`${dir}/sub`);
    assertEquals(
      await failed(AtomicFile.check("--out", `${dir}/missing/out.json`)),
      `--out: cannot write '${dir}/missing/out.json': the directory '${dir}/missing' does not exist`,
    );
    assertEquals(
      await failed(AtomicFile.check("--junit", `${dir}/file/out.xml`)),
      `--junit: cannot write '${dir}/file/out.xml': '${dir}/file' is not a directory`,
    );
    assertEquals(
      await failed(AtomicFile.write("--html", `${dir}/sub`, "x")),
      `--html: cannot write '${dir}/sub': it is a directory`,
    );
  }));

Deno.test("a chain of 39 symlinks is followed and its file replaced, the links kept; one of 40 is refused", () =>
  inTemp(async (dir) => {
    const chain = async (name: string, links: number) => {
      await Deno.writeTextFile(`${dir}/${name}0`, "old");
      for (let i = 1; i <= links; i++) await Deno.symlink(`${name}${i - 1}`, `${dir}/${name}${i}`);
      return `${dir}/${name}${links}`;
    };
    const short = await chain("a", 39);
    assertEquals(await failed(AtomicFile.write("--out", short, "new")), undefined);
    assertEquals([await Deno.readTextFile(`${dir}/a0`), Deno.lstatSync(short).isSymlink], [
      "new",
      true,
    ]);
    const long = await chain("b", 40);
    assertEquals(
      await failed(AtomicFile.check("--out", long)),
      `--out: cannot write '${long}': too many levels of symbolic links`,
    );
  }));

Deno.test("a FIFO is written in place: the reader gets the text and the FIFO stays", () =>
  inTemp(async (dir) => {
    const fifo = `${dir}/pipe`;
    assert((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success, "mkfifo");
    assertEquals(await failed(AtomicFile.check("--out", fifo)), undefined);
    const read = Deno.readTextFile(fifo);
    assertEquals(await failed(AtomicFile.write("--out", fifo, "through the pipe")), undefined);
    assertEquals(await read, "through the pipe");
    assertEquals(Deno.lstatSync(fifo).isFifo, true);
  }));

Deno.test("a replaced file keeps its permission bits", () =>
  inTemp(async (dir) => {
    const p = `${dir}/report.html`;
    await Deno.writeTextFile(p, "old");
    await Deno.chmod(p, 0o604);
    assertEquals(await failed(AtomicFile.write("--html", p, "new")), undefined);
    assertEquals([await Deno.readTextFile(p), (Deno.statSync(p).mode ?? 0) & 0o777], [
      "new",
      0o604,
    ]);
  }));
