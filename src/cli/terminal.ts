// The Terminal service @effect/cli asks for: salvo never prompts (its --wizard is refused), so this one
// answers the size and display from Deno's own API and quits any read. @effect/platform-node's reads
// `process.stdin` and `process.stdout` as it is built, which loaded Deno's node:process before a
// run's first request could go out.
import * as Terminal from "@effect/platform/Terminal";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { writeWhole } from "../io/whole_write.ts";

/** The terminal's size; 80×24 when it cannot be asked, or says 0 (a terminal that does not know). */
export const consoleSize = (): { columns: number; rows: number } => {
  try {
    const { columns, rows } = Deno.consoleSize();
    return { columns: columns > 0 ? columns : 80, rows: rows > 0 ? rows : 24 };
  } catch {
    return { columns: 80, rows: 24 };
  }
};

const encoder = new TextEncoder();

export const layer: Layer.Layer<Terminal.Terminal> = Layer.succeed(
  Terminal.Terminal,
  Terminal.Terminal.of({
    columns: Effect.sync(() => consoleSize().columns),
    rows: Effect.sync(() => consoleSize().rows),
    isTTY: Effect.sync(() => Deno.stdout.isTerminal()),
    readInput: Effect.dieMessage("salvo reads no input from the terminal"),
    readLine: Effect.fail(new Terminal.QuitException()),
    display: (text) => Effect.sync(() => writeWhole(Deno.stdout, encoder.encode(text))),
  }),
);
