// Interval streams whose truth is known, written by the tests that compare runs: a window per second,
// 500 requests each around a latency (each window shifted ±5 %, each request ±20 %, seeded).
import * as Summary from "../../src/core/summary.ts";
import { toRecord } from "../../src/io/summary_record.ts";

export const intervalStream = (
  seconds: number,
  latencyUs: number,
  seed: number,
  target = "GET http://127.0.0.1:8080/",
): string => {
  let a = seed;
  const u = () => ((a = (a * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  const start = 1_796_000_000_000_000;
  return Array.from({ length: seconds }, (_, k) => {
    const s = Summary.empty();
    const shift = 1 + (u() - 0.5) * 0.1;
    for (let i = 0; i < 500; i++) {
      const us = Math.round(latencyUs * shift * (0.8 + 0.4 * u()));
      s.record(200, -1, true, us, us, 100);
    }
    return JSON.stringify({
      type: "interval",
      start_us: start + k * 1_000_000,
      end_us: start + (k + 1) * 1_000_000,
      ...toRecord(s),
      target,
    });
  }).join("\n") + "\n";
};
