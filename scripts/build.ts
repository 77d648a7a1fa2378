// Builds salvo: the compiled binary (`compile`, `compile-all`) or its payload (`bundle`: an entry file
// and its chunks beside it); the binary packs that bundle, with the same permissions and commit.
//
//   deno run -A scripts/build.ts compile                 dist/salvo for this machine
//   deno run -A scripts/build.ts compile-all             dist/salvo-<version>-<target>[.exe] for every target, and SHA256SUMS
//   deno run -A scripts/build.ts bundle [FILE]           dist/salvo.js (or FILE) and its chunks, run with `deno run <permissions> dist/salvo.js`
//
// `deno compile` downloads the runtime it packs (denort). Where that download cannot be made, set
// DENORT_BIN to a denort binary for the target (one target per run then).
import pkg from "../package.json" with { type: "json" };
import { trimBundle } from "./trim_bundle.ts";
import { lazyNodeImports } from "./lazy_node_imports.ts";

/** The permissions baked into the binary, and those CI runs the bundle with: network, and the files a user names. */
export const permissions = ["--allow-net", "--allow-read", "--allow-write"];
export const entry = "src/main.ts";
/** A load thread's own entry, bundled apart and embedded in the program (src/engine/thread_code.ts). */
const threadEntry = "src/engine/thread_entry.ts";
/**
 * V8 flags baked into the binary: a young generation of 1 MB (semi-space) instead of up to 16 MB, and
 * an old generation that starts at 64 MB. Measured (BENCHMARKS.md, scripts/bench_open.sh): the open
 * model's send lag p99 at 20,000/s 0.6 ms instead of 2–3 ms (each scavenge is short, and the first
 * mark-compact no longer lands in the first second), RSS at -t 8 -c 400 a third lower, closed-model
 * throughput unchanged.
 */
export const v8Flags = "--v8-flags=--max-semi-space-size=1,--initial-old-space-size=64";
export const targets = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

const root = new URL("../", import.meta.url).pathname;
const deno = Deno.execPath();

const run = async (
  cmd: string,
  args: string[],
  cwd = root,
): Promise<{ ok: boolean; out: string }> => {
  const o = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder();
  return { ok: o.success, out: text.decode(o.stdout) + text.decode(o.stderr) };
};

const fail = (message: string): never => {
  console.error(`salvo build: ${message}`);
  Deno.exit(1);
};

/** A copy of the project in a temporary folder with the commit baked into src/build_info.ts. */
const stage = async (): Promise<string> => {
  const git = await run("git", ["rev-parse", "--short", "HEAD"]);
  const commit = git.ok ? git.out.trim() : "unknown";
  const dir = await Deno.makeTempDir({ prefix: "salvo-build-" });
  for (const f of ["deno.json", "deno.lock", "package.json"]) {
    await Deno.copyFile(`${root}${f}`, `${dir}/${f}`);
  }
  const copy = await run("cp", ["-r", `${root}src`, `${dir}/src`]);
  if (!copy.ok) fail(copy.out.trim());
  await Deno.symlink(`${root}node_modules`, `${dir}/node_modules`);
  await Deno.writeTextFile(
    `${dir}/src/build_info.ts`,
    `// Facts about this build, written by scripts/build.ts.\nexport const commit: string = ${
      JSON.stringify(commit)
    };\n`,
  );
  // The load thread's code, bundled on its own and embedded as a string: its Worker then evaluates
  // 424 KB instead of the whole program. Its Worker runs it from a blob: URL, which `createRequire`
  // refuses: CommonJS modules in it resolve from the program's own main module instead.
  const thread = `${dir}/thread.js`;
  const r = await run(deno, ["bundle", "--quiet", "--output", thread, threadEntry], dir);
  if (!r.ok) fail(`deno bundle (load thread) failed:\n${r.out.trim()}`);
  const code = lazyNodeImports(await Deno.readTextFile(thread)).replaceAll(
    "__deno_internal_createRequire(import.meta.url)",
    "__deno_internal_createRequire(Deno.mainModule)",
  );
  await Deno.writeTextFile(
    `${dir}/src/engine/thread_code.ts`,
    `// A load thread's code, bundled on its own by scripts/build.ts.\nexport const threadCode: string | undefined = ${
      JSON.stringify(code)
    };\n`,
  );
  return dir;
};

/**
 * The program as an entry file and the chunks it imports beside it, each chunk's `node:` imports
 * loaded on first use (scripts/lazy_node_imports.ts). Split at the entry's dynamic import: the entry
 * and its small chunk answer `--version` and help, so they parse 17 KB instead of 2.8 MB (57 → 29 ms
 * on the 2-core machine; BENCHMARKS.md); `run` and the rest come from the big chunk, a module on disk
 * (or in the binary) that keeps its code cache. Chunks of an earlier build beside `out` are removed.
 */
const bundle = async (dir: string, out: string): Promise<void> => {
  const split = `${dir}/split`;
  const r = await run(
    deno,
    ["bundle", "--quiet", "--code-splitting", "--outdir", split, entry],
    dir,
  );
  if (!r.ok) fail(`deno bundle failed:\n${r.out.trim()}`);
  const to = out.slice(0, out.lastIndexOf("/") + 1) || "./";
  const chunk = /^(chunk|run_main|thread_code)-[A-Za-z0-9]+\.js$/;
  for await (const f of Deno.readDir(to)) {
    if (f.isFile && chunk.test(f.name)) await Deno.remove(`${to}${f.name}`);
  }
  const main = entry.slice(entry.lastIndexOf("/") + 1).replace(/\.ts$/, ".js");
  let parsers = 0, probes = 0;
  for await (const f of Deno.readDir(split)) {
    if (!f.isFile) continue;
    const trimmed = trimBundle(lazyNodeImports(await Deno.readTextFile(`${split}/${f.name}`)));
    parsers += trimmed.parsers;
    probes += trimmed.probes;
    await Deno.writeTextFile(f.name === main ? out : `${to}${f.name}`, trimmed.code);
  }
  // @effect/cli or Effect changed: look again (scripts/trim_bundle.ts).
  if (parsers !== 3 || probes < 2) {
    fail(
      `expected @effect/cli's 3 file parsers and Effect's 2 probes, found ${parsers}, ${probes}`,
    );
  }
};

/** The binary packs the bundle: the same payload CI tests. */
const compile = async (dir: string, output: string, target?: string): Promise<void> => {
  await bundle(dir, `${dir}/salvo.js`);
  // The entry imports its chunks by literal paths, which compile follows; named too, to be sure.
  const chunks: string[] = [];
  for await (const f of Deno.readDir(dir)) {
    if (f.isFile && /^(chunk|run_main|thread_code)-[A-Za-z0-9]+\.js$/.test(f.name)) {
      chunks.push(`${dir}/${f.name}`);
    }
  }
  const args = [
    "compile",
    ...permissions,
    v8Flags,
    ...chunks.flatMap((c) => ["--include", c]),
    "--output",
    output,
    ...(target ? ["--target", target] : []),
    `${dir}/salvo.js`,
  ];
  const r = await run(deno, args, dir);
  if (r.ok) return;
  if (
    /dns error|lookup address|error sending request|failed to download|connect/i.test(r.out) &&
    !Deno.env.get("DENORT_BIN")
  ) {
    fail(
      `deno compile could not download the runtime it packs (denort${
        target ? ` for ${target}` : ""
      }); ` +
        `this machine has no route to Deno's download servers. Set DENORT_BIN to a denort binary for the target and run again`,
    );
  }
  fail(`deno compile failed:\n${r.out.trim()}`);
};

const sha256 = async (path: string): Promise<string> => {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
};

const main = async (mode: string | undefined, output: string | undefined): Promise<void> => {
  await Deno.mkdir(`${root}dist`, { recursive: true });
  const dir = await stage();
  try {
    if (mode === "bundle") {
      const out = output ?? `${root}dist/salvo.js`;
      await bundle(dir, out);
      console.log(`${out}: run it with deno run ${permissions.join(" ")} ${out}`);
    } else if (mode === "compile") {
      await compile(dir, `${root}dist/salvo`);
      console.log("dist/salvo");
    } else if (mode === "compile-all") {
      if (Deno.env.get("DENORT_BIN")) {
        fail("DENORT_BIN names one runtime; build one target at a time with it");
      }
      const sums: string[] = [];
      for (const target of targets) {
        const name = `salvo-${pkg.version}-${target}${target.includes("windows") ? ".exe" : ""}`;
        await compile(dir, `${root}dist/${name}`, target);
        sums.push(`${await sha256(`${root}dist/${name}`)}  ${name}`);
        console.log(`dist/${name}`);
      }
      await Deno.writeTextFile(`${root}dist/SHA256SUMS`, sums.join("\n") + "\n");
      console.log("dist/SHA256SUMS");
    } else {
      fail("usage: scripts/build.ts compile | compile-all | bundle [FILE]");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

if (import.meta.main) await main(Deno.args[0], Deno.args[1]);
