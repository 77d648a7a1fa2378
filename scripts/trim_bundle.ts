// Keeps what salvo never uses out of the bundle's load, so that a run's first request goes out sooner:
//
// - The YAML, TOML and INI parsers @effect/cli imports for file-valued options (`internal/files.js`):
//   salvo declares none, yet the three packages (417 KB) were evaluated on every run. Each is a
//   CommonJS module behind esbuild's lazy `require_…()`, required at the top level as
//   `var Yaml = __toESM(require_dist());`; that becomes a namespace that requires it on first use.
// - Effect's clock (`internal/clock.js`) and logger (`internal/logger.js`) probe the `process` global
//   at the top level (for `hrtime`, and whether `process.stdout` is a terminal), and reading Deno's
//   `process` global loads its whole node:process module and stdio streams (~10 ms). The clock then
//   uses `performance.now()`, as it does where there is no `process` (salvo measures with it anyway);
//   the logger, which salvo does not use, takes stdout as not a terminal.

/** `var Yaml = __toESM(require_x());` for the three parsers @effect/cli names Ini, Toml and Yaml. */
const parsers = /^var (Ini|Toml|Yaml) = __toESM\((require_\w+)\(\)\);$/gm;

const probes = [
  /const processHrtime = typeof process === "object" && "hrtime" in process && typeof process\.hrtime\.bigint === "function" \? process\.hrtime : void 0;/g,
  /var hasProcessStdout = typeof process === "object" && process !== null && typeof process\.stdout === "object" && process\.stdout !== null;/g,
];
const replacements = ["const processHrtime = void 0;", "var hasProcessStdout = false;"];

/**
 * The bundle trimmed: `parsers` counts the parser lines rewritten, `probes` the `process` probes (the
 * load threads' embedded bundle holds some too).
 */
export const trimBundle = (code: string): { code: string; parsers: number; probes: number } => {
  let found = 0, probed = 0;
  let out = code.replace(parsers, (_, name: string, require: string) => {
    found++;
    return `var ${name} = new Proxy({}, { get: (_, k) => __toESM(${require}())[k], has: (_, k) => k in __toESM(${require}()) });`;
  });
  probes.forEach((p, i) => {
    out = out.replace(p, () => (probed++, replacements[i]!));
  });
  return { code: out, parsers: found, probes: probed };
};
