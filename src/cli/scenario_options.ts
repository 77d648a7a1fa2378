// `salvo run FLOW.ts`: the module's `options` as flags (the command line's own win), and the scenario's part of the plan (its module, setup(), --data, cookies).
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Data from "../core/scenario_data.ts";
import { UsageError } from "../domain/errors.ts";
import type { ScenarioPlan } from "../domain/plan.ts";
import { messageOf } from "../domain/thrown.ts";
import { isScenarioPath, loadScenario, runSetup, ScenarioError } from "../io/scenario_module.ts";
import { commands, type Flag, suggest } from "./help.ts";

const runFlags = (): ReadonlyArray<Flag> =>
  commands.find((c) => c.name === "run")!.groups.flatMap((g) => g.flags);

/** Options of the module that are no flag: how each user keeps cookies. */
const moduleOnly = new Set(["cookies"]);
const cookieModes = ["user", "iteration", "off"] as const;

/** The index in `args` (after `run`) of a scenario module's path, or -1 for a URL or none. */
export const scenarioIndex = (args: ReadonlyArray<string>): number => {
  if (args[0] !== "run") return -1;
  const flags = runFlags();
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") return -1;
    if (a.startsWith("-")) {
      const name = a.replace(/^--?/, "");
      const f = flags.find((g) => g.name === name || g.alias === name);
      // The token after a flag that takes a value is that value.
      if (f?.value !== undefined && !a.includes("=") && f.name !== "follow-redirects") i++;
      continue;
    }
    return isScenarioPath(a) ? i : -1;
  }
  return -1;
};

/**
 * The two load models' own flags: the command line's choice of model wins, so a module's options
 * for the other model are left out (`concurrency: 8` in the module, `--rate 400` given: open model).
 */
const closedFlags = ["concurrency", "delay"];
const openFlags = ["rate", "max-in-flight", "precise-pacing"];

/** What k6's options are called here. */
const k6Names: Readonly<Record<string, string>> = {
  vus: "concurrency",
  iterations: "requests",
  thresholds: "threshold",
  maxVUs: "max-in-flight",
};

const camel = (name: string): string =>
  name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const fail = (message: string) => new UsageError({ reason: "flag", message });

/** The module's file: URL (a relative path from the working directory). */
const toModuleUrl = (path: string): string =>
  new URL(path.replace(/[?#%]/g, encodeURIComponent), `file://${Deno.cwd()}/`).href;

const loaded = (path: string) =>
  Effect.tryPromise({
    try: () => loadScenario(toModuleUrl(path)),
    catch: (e) =>
      new UsageError({
        reason: "file",
        message: e instanceof ScenarioError ? e.message : messageOf(e),
      }),
  });

/**
 * `args` with the scenario module's `options` added as flags where the command line has not given
 * them; unchanged when `args` run no scenario. A module that cannot load stops salvo here (exit 2).
 */
export const withModuleOptions = (
  args: ReadonlyArray<string>,
): Effect.Effect<ReadonlyArray<string>, UsageError> =>
  Effect.gen(function* () {
    const at = scenarioIndex(args);
    if (at < 0) return args;
    const path = args[at]!;
    const options = (yield* loaded(path)).options ?? {};
    const flags = runFlags();
    const onLine = (name: string): boolean => {
      const alias = flags.find((g) => g.name === name)?.alias;
      return args.some((a, i) =>
        i !== at &&
        (a === `--${name}` || a.startsWith(`--${name}=`) ||
          (alias !== undefined && a === `-${alias}`))
      );
    };
    const lineOpen = openFlags.some(onLine), lineClosed = closedFlags.some(onLine);
    const added: string[] = [];
    for (const [key, value] of Object.entries(options)) {
      if (moduleOnly.has(key) || value === undefined) continue;
      const name = kebab(key);
      const f = flags.find((g) => g.name === name);
      if (f === undefined) {
        const near = k6Names[key] ?? suggest(name, flags.map((g) => g.name));
        return yield* fail(
          `${path}: options.${key} is not a flag of salvo run${
            near === undefined ? "" : `; did you mean ${camel(near)}?`
          }`,
        );
      }
      if (onLine(name)) continue;
      if (
        (lineOpen && closedFlags.includes(name)) || (lineClosed && openFlags.includes(name))
      ) continue;
      if (f.value === undefined) {
        if (typeof value !== "boolean") {
          return yield* fail(`${path}: options.${key} must be true or false`);
        }
        if (value) added.push(`--${name}`);
      } else if (Array.isArray(value)) {
        for (const v of value) added.push(`--${name}`, String(v));
      } else if (typeof value === "string" || typeof value === "number") {
        added.push(`--${name}`, String(value));
      } else return yield* fail(`${path}: options.${key} must be a string, a number or a list`);
    }
    return [...args.slice(0, at + 1), ...added, ...args.slice(at + 1)];
  });

export interface ScenarioRaw {
  readonly baseUrl: Option.Option<string>;
  readonly data: Option.Option<string>;
  readonly dataOrder: Option.Option<"unique" | "round-robin" | "random">;
}

const readData = (path: string, order: Data.Order) =>
  Effect.tryPromise({
    try: () => Deno.readTextFile(path),
    catch: (e) =>
      new UsageError({ reason: "file", message: `--data: cannot read '${path}': ${messageOf(e)}` }),
  }).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: () => ({ rows: Data.parse(text, Data.formatOf(path, text)), order }),
        catch: (e) =>
          new UsageError({
            reason: "file",
            message: `--data ${path}${
              e instanceof Data.DataError && e.line > 0 ? `:${e.line}` : ""
            }: ${messageOf(e)}`,
          }),
      })
    ),
  );

/** The scenario's part of the plan: its module loaded and checked, setup() run, --data read. */
export const resolveScenario = (
  path: string,
  raw: ScenarioRaw,
): Effect.Effect<ScenarioPlan, UsageError> =>
  Effect.gen(function* () {
    const url = toModuleUrl(path);
    const module = yield* loaded(path);
    const cookies = module.options?.cookies ?? "user";
    if (!cookieModes.includes(cookies as typeof cookieModes[number])) {
      return yield* fail(`${path}: options.cookies must be "user", "iteration" or "off"`);
    }
    const baseUrl = Option.getOrUndefined(raw.baseUrl);
    if (baseUrl !== undefined && !/^https?:\/\/[^/]/i.test(baseUrl)) {
      return yield* new UsageError({
        reason: "url",
        message: `--base-url: '${baseUrl}' is not an http:// or https:// URL`,
      });
    }
    if (Option.isNone(raw.data) && Option.isSome(raw.dataOrder)) {
      return yield* fail("--data-order needs --data FILE");
    }
    const data = Option.isSome(raw.data)
      ? yield* readData(raw.data.value, Option.getOrElse(raw.dataOrder, () => "unique" as const))
      : undefined;
    const setup = yield* Effect.tryPromise({
      try: () => runSetup(module, url),
      catch: (e) => new UsageError({ reason: "file", message: `${path}: ${messageOf(e)}` }),
    });
    return {
      url,
      baseUrl: baseUrl === undefined ? undefined : new URL(baseUrl).href,
      setup,
      data,
      cookies: cookies as ScenarioPlan["cookies"],
    };
  });

/** Runs the module's teardown(), once the load is over; what it throws is one stderr line. */
export const teardown = (plan: ScenarioPlan): Effect.Effect<void> =>
  Effect.promise(async () => {
    try {
      const m = await loadScenario(plan.url);
      await m.teardown?.(plan.setup);
    } catch (e) {
      console.error(`salvo: teardown() failed: ${messageOf(e)}`);
    }
  });
