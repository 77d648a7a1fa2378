// JUnit XML for the CI gate: one testcase per threshold, so CI systems show it natively.
import type { Evaluation } from "../core/thresholds.ts";
import type { Document } from "./document.ts";
import { line, runLine } from "./gate.ts";

const escape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    // deno-lint-ignore no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "");

export const render = (
  evaluations: ReadonlyArray<Evaluation>,
  durationS: number,
  details: string,
): string => {
  const failures = evaluations.filter((e) => !e.passed).length;
  const cases = evaluations.map((e) => {
    const name = escape(e.threshold.expression);
    const open = `    <testcase classname="salvo.thresholds" name="${name}" time="${
      durationS.toFixed(3)
    }"`;
    // A relative threshold that passed still says its change and interval: the trend is news.
    if (e.passed) {
      return e.change === undefined
        ? `${open}/>`
        : `${open}>\n      <system-out>${escape(line(e))}</system-out>\n    </testcase>`;
    }
    const message = escape(line(e));
    return `${open}>\n      <failure message="${message}" type="threshold">${
      escape(details)
    }</failure>\n    </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites tests="${evaluations.length}" failures="${failures}" time="${
      durationS.toFixed(3)
    }">`,
    `  <testsuite name="salvo" tests="${evaluations.length}" failures="${failures}" errors="0" time="${
      durationS.toFixed(3)
    }">`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
};

/** The JUnit report of a document: a testcase per threshold. */
export const ofDocument = (d: Document): string =>
  render(d.evaluations, d.stats.durationS, runLine(d.stats));
