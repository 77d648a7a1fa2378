// The rules scripts/mutagen.ts mutates by: each operator found in code, none inside strings, comments or regular expressions.
import { importsOf, maskCode, mutantsOf } from "../../scripts/mutagen_rules.ts";
import { assertEquals } from "../assert.ts";

const changes = (src: string) => mutantsOf(src).map((m) => `${m.line}:${m.rule} ${m.from}→${m.to}`);

Deno.test("mutagen: boundaries flip, ±1 goes, arithmetic swaps, each at its place in the line", () => {
  assertEquals(changes("const a = b < c + 1;\nconst d = e >= f * 2 - g / h;\n"), [
    "1:boundary  < → <= ",
    "1:plus-one  + 1→",
    "1:arith  + → - ",
    "2:boundary  >= → > ",
    "2:arith  - → + ",
    "2:arith  * → / ",
    "2:arith  / → * ",
  ]);
  const [m] = mutantsOf("x = a <= b;\n");
  assertEquals(m!.text, "x = a < b;\n");
  assertEquals([m!.line, m!.col, m!.source], [1, 6, "x = a <= b;"]);
});

Deno.test("mutagen: early returns are dropped, a function's last return is not", () => {
  const src = [
    "const f = (x: number) => {",
    "  if (x < 0) return 0;",
    "  if (x > 9) {",
    "    return 9;",
    "  }",
    "  return x;",
    "};",
  ].join("\n");
  const returns = mutantsOf(src).filter((m) => m.rule === "return").map((
    m,
  ) => [m.line, m.from, m.to]);
  assertEquals(returns, [[2, "return 0;", "{}"], [4, "return 9;", ""]]);
});

Deno.test("mutagen: strings, templates, comments and regular expressions are not code", () => {
  const src =
    'const s = "a < b" + `c - ${d * e}`; // f / g\nconst r = /^\\d+ \\/ x/.test(s) ? 1 : 2; /* h + i */\n';
  assertEquals(maskCode(src).length, src.length);
  assertEquals(changes(src), ["1:arith  + → - "]);
  assertEquals(changes("import * as X from './x.ts';\ntype T = A | B;\n"), []);
});

Deno.test("mutagen: a module's relative imports, static and dynamic", () => {
  assertEquals(
    importsOf(
      'import { a } from "./a.ts";\nexport * from "../b.ts";\nconst c = await import("./c.ts");\nimport "npm:x";\n',
    ),
    ["./a.ts", "../b.ts", "./c.ts"],
  );
});
