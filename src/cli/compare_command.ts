// `salvo compare BASE NEW`: two runs figure by figure, each change with its interval and a verdict
// (src/core/compare.ts), from the runs' time windows; or, with --run, two targets run round by round
// here (src/cli/compare_rounds.ts). Relative thresholds (`p99<+10%`) gate on the verdicts.
import { Args, Command, Options } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Compare from "../core/compare.ts";
import * as Relative from "../core/relative.ts";
import { median } from "../core/rounds.ts";
import * as Thresholds from "../core/thresholds.ts";
import { maskSecrets } from "../core/request.ts";
import { UsageError } from "../domain/errors.ts";
import { percentilesOf } from "../report/document.ts";
import * as AtomicFile from "../io/atomic_file.ts";
import { writeWhole } from "../io/whole_write.ts";
import * as CompareHtml from "../report/compare_html.ts";
import { type Comparison, json, percentOf, text } from "../report/comparison.ts";
import * as Gate from "../report/gate.ts";
import { allowDifferent, checkSame, readSide, type Side } from "./baseline.ts";
import { html, output, threshold } from "./common_options.ts";
import { RunFlags, runRounds } from "./compare_rounds.ts";
import { codes, set as setExitCode } from "./exit_code.ts";
import { figures as figuresOf } from "./reporting.ts";

const base = Args.text({ name: "base" }).pipe(
  Args.withDescription(
    "The run to compare against: a JSON summary (--out) or a results stream; with --run, URL A",
  ),
);
const next = Args.text({ name: "new" }).pipe(
  Args.withDescription("The run to judge, in the same forms; with --run, URL B"),
);
const run = Options.boolean("run").pipe(
  Options.withDescription(
    "BASE and NEW are URLs: run both here, round by round (run flags after --)",
  ),
);
const minChange = Options.text("min-change").pipe(
  Options.withDefault(`${Compare.minChangePct}%`),
  Options.withDescription(
    "The smallest change a verdict names: regressed or improved needs the interval beyond ±this",
  ),
);
const rounds = Options.integer("rounds").pipe(
  Options.withDefault(5),
  Options.withDescription("With --run: how many rounds (each runs A and B once)"),
);

const sideLine = (label: string, s: Side): string =>
  `${label} ${s.path}: ${
    s.rows.length > 0
      ? `${s.rows.length} windows of ${((s.windowMs ?? 0) / 1000).toFixed(2)} s`
      : "no windows (a JSON summary written before 0.3)"
  }, ${s.stats.requests.toLocaleString("en-US")} requests`;

/** Two recorded runs compared over their windows. */
const ofFiles = (
  thresholds: ReadonlyArray<Thresholds.Threshold>,
  b: Side,
  n: Side,
  warnings: ReadonlyArray<string>,
  floorPct: number,
): Comparison => {
  const whole = (s: Side) => (name: string) =>
    Compare.figureNamed(name).whole(s.stats) * percentOf(name);
  return {
    sides: [sideLine("base", b), sideLine("new ", n)],
    method:
      `change: batch means of windows, Welch's 99 % interval · verdict: beyond ±${floorPct} %`,
    base: whole(b),
    next: whole(n),
    results: Compare.compare(b.rows, n.rows, floorPct),
    evaluations: thresholds.map((t) =>
      t.relative === true
        ? Relative.evaluate(t, {
          baseRows: b.rows,
          nextRows: n.rows,
          base: b.stats,
          next: n.stats,
          floorPct,
        })
        : Thresholds.evaluate(t, figuresOf(n.summary, n.stats))
    ),
    warnings,
    hint: "record windows with --out, or --results FILE --interval 1s",
    json: {
      base: { file: b.path, windows: b.rows.length, requests: b.stats.requests },
      new: { file: n.path, windows: n.rows.length, requests: n.stats.requests },
      method: "batch means of the time windows, Welch's interval on their difference",
    },
    pictures: [
      { label: `base ${b.path}`, percentiles: percentilesOf(b.summary), rows: b.rows },
      { label: `new ${n.path}`, percentiles: percentilesOf(n.summary), rows: n.rows },
    ],
  };
};

const total = (rounds: ReadonlyArray<Readonly<Record<string, number>>>) =>
  rounds.reduce((n, f) => n + f.requests!, 0);

/** Two targets run here round by round, compared by their rounds' ratios. */
const ofRounds = (
  raw: { readonly base: string; readonly next: string; readonly rounds: number },
  thresholds: ReadonlyArray<Thresholds.Threshold>,
  flags: ReadonlyArray<string>,
  floorPct: number,
) =>
  Effect.gen(function* () {
    const absolute = thresholds.find((t) => t.relative !== true);
    if (absolute !== undefined) {
      return yield* new UsageError({
        reason: "threshold",
        message:
          `--threshold '${absolute.expression}': compare --run judges changes; bound one like p99<+10%`,
      });
    }
    if (raw.rounds < 3 || raw.rounds > 1000) {
      return yield* new UsageError({
        reason: "flag",
        message:
          `--rounds ${raw.rounds}: give 3 to 1000 (an interval needs 3 rounds; 5 or more is better)`,
      });
    }
    const r = yield* runRounds(
      raw.base,
      raw.next,
      raw.rounds,
      flags,
      (line) => console.error(`salvo: ${line}`),
      floorPct,
    );
    const med = (side: typeof r.a) => (name: string) =>
      median(side.map((f) => f[name]!)) * percentOf(name);
    const result = (name: string) => r.results.find((x) => x.figure === name)!;
    return {
      sides: [
        `A ${maskSecrets(raw.base)}: ${raw.rounds} runs`,
        `B ${maskSecrets(raw.next)}: ${raw.rounds} runs, alternating with A (A B, B A, …)`,
      ],
      method:
        `change: median B/A · interval: geometric mean's, 99 % t · verdict: beyond ±${floorPct} %`,
      base: med(r.a),
      next: med(r.b),
      results: r.results,
      evaluations: thresholds.map((t) => {
        const f = Relative.figureOf(t);
        return Relative.ofResult(
          t,
          result(f.name),
          med(r.a)(f.name) / percentOf(f.name),
          med(r.b)(f.name) / percentOf(f.name),
        );
      }),
      warnings: [],
      hint: "run more rounds",
      json: {
        base: { url: maskSecrets(raw.base), rounds: r.a.length, requests: total(r.a) },
        new: { url: maskSecrets(raw.next), rounds: r.b.length, requests: total(r.b) },
        method: "paired rounds (A B, B A, …): median ratio, t interval of the log-ratios",
      },
      pictures: [
        { label: "A", percentiles: [], rows: [], rounds: r.a },
        { label: "B", percentiles: [], rows: [], rounds: r.b },
      ],
    } satisfies Comparison;
  });

export const compareCommand = Command.make(
  "compare",
  { base, next, output, threshold, allowDifferent, html, run, rounds, minChange },
  (raw) =>
    Effect.gen(function* () {
      const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(raw.minChange.trim());
      if (m === null || Number(m[1]) > 100) {
        return yield* new UsageError({
          reason: "flag",
          message: `--min-change '${raw.minChange}': give a percentage 0..100, like 2%`,
        });
      }
      const floor = Number(m[1]);
      const thresholds = yield* Effect.forEach(raw.threshold, (t) => Thresholds.parse(t));
      const scoped = thresholds.map(Thresholds.scenarioOnly).find((m) => m !== undefined);
      if (scoped !== undefined) {
        return yield* new UsageError({ reason: "threshold", message: scoped });
      }
      const htmlPath = Option.getOrUndefined(raw.html);
      if (htmlPath !== undefined) yield* AtomicFile.check("--html", htmlPath);
      const flags = yield* Effect.serviceOption(RunFlags);
      const c: Comparison = raw.run
        ? yield* ofRounds(raw, thresholds, Option.getOrElse(flags, () => []), floor)
        : yield* Effect.gen(function* () {
          const b = yield* readSide(raw.base);
          const n = yield* readSide(raw.next);
          const warnings = yield* checkSame(b, n.identity, n.path, raw.allowDifferent);
          return ofFiles(thresholds, b, n, warnings, floor);
        });
      const body = raw.output === "json" ? JSON.stringify(json(c), null, 2) + "\n" : text(c);
      yield* Effect.sync(() => writeWhole(Deno.stdout, new TextEncoder().encode(body)));
      if (htmlPath !== undefined) {
        yield* AtomicFile.write("--html", htmlPath, CompareHtml.render(c));
      }
      const failed = c.evaluations.filter((e) => !e.passed);
      if (raw.output === "json") {
        for (const e of failed) yield* Effect.sync(() => console.error(Gate.line(e)));
      }
      yield* setExitCode(failed.length > 0 ? codes.thresholdFailed : codes.ok);
    }),
).pipe(
  Command.withDescription(
    [
      "Compare two runs figure by figure: the change, its 99 % interval, and a verdict (regressed,",
      "improved, no significant change, inconclusive) from their time windows; or, with --run, run",
      "two targets here round by round and compare their ratios.",
      "",
      "Examples:",
      "  salvo run URL -d 20s --out base.json   # then, after the change:",
      "  salvo run URL -d 20s --out new.json",
      "  salvo compare base.json new.json --threshold 'p99<+10%' --threshold 'rps>-5%'",
      "  salvo compare --run http://127.0.0.1:8081/ http://127.0.0.1:8082/ --rounds 5 -- -c 8 -d 5s",
      "",
      "Exit codes: 0 ok · 1 a threshold failed · 2 bad usage or input (runs of different tests too)",
    ].join("\n"),
  ),
);
