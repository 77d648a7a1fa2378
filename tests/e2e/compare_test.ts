// `salvo compare` on interval streams whose truth is known (written here, a window per second): a
// 20 % slower latency regresses, a run against itself does not change, a JSON summary has no windows
// to judge by, and bad input is one line and exit 2.
import { assert, assertEquals } from "../assert.ts";
import { intervalStream as stream } from "./interval_stream.ts";
import { salvo } from "./support.ts";

const files = async (contents: Record<string, string>) => {
  const dir = await Deno.makeTempDir({ prefix: "salvo-compare-" });
  for (const [name, text] of Object.entries(contents)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
};

Deno.test("compare: latency 20 % slower regresses p50 to p99, the rate unchanged; the text fits 80 columns", async () => {
  const dir = await files({
    "base.ndjson": stream(12, 2000, 1),
    "new.ndjson": stream(12, 2400, 2),
  });
  try {
    const r = await salvo(["compare", `${dir}/base.ndjson`, `${dir}/new.ndjson`, "-o", "json"]);
    assertEquals(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const v = Object.fromEntries(out.figures.map((f: { figure: string }) => [f.figure, f]));
    for (const p of ["p50", "p90", "p99"]) {
      assertEquals(v[p].verdict, "regressed", p);
      assert(Math.abs(v[p].change_pct - 20) < 4, `${p} change ${v[p].change_pct}`);
      assert(v[p].interval_pct[0] > 0 && v[p].interval_pct[0] <= v[p].change_pct, `${p} interval`);
    }
    assertEquals(v.rps.verdict, "no significant change");
    assertEquals(v.success_rate.verdict, "no significant change");
    assertEquals([out.base.windows, out.new.windows], [12, 12]);
    const text = await salvo(["compare", `${dir}/base.ndjson`, `${dir}/new.ndjson`]);
    assertEquals(text.code, 0);
    assert(
      /^p50 +\d\.\d+ ms +\d\.\d+ ms +\+\d+\.\d % \[\+\d+\.\d, \+\d+\.\d\] +regressed$/m.test(
        text.stdout,
      ),
      text.stdout,
    );
    // The table and its notes (the first two lines name the files, as long as their paths).
    const wide = text.stdout.split("\n").slice(2).find((l) => [...l].length > 80);
    assertEquals(wide, undefined);
    // Swapped, the same change reads as an improvement.
    const back = await salvo(["compare", `${dir}/new.ndjson`, `${dir}/base.ndjson`, "-o", "json"]);
    const p50 = JSON.parse(back.stdout).figures.find((f: { figure: string }) => f.figure === "p50");
    assertEquals(p50.verdict, "improved");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compare: a run against itself is no significant change, a JSON summary inconclusive, bad input exit 2", async () => {
  const dir = await files({
    "base.ndjson": stream(8, 2000, 3),
    "short.ndjson": stream(5, 2000, 4),
    "other.json": '{"hello": 1}\n',
  });
  try {
    const self = await salvo(["compare", `${dir}/base.ndjson`, `${dir}/base.ndjson`, "-o", "json"]);
    assertEquals(self.code, 0, self.stderr);
    for (const f of JSON.parse(self.stdout).figures) {
      assertEquals(f.verdict, "no significant change", f.figure);
      assertEquals(f.change_pct, 0, f.figure);
    }
    // Five windows are one short of two batches of three.
    const short = await salvo([
      "compare",
      `${dir}/short.ndjson`,
      `${dir}/base.ndjson`,
      "-o",
      "json",
    ]);
    const fs = JSON.parse(short.stdout).figures;
    assert(fs.every((f: { verdict: string }) => f.verdict === "inconclusive"), short.stdout);
    assertEquals(fs[0].why, "too few windows with requests: each run needs 6");
    const missing = await salvo(["compare", `${dir}/nope.ndjson`, `${dir}/base.ndjson`]);
    assertEquals(missing.code, 2);
    assert(missing.stderr.startsWith(`salvo: cannot read '${dir}/nope.ndjson'`), missing.stderr);
    assertEquals(missing.stderr.split("\n").length, 2);
    const other = await salvo(["compare", `${dir}/other.json`, `${dir}/base.ndjson`]);
    assertEquals(other.code, 2);
    assert(
      other.stderr.startsWith(
        `salvo: ${dir}/other.json: neither a salvo results stream nor a JSON summary`,
      ),
      other.stderr,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
