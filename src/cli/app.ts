// The salvo command tree and how its outcome becomes an exit code and one-line errors.
import { Command } from "@effect/cli";
import * as Cause from "effect/Cause";
import * as Console from "effect/Console";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Option from "effect/Option";
import { maskSecrets } from "../core/request.ts";
import { versionLine } from "../version.ts";
import { UsageError } from "../domain/errors.ts";
import { codes, ExitCode } from "./exit_code.ts";
import { checkArgs } from "./help.ts";
import { compareCommand } from "./compare_command.ts";
import { RunFlags } from "./compare_rounds.ts";
import { kneeCommand } from "./knee_command.ts";
import { runCommand } from "./run_command.ts";
import { mergeCommand } from "./merge_command.ts";
import { reportCommand } from "./report_command.ts";
import { serveCommand } from "./serve_command.ts";
import { withModuleOptions } from "./scenario_options.ts";
import { typesCommand } from "./types_command.ts";

const root = Command.make("salvo").pipe(
  Command.withDescription(
    "HTTP load tester: concurrent workers, honest latency, a verdict that explains itself.\n\nQuick start:\n  salvo serve --port 8080 &\n  salvo run http://127.0.0.1:8080/ -c 8 -d 3s",
  ),
  Command.withSubcommands([
    runCommand,
    kneeCommand,
    reportCommand,
    mergeCommand,
    compareCommand,
    serveCommand,
    typesCommand,
  ]),
);

const cli = Command.run(root, { name: "salvo", version: versionLine(), executable: "salvo" });

// deno-lint-ignore no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, "");

/** Writes what @effect/cli reports as an error on one stderr line, prefixed `salvo:`, secrets masked. */
const oneLine = (args: ReadonlyArray<unknown>): string =>
  `salvo: ${maskSecrets(stripAnsi(args.map(String).join(" ")).replace(/\s+/g, " ").trim())}`;

const withOneLineErrors = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.console, (base) => {
    const error = (...args: ReadonlyArray<unknown>) =>
      Effect.sync(() => console.error(oneLine(args)));
    return Effect.withConsole(self, {
      ...base,
      error,
      unsafe: {
        ...base.unsafe,
        error: (...args: ReadonlyArray<unknown>) => console.error(oneLine(args)),
      },
    });
  });

/** The process's exit code for how the program ended. */
export const exitCodeOf = (
  exit: Exit.Exit<unknown, unknown>,
  signal: string | undefined,
): number => {
  if (Exit.isSuccess(exit)) return typeof exit.value === "number" ? exit.value : codes.ok;
  if (Cause.isInterruptedOnly(exit.cause)) {
    return signal === "SIGTERM" ? codes.terminated : codes.interrupted;
  }
  const failure = Cause.failureOption(exit.cause);
  if (Option.isSome(failure)) {
    const e = failure.value as { _tag?: string };
    if (e._tag === "RunError") return codes.runError;
    return codes.usage;
  }
  return codes.runError;
};

/** Options that take no value. */
const flags = new Set([
  "--abort-on-fail",
  "--skip-invalid",
  "--insecure",
  "-k",
  "--quiet",
  "-q",
  "--help",
  "-h",
  "--version",
]);

/**
 * `--name=value` becomes `--name value` (@effect/cli reads the `=` form only in some positions), and
 * a bare `--follow-redirects` means `--follow-redirects same`: the option otherwise takes a value.
 */
const normalize = (args: ReadonlyArray<string>): ReadonlyArray<string> => {
  // A token right after an option that takes a value is that value, whatever it looks like.
  const split = args.flatMap((a, i) => {
    const m = /^(--[a-z][a-z0-9-]*)=(.*)$/s.exec(a);
    const previous = args[i - 1] ?? "";
    const isValue = /^-/.test(previous) && !previous.includes("=") && !flags.has(previous);
    return m === null || isValue ? [a] : [m[1]!, m[2]!];
  });
  return split.flatMap((a, i) =>
    a === "--follow-redirects" && !["same", "any"].includes(split[i + 1] ?? "") ? [a, "same"] : [a]
  );
};

/** Runs salvo on `args` (without the executable) and yields the exit code; errors become one stderr line. */
export const main = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const ref = yield* ExitCode;
    // @effect/cli's built-in wizard waits for a terminal forever when there is none: not offered.
    if (args.includes("--wizard")) {
      return yield* new UsageError({
        reason: "flag",
        message: "--wizard is not supported; see salvo --help",
      });
    }
    // `compare --run A B … -- RUN FLAGS`: what follows `--` is for the `salvo run`s it starts.
    const dashes = args[0] === "compare" ? args.indexOf("--") : -1;
    const own = dashes < 0 ? args : args.slice(0, dashes);
    const typo = checkArgs(own);
    if (typo !== undefined) return yield* new UsageError({ reason: "flag", message: typo });
    // `run FLOW.ts`: the module's options become flags, the command line's own winning.
    const given = dashes < 0 ? yield* withModuleOptions(own) : own;
    yield* cli(["salvo", "salvo", ...normalize(given)]).pipe(
      Effect.provideService(RunFlags, dashes < 0 ? [] : args.slice(dashes + 1)),
    );
    return yield* ref;
  }).pipe(
    Effect.catchAll((e: unknown) => {
      const tagged = e as { readonly _tag?: string; readonly message?: string };
      const code = tagged._tag === "RunError" ? codes.runError : codes.usage;
      // @effect/cli prints its own validation errors; ours carry a message to print.
      return tagged._tag === "UsageError" || tagged._tag === "RunError"
        ? Console.error(tagged.message).pipe(Effect.as(code))
        : Effect.succeed(code);
    }),
    withOneLineErrors,
    Effect.provide(ExitCode.layer),
  );
