// Every threshold of the diagnosis at its exact value: on the line, the verdict is the one the rule names; just short of it, it is not.
import * as D from "../../src/core/diagnosis.ts";
import { assertEquals } from "../assert.ts";

/** A closed-model run that is server-bound unless something below says otherwise. */
const closed = (over: Partial<D.Evidence> = {}): D.Evidence => ({
  concurrency: 10,
  elapsedMs: 2000,
  requests: 1000,
  failures: 0,
  rps: 500,
  meanLatencyMs: 20, // busy: 20 × 1000 / (10 × 2000) = 1
  delayMs: 0,
  pausedMs: 0,
  loopLagP99Ms: 1,
  cpuShare: 0.3,
  topFailure: undefined,
  failedMetrics: [],
  ...over,
});

/** A machine that kept salvo waiting `waitShare` of the run while `busy` of the cores worked. */
const machine = (over: Partial<D.Machine> = {}): D.Machine => ({
  busyShare: 0.5,
  stealShare: 0,
  othersShare: 0.4,
  waitMs: 100,
  waitShare: 0.3,
  throttledMs: 0,
  ...over,
});

const verdict = (e: D.Evidence) => D.diagnose(e).verdict;

Deno.test("diagnosis at its lines: failures, too little load, CPU share, loop lag, idle and busy shares", () => {
  const failing = { topFailure: { what: "timeout", count: 500 }, failures: 500 };
  assertEquals(verdict(closed(failing)), "error-bound", "half failed");
  assertEquals(verdict(closed({ ...failing, failures: 499 })), "server-bound");
  assertEquals(
    verdict(closed({ requests: 100, elapsedMs: 999, rps: 100, meanLatencyMs: 100 })),
    "server-bound",
  );
  assertEquals(
    verdict(closed({ requests: 99, elapsedMs: 1000, rps: 99, meanLatencyMs: 102 })),
    "server-bound",
  );
  assertEquals(
    verdict(closed({ requests: 99, elapsedMs: 999, rps: 99, meanLatencyMs: 102 })),
    "inconclusive",
  );
  assertEquals(verdict(closed({ cpuShare: D.saturatedCpuShare })), "client-saturated");
  assertEquals(verdict(closed({ cpuShare: 0.89 })), "server-bound");
  // Lag at 20 ms and at a quarter of an 80 ms mean: lagging; with half a core in use, saturated.
  const lag = { loopLagP99Ms: 20, meanLatencyMs: 80, requests: 250, cpuShare: D.ownWorkCpuShare };
  assertEquals(verdict(closed(lag)), "client-saturated");
  assertEquals(verdict(closed({ ...lag, cpuShare: 0.49 })), "inconclusive");
  assertEquals(verdict(closed({ ...lag, loopLagP99Ms: 19.9 })), "server-bound");
  assertEquals(verdict(closed({ ...lag, meanLatencyMs: 80.4 })), "server-bound");
  // Idle half the time in --delay: pacing-limited.
  const pacing = { delayMs: 10, pausedMs: 10_000, meanLatencyMs: 10 };
  assertEquals(verdict(closed(pacing)), "pacing-limited");
  assertEquals(verdict(closed({ ...pacing, pausedMs: 9999 })), "server-bound");
  // Busy half the time waiting for responses: server-bound; less, no single limit.
  assertEquals(verdict(closed({ meanLatencyMs: 10 })), "server-bound");
  assertEquals(verdict(closed({ meanLatencyMs: 9.99 })), "inconclusive");
});

Deno.test("starvation at its lines: a 5 % wait, 85 % busy, 5 % steal, 5 % throttled, 20 % wait alone", () => {
  const starvedBy = (m: D.Machine, elapsedMs = 2000) => D.starvation(m, elapsedMs) !== undefined;
  assertEquals(starvedBy(machine({ waitShare: D.starvedWaitShare, busyShare: 0.85 })), true);
  assertEquals(starvedBy(machine({ waitShare: 0.049, busyShare: 0.85 })), false);
  assertEquals(starvedBy(machine({ busyShare: 0.8, stealShare: 0.05 })), true);
  assertEquals(starvedBy(machine({ busyShare: 0.84, stealShare: 0 })), false);
  assertEquals(starvedBy(machine({ stealShare: D.contendedStealShare })), true);
  assertEquals(starvedBy(machine({ stealShare: 0.049 })), false);
  assertEquals(starvedBy(machine({ throttledMs: 100 })), true, "5 % of 2 s throttled");
  assertEquals(starvedBy(machine({ throttledMs: 99 })), false);
  assertEquals(starvedBy(machine({ throttledMs: 100 }), 0), false, "no run, no share");
  // The machine busy 85 % with a 20 % wait and no lag: starved on the wait alone.
  const busy = machine({ busyShare: 0.85, waitShare: D.starvedAloneWaitShare });
  assertEquals(verdict(closed({ machine: busy })), "client-starved");
  assertEquals(verdict(closed({ machine: { ...busy, waitShare: 0.19 } })), "server-bound");
});

Deno.test("the open model at its lines: 95 % of the rate, the schedule lag bar, drops by client and server", () => {
  const open = (o: Partial<NonNullable<D.Evidence["open"]>> = {}, over: Partial<D.Evidence> = {}) =>
    verdict(closed({
      rps: 95,
      requests: 190,
      open: { targetRps: 100, dropped: 0, maxInFlight: 10, scheduleLagP99Ms: 20, ...o },
      ...over,
    }));
  assertEquals(open(), "pacing-limited", "95 of 100/s, 20 ms late");
  assertEquals(open({}, { rps: 94.9 }), "client-saturated");
  assertEquals(open({ scheduleLagP99Ms: 20.1 }), "client-saturated");
  assertEquals(open({ scheduleLagP99Ms: 1, precisePacing: true }), "pacing-limited");
  assertEquals(open({ scheduleLagP99Ms: 1.1, precisePacing: true }), "client-saturated");
  // As many dropped by the client as by the server: the client's.
  assertEquals(open({ dropped: 2, droppedByClient: 1 }), "client-saturated");
  assertEquals(open({ dropped: 3, droppedByClient: 1 }), "server-bound");
  assertEquals(open({ dropped: 1, droppedByClient: 0 }), "server-bound");
  // Saturated and short: the thread's own limit, whatever it dropped.
  assertEquals(open({ dropped: 1 }, { cpuShare: 0.9 }), "client-saturated");
  assertEquals(open({}, { cpuShare: 0.9 }), "pacing-limited", "saturated but on plan");
});

Deno.test("diagnosis without load time or requests: shares of 0, never NaN; workers parked without --delay are not pacing-limited", () => {
  const none = D.diagnose(closed({ elapsedMs: 0, requests: 10, pausedMs: 5, meanLatencyMs: 1 }));
  assertEquals([none.idleShare, none.busyShare], [0, 0]);
  const failed = D.diagnose(closed({
    requests: 0,
    failures: 0,
    topFailure: { what: "connect_refused", count: 3 },
    failedMetrics: ["success_rate"],
  }));
  assertEquals(failed.verdict, "error-bound");
  assertEquals(failed.explanation.startsWith("0% of 0 requests failed"), true, failed.explanation);
  // Idle 60 % of the time with no --delay (parked by --stages): not the delay's doing.
  assertEquals(verdict(closed({ delayMs: 0, pausedMs: 12_000 })) === "pacing-limited", false);
});

Deno.test("the open model at a CPU share of exactly 90 %: saturated, not starved, whatever the machine", () => {
  const e = (cpuShare: number) =>
    verdict(closed({
      rps: 50,
      requests: 100,
      cpuShare,
      machine: machine({ waitShare: 0.3, busyShare: 0.85 }),
      open: {
        targetRps: 100,
        dropped: 10,
        droppedByClient: 10,
        maxInFlight: 10,
        scheduleLagP99Ms: 50,
      },
    }));
  assertEquals([e(0.9), e(0.89)], ["client-saturated", "client-starved"]);
});

Deno.test("rates of 100 req/s and more are said in whole requests, below it to a tenth", () => {
  const said = (rps: number) =>
    D.diagnose(closed({
      rps,
      requests: 400,
      cpuShare: 0.5,
      machine: machine({ waitShare: 0.3, busyShare: 0.85 }),
      open: {
        targetRps: 200,
        dropped: 10,
        droppedByClient: 10,
        maxInFlight: 10,
        scheduleLagP99Ms: 50,
      },
    })).explanation;
  assertEquals(said(100).includes("; 100 of 200 req/s achieved"), true, said(100));
  assertEquals(said(99.5).includes("; 99.5 of 200 req/s achieved"), true, said(99.5));
});
