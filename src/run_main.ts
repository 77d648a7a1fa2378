// Runs the salvo CLI under Effect: signals, the platform layers, runMain, the exit code.
// Deep imports keep the rest of @effect/platform-node (HTTP client, sockets, workers) out of the process.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import * as NodePath from "@effect/platform-node/NodePath";
import * as NodeRuntime from "@effect/platform-node/NodeRuntime";
import * as NodeTerminal from "@effect/platform-node/NodeTerminal";
import { Effect, Layer } from "effect";
import { exitCodeOf, main } from "./cli/app.ts";

export const runMain = (args: ReadonlyArray<string>): void => {
  let signal: string | undefined;
  for (const s of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(s, () => {
      if (signal !== undefined && s === "SIGINT") Deno.exit(130); // a second Ctrl-C exits at once
      signal = s;
    });
  }
  const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer);
  main(args).pipe(
    Effect.provide(platform),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      teardown: (exit, onExit) => onExit(exitCodeOf(exit, signal)),
    }),
  );
};
