// salvo's entry: needs --allow-net, plus --allow-read / --allow-write for files the user names.
// `--version` and help are answered before the CLI and Effect are loaded: they are run often, in
// scripts and CI steps, and loading the rest is most of salvo's start-up.
import { checkArgs, helpFor } from "./cli/help.ts";
import { versionLine } from "./version.ts";

const args = Deno.args;
const help = helpFor(args, versionLine());
// `salvo help NOTACOMMAND`: one line and exit 2, as any other unknown command.
const unknownTopic = args[0] === "help" ? checkArgs(args) : undefined;
if (unknownTopic !== undefined) {
  console.error(`salvo: ${unknownTopic}`);
  Deno.exit(2);
} else if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  console.log(versionLine());
} else if (help !== undefined) {
  console.log(help);
} else {
  (await import("./run_main.ts")).runMain(args);
}
