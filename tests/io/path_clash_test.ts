// Outputs that would destroy each other or an input are refused, whatever spelling or link names the file.
import { clash, type NamedPath } from "../../src/io/path_clash.ts";
import { assertEquals } from "../assert.ts";

const out = (flag: string, path: string | undefined): NamedPath => ({ flag, path, role: "output" });
const inp = (flag: string, path: string | undefined): NamedPath => ({ flag, path, role: "input" });

Deno.test("path clash: two outputs, or an output and an input, naming one file are refused with the flags named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.json`, "{}");
    await Deno.symlink(`${dir}/a.json`, `${dir}/link.json`);
    assertEquals(
      clash([out("--out", `${dir}/a.json`), out("--junit", `${dir}/link.json`)]),
      `--out and --junit name the same file (${dir}/link.json): give each output its own file`,
    );
    // Not there yet: the same path spelled two ways through the directory.
    assertEquals(
      clash([out("--out", `${dir}/new.json`), out("--html", `${dir}/./new.json`)]),
      `--out and --html name the same file (${dir}/./new.json): give each output its own file`,
    );
    assertEquals(
      clash([inp("--targets", `${dir}/a.json`), out("--results", `${dir}/link.json`)]),
      `--results would overwrite --targets (${dir}/link.json), which salvo reads: write the output elsewhere`,
    );
    assertEquals(
      clash([out("--results", `${dir}/a.json`), inp("--body-file", `${dir}/a.json`)]),
      `--results would overwrite --body-file (${dir}/a.json), which salvo reads: write the output elsewhere`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("path clash: distinct files, two inputs of one file, '-' and absent paths pass; an empty path is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a`, "");
    assertEquals(clash([out("--out", `${dir}/a`), out("--junit", `${dir}/b`)]), undefined);
    assertEquals(clash([inp("--targets", `${dir}/a`), inp("--body-file", `${dir}/a`)]), undefined);
    assertEquals(
      clash([out("--out", "-"), out("--results", "-"), out("--html", undefined)]),
      undefined,
    );
    assertEquals(
      clash([out("--out", `${dir}/a`), out("--junit", "")]),
      "--junit: an empty path names no file",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
