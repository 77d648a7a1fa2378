// The machine's CPU accounting: Linux's text files parsed, two samples turned into a run's figures,
// and the share of an open-model p99 that is salvo's own send lag.
import * as Host from "../../src/core/host.ts";
import * as Summary from "../../src/core/summary.ts";
import { assert, assertEquals } from "../assert.ts";

// /proc/stat of a 2-core VM: user nice system idle iowait irq softirq steal guest guest_nice.
const stat = (user: number, idle: number, steal: number) =>
  `cpu  ${user} 0 100 ${idle} 10 5 5 ${steal} 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\ncpu1 1 0 1 1 0 0 0 0 0 0\nintr 1 2 3\n`;

Deno.test("parseProcStat counts user, nice, system, irq and softirq as busy, idle and iowait as idle, steal apart, and the cores", () => {
  assertEquals(Host.parseProcStat(stat(1000, 5000, 50)), {
    busy: 1110,
    idle: 5010,
    steal: 50,
    total: 6170,
    cores: 2,
  });
  // Every field its own number: each counted once, where it belongs.
  assertEquals(Host.parseProcStat("cpu  100 20 30 400 50 6 7 8\ncpu0 1 2 3 4 5 6 7 8\n"), {
    busy: 163,
    idle: 450,
    steal: 8,
    total: 621,
    cores: 1,
  });
  assertEquals(Host.parseProcStat("intr 1 2\n"), undefined);
  assertEquals(Host.parseProcStat("cpu  1 2 x\n"), undefined);
});

Deno.test("parseSchedstat, parsePressure and parseCpuStat read what Linux writes, and nothing else", () => {
  assertEquals(Host.parseSchedstat("1006316 2500 1\n"), { runNs: 1006316, waitNs: 2500 });
  assertEquals(Host.parseSchedstat("garbage"), undefined);
  assertEquals(
    Host.parsePressure(
      "some avg10=3.86 avg60=5.45 avg300=2.74 total=11455650\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
    ),
    11455650,
  );
  assertEquals(Host.parsePressure(""), undefined);
  // cgroup v2: µs; v1: throttled_time in ns.
  assertEquals(
    Host.parseCpuStat(
      "usage_usec 5000\nuser_usec 4000\nsystem_usec 1000\nnr_periods 10\nnr_throttled 3\nthrottled_usec 4500\n",
    ),
    { periods: 10, throttledPeriods: 3, throttledUs: 4500 },
  );
  assertEquals(
    Host.parseCpuStat("nr_periods 10\nnr_throttled 2\nthrottled_time 7000000\n"),
    { periods: 10, throttledPeriods: 2, throttledUs: 7000 },
  );
  assertEquals(Host.parseCpuStat("usage_usec 5000\n"), undefined);
});

const sample = (at: number, over: Partial<Host.HostSample> = {}): Host.HostSample => ({
  at,
  cpu: undefined,
  process: undefined,
  pressureSomeUs: undefined,
  throttling: undefined,
  ...over,
});

Deno.test("figures: busy and stolen shares of all cores, what salvo did not use, its waits since the start", () => {
  const a = sample(0, {
    cpu: Host.parseProcStat(stat(1000, 5000, 50)),
    process: new Map([["1", { runNs: 0, waitNs: 1e9 }], ["2", { runNs: 0, waitNs: 5e8 }]]),
    pressureSomeUs: 1_000_000,
    throttling: { periods: 10, throttledPeriods: 1, throttledUs: 1000 },
  });
  // 1 s on 2 cores: 200 ticks, of which 150 busy (user +140, system 100→110), 20 stolen, 30 idle.
  const b = sample(1000, {
    cpu: { busy: 1110 + 150, idle: 5010 + 30, steal: 50 + 20, total: 6170 + 200, cores: 2 },
    // Thread 2 is gone (its last figures unread), thread 3 started during the run.
    process: new Map([["1", { runNs: 0, waitNs: 1.2e9 }], ["3", { runNs: 0, waitNs: 5e7 }]]),
    pressureSomeUs: 1_250_000,
    throttling: { periods: 20, throttledPeriods: 4, throttledUs: 31_000 },
  });
  const f = Host.figures(a, b, 500);
  assertEquals(f.cores, 2);
  assertEquals(f.busyShare, 0.75);
  assertEquals(f.stealShare, 0.1);
  // salvo used 500 ms of the 2,000 core-ms: 25 % of the machine; 75 % − 25 % was others'.
  assertEquals(f.othersShare, 0.5);
  assertEquals(f.waitMs, 250);
  assertEquals(f.pressureShare, 0.25);
  assertEquals(f.throttledMs, 30);
  assertEquals(f.throttledPeriods, 3);
});

Deno.test("figures: a source missing from either sample is undefined, never a guess", () => {
  const f = Host.figures(sample(0), sample(1000), 500);
  assertEquals(f, Host.notMeasured);
  const half = Host.figures(
    sample(0, { cpu: Host.parseProcStat(stat(1000, 5000, 50)) }),
    sample(1000),
    500,
  );
  assertEquals(half.busyShare, undefined);
});

Deno.test("ownShareOfP99: salvo's send lag p99 over the corrected p99, only in the open model", () => {
  const s = Summary.empty();
  for (let i = 0; i < 1000; i++) s.record(200, -1, true, 10_000, 9_000, 3);
  const closed = Summary.describe(s, 1000);
  assertEquals(Summary.ownShareOfP99(closed), undefined);
  for (let i = 0; i < 1000; i++) s.recordLag(i < 980 ? 10 : 4_000);
  const open = Summary.describe(s, 1000);
  const share = Summary.ownShareOfP99(open)!;
  // Lag p99 ~4 ms of a corrected p99 of ~10 ms.
  assert(Math.abs(share - 0.4) < 0.01, String(share));
});

Deno.test("figures: samples late on the clock span their difference; no time or no ticks between them give no shares, never NaN", () => {
  const cpu = Host.parseProcStat(stat(1000, 5000, 50));
  const a = sample(5000, { cpu, pressureSomeUs: 1_000_000 });
  const b = sample(6000, {
    cpu: { busy: 1110 + 150, idle: 5010 + 30, steal: 50 + 20, total: 6170 + 200, cores: 2 },
    pressureSomeUs: 1_250_000,
  });
  const f = Host.figures(a, b, 500);
  assertEquals([f.busyShare, f.othersShare, f.pressureShare], [0.75, 0.5, 0.25]);
  // The same instant twice: no span for salvo's share or the pressure.
  const now = Host.figures(a, sample(5000, { cpu: b.cpu, pressureSomeUs: 1_250_000 }), 500);
  assertEquals([now.othersShare, now.pressureShare], [0.75, undefined]);
  // No ticks between the samples: no shares of the cores.
  const still = Host.figures(a, sample(6000, { cpu, pressureSomeUs: 1_250_000 }), 500);
  assertEquals([still.busyShare, still.stealShare, still.othersShare], [
    undefined,
    undefined,
    undefined,
  ]);
});
