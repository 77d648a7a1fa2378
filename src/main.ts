// salvo's entry: needs --allow-net, plus --allow-read / --allow-write for files the user names.
// `--version` and help are answered before the CLI and Effect are loaded: they are run often, in
// scripts and CI steps, and loading the rest is most of salvo's start-up. In a Worker, the entry is a
// load thread of a run (--threads): the one file is both, in the bundle and in the compiled binary.
import { inWorker, setEntry } from "./engine/entry.ts";
import { helpFor } from "./cli/help.ts";
import { versionLine } from "./version.ts";

setEntry(import.meta.url);
const args = Deno.args;
const help = inWorker() ? undefined : helpFor(args, versionLine());
if (inWorker()) {
  (await import("./engine/thread_main.ts")).serve();
} else if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  console.log(versionLine());
} else if (help !== undefined) {
  console.log(help);
} else {
  (await import("./run_main.ts")).runMain(args);
}
