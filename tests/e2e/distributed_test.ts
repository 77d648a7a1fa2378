// The Kubernetes example's own command lines, run as local processes: copies at once, then the merge.
// (No container engine or cluster runs here; the manifests' args are what is tested.)
import { assert, assertEquals } from "../assert.ts";
import { countingServer, salvo } from "./support.ts";

const examples = new URL("../../examples/kubernetes/", import.meta.url);

/** The `args:` list of the first container in a manifest. */
const argsOf = async (file: string): Promise<string[]> => {
  const text = await Deno.readTextFile(new URL(file, examples));
  const block = /\n(\s+)args:\n((?:\1 {2}- .*\n)+)/.exec(text);
  assert(block !== null, `no args in ${file}`);
  return block[2]!.trimEnd().split("\n").map((l) => l.trim().replace(/^- /, ""));
};

Deno.test("the Indexed Job's runs and the merge Job's command work as written, on local processes", async () => {
  const server = countingServer(1);
  const dir = await Deno.makeTempDir();
  try {
    const run = await argsOf("salvo-job.yaml");
    const merge = await argsOf("salvo-merge.yaml");
    const copies = [0, 1, 2, 3].map((i) =>
      run.map((a) =>
        a.replace("$(TARGET)", server.url).replace("$(JOB_COMPLETION_INDEX)", String(i))
          .replace("/results/", `${dir}/`).replace("--duration=2m", "--duration=1s")
      )
    );
    const done = await Promise.all(copies.map((args) => salvo(args)));
    for (const r of done) assertEquals(r.code, 0, r.stderr);
    const merged = await salvo(merge.map((a) => a.replace("/results/", `${dir}/`)));
    assertEquals(merged.code, 0, merged.stdout + merged.stderr);
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/merged.json`));
    assertEquals(summary.requests, server.count());
    assert(Math.abs(summary.requests - 2000) <= 8, `4 copies × 500/s × 1 s: ${summary.requests}`);
    assert(merged.stdout.includes("4 summaries merged"), merged.stdout);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
