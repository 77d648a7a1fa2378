// The open-file limit read from a limits file (made in a temporary folder), and the files salvo keeps for itself.
import {
  filesPerThread,
  openFileLimit,
  reservedFiles,
  reservedFor,
} from "../../src/io/fd_limit.ts";
import { assertEquals } from "../assert.ts";

const limits = (soft: string) =>
  `Limit                     Soft Limit           Hard Limit           Units     \n` +
  `Max cpu time              unlimited            unlimited            seconds   \n` +
  `Max open files            ${soft.padEnd(21)}1048576              files     \n`;

Deno.test("the soft open-file limit is read; unlimited, unreadable or absent is no limit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [soft, limit] of [["1024", 1024], ["256", 256], ["unlimited", undefined]] as const) {
      await Deno.writeTextFile(`${dir}/limits`, limits(soft));
      assertEquals(openFileLimit(`${dir}/limits`), limit, soft);
    }
    await Deno.writeTextFile(`${dir}/limits`, "Max processes 100\n");
    assertEquals(openFileLimit(`${dir}/limits`), undefined);
    assertEquals(openFileLimit(`${dir}/absent`), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files kept besides connections: 32, plus 8 per load thread when there are two or more", () => {
  assertEquals([reservedFiles, filesPerThread], [32, 8]);
  assertEquals([1, 2, 3, 16].map(reservedFor), [32, 48, 56, 160]);
});
