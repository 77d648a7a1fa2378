// Loads a scenario module (a .ts or .js file) and says what is wrong with one in one line naming file:line:col; script errors as one line too.
import { maskSecrets } from "../core/request.ts";
import { messageOf } from "../domain/thrown.ts";

/** One iteration of one user: the module's default export. */
// deno-lint-ignore no-explicit-any
export type Iteration = (user: any) => Promise<void> | void;

export interface Loaded {
  readonly iterate: Iteration;
  readonly options: Readonly<Record<string, unknown>> | undefined;
  readonly setup: (() => unknown) | undefined;
  readonly teardown: ((setup: unknown) => unknown) | undefined;
}

/** A scenario that cannot run: the message is one line, for stderr and exit 2. */
export class ScenarioError extends Error {}

/** A path salvo takes for a scenario module rather than a URL. */
export const isScenarioPath = (s: string): boolean =>
  /\.(ts|mts|js|mjs)$/i.test(s) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s);

// deno-lint-ignore no-control-regex
const ansi = /\x1b\[[0-9;]*m/g;

/** `file:///…/x.ts:2:21` → `x.ts:2:21`, relative to the working directory when under it. */
export const shortPlace = (fileUrl: string): string => {
  let path = fileUrl;
  try {
    path = decodeURIComponent(new URL(fileUrl).pathname);
  } catch { /* not a URL: keep it */ }
  let cwd = "";
  try {
    cwd = Deno.cwd();
  } catch { /* no read permission: absolute paths */ }
  return cwd !== "" && path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
};

/** The first place in `text` (a message or stack) inside the scenario's folder: `file:line:col`. */
const placeIn = (text: string, scenarioUrl: string): string | undefined => {
  const folder = scenarioUrl.slice(0, scenarioUrl.lastIndexOf("/") + 1);
  const re = /(file:\/\/[^\s()]+?):(\d+):(\d+)/g;
  for (const m of text.replace(ansi, "").matchAll(re)) {
    if (m[1]!.startsWith(folder)) return `${shortPlace(m[1]!)}:${m[2]}:${m[3]}`;
  }
  return undefined;
};

/** Credentials a script's message may carry besides URLs' (`Authorization: Bearer …`, `"token": "…"`). */
const credentials =
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+|("?(?:token|password|secret)"?\s*[:=]\s*"?)[^"\s,}&;]+/gi;

/** What an iteration threw, on one line: its message (secrets masked) and where in the scenario. */
export const describeThrown = (e: unknown, scenarioUrl: string): string => {
  const message = maskSecrets(messageOf(e)).replace(
    credentials,
    (_, scheme, name) => scheme !== undefined ? `${scheme} ****` : `${name}****`,
  ).replace(ansi, "").replace(/\s+/g, " ").trim();
  const cut = message.length > 200 ? `${message.slice(0, 199)}…` : message;
  const stack = e instanceof Error ? e.stack ?? "" : "";
  const place = placeIn(stack, scenarioUrl);
  return place === undefined ? cut : `${cut} (${place})`;
};

/** A load error's first line, and where it points. */
const loadMessage = (e: unknown, scenarioUrl: string): string => {
  const raw = messageOf(e).replace(ansi, "");
  const first = raw.split("\n")[0]!.replace(/^(TypeError|SyntaxError): /, "").trim()
    .replace(/"?(file:\/\/[^\s"]+)"?/g, (_, u: string) => `'${shortPlace(u)}'`);
  const place = placeIn(raw, scenarioUrl) ??
    placeIn(e instanceof Error ? e.stack ?? "" : "", scenarioUrl);
  return place === undefined ? first : `${place}: ${first}`;
};

/**
 * Imports the module at `url` (a file: URL) and checks its exports; a module that cannot run is a
 * ScenarioError whose message names the file, and the line and column where known.
 */
export const loadScenario = async (url: string): Promise<Loaded> => {
  let m: Record<string, unknown>;
  try {
    m = await import(url);
  } catch (e) {
    const text = messageOf(e);
    if (/Module not found/.test(text) && text.includes(`"${url}"`)) {
      throw new ScenarioError(`${shortPlace(url)}: no such file`);
    }
    throw new ScenarioError(loadMessage(e, url));
  }
  const iterate = m.default;
  if (typeof iterate !== "function") {
    throw new ScenarioError(
      `${
        shortPlace(url)
      }: a scenario's default export must be a function (export default async (user) => { … })`,
    );
  }
  const options = m.options;
  if (
    options !== undefined &&
    (typeof options !== "object" || options === null || Array.isArray(options))
  ) {
    throw new ScenarioError(`${shortPlace(url)}: \`options\` must be an object`);
  }
  for (const name of ["setup", "teardown"] as const) {
    if (m[name] !== undefined && typeof m[name] !== "function") {
      throw new ScenarioError(`${shortPlace(url)}: \`${name}\` must be a function`);
    }
  }
  return {
    iterate: iterate as Iteration,
    options: options as Record<string, unknown> | undefined,
    setup: m.setup as (() => unknown) | undefined,
    teardown: m.teardown as ((s: unknown) => unknown) | undefined,
  };
};

/** Runs setup() (once, before any request); its failure is a ScenarioError naming where. */
export const runSetup = async (loaded: Loaded, url: string): Promise<unknown> => {
  if (loaded.setup === undefined) return undefined;
  let value: unknown;
  try {
    value = await loaded.setup();
  } catch (e) {
    throw new ScenarioError(`setup() failed: ${describeThrown(e, url)}`);
  }
  try {
    // Given to every load thread: it must survive a copy.
    return value === undefined ? undefined : structuredClone(value);
  } catch {
    throw new ScenarioError(
      "setup() must return data that can be copied (JSON-like), not functions",
    );
  }
};
