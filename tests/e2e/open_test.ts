// End-to-end: the open model keeps its rate whatever the server does, and its latency tells the truth.
import { assert, assertEquals } from "../assert.ts";
import { contended, countingServer, type Json, runJson, salvo, startServe } from "./support.ts";

/** A server that answers at once, except that it freezes completely from `fromMs` to `toMs` after its first request. */
const freezingServer = (fromMs: number, toMs: number) => {
  let first = 0;
  let count = 0;
  let releasedAt = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    count++;
    const now = performance.now();
    if (first === 0) first = now;
    const t = now - first;
    if (t >= fromMs && t < toMs) {
      await new Promise((r) => setTimeout(r, toMs - t));
      releasedAt = Math.max(releasedAt, performance.now());
    }
    return new Response("ok");
  });
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`,
    count: () => count,
    /** How long the freeze really lasted: its timer fires late on a busy machine. */
    frozeMs: () => releasedAt - first - fromMs,
    stop: () => server.shutdown(),
  };
};

/** Salvo was late because others held the CPU: the machine was busy and salvo waited for a CPU. */
const starvedEvidence = (json: Json) => {
  assert(contended(json), JSON.stringify(json.host));
  assert(json.threads.some((t: Json) => t.wait_share >= 0.05), JSON.stringify(json.threads));
  assert(json.diagnosis.explanation.includes("starved of CPU"), json.diagnosis.explanation);
};

Deno.test("a 1 s freeze at 200 req/s gives a corrected p99 of ~945 ms and a p50 below 2 ms; the closed model hides it", async () => {
  const open = freezingServer(2500, 3500);
  try {
    const { code, json } = await runJson([
      open.url,
      "--rate",
      "200",
      "-d",
      "6s",
      "--max-in-flight",
      "1000",
      "--precise-pacing",
    ]);
    assertEquals(code, 0);
    assertEquals(json.dropped, 0);
    assertEquals(json.requests, open.count());
    assert(Math.abs(json.requests - 1200) <= 2, `requests ${json.requests}`);
    // 200 arrivals fall in the freeze, each waiting for its end (1000, 995, … 5 ms): the slowest 1%
    // (12 of 1,200) waited 945 ms or more, 55 ms less than the freeze. On a busy machine the test
    // server's own timer ends the freeze late (a CI run saw a p99 of 1,013 ms): the freeze it really
    // held is the reference.
    const p99 = `corrected p99 ${json.latency_ms.p99}, the freeze lasted ${open.frozeMs()} ms`;
    assert(open.frozeMs() >= 1000, `the freeze lasted ${open.frozeMs()} ms`);
    // Each held request's timer in the test server fires late by its own amount (a fresh-clone run
    // on a quiet machine: p99 1,014.8 ms with the freeze held 1,012.8 ms), so the p99 lies between
    // the plan's 945 ms and the longest hold: the freeze shows, corrected, and nothing beyond it.
    assert(json.latency_ms.p99 >= 945 * 0.98 && json.latency_ms.p99 <= open.frozeMs() + 20, p99);
    // The freeze never reaches the median: below 2 ms on a quiet machine; with others on the CPU
    // (noisy.sh saw 2.07 ms) the median carries salvo's own waits for a CPU, still far from the freeze.
    const p50 = `corrected p50 ${json.latency_ms.p50}, host ${JSON.stringify(json.host)}`;
    assert(json.latency_ms.p50 < (contended(json) ? 20 : 2), p50);
    assert(
      json.latency_uncorrected_ms.p99 >= 800,
      `sends went out on time, so the wait shows here too`,
    );
    // Sends never wait for the frozen server: their lag stays far below the freeze. (Within 20 ms it
    // usually is; a fresh-clone CI run on a quiet machine saw more, salvo's own burst when the 200
    // held responses arrive at once, as the unchanged code had under load: 47 ms.) With others
    // holding the CPU (noisy.sh saw 117 ms), the diagnosis says salvo was starved.
    const lag = `schedule lag p99 ${json.schedule_lag_ms.p99}`;
    if (contended(json)) {
      assert(json.schedule_lag_ms.p99 < 500, lag);
      if (json.schedule_lag_ms.p99 >= 20) starvedEvidence(json);
    } else {
      assert(json.schedule_lag_ms.p99 < 100, lag);
    }
  } finally {
    await open.stop();
  }
  const closed = freezingServer(2500, 3500);
  try {
    const { json } = await runJson([closed.url, "-c", "4", "-d", "6s", "--delay", "5ms"]);
    // 4 workers stall once each; the thousands of fast requests around them bury the stall below p99.
    assert(json.latency_ms.p99 < 100, `closed-model p99 ${json.latency_ms.p99}`);
    assert(json.latency_ms.max >= 800, `the stall is only in the max: ${json.latency_ms.max}`);
  } finally {
    await closed.stop();
  }
});

Deno.test("the open model sends exactly what the server counted, at the planned rate", async () => {
  const server = countingServer();
  try {
    const { code, json } = await runJson([server.url, "--rate", "300/s", "-d", "2s"]);
    assertEquals(code, 0);
    assertEquals(json.requests, server.count());
    assert(Math.abs(json.requests - 600) <= 1, `requests ${json.requests}`);
    assertEquals(json.target_rps, 300);
    assertEquals(json.diagnosis.verdict, "pacing-limited");
  } finally {
    await server.stop();
  }
});

Deno.test("arrivals with no free slot are dropped, never delayed", async () => {
  const server = countingServer(200);
  try {
    const { json } = await runJson([
      server.url,
      "--rate",
      "50",
      "-d",
      "1s",
      "--max-in-flight",
      "2",
    ]);
    // 2 slots of 200 ms hold about 10 requests a second; the other ~40 arrivals are dropped.
    assertEquals(json.requests, server.count());
    assertEquals(json.requests + json.dropped, 50);
    assert(json.dropped >= 35, `dropped ${json.dropped}`);
    assertEquals(json.diagnosis.verdict, "server-bound");
    assert(json.latency_ms.p99 < 400, "dropped arrivals are not queued behind the busy slots");
  } finally {
    await server.stop();
  }
});

Deno.test("a rate ramp with --stages follows the integral of its curve", async () => {
  const server = countingServer();
  try {
    // 1/s → 200/s over 1 s, then 200/s for 1 s: 100.5 + 200 arrivals.
    const { json } = await runJson([
      server.url,
      "--rate",
      "1",
      "--stages",
      "1s:200,1s:200",
      "--max-in-flight",
      "50",
    ]);
    assertEquals(json.requests, server.count());
    assert(Math.abs(json.requests - 301) <= 2, `requests ${json.requests}`);
    assertEquals(json.target_rps, 150.25);
  } finally {
    await server.stop();
  }
});

for (const threads of ["1", "2"]) {
  Deno.test(`a worker ramp with --stages in the closed model counts what the server received (-t ${threads})`, async () => {
    const server = countingServer(20);
    try {
      // 1 worker, ramping to 5 over 1 s (3 on average, rounded: 150 requests at 20 ms each), then 5
      // for 1 s (250): about 400. All 5 from the start would send about 500, 1 throughout about 100.
      // On 2 threads the ramp reaches workers in the same order: 0 and 2 on one, 1, 3, 4 on the other.
      const dir = await Deno.makeTempDir({ prefix: "salvo-ramp-" });
      const { json } = await runJson([
        server.url,
        "-c",
        "1",
        "--stages",
        "1s:5,1s:5",
        "-t",
        threads,
        "--results",
        `${dir}/results.ndjson`,
      ]);
      const sent = (await Deno.readTextFile(`${dir}/results.ndjson`)).trim().split("\n")
        .map((l) => JSON.parse(l).sent_us as number);
      await Deno.remove(dir, { recursive: true });
      assertEquals(json.requests, server.count());
      assert(json.requests > 330 && json.requests < 450, `requests ${json.requests}`);
      // The ramp's shape, whatever a busy machine does to the 20 ms: the first second (3 workers on
      // average) sends about 3/5 of the second (5); all 5 from the start would send as many in each.
      const start = Math.min(...sent);
      const first = sent.filter((t) => t < start + 1e6).length;
      const ratio = first / (sent.length - first);
      assert(ratio > 0.4 && ratio < 0.8, `first second ${first} of ${sent.length}: ratio ${ratio}`);
    } finally {
      await server.stop();
    }
  });
}

for (
  const [args, message] of [
    [["--rate", "0"], /--rate: '0' must be more than 0/],
    [["--rate", "-5"], /--rate: '-5' is not a rate/],
    [["--stages", "10s"], /--stages: '10s' is not a stage/],
    [["--stages", "x:1"], /--stages: 'x' is not a duration/],
    [["--rate", "10", "--delay", "5ms"], /--delay paces the closed model/],
  ] as const
) {
  Deno.test(`${args.join(" ")} exits 2 with a clear message`, async () => {
    const r = await salvo(["run", "http://127.0.0.1:9/", ...args]);
    assertEquals(r.code, 2);
    assertEquals(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert(message.test(r.stderr), r.stderr);
  });
}

Deno.test("--precise-pacing: at 100/s and 1,000/s against an idle server, the corrected p50 is within 0.2 ms of the uncorrected", async () => {
  const server = countingServer();
  try {
    for (const rate of ["100", "1000"]) {
      const before = server.count();
      const { code, json, stderr } = await runJson([
        server.url,
        ...["--rate", rate, "-d", "3s", "-t", "1", "--precise-pacing"],
      ]);
      assertEquals(code, 0, stderr);
      assertEquals(json.requests, server.count() - before);
      const gap = json.latency_ms.p50 - json.latency_uncorrected_ms.p50;
      const off = `${rate}/s: corrected p50 is ${
        gap.toFixed(3)
      } ms off, send lag p50 ${json.schedule_lag_ms.p50}: ${JSON.stringify(json.host)}`;
      if (contended(json) && Math.abs(gap) > 0.2) {
        // Others held the CPU (noisy.sh: up to 3.2 ms off, a lag p50 of 0.1 ms when half the sends
        // were late): salvo was starved, says so, and the gap lies within the send lag it reports.
        starvedEvidence(json);
        assert(gap <= json.schedule_lag_ms.p99 + 0.2, off);
      } else {
        assert(Math.abs(gap) <= 0.2, off);
        assert(json.schedule_lag_ms.p50 <= 0.1, off);
      }
    }
  } finally {
    await server.stop();
  }
});

Deno.test("a rate far above what one thread can send is client-saturated, naming salvo's ceiling, never server-bound", async () => {
  const server = await startServe();
  try {
    const { code, json, stderr } = await runJson([
      server.url,
      ...["--rate", "300000", "--max-in-flight", "50", "-d", "2s", "-t", "1"],
    ]);
    assertEquals(code, 0, stderr);
    assertEquals(json.requests, await server.count());
    assert(json.rps < 300000 * 0.95, `salvo kept up with 300,000/s: ${json.rps}`);
    if (json.diagnosis.verdict === "client-starved") {
      // On a busy machine salvo could not get the core it needed: starved, with the figures.
      starvedEvidence(json);
    } else {
      assertEquals(json.diagnosis.verdict, "client-saturated", json.diagnosis.explanation);
      assert(
        json.diagnosis.explanation.includes("add --threads or machines"),
        json.diagnosis.explanation,
      );
    }
  } finally {
    await server.stop();
  }
});

Deno.test("a target at its capacity is server-bound, and its drops are the server's", async () => {
  const server = await startServe(["--capacity", "2", "--latency", "30ms"]);
  try {
    const { code, json, stderr } = await runJson([
      server.url,
      ...["--rate", "200", "--max-in-flight", "2", "-d", "2s", "-t", "1"],
    ]);
    assertEquals(code, 0, stderr);
    assertEquals(json.requests, await server.count());
    assert(json.dropped > 0, "nothing was dropped");
    // A drop is the client's only where a slot freed just before the arrival was due and an earlier
    // arrival, sent late, took it: a few at most.
    assertEquals(json.dropped_by.server + json.dropped_by.client, json.dropped);
    assert(json.dropped_by.client <= json.dropped * 0.05, JSON.stringify(json.dropped_by));
    assertEquals(json.diagnosis.verdict, "server-bound", json.diagnosis.explanation);
  } finally {
    await server.stop();
  }
});

Deno.test("achieved rate is over the schedule's span: a slow server, a fractional rate and a ramp to zero each achieve their plan, the tail said apart", async () => {
  const slow = countingServer(1000);
  try {
    // Each answer takes 1 s: the last comes 1 s after the 2 s schedule, which the rate excludes.
    const r = await runJson([slow.url, "--rate", "100", "-d", "2s", "-t", "1"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals([r.json.requests, slow.count(), r.json.planned_arrivals], [200, 200, 200]);
    assertEquals(r.json.duration_s, 2);
    assertEquals(r.json.rps, 100);
    assert(r.json.schedule_tail_s >= 0.9, `tail ${r.json.schedule_tail_s}`);
    assert(
      r.json.diagnosis.verdict !== "client-saturated",
      JSON.stringify(r.json.diagnosis),
    );
  } finally {
    await slow.stop();
  }
  const quick = countingServer();
  try {
    // 0.5/s over 3 s holds two arrivals (at 0 and 2 s): 2 in 3 s, never 2 in the 1 s between them.
    // One run gives the text (stdout) and the JSON (--out).
    const dir = await Deno.makeTempDir();
    const text = await salvo(
      ["run", quick.url, "--rate", "0.5", "-d", "3s", "-t", "1", "-q", "--out", `${dir}/h.json`],
    );
    const half = { json: JSON.parse(await Deno.readTextFile(`${dir}/h.json`)) };
    await Deno.remove(dir, { recursive: true });
    assertEquals([half.json.requests, half.json.planned_arrivals], [2, 2]);
    assertEquals([half.json.duration_s, half.json.rps], [3, 0.667]);
    assert(/achieved 0\.7 \(2 of 2 planned arrivals sent\)/.test(text.stdout), text.stdout);
    // 10/s ramped down to 0 over 1 s, then 1 s at 0: Λ reaches 5 at 1 s, so arrivals 0..5.
    const ramp = await runJson(
      [quick.url, "--rate", "10", "--stages", "1s:0,1s:0", "-t", "1"],
    );
    assertEquals([ramp.json.requests, ramp.json.planned_arrivals], [6, 6]);
    assertEquals([ramp.json.duration_s, ramp.json.rps], [2, 3]);
    assertEquals(quick.count(), 8);
  } finally {
    await quick.stop();
  }
});

Deno.test("a server's 1 s stall is the server's: salvo's sends stay on time after it and the verdict never blames salvo", async () => {
  const server = freezingServer(1500, 2500);
  try {
    const { code, json } = await runJson([server.url, "--rate", "200", "-d", "4s", "-t", "1"]);
    assertEquals(code, 0);
    assertEquals(json.requests, server.count());
    // The stall shows in the corrected tail, where it belongs.
    assert(json.latency_ms.p99 >= 500, `p99 ${json.latency_ms.p99}`);
    // When the 200 held answers come back, the pool does not open hundreds of connections at once
    // (it once did, from the stall's busy time summed in one window, and sends stalled ~95 ms).
    const lag = `schedule lag p99 ${json.schedule_lag_ms.p99}, host ${JSON.stringify(json.host)}`;
    if (contended(json)) {
      assert(json.diagnosis.verdict !== "client-saturated" || json.schedule_lag_ms.p99 < 20, lag);
    } else {
      assert(json.schedule_lag_ms.p99 < 20, lag);
      assertEquals(json.diagnosis.verdict, "pacing-limited", json.diagnosis.explanation);
    }
  } finally {
    await server.stop();
  }
});
