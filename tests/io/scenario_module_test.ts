// What a scenario's thrown errors say in one line: the message (secrets masked, at most 200 characters) and the first place in the scenario's folder, relative to the working directory.
import { describeThrown, type Loaded, runSetup, shortPlace } from "../../src/io/scenario_module.ts";
import { assertEquals } from "../assert.ts";

const thrown = (message: string, ...frames: string[]) => {
  const e = new Error(message);
  e.stack = [`Error: ${message}`, ...frames.map((f) => `    at f (${f})`)].join("\n");
  return e;
};

Deno.test("a place under the working directory is shown relative to it; one elsewhere whole", () => {
  assertEquals(shortPlace(`file://${Deno.cwd()}/scenarios/flow.ts`), "scenarios/flow.ts");
  assertEquals(shortPlace("file:///elsewhere/flow.ts"), "/elsewhere/flow.ts");
  assertEquals(shortPlace("not a url"), "not a url");
});

Deno.test("a thrown error names the first place in the scenario's own folder, not a sibling folder's that starts alike", () => {
  const url = "file:///srv/s/flow.ts";
  const e = thrown(
    "boom",
    "file:///srv/lib/x.ts:1:1",
    "file:///srv/s2/helper.ts:3:4",
    "file:///srv/s/steps.ts:7:9",
    "file:///srv/s/flow.ts:2:21",
  );
  assertEquals(describeThrown(e, url), "boom (/srv/s/steps.ts:7:9)");
  assertEquals(describeThrown(thrown("no place", "file:///srv/lib/x.ts:1:1"), url), "no place");
});

Deno.test("a message of 200 characters is kept whole; of 201, cut to 199 and an ellipsis", () => {
  const url = "file:///srv/s/flow.ts";
  assertEquals(describeThrown(new Error("a".repeat(200)), url).startsWith("a".repeat(200)), true);
  assertEquals(describeThrown("b".repeat(200), url), "b".repeat(200));
  assertEquals(describeThrown("c".repeat(201), url), `${"c".repeat(199)}…`);
});

Deno.test("a scenario without setup() sets up nothing; one with it hands on what it returns", async () => {
  const none: Loaded = {
    iterate: () => {},
    options: undefined,
    setup: undefined,
    teardown: undefined,
  };
  assertEquals(await runSetup(none, "file:///srv/s/flow.ts"), undefined);
  assertEquals(await runSetup({ ...none, setup: () => ({ n: 1 }) }, "file:///srv/s/flow.ts"), {
    n: 1,
  });
});
