// Benchmark: the cost of one histogram record in ns, and the memory one histogram holds.
//   npx -y deno@2.9.6 run scripts/bench_histogram.ts
import * as Histogram from "../src/core/histogram.ts";
import * as Summary from "../src/core/summary.ts";

const n = 5_000_000;
// Latency-like values: mostly 100 µs..20 ms, a tail to 2 s (a fixed pseudo-random sequence).
const values = new Float64Array(1 << 16);
let seed = 42;
for (let i = 0; i < values.length; i++) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  const u = seed / 2147483648;
  values[i] = Math.round(u < 0.99 ? 100 + u * 20_000 : 20_000 + (u - 0.99) * 200_000_000);
}

const timeNs = (f: (i: number) => void): number => {
  const t = performance.now();
  for (let i = 0; i < n; i++) f(i);
  return ((performance.now() - t) * 1e6) / n;
};

const h = Histogram.make();
const s = Summary.empty();
const results: Record<string, number> = {};
for (let round = 0; round < 3; round++) {
  results["Histogram.record (ns)"] = timeNs((i) => h.record(values[i & 0xffff]!));
  results["Summary.record, closed model (ns)"] = timeNs((i) => {
    const v = values[i & 0xffff]!;
    s.record(200, -1, true, v, v, 100);
  });
}
const full = Histogram.make();
full.record(Histogram.defaultHighestTrackableValue);
console.log(`one record, after warm-up, ${n} values:`);
for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(36)} ${v.toFixed(1)}`);
console.log(`memory of one histogram (3 digits, 1 µs .. 1 h):`);
console.log(`  holding values up to 2 s            ${(h.byteSize / 1024).toFixed(1)} KiB`);
console.log(`  holding a value at 1 h (the most)   ${(full.byteSize / 1024).toFixed(1)} KiB`);
console.log(
  `  empty                               ${(Histogram.make().byteSize / 1024).toFixed(1)} KiB`,
);
