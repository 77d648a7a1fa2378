// The bundle's `node:` imports, made lazy by scripts/lazy_node_imports.ts, behave as the imports did:
// namespaces, default and named imports, calls, `new`, `extends`, `instanceof`, methods' receivers.
import { assertEquals } from "../assert.ts";
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
