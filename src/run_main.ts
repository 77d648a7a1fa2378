// Runs the salvo CLI under Effect: the platform layers, the fiber, signals, the exit code.
// No @effect/platform-node: each of its layers loaded one of Deno's Node modules before the first request.
import * as FileSystem from "@effect/platform/FileSystem";
import * as Path from "@effect/platform/Path";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { exitCodeOf, main } from "./cli/app.ts";
import { codes } from "./cli/exit_code.ts";
import * as Terminal from "./cli/terminal.ts";

/**
 * The services @effect/cli asks for. It needs a file system only to check path-typed options, and
 * salvo declares none (its files are read by its own code): one that does nothing keeps node:fs,
 * which @effect/platform-node's loads as its module is evaluated, out of the path to the first
 * request. Paths are @effect/platform's own POSIX ones, for the same reason (node:path); the terminal
 * is Deno's (src/cli/terminal.ts).
 */
export const platform = Layer.mergeAll(FileSystem.layerNoop({}), Path.layer, Terminal.layer);

/**
 * What @effect/platform-node's `runMain` does (run the fiber, interrupt it on SIGINT or SIGTERM, exit
 * with its code), with Deno's own signal API: its `process.on` loaded Deno's node:process (~8 ms) at
 * the moment the first request was ready to go out.
 */
export const runMain = (args: ReadonlyArray<string>): void => {
  let signal: string | undefined;
  // Effect's timers alone would not hold the process open while the fiber waits on a promise.
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1);
  const fiber = Effect.runFork(main(args).pipe(Effect.provide(platform)));
  const listeners = (["SIGINT", "SIGTERM"] as const).map((s) => {
    const listener = () => {
      // A second signal exits at once, whatever the first is still waiting for.
      if (signal !== undefined) Deno.exit(s === "SIGTERM" ? codes.terminated : codes.interrupted);
      signal = s;
      fiber.unsafeInterruptAsFork(fiber.id());
    };
    Deno.addSignalListener(s, listener);
    return [s, listener] as const;
  });
  fiber.addObserver((exit) => {
    for (const [s, listener] of listeners) Deno.removeSignalListener(s, listener);
    clearInterval(keepAlive);
    const code = exitCodeOf(exit, signal);
    // A clean exit lets what is still pending (an output's last write) finish by itself.
    if (code !== 0 || signal !== undefined) Deno.exit(code);
  });
};
