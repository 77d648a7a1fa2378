// The results stream: one whole line per request with its failure reason; a failed write stops it.
import { Either } from "effect";
import { reasonIndex } from "../../src/domain/reason.ts";
import { IntervalSink, maxNamed } from "../../src/io/interval_sink.ts";
import { LineSink } from "../../src/io/results_sink.ts";
import { fromRecord } from "../../src/io/summary_record.ts";
import { assert, assertEquals } from "../assert.ts";

/** An in-memory stdout that can be told to fail. */
const memory = (failWith?: Error) => {
  const chunks: Uint8Array[] = [];
  return {
    writeSync(p: Uint8Array): number {
      if (failWith !== undefined) throw failWith;
      chunks.push(p.slice());
      return p.length;
    },
    lines: () =>
      chunks.map((c) => new TextDecoder().decode(c)).join("").split("\n").filter((l) => l !== "")
        .map((l) => JSON.parse(l)),
  };
};

Deno.test("results stream: a line per request, with its status, latency, failure reason and resend", () => {
  const out = memory();
  const sink = new LineSink(out);
  sink.push(1000, 1000.5, 2000, 1500, -1, 200, -1, true, 120, false, `"GET http://a/"`);
  sink.push(2000, 2000, 3250, 3250, -1, 0, reasonIndex.timeout, false, 0, false, `"GET http://a/"`);
  sink.push(
    3000,
    3000,
    1000,
    1000,
    -1,
    0,
    reasonIndex.connection_refused,
    false,
    0,
    true,
    `"GET http://b/"`,
  );
  sink.finish(4000);
  const lines = out.lines();
  assertEquals(lines.length, 3);
  assertEquals(lines.map((l) => l.error), [null, "timeout", "connection_refused"]);
  assertEquals(lines.map((l) => l.status), [200, 0, 0]);
  assertEquals(lines.map((l) => l.latency_us), [2000, 3250, 1000]);
  assertEquals(lines[0].sent_us - lines[0].intended_us, 500);
  assertEquals(lines.map((l) => l.target), ["GET http://a/", "GET http://a/", "GET http://b/"]);
  // Only a request sent a second time says so.
  assertEquals(lines.map((l) => l.retried), [undefined, undefined, true]);
  assertEquals(sink.failure, undefined);
});

Deno.test("results stream: a failed write is kept as the failure, and nothing is written after it", () => {
  const sink = new LineSink(memory(new Deno.errors.BrokenPipe("broken pipe")));
  sink.push(1000, 1000, 1000, 1000, -1, 200, -1, true, 1, false, `"GET http://a/"`);
  sink.flush(1001);
  assertEquals(sink.failure, "the reader closed the pipe");
  sink.push(1002, 1002, 1000, 1000, -1, 200, -1, true, 1, false, `"GET http://a/"`);
  sink.finish(1003);
  assertEquals(sink.failure, "the reader closed the pipe");
});

Deno.test("IntervalSink: each window holds the requests that ended in it, with their reasons", () => {
  const out = memory();
  const sink = new IntervalSink(out, 1000, "GET http://a/");
  sink.push(0, 0, 10000, 10000, -1, 200, -1, true, 5, false, `"GET http://a/"`);
  sink.push(10, 10, 10000, 10000, -1, 0, reasonIndex.timeout, false, 0, false, `"GET http://a/"`);
  sink.flush(999); // not a whole window yet
  assertEquals(out.lines().length, 0);
  sink.flush(1000);
  sink.push(1000, 1000, 500000, 500000, -1, 503, -1, false, 7, false, `"GET http://a/"`);
  sink.finish(1600);
  const [first, second] = out.lines();
  assertEquals([first.requests, first.successes], [2, 1]);
  assertEquals(first.errors, { timeout: 1 });
  assertEquals(second.requests, 1);
  assertEquals(second.status_codes, { "503": 1 });
  assertEquals(second.start_us - first.start_us, 1_000_000);
  assertEquals(second.end_us - second.start_us, 600_000);
  assert(first.type === "interval" && first.target === "GET http://a/", JSON.stringify(first));
});

Deno.test("results stream: the open model's lines carry lag_us, and a dropped arrival is a line of its own", () => {
  const out = memory();
  const sink = new LineSink(out);
  sink.push(1000, 1000.25, 2000, 1750, 250, 200, -1, true, 120, false, `"GET http://a/"`);
  sink.drop(1001, false);
  sink.finish(4000);
  const [sent, dropped] = out.lines();
  assertEquals(sent.lag_us, 250);
  assertEquals([dropped.dropped, dropped.by], [true, "server"]);
  assertEquals(dropped.intended_us - sent.intended_us, 1000);
  assertEquals(dropped.status, undefined, "a dropped arrival was never sent: no status");
});

Deno.test("IntervalSink: a window counts its dropped arrivals and its sends' lag", () => {
  const out = memory();
  const sink = new IntervalSink(out, 1000, "GET http://a/");
  sink.push(0, 0.5, 10000, 9500, 500, 200, -1, true, 5, false, `"GET http://a/"`);
  sink.drop(1, true);
  sink.drop(2, false);
  sink.finish(100);
  const [w] = out.lines();
  assertEquals([w.requests, w.dropped, w.dropped_client], [1, 2, 1]);
  assert(typeof w.histogram_lag === "string", "the lag travels in the record");
});

Deno.test("IntervalSink: a scenario's window keeps each step apart, and names past the limit under its others", () => {
  const out = memory();
  const sink = new IntervalSink(out, 1000, "flow.ts", "(other steps)");
  sink.push(0, 0, 1000, 1000, -1, 200, -1, true, 5, false, `"login"`);
  sink.push(1, 1, 3000, 3000, -1, 500, -1, false, 5, false, `"GET /items"`);
  sink.push(2, 2, 2000, 2000, -1, 200, -1, true, 5, false, `"login"`);
  sink.flush(1000);
  for (let i = 0; i < maxNamed + 5; i++) {
    sink.push(
      1000 + i,
      1000 + i,
      1000,
      1000,
      -1,
      200,
      -1,
      true,
      1,
      false,
      JSON.stringify(`step ${i}`),
    );
  }
  sink.push(1300, 1300, 1000, 1000, -1, 200, -1, true, 1, false, `"step 0"`);
  sink.finish(1400);
  const [first, second] = out.lines();
  assertEquals(Object.keys(first.by_target), ["login", "GET /items"]);
  assertEquals([first.by_target.login.requests, first.by_target.login.successes], [2, 2]);
  assertEquals(first.by_target["GET /items"].status_codes, { "500": 1 });
  const names = Object.keys(second.by_target);
  assertEquals(names.length, maxNamed + 1);
  assertEquals(second.by_target["step 0"].requests, 2);
  assertEquals(second.by_target["(other steps)"].requests, 5);
  const sum = names.reduce((n, k) => n + second.by_target[k].requests, 0);
  assertEquals(sum, second.requests, "every request in exactly one step");
});

Deno.test("IntervalSink: a run of one target writes no by_target", () => {
  const out = memory();
  const sink = new IntervalSink(out, 1000, "GET http://a/");
  sink.push(0, 0, 1000, 1000, -1, 200, -1, true, 5, false, `"GET http://a/"`);
  sink.finish(10);
  assertEquals(out.lines()[0].by_target, undefined);
});

Deno.test("IntervalSink: windows count from the first request, start_us is on the wall clock, a lag of 0 is a lag, and finishing an empty window writes nothing", () => {
  const out = memory();
  const sink = new IntervalSink(out, 1000, "GET http://a/");
  sink.push(5000, 5000, 10000, 10000, 0, 200, -1, true, 5, false, `"GET http://a/"`);
  sink.flush(5999); // 999 ms after the window began: not yet
  assertEquals(out.lines().length, 0);
  sink.flush(6000);
  sink.finish(6500); // nothing since: no second line
  const lines = out.lines();
  assertEquals(lines.length, 1);
  assertEquals(lines[0].start_us, Math.round(performance.timeOrigin * 1000) + 5_000_000);
  assertEquals(lines[0].end_us - lines[0].start_us, 1_000_000);
  const w = Either.getOrThrow(fromRecord(lines[0]));
  assertEquals(w.lag?.totalCount, 1);
});

Deno.test("results stream: times are µs on the wall clock; 4,096 waiting lines are written without a flush, and a flush with none writes nothing", () => {
  const chunks: Uint8Array[] = [];
  const out = { writeSync: (p: Uint8Array) => (chunks.push(p.slice()), p.length) };
  const sink = new LineSink(out);
  sink.flush(0);
  assertEquals(chunks.length, 0, "an empty flush wrote");
  for (let i = 0; i < 4095; i++) {
    sink.push(1000, 1000, 10, 10, -1, 200, -1, true, 5, false, `"GET http://a/"`);
  }
  assertEquals(chunks.length, 0);
  sink.drop(1000, false); // the 4,096th line
  assertEquals(chunks.length, 1);
  for (let i = 0; i < 4096; i++) {
    sink.push(1000, 1000, 10, 10, -1, 200, -1, true, 5, false, `"GET http://a/"`);
  }
  assertEquals(chunks.length, 2);
  const first = JSON.parse(new TextDecoder().decode(chunks[0]!).split("\n")[0]!);
  assertEquals(first.intended_us, Math.round(performance.timeOrigin * 1000) + 1_000_000);
});
