// A container's CPU quota read from cgroup v2 and v1 files (made in a temporary folder), fractions rounded up.
import { quotaCores } from "../../src/io/cpu_quota.ts";
import { assertEquals } from "../assert.ts";

/** A cgroup folder holding `files` (path → text), given to `f`, removed after. */
const withCgroup = async (
  files: Record<string, string>,
  f: (dir: string) => void,
): Promise<void> => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(`${dir}/${path.slice(0, path.lastIndexOf("/") + 1)}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${path}`, text);
    }
    f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

Deno.test("cgroup v2: a whole quota is its cores, a fraction rounds up, a tenth of a core is one", async () => {
  for (
    const [max, cores] of [
      ["200000 100000\n", 2],
      ["150000 100000\n", 2],
      ["250000 100000", 3],
      ["100001 100000", 2],
      ["10000 100000", 1],
      ["50000 50000", 1],
    ] as const
  ) {
    await withCgroup({ "cpu.max": max }, (dir) => assertEquals(quotaCores(dir), cores, max));
  }
});

Deno.test("cgroup v2 'max', a zero quota or period, or no file: no quota, unless v1 has one", async () => {
  for (const max of ["max 100000\n", "0 100000", "100000 0"]) {
    await withCgroup({ "cpu.max": max }, (dir) => assertEquals(quotaCores(dir), undefined, max));
  }
  await withCgroup({}, (dir) => assertEquals(quotaCores(dir), undefined));
  await withCgroup(
    {
      "cpu.max": "max 100000",
      "cpu/cpu.cfs_quota_us": "150000",
      "cpu/cpu.cfs_period_us": "100000",
    },
    (dir) => assertEquals(quotaCores(dir), 2),
  );
});

Deno.test("cgroup v1: quota over period rounded up; -1 (none), zero or unreadable numbers are no quota", async () => {
  for (
    const [quota, period, cores] of [
      ["300000", "100000", 3],
      ["250000", "100000", 3],
      ["100000", "100000", 1],
      ["20000", "100000", 1],
      ["-1", "100000", undefined],
      ["0", "100000", undefined],
      ["100000", "0", undefined],
      ["lots", "100000", undefined],
    ] as const
  ) {
    await withCgroup(
      { "cpu/cpu.cfs_quota_us": `${quota}\n`, "cpu/cpu.cfs_period_us": `${period}\n` },
      (dir) => assertEquals(quotaCores(dir), cores, `${quota}/${period}`),
    );
  }
});
