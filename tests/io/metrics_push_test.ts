// Remote write against a receiver on loopback: every point counted as sent or dropped, the queue's bound, retries on 5xx and 429 only, credentials as a header, failures in words, and an end that keeps its deadline.
import type { Series } from "../../src/core/remote_write.ts";
import { Pusher } from "../../src/io/metrics_push.ts";
import { assert, assertEquals } from "../assert.ts";
import { decodeWriteRequest, uncompress } from "./remote_write_decode.ts";

/** A batch of `n` points of one series. */
const batch = (n: number): Series[] => [{
  labels: [["__name__", "salvo_requests_total"]],
  points: Array.from({ length: n }, (_, i) => [i, 1_700_000_000_000 + i] as const),
}];

interface Seen {
  readonly headers: Headers;
  readonly url: string;
  readonly points: number;
}

/** A receiver on loopback that answers each POST with `answer(i)`'s status (after its delay). */
const receiver = (answer: (i: number) => number | Promise<number>) => {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = new Uint8Array(await req.arrayBuffer());
    const points = decodeWriteRequest(uncompress(body)).reduce((n, s) => n + s.samples.length, 0);
    const status = await answer(seen.length);
    seen.push({ headers: req.headers, url: req.url, points });
    return new Response(null, { status });
  });
  const port = (server.addr as Deno.NetAddr).port;
  return {
    seen,
    port,
    url: `http://127.0.0.1:${port}/api/v1/write`,
    stop: () => server.shutdown(),
  };
};

Deno.test("remote write: every point the receiver accepts is sent, in order, with the protocol's headers and no credentials, and the end does not wait for its deadline", async () => {
  const r = receiver(() => 204);
  try {
    const p = new Pusher(new URL(r.url), 2000, 1000);
    p.push(batch(3));
    // With everything sent, the end returns at once, not at its deadline.
    const t0 = performance.now();
    const report = await p.finish(batch(2), 20_000);
    const tookMs = performance.now() - t0;
    assertEquals(report, { sent: 5, dropped: 0, lastProblem: undefined });
    assert(tookMs < 10_000, `the end took ${tookMs.toFixed(0)} ms`);
    assertEquals(r.seen.map((s) => s.points), [3, 2]);
    const h = r.seen[0]!.headers;
    assertEquals(
      [
        h.get("content-encoding"),
        h.get("x-prometheus-remote-write-version"),
        h.get("authorization"),
      ],
      ["snappy", "0.1.0", null],
    );
  } finally {
    await r.stop();
  }
});

Deno.test("remote write: credentials in the URL go as a Basic header, never in the URL sent or shown", async () => {
  const r = receiver(() => 200);
  try {
    const p = new Pusher(new URL(`http://us%20er:p%40ss@127.0.0.1:${r.port}/write`), 2000, 1000);
    assertEquals(p.shown.includes("p%40ss") || p.shown.includes("p@ss"), false);
    const report = await p.finish(batch(1), 2000);
    assertEquals(report.sent, 1);
    assertEquals(r.seen[0]!.headers.get("authorization"), `Basic ${btoa("us er:p@ss")}`);
    assertEquals(r.seen[0]!.url, `http://127.0.0.1:${r.port}/write`);
  } finally {
    await r.stop();
  }
});

Deno.test("remote write: a 500 and a 429 are retried until the batch goes; a 400 drops it, said in words", async () => {
  for (const first of [500, 429]) {
    const r = receiver((i) => (i === 0 ? first : 200));
    try {
      const report = await new Pusher(new URL(r.url), 2000, 1000).finish(batch(4), 3000);
      assertEquals(report, { sent: 4, dropped: 0, lastProblem: `the receiver answered ${first}` });
      assertEquals(r.seen.map((s) => s.points), [4, 4]);
    } finally {
      await r.stop();
    }
  }
  const r = receiver(() => 400);
  try {
    const report = await new Pusher(new URL(r.url), 2000, 1000).finish(batch(4), 3000);
    assertEquals(report, { sent: 0, dropped: 4, lastProblem: "the receiver answered 400" });
    assertEquals(r.seen.length, 1);
  } finally {
    await r.stop();
  }
});

Deno.test("remote write: past the queue's bound the oldest batch is dropped; a batch larger than the bound alone still goes", async () => {
  const r = receiver(() => 200);
  try {
    const p = new Pusher(new URL(r.url), 2000, 4);
    p.push(batch(2));
    p.push(batch(2));
    const report = await p.finish(batch(2), 2000); // 6 points queued at once, 4 kept
    assertEquals(report, {
      sent: 4,
      dropped: 2,
      lastProblem: "the queue of unsent points was full",
    });
    const big = await new Pusher(new URL(r.url), 2000, 1).finish(batch(3), 2000);
    assertEquals(big, { sent: 3, dropped: 0, lastProblem: undefined });
  } finally {
    await r.stop();
  }
});

Deno.test("remote write: past the bound the batch being sent is kept and counted when it goes; the oldest waiting one is dropped instead", async () => {
  const r = receiver(() => 200);
  try {
    const p = new Pusher(new URL(r.url), 2000, 4);
    p.push(batch(1)); // Its POST starts at once.
    p.push(batch(2));
    const report = await p.finish(batch(3), 2000); // 6 points: the waiting 2 go.
    assertEquals(report, {
      sent: 4,
      dropped: 2,
      lastProblem: "the queue of unsent points was full",
    });
    assertEquals(r.seen.map((s) => s.points), [1, 3]);
    // Exactly at the bound nothing is dropped.
    const q = new Pusher(new URL(r.url), 2000, 7);
    q.push(batch(1));
    q.push(batch(2));
    q.push(batch(2));
    assertEquals(await q.finish(batch(2), 2000), { sent: 7, dropped: 0, lastProblem: undefined });
  } finally {
    await r.stop();
  }
});

Deno.test("remote write: a refused connection is said in words, and its points dropped", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const report = await new Pusher(new URL(`http://127.0.0.1:${port}/w`), 1000, 1000).finish(
    batch(2),
    300,
  );
  assertEquals(report, { sent: 0, dropped: 2, lastProblem: "connection refused" });
});

Deno.test("remote write: a receiver that never answers is a timeout in words, and the end keeps its deadline", async () => {
  let release = () => {};
  const held = new Promise<number>((r) => release = () => r(200));
  const r = receiver(() => held);
  try {
    const t0 = performance.now();
    const short = await new Pusher(new URL(r.url), 100, 1000).finish(batch(2), 400);
    assertEquals(short, { sent: 0, dropped: 2, lastProblem: "no answer within 100 ms" });
    // A long timeout: the end's deadline cuts the send, not the timeout.
    const long = await new Pusher(new URL(r.url), 20_000, 1000).finish(batch(2), 300);
    const tookMs = performance.now() - t0;
    assertEquals([long.sent, long.dropped], [0, 2]);
    assert(tookMs < 5000, `the two ends took ${tookMs.toFixed(0)} ms`);
  } finally {
    release();
    await r.stop();
  }
});
