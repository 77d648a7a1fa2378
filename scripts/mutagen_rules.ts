// The rules scripts/mutagen.ts mutates by: pure functions from a source text to its mutants.

/** One mutant: where, what the code said, what it says instead, and which rule made it. */
export interface Mutant {
  readonly line: number; // 1-based
  readonly col: number; // 1-based, in the line
  readonly rule: "boundary" | "plus-one" | "arith" | "return";
  readonly from: string;
  readonly to: string;
  /** The whole source with this one change. */
  readonly text: string;
  /** The line as written, trimmed: with `from → to`, how survivors are named in the equivalents list. */
  readonly source: string;
}

/**
 * The source with every string, template, comment and regular-expression literal blanked out
 * (same length, newlines kept), so that the rules see only code.
 */
export const maskCode = (src: string): string => {
  const out = src.split("");
  // Comments become spaces; the insides of literals become "_", so that none reads as an operator
  // between spaces (a regex /x/ blanked to spaces would look like a division).
  const blank = (from: number, to: number, fill = " ") => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = fill;
  };
  let i = 0;
  let last = ""; // the last significant code character, to tell a regex from a division
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      const end = src.indexOf("\n", i);
      const stop = end < 0 ? src.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? src.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      let depth = 0; // ${ … } nesting inside a template, blanked with it
      while (j < src.length) {
        const d = src[j]!;
        if (d === "\\") j += 2;
        else if (c === "`" && d === "$" && src[j + 1] === "{") {
          depth++;
          j += 2;
        } else if (depth > 0 && d === "}") {
          depth--;
          j++;
        } else if (depth === 0 && d === c) break;
        else if (c !== "`" && d === "\n") break;
        else j++;
      }
      blank(i + 1, j, "_");
      i = j + 1;
      last = c;
    } else if (c === "/" && (last === "" || "(,=:[!&|?{};+-*%<>~^".includes(last))) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== "\n") {
        const d = src[j]!;
        if (d === "\\") j += 2;
        else {
          if (d === "[") inClass = true;
          else if (d === "]") inClass = false;
          else if (d === "/" && !inClass) break;
          j++;
        }
      }
      blank(i + 1, j, "_");
      i = j + 1;
      last = "/";
    } else {
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  return out.join("");
};

const swaps: ReadonlyArray<readonly [RegExp, Mutant["rule"], (m: string) => string]> = [
  [/ <= /g, "boundary", () => " < "],
  [/ >= /g, "boundary", () => " > "],
  [/ < /g, "boundary", () => " <= "],
  [/ > /g, "boundary", () => " >= "],
  [/ [+-] 1(?![\w.])/g, "plus-one", () => ""],
  [/ \+ /g, "arith", () => " - "],
  [/ - /g, "arith", () => " + "],
  [/ \* /g, "arith", () => " / "],
  [/ \/ /g, "arith", () => " * "],
];

/** Lines the rules leave alone: imports and re-exports, and types. */
const skipped = /^\s*(import|export \*|export type|type |interface |\* |\/\/)/;

/** Every mutant of `src` by the rules above, in source order. */
export const mutantsOf = (src: string): Mutant[] => {
  const code = maskCode(src);
  const lines = code.split("\n");
  const raw = src.split("\n");
  const starts: number[] = [];
  let at = 0;
  for (const l of lines) {
    starts.push(at);
    at += l.length + 1;
  }
  const out: Mutant[] = [];
  const add = (li: number, col: number, rule: Mutant["rule"], masked: string, to: string) => {
    const pos = starts[li]! + col;
    const from = src.slice(pos, pos + masked.length);
    out.push({
      line: li + 1,
      col: col + 1,
      rule,
      from,
      to,
      text: src.slice(0, pos) + to + src.slice(pos + from.length),
      source: raw[li]!.trim(),
    });
  };
  // Which blocks are open: an if/else/loop block, or anything else (a function, an object).
  const blocks: boolean[] = [];
  lines.forEach((l, li) => {
    if (!skipped.test(raw[li]!)) {
      for (const [re, rule, to] of swaps) {
        for (const m of l.matchAll(re)) add(li, m.index, rule, m[0], to(m[0]));
      }
      const oneLine = /^(\s*if \(.*\) )(return\b.*;)\s*$/.exec(l);
      if (oneLine) add(li, oneLine[1]!.length, "return", oneLine[2]!, "{}");
      else if (/^\s*return\b.*;\s*$/.test(l) && blocks.at(-1) === true) {
        const col = l.search(/\S/);
        add(li, col, "return", l.slice(col).trimEnd(), "");
      }
    }
    for (const ch of l.replace(/[^{}]/g, "")) {
      if (ch === "}") blocks.pop();
      else blocks.push(/^\s*(\}\s*else\b.*|if \(.*|for \(.*|while \(.*|else.*)\{\s*$/.test(l));
    }
  });
  return out;
};

/** Static relative imports of a module: `from "./x.ts"`, `import("./x.ts")`, `import "./x.ts"`. */
export const importsOf = (src: string): string[] => {
  const out: string[] = [];
  for (const m of src.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) out.push(m[1]!);
  return out;
};
