// The diagnosis names what limited throughput, with the numbers that show it.
import * as Diagnosis from "../../src/core/diagnosis.ts";
import { assert, assertEquals } from "../assert.ts";

const evidence = (over: Partial<Diagnosis.Evidence> = {}): Diagnosis.Evidence => ({
  concurrency: 1,
  elapsedMs: 2500,
  requests: 9,
  failures: 0,
  rps: 3.6,
  meanLatencyMs: 2,
  delayMs: 300,
  pausedMs: 2400,
  loopLagP99Ms: 1,
  cpuShare: 0.02,
  topFailure: undefined,
  failedMetrics: ["requests"],
  ...over,
});

Deno.test("the anchor case, 9 requests in 2.5 s behind a 300 ms delay, is pacing-limited", () => {
  const d = Diagnosis.diagnose(evidence());
  assertEquals(d.verdict, "pacing-limited");
  assertEquals(
    d.explanation,
    "workers were idle 96% of the time in --delay 300ms; the server answered in 2.00ms; raise -c or lower --delay",
  );
});

Deno.test("workers busy waiting for a slow server is server-bound, with the concurrency ÷ latency ceiling", () => {
  const d = Diagnosis.diagnose(
    evidence({
      concurrency: 4,
      requests: 40,
      rps: 19.8,
      meanLatencyMs: 200,
      delayMs: 0,
      pausedMs: 0,
      elapsedMs: 2020,
    }),
  );
  assertEquals(d.verdict, "server-bound");
  assert(d.explanation.includes("4 workers ÷ 200ms ≈ 20.0 req/s, achieved 19.8"), d.explanation);
});

Deno.test("over HTTP/2 the server-bound ceiling counts streams, split into connections, and names -m", () => {
  const d = Diagnosis.diagnose(
    evidence({
      concurrency: 40,
      http2Streams: 10,
      requests: 400,
      rps: 198,
      meanLatencyMs: 200,
      delayMs: 0,
      pausedMs: 0,
      elapsedMs: 2020,
    }),
  );
  assertEquals(d.verdict, "server-bound");
  assertEquals(
    d.explanation,
    "streams were busy 99% of the time waiting for responses (mean 200ms): 40 streams (4 connections × 10) ÷ 200ms ≈ 200 req/s, achieved 198; raise -c or -m for more throughput if the server has room",
  );
});

Deno.test("failures behind a failed success-rate threshold are error-bound, naming the top failure", () => {
  const d = Diagnosis.diagnose(
    evidence({
      requests: 1000,
      failures: 100,
      delayMs: 0,
      pausedMs: 0,
      topFailure: { what: "status 503", count: 100 },
      failedMetrics: ["success_rate"],
    }),
  );
  assertEquals(d.verdict, "error-bound");
  assert(d.explanation.includes("status 503 (100×)"), d.explanation);
});

Deno.test("mostly failures are error-bound even without thresholds", () => {
  const d = Diagnosis.diagnose(
    evidence({
      requests: 10,
      failures: 9,
      topFailure: { what: "timeout", count: 9 },
      failedMetrics: [],
    }),
  );
  assertEquals(d.verdict, "error-bound");
});

Deno.test("a saturated core or a lagging event loop is client-saturated", () => {
  const base = { delayMs: 0, pausedMs: 0, failedMetrics: [] };
  assertEquals(
    Diagnosis.diagnose(evidence({ ...base, cpuShare: 0.97 })).verdict,
    "client-saturated",
  );
  assertEquals(
    Diagnosis.diagnose(evidence({ ...base, loopLagP99Ms: 40 })).verdict,
    "client-saturated",
  );
});

Deno.test("one request is too little to judge: inconclusive, whatever the CPU share says", () => {
  const d = Diagnosis.diagnose(
    evidence({
      requests: 1,
      elapsedMs: 8,
      rps: 127,
      cpuShare: 1.25,
      delayMs: 0,
      pausedMs: 0,
      failedMetrics: [],
    }),
  );
  assertEquals(d.verdict, "inconclusive");
  assertEquals(
    d.explanation,
    "too little to judge: 1 request in 8.00ms; a verdict needs 100 requests or 1.00s of load",
  );
});

Deno.test("the evidence bar: 100 requests or 1 s of load is enough, 99 requests in 999 ms is not", () => {
  const base = { delayMs: 0, pausedMs: 0, failedMetrics: [], concurrency: 1, meanLatencyMs: 9 };
  const v = (requests: number, elapsedMs: number) =>
    Diagnosis.diagnose(evidence({ ...base, requests, elapsedMs, rps: requests / elapsedMs * 1000 }))
      .verdict;
  assertEquals(v(99, 999), "inconclusive");
  assertEquals(v(100, 999), "server-bound");
  assertEquals(v(99, 1000), "server-bound");
  assertEquals(v(0, 5000), "inconclusive");
});

Deno.test("workers busy 47% of the time without --delay are not called server-bound", () => {
  const d = Diagnosis.diagnose(
    evidence({
      concurrency: 4,
      elapsedMs: 3000,
      requests: 564,
      rps: 188,
      meanLatencyMs: 10,
      delayMs: 0,
      pausedMs: 0,
      cpuShare: 0.3,
      failedMetrics: [],
    }),
  );
  assertEquals(d.verdict, "inconclusive");
  assert(d.explanation.startsWith("workers were busy only 47% of the time"), d.explanation);
  assert(d.explanation.includes("30% of a CPU core"), d.explanation);
  // Busy half the time is enough.
  assertEquals(
    Diagnosis.diagnose(
      evidence({
        concurrency: 4,
        elapsedMs: 3000,
        requests: 600,
        rps: 200,
        meanLatencyMs: 10,
        delayMs: 0,
        pausedMs: 0,
        failedMetrics: [],
      }),
    ).verdict,
    "server-bound",
  );
});

const open = (
  o: Partial<NonNullable<Diagnosis.Evidence["open"]>>,
  over: Partial<Diagnosis.Evidence> = {},
) =>
  evidence({
    concurrency: 1000,
    elapsedMs: 5000,
    requests: 25_000,
    rps: 5000,
    meanLatencyMs: 0.5,
    delayMs: 0,
    pausedMs: 0,
    failedMetrics: [],
    open: { targetRps: 5000, dropped: 0, maxInFlight: 1000, scheduleLagP99Ms: 0.4, ...o },
    ...over,
  });

Deno.test("open model on time: pacing-limited, the plan set the pace (not the closed model's verdicts)", () => {
  // The closed model's rules would call this server-bound (1000 workers) or idle: the open one is judged apart.
  const d = Diagnosis.diagnose(open({}));
  assertEquals(d.verdict, "pacing-limited");
  assertEquals(
    d.explanation,
    "the rate plan set the pace: 5000 of 5000 req/s achieved, sends at most 400µs late (p99); the server answered in 500µs (mean)",
  );
});

Deno.test("open model with dropped arrivals is server-bound, with the share dropped", () => {
  const d = Diagnosis.diagnose(open({ dropped: 2500 }, { requests: 22_500, rps: 4500 }));
  assertEquals(d.verdict, "server-bound");
  assert(d.explanation.startsWith("2500 of 25000 arrivals (10%) were dropped"), d.explanation);
});

Deno.test("with --precise-pacing, a send lag p99 over 1 ms is client-saturated; with timers, only beyond their grain", () => {
  const precise = (lag: number) =>
    Diagnosis.diagnose(open({ scheduleLagP99Ms: lag, precisePacing: true })).verdict;
  assertEquals(precise(1.2), "client-saturated");
  assertEquals(precise(1), "pacing-limited");
  assertEquals(precise(0.3), "pacing-limited");
  // Timers fire up to ~2 ms late and release a burst: 5 ms of lag is their grain, not a stall.
  assertEquals(Diagnosis.diagnose(open({ scheduleLagP99Ms: 5 })).verdict, "pacing-limited");
  assertEquals(Diagnosis.diagnose(open({ scheduleLagP99Ms: 21 })).verdict, "client-saturated");
});

Deno.test("open model sending late or short of the rate is client-saturated", () => {
  const late = Diagnosis.diagnose(open({ scheduleLagP99Ms: 25 }));
  assertEquals(late.verdict, "client-saturated");
  assert(
    late.explanation.startsWith("sends went out late against the plan: schedule lag 25.0ms (p99)"),
    late.explanation,
  );
  const short = Diagnosis.diagnose(open({}, { rps: 4700, requests: 23_500 }));
  assertEquals(short.verdict, "client-saturated");
  // At 95 % of the rate exactly, still on plan.
  assertEquals(
    Diagnosis.diagnose(open({}, { rps: 4750, requests: 23_750 })).verdict,
    "pacing-limited",
  );
});

Deno.test("open model drops salvo caused (dispatched late) make it client-saturated with its ceiling, never server-bound", () => {
  const behind = Diagnosis.diagnose(
    open({ dropped: 3000, droppedByClient: 2000, scheduleLagP99Ms: 80 }, {
      requests: 22_000,
      rps: 4400,
      cpuShare: 0.97,
      thread: { index: 1, count: 2 },
    }),
  );
  assertEquals(behind.verdict, "client-saturated");
  assert(
    behind.explanation.startsWith(
      "salvo fell behind its plan: 2000 of 25000 arrivals were dropped",
    ),
    behind.explanation,
  );
  assert(
    behind.explanation.includes("salvo sent at most ~2200/s per load thread (97% of a CPU core"),
    behind.explanation,
  );
  // More of them the server's: server-bound, counting only the server's.
  const server = Diagnosis.diagnose(
    open({ dropped: 3000, droppedByClient: 1000 }, { requests: 22_000, rps: 4400 }),
  );
  assertEquals(server.verdict, "server-bound");
  assert(
    server.explanation.startsWith("2000 of 25000 arrivals (8%) were dropped"),
    server.explanation,
  );
});

Deno.test("open model: a thread at 90 % of a core that fell short is client-saturated, unless it was spinning by design", () => {
  const busy = open({ dropped: 500 }, { requests: 24_500, rps: 4900, cpuShare: 0.95 });
  const d = Diagnosis.diagnose(busy);
  assertEquals(d.verdict, "client-saturated");
  assert(d.explanation.startsWith("salvo was the limit: it used 95% of a CPU core"), d.explanation);
  // --precise-pacing keeps a thread busy whatever the load: its CPU share is no evidence.
  assertEquals(
    Diagnosis.diagnose({ ...busy, open: { ...busy.open!, precisePacing: true } }).verdict,
    "server-bound",
  );
});
