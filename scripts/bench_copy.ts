// Micro-benchmark behind engine/slab.ts: copying a response's head (~160 bytes) and a short body (3
// bytes) with `slice` (a new ArrayBuffer each) against carving them from a shared block.
//
//   npx -y deno@2.9.6 run scripts/bench_copy.ts
import { copyOf } from "../src/engine/slab.ts";

const src = new Uint8Array(65536).map((_, i) => i & 255);
const kept: Uint8Array[] = [];
const rounds = 2_000_000;
const ways = [
  ["slice", (b: Uint8Array, from: number, to: number) => b.slice(from, to)],
  ["slab", copyOf],
] as const;
// Time per copy by way and size, of the second pass (the first warms the JIT up).
const ns = new Map<string, number>();
for (let pass = 0; pass < 2; pass++) {
  for (const [name, copy] of ways) {
    for (const n of [3, 160]) {
      const t0 = performance.now();
      let sum = 0;
      for (let i = 0; i < rounds; i++) {
        const c = copy(src, i & 1023, (i & 1023) + n);
        sum += c[0]!;
        if ((i & 63) === 0) kept[i & 127] = c; // a script keeps a few responses alive
      }
      if (sum < 0) throw new Error("unreachable: keeps the copies from being optimised away");
      ns.set(`${name} ${n}`, (performance.now() - t0) / rounds * 1e6);
    }
  }
}
for (const n of [3, 160]) {
  const r = ns.get(`slab ${n}`)! / ns.get(`slice ${n}`)!;
  console.log(
    `${String(n).padStart(4)} bytes: a slab copy takes ${r.toFixed(2)}x the time of a slice`,
  );
}
