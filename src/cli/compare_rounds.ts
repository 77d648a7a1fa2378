// `salvo compare --run A B --rounds N -- [run flags]`: A/B on this machine, interleaved. Each round
// runs `salvo run` on both targets back to back (A then B, then B then A: drift cancels), each in its
// own process as a CI job would, and the rounds' ratios are judged (src/core/rounds.ts).
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Compare from "../core/compare.ts";
import * as Rounds from "../core/rounds.ts";
import { RunError, UsageError } from "../domain/errors.ts";
import { maskSecrets } from "../core/request.ts";

/** The `salvo run` flags after `--` on a `compare --run` line. */
export class RunFlags extends Context.Tag("salvo/RunFlags")<RunFlags, ReadonlyArray<string>>() {}

/** The whole-run figures of one run, as its JSON summary gives them (latency ms, rates 0..1). */
export type Figures = Readonly<Record<string, number>>;

/** How to start salvo again: the compiled binary itself, or Deno running this module. */
const self = (): ReadonlyArray<string> =>
  /^deno(\.exe)?$/.test(Deno.execPath().split(/[\\/]/).pop() ?? "")
    ? [Deno.execPath(), "run", "-A", Deno.mainModule]
    : [Deno.execPath()];

const figuresOf = (json: Record<string, unknown>): Figures => {
  const l = json.latency_ms as Record<string, number>;
  return {
    requests: json.requests as number,
    rps: json.rps as number,
    success_rate: json.success_rate as number,
    p50: l.p50!,
    p90: l.p90!,
    p99: l.p99!,
    "p99.9": l.p99_9!,
    max: l.max!,
  };
};

/** One `salvo run URL FLAGS -q -o json`: its figures, or why it could not run. */
const runOnce = (url: string, flags: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const [cmd, ...pre] = self();
    const out = yield* Effect.tryPromise({
      try: () =>
        new Deno.Command(cmd!, {
          args: [...pre, "run", url, ...flags, "-q", "-o", "json"],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output(),
      catch: (e) => new RunError({ reason: "output", message: `cannot start salvo run: ${e}` }),
    });
    const stderr = new TextDecoder().decode(out.stderr).trim();
    if (out.code === 2) {
      return yield* new UsageError({
        reason: "flag",
        message: `compare --run: salvo run ${maskSecrets(url)}: ${stderr.split("\n").pop()}`,
      });
    }
    try {
      return figuresOf(JSON.parse(new TextDecoder().decode(out.stdout)));
    } catch {
      return yield* new RunError({
        reason: "output",
        message: `compare --run: salvo run ${maskSecrets(url)} exited ${out.code}: ${
          stderr.split("\n").pop() ?? ""
        }`,
      });
    }
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
) =>
  Effect.gen(function* () {
    const a: Figures[] = [], b: Figures[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? ["A", "B"] : ["B", "A"];
      for (const side of order) {
        const f = yield* runOnce(side === "A" ? urlA : urlB, flags);
        (side === "A" ? a : b).push(f);
      }
      progress(
        `round ${i + 1}/${rounds}: A ${Math.round(a[i]!.rps!)} req/s, p99 ${a[i]!.p99}ms · B ${
          Math.round(b[i]!.rps!)
        } req/s, p99 ${b[i]!.p99}ms`,
      );
    }
    const results = Compare.figures.map((f) =>
      Rounds.compareRounds(f.name, f.worse, a.map((x) => x[f.name]!), b.map((x) => x[f.name]!))
    );
    return { a, b, results } satisfies RoundsOutcome;
  });
