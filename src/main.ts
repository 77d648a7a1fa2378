// salvo's entry: needs --allow-net, plus --allow-read / --allow-write for files the user names.
import { NodeContext, NodeRuntime } from "@effect/platform-node";
import { Effect } from "effect";
import { exitCodeOf, main } from "./cli/app.ts";

let signal: string | undefined;
for (const s of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(s, () => {
    if (signal !== undefined && s === "SIGINT") Deno.exit(130); // a second Ctrl-C exits at once
    signal = s;
  });
}

main(Deno.args).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) => onExit(exitCodeOf(exit, signal)),
  }),
);
