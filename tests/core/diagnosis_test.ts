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

/** The machine's figures of a quiet 2-core VM running the demo (measured: 13 % busy, salvo waited 5 %). */
const quiet: Diagnosis.Machine = {
  busyShare: 0.13,
  stealShare: 0.006,
  othersShare: 0.07,
  waitMs: 264,
  waitShare: 0.053,
  throttledMs: 0,
};
/** The same with a busy loop on each core (measured: 97 % busy, 92 % outside salvo). */
const hogged: Diagnosis.Machine = {
  busyShare: 0.97,
  stealShare: 0.02,
  othersShare: 0.92,
  waitMs: 1654,
  waitShare: 0.11,
  throttledMs: 0,
};
const loaded = {
  concurrency: 8,
  elapsedMs: 5000,
  requests: 10_000,
  rps: 2000,
  meanLatencyMs: 4,
  delayMs: 0,
  pausedMs: 0,
  failedMetrics: [],
};

Deno.test("a saturated core, or a lagging event loop with half a core in use and no one else on the CPU, is client-saturated", () => {
  assertEquals(
    Diagnosis.diagnose(evidence({ ...loaded, cpuShare: 0.97 })).verdict,
    "client-saturated",
  );
  assertEquals(
    Diagnosis.diagnose(evidence({ ...loaded, cpuShare: 0.97, machine: hogged })).verdict,
    "client-saturated",
    "a full core is salvo's own limit, whoever else was busy",
  );
  for (const machine of [undefined, quiet]) {
    assertEquals(
      Diagnosis.diagnose(
        evidence({ ...loaded, loopLagP99Ms: 40, cpuShare: 0.6, ...(machine ? { machine } : {}) }),
      ).verdict,
      "client-saturated",
    );
  }
});

Deno.test("lag with little CPU while others held the machine is client-starved, naming who took it and the wait", () => {
  const d = Diagnosis.diagnose(
    evidence({ ...loaded, loopLagP99Ms: 36.2, cpuShare: 0.11, machine: hogged }),
  );
  assertEquals(d.verdict, "client-starved");
  assertEquals(
    d.explanation,
    "salvo was starved of CPU, not saturated: its event loop lagged 36.2ms (p99) while it used only 11% of a CPU core, because the machine was 99% busy, 92% of it outside salvo; salvo waited 1.65s for a CPU (11% of the run for its most delayed thread); latency figures above p90 include that wait; give salvo and the server cores of their own (or fewer --threads), or run where nothing else competes",
  );
});

Deno.test("starvation without a lag: a fifth of the run spent waiting for a CPU is client-starved; less is said beside the verdict", () => {
  const long = { ...hogged, waitShare: 0.25 };
  assertEquals(
    Diagnosis.diagnose(evidence({ ...loaded, cpuShare: 0.1, machine: long })).verdict,
    "client-starved",
  );
  const d = Diagnosis.diagnose(evidence({ ...loaded, cpuShare: 0.1, machine: hogged }));
  assertEquals(d.verdict, "server-bound");
  assert(
    d.explanation.endsWith(
      "; salvo was starved of CPU at times: the machine was 99% busy, 92% of it outside salvo; salvo waited 1.65s for a CPU (11% of the run for its most delayed thread); the figures include those waits",
    ),
    d.explanation,
  );
});

Deno.test("the hypervisor's steal and a container's quota are named as who took the CPU", () => {
  const stolen = { ...quiet, stealShare: 0.07, waitShare: 0.3 };
  const d = Diagnosis.diagnose(evidence({ ...loaded, cpuShare: 0.1, machine: stolen }));
  assertEquals(d.verdict, "client-starved");
  assert(
    d.explanation.includes("the hypervisor took 7% of the CPU for other machines"),
    d.explanation,
  );
  const quota = { ...quiet, throttledMs: 400, waitShare: 0.3 };
  const q = Diagnosis.diagnose(evidence({ ...loaded, cpuShare: 0.1, machine: quota }));
  assertEquals(q.verdict, "client-starved");
  assert(q.explanation.includes("the container's CPU quota held salvo back 400ms"), q.explanation);
});

Deno.test("lag with little CPU and nothing to show who took it is inconclusive, never client-saturated", () => {
  const none = Diagnosis.diagnose(evidence({ ...loaded, loopLagP99Ms: 40, cpuShare: 0.11 }));
  assertEquals(none.verdict, "inconclusive");
  assert(none.explanation.includes("could not be read here"), none.explanation);
  const calm = Diagnosis.diagnose(
    evidence({ ...loaded, loopLagP99Ms: 40, cpuShare: 0.11, machine: quiet }),
  );
  assertEquals(calm.verdict, "inconclusive");
  assert(calm.explanation.includes("no one else holding the CPU"), calm.explanation);
});

Deno.test("a quiet VM's waits (wake-ups of an idle core) and a lag small beside the latency leave server-bound alone", () => {
  const d = Diagnosis.diagnose(evidence({ ...loaded, cpuShare: 0.1, machine: quiet }));
  assertEquals(d.verdict, "server-bound");
  assert(!d.explanation.includes("starved"), d.explanation);
  // 40 ms of lag against 200 ms answers: the server set the pace.
  const slow = Diagnosis.diagnose(
    evidence({
      ...loaded,
      concurrency: 4,
      elapsedMs: 1010,
      requests: 20,
      rps: 19.8,
      meanLatencyMs: 200,
      loopLagP99Ms: 40,
      cpuShare: 0.02,
      machine: hogged,
    }),
  );
  assertEquals(slow.verdict, "server-bound");
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

Deno.test("open model: late sends or client drops with little CPU while others held the machine are client-starved", () => {
  const late = Diagnosis.diagnose(
    open({ scheduleLagP99Ms: 30 }, { cpuShare: 0.1, machine: hogged }),
  );
  assertEquals(late.verdict, "client-starved");
  assert(
    late.explanation.includes("sends went out late against the plan (schedule lag p99 30.0ms)"),
  );
  assert(late.explanation.includes("5000 of 5000 req/s achieved"), late.explanation);
  const drops = Diagnosis.diagnose(
    open({ dropped: 500, droppedByClient: 500 }, {
      requests: 24_500,
      rps: 4900,
      cpuShare: 0.1,
      machine: hogged,
    }),
  );
  assertEquals(drops.verdict, "client-starved");
  assert(drops.explanation.includes("500 of 25000 arrivals were dropped as salvo sent late"));
  // With a quiet machine the same lateness stays salvo's.
  assertEquals(
    Diagnosis.diagnose(open({ scheduleLagP99Ms: 30 }, { cpuShare: 0.1, machine: quiet })).verdict,
    "client-saturated",
  );
});

Deno.test("a busy machine is not salvo's starvation unless salvo itself waited for a CPU", () => {
  const busyButServed = { ...hogged, waitShare: 0.01, waitMs: 50 };
  const d = Diagnosis.diagnose(
    evidence({ ...loaded, loopLagP99Ms: 40, cpuShare: 0.11, machine: busyButServed }),
  );
  assert(d.verdict !== "client-starved", d.explanation);
  assert(!d.explanation.includes("starved"), d.explanation);
  assertEquals(Diagnosis.starvation(busyButServed, 5000), undefined);
  assert(Diagnosis.starvation(hogged, 5000) !== undefined);
});
