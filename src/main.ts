// salvo's entry: needs --allow-net, plus --allow-read / --allow-write for files the user names.
// `--version` and help are answered before the CLI and Effect are loaded: they are run often, in
// scripts and CI steps, and loading the rest is most of salvo's start-up.
import { helpFor } from "./cli/help.ts";
import { versionLine } from "./version.ts";

const args = Deno.args;
const help = helpFor(args, versionLine());
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  console.log(versionLine());
} else if (help !== undefined) {
  console.log(help);
} else {
  (await import("./run_main.ts")).runMain(args);
}
