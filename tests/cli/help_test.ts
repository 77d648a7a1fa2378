// The front door: help that fits a screen, plain when piped, every flag with its value and default,
// and a table that stays true to the flags the CLI parses.
import { CliConfig, Command, HelpDoc } from "@effect/cli";
import { compareCommand } from "../../src/cli/compare_command.ts";
import * as Help from "../../src/cli/help.ts";
import { kneeCommand } from "../../src/cli/knee_command.ts";
import { mergeCommand } from "../../src/cli/merge_command.ts";
import { reportCommand } from "../../src/cli/report_command.ts";
import { runCommand } from "../../src/cli/run_command.ts";
import { serveCommand } from "../../src/cli/serve_command.ts";
import { typesCommand } from "../../src/cli/types_command.ts";
import { assert, assertEquals } from "../assert.ts";
import { salvo } from "../e2e/support.ts";

const parsers = {
  run: runCommand,
  knee: kneeCommand,
  report: reportCommand,
  merge: mergeCommand,
  compare: compareCommand,
  serve: serveCommand,
  types: typesCommand,
};
/** @effect/cli's own flags on every command, which the table leaves to the root help. */
const builtIn = new Set(["--completions", "--log-level", "--help", "--wizard", "--version"]);

Deno.test("help: the table names exactly the flags @effect/cli parses, for every command", () => {
  assertEquals(Help.commands.map((c) => c.name).sort(), Object.keys(parsers).sort());
  for (const c of Help.commands) {
    const helpOf = <C extends Command.Command<string, never, unknown, unknown>>(command: C) =>
      Command.getHelp(command, CliConfig.defaultConfig);
    const doc = helpOf(
      parsers[c.name as keyof typeof parsers] as unknown as Command.Command<
        string,
        never,
        unknown,
        unknown
      >,
    );
    // deno-lint-ignore no-control-regex
    const text = HelpDoc.toAnsiText(doc).replace(/\x1b\[[0-9;]*m/g, "");
    const parsed = new Set(
      [...text.matchAll(/^\(?(?:-(\w), )?(--[a-z0-9-]+)/gm)].map((m) =>
        `${m[2]}${m[1] ? ` -${m[1]}` : ""}`
      )
        .filter((f) => !builtIn.has(f.split(" ")[0]!)),
    );
    const table = new Set(
      c.groups.flatMap((g) => g.flags).map((f) => `--${f.name}${f.alias ? ` -${f.alias}` : ""}`),
    );
    assertEquals([...table].sort(), [...parsed].sort(), c.name);
  }
});

Deno.test("help: every flag's line shows its value and its default", () => {
  for (const c of Help.commands) {
    const lines = Help.commandHelp(c).split("\n");
    for (const f of c.groups.flatMap((g) => g.flags)) {
      const line = lines.find((l) => new RegExp(`(^|, )--${f.name}\\b`).test(l.trim()));
      assert(line !== undefined, `${c.name} --${f.name} has no line`);
      if (f.value !== undefined) assert(line.includes(`--${f.name} ${f.value}`), line);
      if (f.default !== undefined) assert(line.endsWith(`(${f.default})`), line);
      if (f.alias !== undefined) assert(line.includes(`-${f.alias}, --${f.name}`), line);
    }
  }
});

Deno.test("help fits the screen: salvo --help in 24 lines, run --help in 70, no escape byte when piped", async () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, number]> = [
    [["--help"], 24],
    [[], 24],
    [["help"], 24],
    // run has the most flags (60, in six groups): the metrics' eight took it from 60 lines to 68;
    // a scenario's three went into Request, TLS's two into Connection, one example out.
    [["run", "--help"], 70],
    [["help", "run"], 70],
    [["knee", "-h"], 60],
    [["report", "--help"], 60],
    [["merge", "--help"], 60],
    [["compare", "--help"], 60],
    [["serve", "--help"], 60],
    [["types", "--help"], 24],
  ];
  for (const [args, most] of cases) {
    const r = await salvo(args);
    assertEquals(r.code, 0, args.join(" "));
    const lines = r.stdout.trimEnd().split("\n");
    assert(lines.length <= most, `${args.join(" ")}: ${lines.length} lines`);
    const wide = lines.find((l) => [...l].length > 80);
    assert(wide === undefined, `${args.join(" ")}: wider than 80: ${wide}`);
    assert(!r.stdout.includes("\x1b"), `${args.join(" ")}: an escape byte`);
  }
  const run = await salvo(["run", "--help"]);
  assert(run.stdout.startsWith("Usage: salvo run URL|FLOW.ts [flags]"), run.stdout);
  assertEquals(Help.suggest("concurency", ["concurrency", "rate"]), "concurrency");
  assertEquals(Help.suggest("xyz", ["concurrency", "rate"]), undefined);
});

Deno.test("the README shows salvo --help and salvo run --help as they print", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  // The fenced blocks, each as its lines joined: a fence opens with ``` (and a language, maybe).
  const blocks: string[] = [];
  let open: string[] | undefined;
  for (const line of readme.split("\n")) {
    if (line.startsWith("```")) {
      if (open === undefined) open = [];
      else {
        blocks.push(open.join("\n"));
        open = undefined;
      }
    } else open?.push(line);
  }
  for (const args of [["--help"], ["run", "--help"]]) {
    const r = await salvo(args);
    // The version line names the commit, which the README cannot know.
    const printed = r.stdout.trimEnd().replace(/\(commit [^,]+,/, "(commit …,");
    assert(
      blocks.includes(printed),
      `the README lacks salvo ${args.join(" ")} as printed:\n${printed}`,
    );
  }
});
