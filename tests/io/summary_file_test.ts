// A JSON summary file read back (merge, compare, --baseline), in a temporary directory: what it was a run of, and one line naming the file and the field for each thing wrong in it.
import { Effect, Either } from "effect";
import * as Summary from "../../src/core/summary.ts";
import { Tally } from "../../src/core/scenario_tally.ts";
import { readPart } from "../../src/io/summary_file.ts";
import { toRecord } from "../../src/io/summary_record.ts";
import { toTallyRecord } from "../../src/io/tally_record.ts";
import { assertEquals } from "../assert.ts";

const s = Summary.empty();
s.record(200, -1, true, 1000, 1000, 10);
const record = toRecord(s);
const window = {
  start_ms: 0,
  end_ms: 1000,
  requests: 1,
  successes: 1,
  rps: 1,
  p50: 1,
  p90: 1,
  p99: 1,
  p99_9: 1,
  max: 1,
};
const good = {
  ...record,
  started_us: 5,
  ended_us: 1_000_005,
  request: { url: "http://127.0.0.1:8080/", method: "GET" },
  concurrency: 8,
  windows: [window],
};

/** readPart of a file holding `json`: the part, or the message it failed with. */
const read = async (json: unknown) => {
  const dir = await Deno.makeTempDir({ prefix: "salvo-summary-file-" });
  try {
    const path = `${dir}/s.json`;
    await Deno.writeTextFile(path, typeof json === "string" ? json : JSON.stringify(json));
    const r = await Effect.runPromise(Effect.either(readPart(path)));
    return Either.isLeft(r) ? r.left.message.replace(path, "s.json") : r.right;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

Deno.test("a summary file reads back as the run it was: counts, span, request, model, windows, and no scenario", async () => {
  const part = await read(good);
  if (typeof part === "string") throw new Error(part);
  assertEquals(
    [part.summary.requests, part.startedUs, part.endedUs, part.url, part.method, part.model],
    [1, 5, 1_000_005, "http://127.0.0.1:8080/", "GET", "closed"],
  );
  assertEquals([part.concurrency, part.targetRps, part.scenario], [8, undefined, undefined]);
  assertEquals(part.windows.map((w) => [w.startMs, w.endMs, w.requests, w.p999]), [
    [0, 1000, 1, 1],
  ]);
  const open = await read({ ...good, target_rps: 500, windows: undefined });
  if (typeof open === "string") throw new Error(open);
  assertEquals([open.model, open.targetRps, open.windows], ["open", 500, []]);
});

Deno.test("a scenario's summary file carries its module and tally", async () => {
  const t = new Tally();
  t.iterations.count = 3;
  const part = await read({ ...good, scenario: { module: "flow.ts", tally: toTallyRecord(t) } });
  if (typeof part === "string") throw new Error(part);
  assertEquals([part.scenario?.module, part.scenario?.tally.iterations.count], ["flow.ts", 3]);
  // Strays are written only when there were some.
  assertEquals("strays" in toTallyRecord(t), false);
  t.strays = 2;
  assertEquals(toTallyRecord(t).strays, 2);
});

Deno.test("a summary file with something wrong is refused in one line naming the file and what", async () => {
  const cases: Array<[unknown, string]> = [
    ["{", "s.json: not a JSON summary"],
    [{ ...good, requests: "1" }, "s.json: 'requests' is missing or not a whole number"],
    [{ ...good, scenario: { tally: {} } }, "s.json: scenario: 'module' is missing"],
    [{ ...good, scenario: null }, "s.json: scenario: 'module' is missing"],
    [{ ...good, scenario: { module: "flow.ts", tally: 3 } }, "s.json: scenario: not a JSON object"],
    [{ ...good, windows: {} }, "s.json: 'windows' is not a list"],
    [
      { ...good, windows: [window, { ...window, p99: "1" }] },
      "s.json: window 2 has no number 'p99'",
    ],
    [{ ...good, windows: [{ ...window, max: Infinity }] }, "s.json: window 1 has no number 'max'"],
    [{ ...good, ended_us: undefined }, "s.json: 'started_us' and 'ended_us' are missing"],
  ];
  for (const [json, message] of cases) assertEquals(await read(json), message);
});
