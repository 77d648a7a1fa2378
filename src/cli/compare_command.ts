// `salvo compare BASE NEW`: two runs figure by figure, each change with its interval and a verdict
// (src/core/compare.ts), from the runs' time windows: results streams or interval records.
import { Args, Command } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Compare from "../core/compare.ts";
import * as Summary from "../core/summary.ts";
import type { Row } from "../core/timeline.ts";
import { UsageError } from "../domain/errors.ts";
import * as Reader from "../io/results_reader.ts";
import { writeWhole } from "../io/whole_write.ts";
import { output } from "./common_options.ts";
import { readPart } from "./merge_command.ts";

const base = Args.text({ name: "base" }).pipe(
  Args.withDescription(
    "The run to compare against: a results stream (--results) or a JSON summary",
  ),
);
const next = Args.text({ name: "new" }).pipe(
  Args.withDescription("The run to judge, in the same forms"),
);

interface Side {
  readonly path: string;
  readonly stats: Summary.Stats;
  /** The windows the statistics use; none for a JSON summary. */
  readonly rows: ReadonlyArray<Row>;
  readonly windowMs: number | undefined;
}

const usage = (message: string) => new UsageError({ reason: "file", message });

/** A JSON summary (`-o json`, `--out`), read as `merge` reads one: whole-run figures, no windows. */
const jsonSummary = (path: string, streamProblem: string) =>
  readPart(path).pipe(
    Effect.mapError((e) =>
      e.message.startsWith("cannot read")
        ? e
        : usage(`${path}: neither a salvo results stream nor a JSON summary (${streamProblem})`)
    ),
    Effect.map((part): Side => ({
      path,
      stats: Summary.describe(part.summary, (part.endedUs - part.startedUs) / 1000),
      rows: [],
      windowMs: undefined,
    })),
  );

const readSide = (path: string): Effect.Effect<Side, UsageError> =>
  Reader.read([path], false, true).pipe(
    Effect.map((r): Side => {
      // Interval records are the windows as recorded; per-request lines are cut into seconds.
      const rows = Compare.fullWindows(
        r.intervalRecords > 0 ? r.records ?? [] : r.timeline ?? [],
      );
      return {
        path,
        stats: Summary.describe(r.summary, (r.endedUs - r.startedUs) / 1000),
        rows,
        windowMs: rows.length > 0 ? rows[0]!.endMs - rows[0]!.startMs : undefined,
      };
    }),
    Effect.catchAll((e) =>
      e.message.startsWith("cannot read") ? Effect.fail(e) : jsonSummary(path, e.message)
    ),
  );

const unit = (figure: string) => (figure === "rps" ? "" : figure === "success_rate" ? " %" : " ms");

/** A whole-run figure as shown: a success rate in percent. */
const shown = (s: Summary.Stats, figure: Compare.Figure): number =>
  figure.whole(s) * (figure.name === "success_rate" ? 100 : 1);

const number = (x: number, figure: string): string =>
  figure === "rps"
    ? Math.round(x).toLocaleString("en-US")
    : `${x.toFixed(figure === "success_rate" ? 2 : 3)}${unit(figure)}`;

const signed = (x: number | undefined): string =>
  x === undefined ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;

const sideLine = (label: string, s: Side): string =>
  `${label} ${s.path}: ${
    s.rows.length > 0
      ? `${s.rows.length} windows of ${((s.windowMs ?? 0) / 1000).toFixed(2)} s`
      : "a JSON summary, no windows"
  }, ${s.stats.requests.toLocaleString("en-US")} requests`;

/** The comparison as text, 80 columns at most. */
export const text = (b: Side, n: Side, results: ReadonlyArray<Compare.Result>): string => {
  const lines = [
    sideLine("base", b),
    sideLine("new ", n),
    "",
    `${"figure".padEnd(12)} ${"base".padStart(10)} ${"new".padStart(10)}  ${
      "change, 99 % interval".padEnd(22)
    } verdict`,
    ...results.map((r) => {
      const change = r.changePct === undefined
        ? "n/a"
        : `${signed(r.changePct)} % [${signed(r.lowPct)}, ${signed(r.highPct)}]`;
      const f = Compare.figureNamed(r.figure);
      return `${r.figure.padEnd(12)} ${number(shown(b.stats, f), r.figure).padStart(10)} ${
        number(shown(n.stats, f), r.figure).padStart(10)
      }  ${change.padEnd(22)} ${r.verdict}`;
    }),
  ];
  const why = results.find((r) => r.why !== undefined)?.why;
  if (why !== undefined) lines.push("", `inconclusive: ${why} (record them with --interval 1s)`);
  lines.push(
    "",
    "change: windows' batch means, Welch's 99 % interval · base, new: whole runs",
  );
  return lines.join("\n") + "\n";
};

const round = (x: number | undefined, digits = 3) =>
  x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits;

export const json = (b: Side, n: Side, results: ReadonlyArray<Compare.Result>) => ({
  base: { file: b.path, windows: b.rows.length, requests: b.stats.requests },
  new: { file: n.path, windows: n.rows.length, requests: n.stats.requests },
  confidence: Compare.confidence,
  method: "batch means of the time windows, Welch's interval on their difference",
  figures: results.map((r) => ({
    figure: r.figure,
    base: round(shown(b.stats, Compare.figureNamed(r.figure))),
    new: round(shown(n.stats, Compare.figureNamed(r.figure))),
    change_pct: round(r.changePct, 2),
    interval_pct: r.lowPct === undefined ? null : [round(r.lowPct, 2), round(r.highPct, 2)],
    verdict: r.verdict,
    ...(r.why === undefined ? {} : { why: r.why }),
  })),
});

export const compareCommand = Command.make(
  "compare",
  { base, next, output },
  (raw) =>
    Effect.gen(function* () {
      const b = yield* readSide(raw.base);
      const n = yield* readSide(raw.next);
      const results = Compare.compare(b.rows, n.rows);
      const body = raw.output === "json"
        ? JSON.stringify(json(b, n, results), null, 2) + "\n"
        : text(b, n, results);
      yield* Effect.sync(() => writeWhole(Deno.stdout, new TextEncoder().encode(body)));
    }),
).pipe(
  Command.withDescription(
    [
      "Compare two runs figure by figure: the change, its 99 % interval, and a verdict (regressed,",
      "improved, no significant change, inconclusive) from their time windows.",
      "",
      "Example:",
      "  salvo run URL -d 20s --results base.ndjson --interval 1s   # then, after the change:",
      "  salvo run URL -d 20s --results new.ndjson --interval 1s",
      "  salvo compare base.ndjson new.ndjson",
    ].join("\n"),
  ),
);
