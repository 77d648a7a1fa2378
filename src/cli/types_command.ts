// `salvo types`: prints the types a scenario module imports (src/domain/scenario_api.ts), for `salvo types > salvo.d.ts`.
import { Command } from "@effect/cli";
import * as Console from "effect/Console";
import text from "../domain/scenario_api.ts" with { type: "text" };

export const typesCommand = Command.make("types", {}, () => Console.log(text.trimEnd())).pipe(
  Command.withDescription(
    "Print the TypeScript types a scenario imports: salvo types > salvo.d.ts",
  ),
);
