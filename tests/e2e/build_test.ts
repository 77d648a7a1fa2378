// The single-file bundle is the compiled binary's payload: same entry, same permissions, baked-in commit.
import { assert } from "../assert.ts";
import { permissions } from "../../scripts/build.ts";

const root = new URL("../../", import.meta.url);

Deno.test("the bundle, run with the binary's permissions, answers --version with version, commit and Deno", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bundle = `${dir}/salvo.js`;
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/build.ts", "bundle", bundle],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(build.success, new TextDecoder().decode(build.stderr));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...permissions, bundle, "--version"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert(out.success, new TextDecoder().decode(out.stderr));
    const pkg = JSON.parse(await Deno.readTextFile(new URL("package.json", root)));
    const line = new RegExp(
      `^${pkg.version.replaceAll(".", "\\.")} \\(commit ([0-9a-f]{7,}|unknown), deno ${
        Deno.version.deno.replaceAll(".", "\\.")
      }\\)$`,
    );
    assert(line.test(text.trim()), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
