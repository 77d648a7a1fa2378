// Windows worked by hand: a row's figures, the moment a window closes, a late result in the oldest open window, partial windows at either end, and runs merged side by side.
import * as Summary from "../../src/core/summary.ts";
import { reasons } from "../../src/domain/reason.ts";
import {
  Bucketer,
  mergeWindows,
  type Row,
  rowOf,
  since,
  Timeline,
} from "../../src/core/timeline.ts";
import { assertEquals } from "../assert.ts";

/** A summary of requests with these latencies (µs), status 200 each. */
const of = (...latenciesUs: number[]) => {
  const s = Summary.empty();
  for (const us of latenciesUs) s.record(200, -1, true, us, us, 10);
  return s;
};

Deno.test("a row has its window's rate, percentiles and maximum in ms, and only the statuses and reasons it saw", () => {
  const s = of(100, 200, 300, 400);
  s.record(500, -1, false, 500, 500, 0);
  s.record(0, 0, false, 500, 500, 0);
  const row = rowOf(s, 1000, 3000);
  assertEquals(row, {
    startMs: 1000,
    endMs: 3000,
    requests: 6,
    successes: 4,
    rps: 3,
    dropped: 0,
    p50: 0.3,
    p90: 0.5,
    p99: 0.5,
    p999: 0.5,
    max: 0.5,
    status: { "200": 4, "500": 1 },
    errors: { [reasons[0]!]: 1 },
  });
  assertEquals(rowOf(s, 1000, 1000).rps, 0);
});

Deno.test("what a summary counted since an earlier one: bytes and drops too", () => {
  const before = of(100);
  before.dropped = 1;
  before.droppedByClient = 1;
  const now = of(100, 200, 300);
  now.dropped = 5;
  now.droppedByClient = 2;
  const d = since(now, before);
  assertEquals([d.requests, d.bytes, d.dropped, d.droppedByClient], [2, 20, 4, 1]);
});

Deno.test("a window closes at the first snapshot a whole window after its start, and closing twice at one time adds nothing", () => {
  const t = new Timeline(1000);
  t.push(999, of(100));
  assertEquals(t.rows.length, 0);
  t.push(1000, of(100, 100));
  assertEquals(t.rows.map((r) => [r.startMs, r.endMs, r.requests]), [[0, 1000, 2]]);
  t.close(1000, of(100, 100));
  assertEquals(t.rows.length, 1);
  t.close(1500, of(100, 100, 100));
  assertEquals(t.rows.map((r) => [r.startMs, r.endMs, r.requests]), [[0, 1000, 2], [
    1000,
    1500,
    1,
  ]]);
});

const origin = 10_000_000; // µs since the epoch: window 10 of 1 s.
const rowsAt = (rows: ReadonlyArray<Row>) =>
  rows.map((r) => [r.startMs, r.endMs, r.requests, r.rps]);

Deno.test("a result too late for its closed window counts in the oldest one still open; an empty window between is a row of zeros", () => {
  const b = new Bucketer(1000, 1);
  for (const s of [10.2, 11.3, 12.4, 13.1]) b.at(s * 1e6).record(200, -1, true, 100, 100, 0);
  // Window 13 closed 10 and 11 (more than one window behind it): 10.5 s goes to window 12.
  b.at(10.5e6).record(200, -1, true, 100, 100, 0);
  b.at(15.1e6).record(200, -1, true, 100, 100, 0);
  assertEquals(rowsAt(b.rows(origin, 15.6e6)), [
    [0, 1000, 1, 1],
    [1000, 2000, 1, 1],
    [2000, 3000, 2, 2],
    [3000, 4000, 1, 1],
    [4000, 5000, 0, 0],
    [5000, 5600, 1, 1 / 0.6],
  ]);
});

Deno.test("a run that starts or ends inside a window is clipped to it, and the rate is over the time it covers", () => {
  const b = new Bucketer(1000);
  for (let i = 0; i < 4; i++) b.at(10.5e6).record(200, -1, true, 100, 100, 0);
  // One window, clipped at both ends: [10.2 s, 10.7 s) is 0.5 s.
  assertEquals(rowsAt(b.rows(10.2e6, 10.7e6)), [[0, 500, 4, 8]]);
  const c = new Bucketer(1000);
  c.at(10.5e6).record(200, -1, true, 100, 100, 0);
  // The end at the window's start leaves it no time, and no rate.
  assertEquals(rowsAt(c.rows(origin, 10e6)), [[0, 0, 1, 0]]);
});

Deno.test("runs merged side by side add counts and rates per window, weight percentiles by requests, and keep the largest max", () => {
  const row = (startMs: number, requests: number, p: number): Row => ({
    ...rowOf(Summary.empty(), startMs, startMs + 1000),
    requests,
    successes: requests,
    rps: requests,
    dropped: 1,
    p50: p,
    p90: 2 * p,
    p99: 3 * p,
    p999: 4 * p,
    max: 5 * p,
  });
  const merged = mergeWindows([
    // Listed first, started 1.4 s after the other: its window lands on the other's second one.
    { startMs: 6400, rows: [row(1000, 30, 3)] },
    { startMs: 5000, rows: [row(1000, 10, 1), row(2000, 0, 0)] },
  ]);
  assertEquals(merged.map((r) => [r.startMs, r.endMs, r.requests, r.successes, r.rps, r.dropped]), [
    [1000, 2000, 10, 10, 10, 1],
    [2000, 3000, 30, 30, 30, 2],
  ]);
  assertEquals(
    merged.map((r) => [r.p50, r.p90, r.p99, r.p999, r.max]),
    [[1, 2, 3, 4, 5], [3, 6, 9, 12, 15]],
  );
  // Two runs in one window: 10 requests at p50 1 and 30 at p50 3 weigh to 2.5.
  const one = mergeWindows([
    { startMs: 0, rows: [row(0, 10, 1)] },
    { startMs: 100, rows: [row(0, 30, 3)] },
  ]);
  assertEquals(one.map((r) => [r.requests, r.p50, r.p999, r.max]), [[40, 2.5, 10, 15]]);
  assertEquals(mergeWindows([]), []);
  assertEquals(mergeWindows([{ startMs: 0, rows: [row(0, 1, 1)] }, { startMs: 0, rows: [] }]), []);
});
