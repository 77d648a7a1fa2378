// `salvo types` gives a scenario's editor the types: a scenario written against them type-checks, and a wrong call is an error before it is a failed run.
import { assert, assertEquals } from "../assert.ts";
import { salvo, scenarioDir } from "./support.ts";

const check = async (dir: string, file: string) => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--no-config", `${dir}/${file}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, text: new TextDecoder().decode(out.stderr) };
};

Deno.test("salvo types > salvo.d.ts: a scenario importing it type-checks, and a wrong call is a type error naming it", async () => {
  const types = await salvo(["types"]);
  assertEquals(types.code, 0);
  const dir = await scenarioDir({
    "salvo.d.ts": types.stdout,
    "good.ts": `import type { Options, Scenario, User } from "./salvo.d.ts";
export const options: Options = { baseUrl: "http://127.0.0.1:8080", concurrency: 8, dataOrder: "unique" };
export default async (u: User<unknown, { user: string }>) => {
  const r = await u.post("/login", { name: "login", json: { user: u.data?.user } });
  u.check(r, { "200": (x) => x.status === 200 });
  u.check("has a token", typeof r.json<{ token?: string }>().token === "string");
  await u.group("read", () => u.get("/items", { headers: { Authorization: "Bearer x" } }));
  await u.sleep(10);
};
export const scenario: Partial<Scenario> = { setup: () => ({ at: Date.now() }) };
`,
    "bad.ts": `import type { User } from "./salvo.d.ts";
export default async (u: User) => {
  await u.post("/login", { jsn: { user: "ann" } });
};
`,
  });
  try {
    const good = await check(dir, "good.ts");
    assertEquals(good.code, 0, good.text);
    const bad = await check(dir, "bad.ts");
    assertEquals(bad.code, 1);
    assert(bad.text.includes("'jsn' does not exist"), bad.text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
