// The bundle's `node:` imports, made lazy by scripts/lazy_node_imports.ts, behave as the imports did:
// namespaces, default and named imports, calls, `new`, `extends`, `instanceof`, methods' receivers.
import { assertEquals } from "../assert.ts";
import { trimBundle } from "../../scripts/trim_bundle.ts";
import { lazyNodeImports } from "../../scripts/lazy_node_imports.ts";

const module = `import * as Path from "node:path";
import { EventEmitter as Emitter } from "node:events";
import { Buffer as Buf } from "node:buffer";
import proc from "node:process";
import { setImmediate as later } from "node:timers";
class Mine extends Emitter { twice() { return 2; } }
const m = new Mine();
let heard = 0;
m.on("x", () => heard++);
m.emit("x");
const ticks = await new Promise((r) => later(() => r(1)));
export const facts = {
  joined: Path.join("a", "b"),
  isMine: m instanceof Mine && m instanceof Emitter,
  heard,
  twice: m.twice(),
  buffer: Buf.from("hi").toString("hex"),
  isBuffer: Buf.isBuffer(Buf.from("x")),
  cpu: typeof proc.cpuUsage().user,
  ticks,
};
`;

const load = async (code: string) =>
  (await import(URL.createObjectURL(new Blob([code], { type: "text/javascript" })))).facts;

Deno.test("lazy node: imports behave as the static imports did, and none is left static", async () => {
  const lazy = lazyNodeImports(module);
  assertEquals(/^import .* from "node:/m.test(lazy), false);
  assertEquals(await load(lazy), await load(module));
  assertEquals(await load(lazy), {
    joined: "a/b",
    isMine: true,
    heard: 1,
    twice: 2,
    buffer: "6869",
    isBuffer: true,
    cpu: "number",
    ticks: 1,
  });
});

Deno.test("lazy file parsers: @effect/cli's YAML, TOML and INI load on first use, and then work", async () => {
  // The shape esbuild gives them: CommonJS behind a lazy require, required at the top level.
  const bundle = `export const loaded = [];
var __toESM = (m) => ({ ...m, default: m });
var require_ini = () => (loaded.push("ini"), { parse: (s) => ({ ini: s }) });
var require_toml = () => (loaded.push("toml"), { parse: (s) => ({ toml: s }) });
var require_dist = () => (loaded.push("yaml"), { parse: (s) => ({ yaml: s }) });
var Ini = __toESM(require_ini());
var Toml = __toESM(require_toml());
var Yaml = __toESM(require_dist());
export const parse = (s) => [Yaml.parse(s), "parse" in Toml, Ini.parse(s)];
`;
  const { code, parsers } = trimBundle(bundle);
  assertEquals(parsers, 3);
  const m = await import(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
  assertEquals(m.loaded, []);
  assertEquals(m.parse("a: 1"), [{ yaml: "a: 1" }, true, { ini: "a: 1" }]);
  assertEquals([...new Set(m.loaded)].sort(), ["ini", "toml", "yaml"]);
  // Unchanged, they load with the bundle.
  const eager = await import(URL.createObjectURL(new Blob([bundle], { type: "text/javascript" })));
  assertEquals(eager.loaded, ["ini", "toml", "yaml"]);
});
