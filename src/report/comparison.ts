// A comparison of two runs as text (80 columns) and JSON: built by `salvo compare` either way
// (recorded runs' windows, or rounds run here), drawn by src/report/compare_html.ts too.
import * as Compare from "../core/compare.ts";
import type * as Thresholds from "../core/thresholds.ts";
import type { Picture } from "./compare_html.ts";
import * as Gate from "./gate.ts";
import * as Json from "./json.ts";

/** A comparison made, whichever way: what the text, JSON and HTML show. */
export interface Comparison {
  /** The lines that say what was compared. */
  readonly sides: ReadonlyArray<string>;
  readonly method: string;
  /** Each figure's base and new value as shown (a success rate in percent). */
  readonly base: (figure: string) => number;
  readonly next: (figure: string) => number;
  readonly results: ReadonlyArray<Compare.Result>;
  readonly evaluations: ReadonlyArray<Thresholds.Evaluation>;
  readonly warnings: ReadonlyArray<string>;
  /** What to do when a figure is inconclusive. */
  readonly hint: string;
  readonly json: Record<string, unknown>;
  /** What the HTML overlays. */
  readonly pictures?: readonly [Picture, Picture];
}

const unit = (figure: string) => (figure === "rps" ? "" : figure === "success_rate" ? " %" : " ms");

/** A figure as shown: a success rate in percent. */
export const percentOf = (figure: string) => (figure === "success_rate" ? 100 : 1);

const number = (x: number, figure: string): string =>
  figure === "rps"
    ? Math.round(x).toLocaleString("en-US")
    : `${x.toFixed(figure === "success_rate" ? 2 : 3)}${unit(figure)}`;

const signed = (x: number | undefined): string =>
  x === undefined ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;

/** A long line cut at spaces into lines of 80 columns at most, the rest indented by two. */
export const wrap = (line: string): ReadonlyArray<string> => {
  const out: string[] = [];
  let current = "";
  for (const word of line.split(" ")) {
    const next = current === "" ? word : `${current} ${word}`;
    if ([...next].length > 80 && current.trim() !== "") {
      out.push(current);
      current = `  ${word}`;
    } else current = next;
  }
  return [...out, current];
};

/** The comparison as text, 80 columns at most (a path or URL longer than that aside). */
export const text = (c: Comparison): string => {
  const lines = [
    ...c.sides,
    "",
    `${"figure".padEnd(12)} ${"base".padStart(9)} ${"new".padStart(9)}  ${
      "change, 99 % interval".padEnd(23)
    } verdict`,
    ...c.results.map((r) => {
      const change = r.changePct === undefined
        ? "n/a"
        : `${signed(r.changePct)} % [${signed(r.lowPct)}, ${signed(r.highPct)}]`;
      return `${r.figure.padEnd(12)} ${number(c.base(r.figure), r.figure).padStart(9)} ${
        number(c.next(r.figure), r.figure).padStart(9)
      }  ${change.padEnd(23)} ${r.verdict}`;
    }),
  ];
  const why = c.results.find((r) => r.why !== undefined)?.why;
  if (why !== undefined) lines.push("", `inconclusive: ${why}`, `  ${c.hint}`);
  lines.push("", c.method);
  if (c.evaluations.length > 0) lines.push("", ...c.evaluations.map(Gate.line).flatMap(wrap));
  for (const w of c.warnings) lines.push(...wrap(`warning: ${w}`));
  return lines.join("\n") + "\n";
};

const round = (x: number | undefined, digits = 3) =>
  x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits;

export const json = (c: Comparison) => ({
  ...c.json,
  confidence: Compare.confidence,
  figures: c.results.map((r) => ({
    figure: r.figure,
    base: round(c.base(r.figure)),
    new: round(c.next(r.figure)),
    change_pct: round(r.changePct, 2),
    interval_pct: r.lowPct === undefined ? null : [round(r.lowPct, 2), round(r.highPct, 2)],
    verdict: r.verdict,
    ...(r.why === undefined ? {} : { why: r.why }),
  })),
  thresholds: c.evaluations.map((e) => Json.threshold(e)),
  warnings: c.warnings,
});
