// Mutants made by rule, not by hand: every boundary, ±1, arithmetic operator and early return in the named files, each run against the tests that import it.
//
//   deno run -A scripts/mutagen.ts [--jobs N] [--reach N] [--list] [--out FILE] [PATH...]
//   deno run -A scripts/mutagen.ts --survivors FILE[,FILE…] [--out FILE] [PATH...]
//   --no-slow: leave out tests/cli, tests/e2e and tests/tools (the CLI's tests), e.g. for src/core
//   deno run -A scripts/mutagen.ts --rescore FILE[,FILE…] [--by-file] [PATH...]
//
// PATHs are files or folders under src/ (default: src/core src/io and five engine files). The rules
// (scripts/mutagen_rules.ts) apply to code only; strings, templates, comments and regular
// expressions are masked first:
//   boundary   ` < ` ↔ ` <= `, ` > ` ↔ ` >= `
//   plus-one   ` + 1` and ` - 1` removed
//   arith      ` + ` ↔ ` - `, ` * ` ↔ ` / `
//   return     an early return dropped: `if (…) return …;` loses its return, and a one-line
//              `return …;` that ends an if/else/loop block is removed
// Each mutant runs `deno test --fail-fast` over the test files that import its module: directly,
// through test helpers, or through at most one other module of src/ (--reach 2; the import graph
// of tests/ and src/, read from their import lines), in a
// scratch copy of the repository, after a control run of the same files unmutated (a control that
// fails stops the run, naming the files). A mutant is killed when a test that passed in the control
// run fails, timed out when its tests take three times the control run plus 20 s, and survived
// otherwise. Survivors listed in scripts/mutagen_equivalent.tsv (file, the line as written, the
// change, why it cannot be observed) count as equivalent. Prints one line per mutant, then the score
// per folder: killed / (mutants - equivalent), timeouts counted as killed, as is usual.
import { type Mutant, mutantsOf } from "./mutagen_rules.ts";
import { importsOf } from "./mutagen_rules.ts";

const root = new URL("../", import.meta.url).pathname;
const defaults = [
  "src/core",
  "src/io",
  "src/engine/h2_session.ts",
  "src/engine/response_parser.ts",
  "src/engine/arrival_queue.ts",
  "src/engine/pacer.ts",
  "src/engine/classify.ts",
];

const args = [...Deno.args];
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
};
const listOnly = args.includes("--list") && args.splice(args.indexOf("--list"), 1).length > 0;
const jobs = Number(flag("--jobs") ?? "2");
const reach = Number(flag("--reach") ?? "2");
const outFile = flag("--out");
const rescore = flag("--rescore");
const survivorsOf = flag("--survivors");
const byFile = args.includes("--by-file") && args.splice(args.indexOf("--by-file"), 1).length > 0;
const noSlow = args.includes("--no-slow") && args.splice(args.indexOf("--no-slow"), 1).length > 0;
const paths = args.length > 0 ? args : defaults;

/** Every .ts file under `path` (relative to the root), sorted. */
const filesUnder = (path: string): string[] => {
  const abs = root + path;
  if (Deno.statSync(abs).isFile) return [path];
  const out: string[] = [];
  for (const e of Deno.readDirSync(abs)) {
    const rel = `${path}/${e.name}`;
    if (e.isDirectory) out.push(...filesUnder(rel));
    else if (e.name.endsWith(".ts")) out.push(rel);
  }
  return out.sort();
};

/** path → the modules it imports (relative to the root). */
const graph = new Map<string, string[]>();
for (const f of [...filesUnder("src"), ...filesUnder("tests")]) {
  const dir = f.slice(0, f.lastIndexOf("/") + 1);
  graph.set(
    f,
    importsOf(Deno.readTextFileSync(root + f)).map((s) =>
      new URL(s, `file:///${dir}`).pathname.slice(1)
    ),
  );
}
/**
 * How many modules of src/ a test goes through to reach `module`, itself included (1: the test, or
 * a helper of tests/, imports it; 2: through one other module), or undefined.
 */
const distance = (test: string, module: string): number | undefined => {
  const best = new Map([[test, 0]]);
  const queue: Array<[string, number]> = [[test, 0]];
  while (queue.length > 0) {
    queue.sort((a, b) => a[1] - b[1]);
    const [f, d] = queue.shift()!;
    if (f === module) return d;
    if (d > best.get(f)!) continue;
    for (const g of graph.get(f) ?? []) {
      const dg = d + (g.startsWith("src/") ? 1 : 0);
      if (dg < (best.get(g) ?? Infinity)) {
        best.set(g, dg);
        queue.push([g, dg]);
      }
    }
  }
  return undefined;
};
/**
 * The test files that exercise `module`: those that import it, directly, through their helpers, or
 * through at most `reach - 1` other modules (a test that reaches it only through the engine's run
 * or the command line tests those, not it). Unit tests before cli/ and e2e/, nearest first:
 * --fail-fast stops at the first failure.
 */
const slow = (t: string): boolean => /^tests\/(e2e|cli|tools)\//.test(t);
const testsOf = (module: string): string[] => {
  return [...graph.keys()].filter((f) => /_test\.ts$/.test(f))
    .map((t) => ({ t, d: distance(t, module) }))
    .filter((x): x is { t: string; d: number } => x.d !== undefined && x.d <= reach)
    .sort((a, b) => Number(slow(a.t)) - Number(slow(b.t)) || a.d - b.d || a.t.localeCompare(b.t))
    .map((x) => x.t);
};

/**
 * Survivors argued in scripts/mutagen_equivalent.tsv ("file\tline\tfrom → to\twhy"): equivalent or
 * unreachable ones leave the score's denominator; "not tested" ones stay survivors, named as argued.
 */
const argued = new Map<string, "equivalent" | "argued">();
try {
  for (const l of Deno.readTextFileSync(`${root}scripts/mutagen_equivalent.tsv`).split("\n")) {
    if (l.startsWith("#") || l.trim() === "") continue;
    const [file, line, change, why = ""] = l.split("\t");
    argued.set(
      `${file}\t${line}\t${change}`,
      why.startsWith("not tested") ? "argued" : "equivalent",
    );
  }
} catch (e) {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
}
const keyOf = (file: string, m: Mutant) =>
  `${file}\t${m.source}\t${m.from.trim() || "(return)"} → ${m.to.trim() || "(removed)"}`;

type Verdict = "killed" | "SURVIVED" | "timeout" | "equivalent" | "argued" | "no tests";

/** The score per folder (per file for the engine's): killed and timed out over mutants less equivalents. */
const scoreTable = (rows: ReadonlyArray<{ file: string; verdict: Verdict }>): string => {
  const folders = new Map<string, Record<Verdict, number>>();
  for (const { file, verdict } of rows) {
    const folder = byFile || file.startsWith("src/engine/")
      ? file
      : file.split("/").slice(0, 2).join("/");
    const t = folders.get(folder) ??
      { killed: 0, SURVIVED: 0, timeout: 0, equivalent: 0, argued: 0, "no tests": 0 };
    t[verdict]++;
    folders.set(folder, t);
  }
  const lines = [
    "| files | mutants | killed | timed out | equivalent | argued | survived | no tests | score |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [folder, t] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    const all = t.killed + t.SURVIVED + t.timeout + t.equivalent + t.argued + t["no tests"];
    const score = (100 * (t.killed + t.timeout)) / Math.max(1, all - t.equivalent);
    lines.push(
      `| ${folder} | ${all} | ${t.killed} | ${t.timeout} | ${t.equivalent} | ${t.argued} | ${t.SURVIVED} | ${
        t["no tests"]
      } | ${score.toFixed(1)} % |`,
    );
  }
  return lines.join("\n");
};

interface Job {
  readonly file: string;
  readonly mutant: Mutant;
  readonly tests: string[];
}
const work: Job[] = [];
for (const p of paths) {
  for (const file of filesUnder(p)) {
    const tests = testsOf(file);
    for (const mutant of mutantsOf(Deno.readTextFileSync(root + file))) {
      work.push({ file, mutant, tests });
    }
  }
}
// Earlier runs' lines (--out files: verdict, place, rule, line, change, killer), the later file's
// verdict winning. A mutant is matched by its file, line as written, column and change, so a line
// that moved still matches and one that changed is a new mutant, never run.
const latest = new Map<string, Verdict>();
const placeKey = (file: string, line: string, col: number | string, change: string) =>
  `${file}\t${line}\t${col}\t${change}`;
const jobKey = ({ file, mutant: m }: Job) =>
  placeKey(file, m.source, m.col, keyOf(file, m).split("\t")[2]!);
for (const path of [rescore, survivorsOf].filter((p) => p !== undefined).join(",").split(",")) {
  if (path === "") continue;
  for (const l of Deno.readTextFileSync(path).split("\n").filter((l) => l !== "")) {
    const [verdict, place = "", , line = "", change = ""] = l.split("\t");
    const [file = "", , col = ""] = place.split(":");
    latest.set(placeKey(file, line, col, change), verdict as Verdict);
  }
}
const settled = (v: Verdict | undefined) => v === "killed" || v === "timeout";

// --rescore: today's mutants of the named files, each with its latest verdict (survivors judged
// again against today's scripts/mutagen_equivalent.tsv); a mutant no run has met is "not run".
if (rescore !== undefined) {
  let notRun = 0;
  const rows = work.map((job) => {
    const was = latest.get(jobKey(job));
    const key = keyOf(job.file, job.mutant);
    let verdict: Verdict;
    if (was === undefined) {
      notRun++;
      verdict = "SURVIVED";
    } else if (settled(was)) verdict = was;
    else verdict = argued.get(key) ?? (was === "no tests" ? "no tests" : "SURVIVED");
    if (verdict === "SURVIVED" || verdict === "no tests") {
      console.log(
        `${
          (was === undefined ? "not run" : verdict).padEnd(10)
        } ${job.file}:${job.mutant.line}:${job.mutant.col} ${key.split("\t").slice(1).join(" | ")}`,
      );
    }
    return { file: job.file, verdict };
  });
  console.log(scoreTable(rows));
  if (notRun > 0) console.log(`${notRun} mutants no run has met are counted as survivors`);
  Deno.exit(0);
}
// --survivors: only what earlier runs did not kill (or never met), less what is argued already.
if (survivorsOf !== undefined) {
  const keep = work.filter((job) =>
    !settled(latest.get(jobKey(job))) &&
    (latest.get(jobKey(job)) === undefined || !argued.has(keyOf(job.file, job.mutant)))
  );
  work.length = 0;
  work.push(...keep);
}

if (listOnly) {
  for (const file of new Set(work.map((j) => j.file))) {
    console.log(`${file} is tested by ${testsOf(file).join(" ")}`);
  }
  for (const { file, mutant: m, tests } of work) {
    console.log(
      `${file}:${m.line}:${m.col} ${m.rule} ${
        keyOf(file, m).split("\t")[2]
      } (${tests.length} test files)`,
    );
  }
  console.log(`${work.length} mutants`);
  Deno.exit(0);
}

const run = async (dir: string, tests: string[], limitMs: number) => {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check", "--fail-fast", ...tests],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, limitMs);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const failed = [...text.matchAll(/^(.*) \.\.\. FAILED/gm)].map((m) => m[1]!);
  const passed = [...text.matchAll(/^(.*) \.\.\. ok/gm)].map((m) => m[1]!);
  return { ms: performance.now() - started, timedOut, failed, passed, ok: out.success, text };
};

/** A scratch copy of every file git knows of, node_modules linked. */
const scratch = async (): Promise<string> => {
  const dir = await Deno.makeTempDir({ prefix: "mutagen-" });
  const ls = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: root,
    stdout: "piped",
  }).output();
  for (const f of new TextDecoder().decode(ls.stdout).split("\0").filter((f) => f !== "")) {
    try {
      await Deno.mkdir(`${dir}/${f.slice(0, f.lastIndexOf("/") + 1)}`, { recursive: true });
      await Deno.copyFile(root + f, `${dir}/${f}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  await Deno.symlink(`${root}node_modules`, `${dir}/node_modules`);
  return dir;
};

// Control runs, one per distinct set of test files, made when a mutant first needs it (in that
// job's scratch copy); a set that fails unmutated stops the run.
const dirs = await Promise.all(Array.from({ length: Math.max(1, jobs) }, scratch));
const setOf = (tests: string[]) => [...tests].sort().join(" ");
const controls = new Map<string, Promise<{ ms: number; passed: Set<string> }>>();
const controlOf = (tests: string[], dir: string) => {
  const key = setOf(tests);
  let c = controls.get(key);
  if (c === undefined) {
    c = run(dir, tests, 600_000).then((r) => {
      if (!r.ok || r.failed.length > 0) {
        console.log(
          `control run: ${key} fails on the unmutated code (${r.failed[0] ?? "see deno test"})`,
        );
        Deno.exit(1);
      }
      return { ms: r.ms, passed: new Set(r.passed) };
    });
    controls.set(key, c);
  }
  return c;
};

const results: Array<{ job: Job; verdict: Verdict; by: string }> = [];
let next = 0;
const worker = async (dir: string) => {
  while (next < work.length) {
    const job = work[next++]!;
    const { file, mutant: m, tests } = job;
    let verdict: Verdict;
    let by = "";
    if (tests.length === 0) verdict = argued.get(keyOf(file, m)) ?? "no tests";
    else {
      // Unit tests first, in a run of their own: deno test orders files by path, which would put
      // tests/cli and tests/e2e (slow, spawning the CLI) before tests/engine and tests/io.
      verdict = "SURVIVED";
      const groups = [tests.filter((t) => !slow(t)), noSlow ? [] : tests.filter(slow)]
        .filter((g) => g.length > 0);
      // Each group's control run first, on the unmutated copy.
      const controls = [];
      for (const group of groups) controls.push(await controlOf(group, dir));
      await Deno.writeTextFile(`${dir}/${file}`, m.text);
      for (const [i, group] of groups.entries()) {
        const control = controls[i]!;
        const r = await run(dir, group, 3 * control.ms + 20_000);
        const real = r.failed.find((t) => control.passed.has(t));
        if (r.timedOut) verdict = "timeout";
        else if (real !== undefined) [verdict, by] = ["killed", real];
        else if (!r.ok && r.failed.length === 0) {
          [verdict, by] = ["killed", "the module failed to load"];
        }
        if (verdict !== "SURVIVED") break;
      }
      await Deno.copyFile(root + file, `${dir}/${file}`);
      if (verdict === "SURVIVED") verdict = argued.get(keyOf(file, m)) ?? "SURVIVED";
    }
    results.push({ job, verdict, by });
    console.log(
      `${verdict.padEnd(10)} ${file}:${m.line}:${m.col} ${m.rule} ${keyOf(file, m).split("\t")[2]}${
        by ? ` · ${by}` : ""
      }`,
    );
  }
};
await Promise.all(dirs.map(worker));
for (const d of dirs) await Deno.remove(d, { recursive: true });

console.log(scoreTable(results.map(({ job, verdict }) => ({ file: job.file, verdict }))));
if (outFile !== undefined) {
  await Deno.writeTextFile(
    outFile,
    results.map(({ job: { file, mutant: m }, verdict, by }) =>
      [
        verdict,
        `${file}:${m.line}:${m.col}`,
        m.rule,
        keyOf(file, m).split("\t").slice(1).join("\t"),
        by,
      ].join("\t")
    ).join("\n") + "\n",
  );
}
Deno.exit(results.some((r) => r.verdict === "SURVIVED" || r.verdict === "no tests") ? 1 : 0);
