// scripts/mutate.sh proves its kills: a test that fails unmutated stops the check; a real kill and a survivor are told apart.
import { assert, assertEquals } from "../assert.ts";

const root = new URL("../../", import.meta.url);

/** Runs scripts/mutate.sh over a one-row table: exit code and stdout. */
const mutate = async (row: string): Promise<{ code: number; stdout: string }> => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/mutants.tsv`, `${row}\n`);
    const out = await new Deno.Command("bash", {
      args: ["scripts/mutate.sh"],
      cwd: root,
      env: { MUTANTS: `${dir}/mutants.tsv`, DENO: Deno.execPath() },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

const fraction = ["src/core/units.ts", "Number(m[1]) *", "Math.floor(Number(m[1])) *"];

Deno.test("the control run stops the check at a test that fails on the unmutated code, naming it", async () => {
  const r = await mutate(
    [...fraction, "tests/fixtures/mutate/fails_unmutated.ts", "drops the fraction"].join("\t"),
  );
  assertEquals(r.code, 1);
  assert(
    r.stdout.includes(
      "control run: tests/fixtures/mutate/fails_unmutated.ts fails on the unmutated code (this fixture fails on purpose, mutated or not)",
    ),
    r.stdout,
  );
  assert(!/killed/.test(r.stdout), r.stdout);
});

Deno.test("a mutant that a passing test catches is killed; one that no test sees survives, and the check fails", async () => {
  const caught = await mutate(
    [...fraction, "tests/fixtures/mutate/durations.ts", "drops the fraction"].join("\t"),
  );
  assertEquals(caught.code, 0, caught.stdout);
  assert(
    /^killed +drops the fraction .* by: 1\.5s is 1500 ms$/m.test(caught.stdout),
    caught.stdout,
  );
  assert(caught.stdout.includes("1 of 1 mutants killed"), caught.stdout);
  const missed = await mutate(
    [
      "src/core/units.ts",
      "us: 0.001,",
      "us: 0.002,",
      "tests/fixtures/mutate/durations.ts",
      "µs scale",
    ]
      .join("\t"),
  );
  assertEquals(missed.code, 1, missed.stdout);
  assert(/^SURVIVED µs scale \(src\/core\/units\.ts\)/m.test(missed.stdout), missed.stdout);
  assert(missed.stdout.includes("0 of 1 mutants killed"), missed.stdout);
});
