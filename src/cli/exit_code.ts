// The process exit code a command asks for, as a service: commands set it, main exits with it.
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Ref from "effect/Ref";

/** Documented exit codes (README and --help). */
export const codes = {
  ok: 0,
  thresholdFailed: 1,
  usage: 2,
  runError: 3,
  interrupted: 130,
  terminated: 143,
} as const;

export class ExitCode extends Context.Tag("salvo/ExitCode")<ExitCode, Ref.Ref<number>>() {
  static readonly make = Ref.make<number>(codes.ok);
  static readonly layer = Layer.effect(ExitCode, ExitCode.make);
}

export const set = (code: number): Effect.Effect<void, never, ExitCode> =>
  Effect.flatMap(ExitCode, (ref) => Ref.set(ref, code));
