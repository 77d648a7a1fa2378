// `salvo compare --run A B --rounds N -- [run flags]`: A/B on this machine, interleaved. Each round
// runs both targets back to back with the same `salvo run` flags (A then B, then B then A: drift
// cancels), in this process (a binary that may not start processes), and the rounds' ratios are
// judged (src/core/rounds.ts).
import { Command } from "@effect/cli";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Ref from "effect/Ref";
import * as Compare from "../core/compare.ts";
import * as Rounds from "../core/rounds.ts";
import * as Summary from "../core/summary.ts";
import { UsageError } from "../domain/errors.ts";
import * as Engine from "../engine/run.ts";
import * as Threads from "../engine/threads.ts";
import { options, type Raw } from "./run_options.ts";
import { resolve } from "./run_plan.ts";

/** The `salvo run` flags after `--` on a `compare --run` line. */
export class RunFlags extends Context.Tag("salvo/RunFlags")<RunFlags, ReadonlyArray<string>>() {}

/** The whole-run figures of one run, as its JSON summary gives them (latency ms, rates 0..1). */
export type Figures = Readonly<Record<string, number>>;

/** Parses `run URL FLAGS` as `salvo run` does, into its raw options. */
const parseRun = (url: string, flags: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const got = yield* Ref.make<Raw | undefined>(undefined);
    const capture = Command.make("run", options, (raw) => Ref.set(got, raw));
    yield* Command.run(capture, { name: "salvo", version: "" })(["salvo", "run", url, ...flags]);
    const raw = yield* Ref.get(got);
    if (raw === undefined) {
      return yield* new UsageError({
        reason: "flag",
        message: `compare --run: the run flags after -- did not parse: ${flags.join(" ")}`,
      });
    }
    const output = [
      ["-o", raw.output !== "text"],
      ["--threshold", raw.threshold.length > 0],
      ["--baseline", Option.isSome(raw.baseline)],
      ["--junit", Option.isSome(raw.junit)],
      ["--out", Option.isSome(raw.out)],
      ["--html", Option.isSome(raw.html)],
      ["--results", Option.isSome(raw.results)],
      ["--abort-on-fail", raw.abortOnFail],
      ["--metrics-listen", Option.isSome(raw.metricsListen)],
      ["--metrics-push", Option.isSome(raw.metricsPush)],
    ].find(([, given]) => given);
    if (output !== undefined) {
      return yield* new UsageError({
        reason: "flag",
        message: `compare --run: ${
          output[0]
        } after -- is not a load flag; give compare's own (-o, --threshold, --html) before --`,
      });
    }
    return raw;
  });

/** One run in this process, quietly: its whole-run figures. */
const runOnce = (raw: Raw) =>
  Effect.gen(function* () {
    const { plan, threads } = yield* resolve(raw).pipe(
      Effect.mapError((e) =>
        new UsageError({ reason: e.reason, message: `compare --run: ${e.message}` })
      ),
    );
    const run = Threads.prepare(plan, threads, undefined, false);
    const progress = yield* Ref.make<Engine.Snapshot>(Engine.emptySnapshot);
    yield* run.execute(progress);
    const o = run.outcome();
    const s = Summary.describe(o.summary, o.scheduleMs);
    return {
      requests: s.requests,
      rps: s.rps,
      success_rate: s.successRate,
      p50: s.latency.p50,
      p90: s.latency.p90,
      p99: s.latency.p99,
      "p99.9": s.latency.p99_9,
      max: s.latency.max,
    } satisfies Figures;
  });

export interface RoundsOutcome {
  readonly a: ReadonlyArray<Figures>;
  readonly b: ReadonlyArray<Figures>;
  readonly results: ReadonlyArray<Compare.Result>;
}

/** Runs `rounds` rounds, A and B alternating which goes first, and compares them figure by figure. */
export const runRounds = (
  urlA: string,
  urlB: string,
  rounds: number,
  flags: ReadonlyArray<string>,
  progress: (line: string) => void,
  floorPct: number,
) =>
  Effect.gen(function* () {
    const rawA = yield* parseRun(urlA, flags);
    const rawB = yield* parseRun(urlB, flags);
    const a: Figures[] = [], b: Figures[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? ["A", "B"] : ["B", "A"];
      for (const side of order) {
        const f = yield* runOnce(side === "A" ? rawA : rawB);
        (side === "A" ? a : b).push(f);
      }
      progress(
        `round ${i + 1}/${rounds}: A ${Math.round(a[i]!.rps!)} req/s, p99 ${a[i]!.p99}ms · B ${
          Math.round(b[i]!.rps!)
        } req/s, p99 ${b[i]!.p99}ms`,
      );
    }
    const results = Compare.figures.map((f) =>
      Rounds.compareRounds(
        f.name,
        f.worse,
        a.map((x) => x[f.name]!),
        b.map((x) => x[f.name]!),
        floorPct,
      )
    );
    return { a, b, results } satisfies RoundsOutcome;
  });
