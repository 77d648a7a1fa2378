// The HTTP/2 session in process, against a server the test scripts frame by frame: streams, limits, windows, heads, resets, GOAWAY and the server's mistakes.
import { ErrorCode, Flag, FrameType, Setting } from "../../src/core/h2/frame.ts";
import { Encoder } from "../../src/core/hpack/encoder.ts";
import { H2Error, H2Session, type StreamOwner } from "../../src/engine/h2_session.ts";
import { encodeH2, type H2Request } from "../../src/engine/h2_request.ts";
import { assert, assertEquals } from "../assert.ts";
import { type Frame, h2Peer, type PeerConn, wordsOf } from "./h2_peer.ts";

const url = new URL("http://127.0.0.1/x");
const get = encodeH2("GET", url, [], undefined, "salvo-test");
const post = (bytes: number) =>
  encodeH2("POST", url, [], new Uint8Array(bytes).fill(7), "salvo-test");
const owner = (): StreamOwner => ({ status: 0, bytes: 0, stream: undefined, queuedUs: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request's outcome: its owner, and the error it failed with (undefined when answered). */
const send = async (s: H2Session, r: H2Request = get) => {
  const o = owner();
  const error = await s.request(r, o).then(() => undefined, (e: H2Error) => e);
  return { o, error };
};

/** Runs `client` against a server that runs `server` on the one connection it accepts. */
const session = async (
  server: (c: PeerConn) => Promise<void>,
  client: (s: H2Session) => Promise<void>,
) => {
  const peer = h2Peer(server);
  const s = await H2Session.open(peer.endpoint);
  try {
    await peer.ready;
    await client(s);
  } finally {
    // What the client queued last (an RST_STREAM) goes out before its socket closes; then the
    // server reads to the end.
    await sleep(10);
    s.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([peer.served(), new Promise((r) => timer = setTimeout(r, 2000))]);
    clearTimeout(timer);
    await peer.stop();
  }
};

/** Waits for the client's SETTINGS and its ACK of ours (our `pairs`), so what follows uses them. */
const handshake = async (c: PeerConn, pairs: ReadonlyArray<readonly [number, number]> = []) => {
  await c.settings(pairs).send();
  await c.next((f) => f.type === FrameType.Settings && (f.flags & Flag.Ack) !== 0);
  c.ready();
};

/** Body bytes of the DATA frames on `id` until END_STREAM, or until `until` bytes have come. */
const readBody = async (c: PeerConn, id: number, until = Infinity) => {
  const frames: Frame[] = [];
  let total = 0;
  while (total < until) {
    const f = await c.next((f) => f.type === FrameType.Data && f.id === id);
    if (f === undefined) break;
    frames.push(f);
    total += f.payload.length;
    if (f.flags & Flag.EndStream) break;
  }
  return { frames, total, ended: (frames.at(-1)?.flags ?? 0) & Flag.EndStream };
};

Deno.test("h2 session: one stream until the server's SETTINGS, then its MAX_CONCURRENT_STREAMS; a wait after them is queuedUs; ids 1, 3, 5 …", async () => {
  const seen = { limit: undefined as number | undefined };
  let result = { early: -1, most: -1, ids: [] as number[] };
  const peer = h2Peer(async (c) => {
    const ids = [(await c.nextOf(FrameType.Headers))!.id];
    await sleep(50);
    const early = c.buffered.filter((f) => f.type === FrameType.Headers).length;
    await c.settings([[Setting.MaxConcurrentStreams, 2]]).send();
    const open = [...ids];
    let most = 1;
    // Nine streams in all (six, then three): with two open, or all begun, the oldest is answered.
    while (ids.length < 9 || open.length > 0) {
      if (open.length === 2 || ids.length === 6 || ids.length === 9) {
        if (open.length === 0) {
          c.ready();
        } else {
          await sleep(5);
          await c.ok(open.shift()!).send();
          // One slot was freed: at most one new stream may come.
          await sleep(5);
          most = Math.max(
            most,
            open.length + c.buffered.filter((f) => f.type === FrameType.Headers).length,
          );
          continue;
        }
      }
      const h = await c.nextOf(FrameType.Headers);
      if (h === undefined) break;
      ids.push(h.id);
      open.push(h.id);
      most = Math.max(most, open.length);
    }
    result = { early, most, ids };
  });
  const s = await H2Session.open(peer.endpoint, seen);
  try {
    const first = await Promise.all(Array.from({ length: 6 }, () => send(s)));
    assert(first.every((r) => r.error === undefined && r.o.status === 200), "a request failed");
    // Queued before the server's SETTINGS came: that wait is the first round trip's, not timed.
    assert(first.every((r) => r.o.queuedUs === 0), "the wait for SETTINGS was timed");
    const t0 = performance.now();
    const then = await Promise.all(Array.from({ length: 3 }, () => send(s)));
    const tookUs = (performance.now() - t0) * 1000;
    assert(then.every((r) => r.o.status === 200), "a request failed");
    assertEquals(then.map((r) => r.o.queuedUs > 0), [false, false, true]);
    assert(then[2]!.o.queuedUs <= tookUs, `queued ${then[2]!.o.queuedUs} µs of ${tookUs}`);
    assert([...first, ...then].every((r) => r.o.stream === undefined), "a stream is still held");
  } finally {
    s.close();
    await peer.stop();
  }
  assertEquals(result.early, 0, "a second stream before the server's SETTINGS");
  assertEquals(result.most, 2);
  assertEquals(result.ids, [1, 3, 5, 7, 9, 11, 13, 15, 17]);
  assertEquals(seen.limit, 2);
});

Deno.test("h2 session: a request body waits for the stream's window, resumes on WINDOW_UPDATE, and ends with END_STREAM on its last byte", async () => {
  let log: number[] = [];
  await session(async (c) => {
    await handshake(c, [[Setting.InitialWindowSize, 1000]]);
    const h = (await c.nextOf(FrameType.Headers))!;
    assertEquals(h.flags & Flag.EndStream, 0, "HEADERS ended a stream that has a body");
    const first = await readBody(c, 1, 1000);
    await sleep(50);
    const more = c.buffered.filter((f) => f.type === FrameType.Data).length;
    await c.words(FrameType.WindowUpdate, 0, 1, 1500).send();
    const second = await readBody(c, 1, 1500);
    await sleep(50);
    const more2 = c.buffered.filter((f) => f.type === FrameType.Data).length;
    await c.words(FrameType.WindowUpdate, 0, 1, 100_000).send();
    const rest = await readBody(c, 1);
    log = [first.total, more, second.total, more2, rest.total, rest.ended, first.ended];
    await c.ok(1).send();
  }, async (s) => {
    const r = await send(s, post(5000));
    assertEquals([r.error, r.o.status], [undefined, 200]);
  });
  assertEquals(log, [1000, 0, 1500, 0, 2500, Flag.EndStream, 0]);
});

Deno.test("h2 session: the connection's window holds every stream's body; WINDOW_UPDATE on stream 0 releases them", async () => {
  let log: number[] = [];
  await session(async (c) => {
    await handshake(c, [[Setting.InitialWindowSize, 1 << 20]]);
    let total = 0;
    let ended = 0;
    while (total < 65535) {
      const f = (await c.nextOf(FrameType.Data))!;
      total += f.payload.length;
      if (f.flags & Flag.EndStream) ended++;
    }
    await sleep(50);
    const more = c.buffered.filter((f) => f.type === FrameType.Data).length;
    await c.words(FrameType.WindowUpdate, 0, 0, 1 << 20).send();
    while (ended < 2) {
      const f = (await c.nextOf(FrameType.Data))!;
      total += f.payload.length;
      if (f.flags & Flag.EndStream) ended++;
    }
    log = [more, total];
    await c.ok(1).ok(3).send();
  }, async (s) => {
    const rs = await Promise.all([send(s, post(50_000)), send(s, post(50_000))]);
    assert(rs.every((r) => r.o.status === 200), "a request failed");
  });
  assertEquals(log, [0, 100_000]);
});

Deno.test("h2 session: a larger INITIAL_WINDOW_SIZE mid-stream widens open streams by the difference, no more", async () => {
  let log: number[] = [];
  await session(async (c) => {
    await handshake(c);
    await c.words(FrameType.WindowUpdate, 0, 0, 1 << 20).send();
    const first = await readBody(c, 1, 65535);
    await sleep(50);
    const more = c.buffered.filter((f) => f.type === FrameType.Data).length;
    await c.settings([[Setting.InitialWindowSize, 65535 + 4465]]).send();
    const widened = await readBody(c, 1, 4465);
    await sleep(50);
    const beyond = c.buffered.filter((f) => f.type === FrameType.Data).length;
    await c.words(FrameType.WindowUpdate, 0, 1, 1 << 20).send();
    const rest = await readBody(c, 1);
    log = [first.total, more, widened.total, beyond, rest.total, rest.ended];
    await c.ok(1).send();
  }, async (s) => {
    assertEquals((await send(s, post(80_000))).o.status, 200);
  });
  assertEquals(log, [65535, 0, 4465, 0, 80_000 - 65535 - 4465, Flag.EndStream]);
});

Deno.test("h2 session: DATA frames are no larger than the server's MAX_FRAME_SIZE, and use it", async () => {
  for (
    const [announced, sizes] of [
      [undefined, [16384, 16384, 16384, 848]],
      [20000, [20000, 20000, 10000]],
      [2 ** 24 - 1, [50000]],
    ] as const
  ) {
    let got: number[] = [];
    await session(async (c) => {
      await handshake(c, [
        [Setting.InitialWindowSize, 1 << 20],
        ...(announced === undefined ? [] : [[Setting.MaxFrameSize, announced] as const]),
      ]);
      got = (await readBody(c, 1)).frames.map((f) => f.payload.length);
      await c.ok(1).send();
    }, async (s) => {
      assertEquals((await send(s, post(50_000))).o.status, 200);
    });
    assertEquals(got, [...sizes], `MAX_FRAME_SIZE ${announced}`);
  }
});

Deno.test("h2 session: a header block larger than a frame goes as HEADERS and CONTINUATION, END_HEADERS on the last", async () => {
  let shape: Array<[number, number, number]> = [];
  await session(async (c) => {
    await handshake(c);
    for (;;) {
      const f = (await c.next((f) =>
        f.type === FrameType.Headers || f.type === FrameType.Continuation
      ))!;
      shape.push([f.type, f.flags & (Flag.EndHeaders | Flag.EndStream), f.payload.length]);
      if (f.flags & Flag.EndHeaders) break;
    }
    await c.ok(1).send();
  }, async (s) => {
    const big = encodeH2("GET", url, [["x-big", "ab".repeat(30_000)]], undefined, "t");
    assertEquals((await send(s, big)).o.status, 200);
  });
  assertEquals(shape[0]!.slice(0, 2), [FrameType.Headers, Flag.EndStream]);
  assert(shape.length >= 3, `${shape.length} frames`);
  assert(shape.every(([, , n]) => n <= 16384), "a frame over 16384");
  assertEquals(
    shape.slice(1, -1).map(([t, f]) => [t, f]),
    shape.slice(1, -1).map(() => [FrameType.Continuation, 0]),
  );
  assertEquals(shape.at(-1)!.slice(0, 2), [FrameType.Continuation, Flag.EndHeaders]);
  shape = [];
});

Deno.test("h2 session: a 100 head, a head split over two CONTINUATIONs and padded DATA: status 200, every byte of the stream counted", async () => {
  let wire = 0;
  await session(async (c) => {
    await handshake(c);
    await c.nextOf(FrameType.Headers);
    const interim = c.encoder.encode([[":status", "100"]]);
    const head = c.encoder.encode([[":status", "200"], ["x-a", "b".repeat(300)]]);
    const body = new Uint8Array(1 + 1000 + 10);
    body[0] = 10; // pad length
    c.frame(FrameType.Headers, Flag.EndHeaders, 1, interim)
      .frame(FrameType.Headers, 0, 1, head.slice(0, 100))
      .frame(FrameType.Continuation, 0, 1, head.slice(100, 150))
      .frame(FrameType.Continuation, Flag.EndHeaders, 1, head.slice(150))
      .frame(FrameType.Data, Flag.Padded, 1, body)
      .frame(FrameType.Data, Flag.EndStream, 1);
    wire = interim.length + head.length + body.length + 6 * 9;
    await c.send();
  }, async (s) => {
    const r = await send(s);
    assertEquals([r.error, r.o.status, r.o.bytes], [undefined, 200, wire]);
  });
});

Deno.test("h2 session: a kept response holds its final head's fields and trailers, not a 100 head's, and its body's bytes, empty DATA frames adding nothing", async () => {
  await session(async (c) => {
    await handshake(c);
    await c.nextOf(FrameType.Headers);
    c.head(1, [[":status", "100"], ["x-interim", "1"]], 0)
      .head(1, [[":status", "200"], ["x-a", "b"]], 0)
      .frame(FrameType.Data, 0, 1, new TextEncoder().encode("hel"))
      .frame(FrameType.Data, 0, 1)
      .frame(FrameType.Data, 0, 1, new TextEncoder().encode("lo"))
      .head(1, [["x-t", "2"]], Flag.EndStream);
    await c.send();
  }, async (s) => {
    const keep = { fields: [] as Array<readonly [string, string]>, body: [] as Uint8Array[] };
    const o = { ...owner(), keep };
    const error = await s.request(get, o).then(() => undefined, (e: H2Error) => e);
    assertEquals([error, o.status], [undefined, 200]);
    assertEquals(keep.fields, [["x-a", "b"], ["x-t", "2"]]);
    assertEquals(keep.body.map((b) => new TextDecoder().decode(b)), ["hel", "lo"]);
  });
});

Deno.test("h2 session: a head without a valid :status resets the stream (PROTOCOL_ERROR): protocol_error", async () => {
  for (const status of ["abc", "99", "1000"]) {
    let rst: number[] = [];
    await session(async (c) => {
      await handshake(c);
      await c.nextOf(FrameType.Headers);
      await c.head(1, [[":status", status]], Flag.EndStream).send();
      rst = wordsOf((await c.nextOf(FrameType.RstStream))!);
    }, async (s) => {
      const r = await send(s);
      assertEquals(r.error?.reason, "protocol_error", status);
      assert(s.usable, "the connection should carry on");
    });
    assertEquals(rst, [ErrorCode.ProtocolError], status);
  }
});

Deno.test("h2 session: streams the server resets fail under the reason their code names", async () => {
  const codes = [
    [ErrorCode.RefusedStream, "refused_stream"],
    [ErrorCode.FlowControlError, "flow_control"],
    [ErrorCode.ProtocolError, "protocol_error"],
    [2, "stream_reset"],
    [ErrorCode.Cancel, "stream_reset"],
  ] as const;
  await session(async (c) => {
    await handshake(c);
    for (const [code] of codes) {
      const h = (await c.nextOf(FrameType.Headers))!;
      await c.words(FrameType.RstStream, 0, h.id, code).send();
    }
  }, async (s) => {
    for (const [code, reason] of codes) {
      const r = await send(s);
      assertEquals(r.error?.reason, reason, `code ${code}`);
      assertEquals(r.error?.unprocessed, false);
    }
  });
});

Deno.test("h2 session: GOAWAY: streams above its last id fail as unprocessed goaway, those below finish, then the connection closes", async () => {
  let closedAfter = false;
  await session(async (c) => {
    await handshake(c);
    for (let i = 0; i < 3; i++) await c.nextOf(FrameType.Headers);
    await c.words(FrameType.Goaway, 0, 0, 3, ErrorCode.NoError).send();
    await sleep(20);
    await c.ok(1).ok(3).send();
    closedAfter = (await c.next()) === undefined || c.closed;
  }, async (s) => {
    const rs = await Promise.all([send(s), send(s), send(s)]);
    assertEquals(rs.map((r) => r.o.status), [200, 200, 0]);
    assertEquals([rs[2]!.error?.reason, rs[2]!.error?.unprocessed], ["goaway", true]);
    assert(!s.usable, "a session after GOAWAY takes new streams");
    const late = await send(s);
    assertEquals([late.error?.reason, late.error?.unprocessed], ["goaway", true]);
    await sleep(50);
    assert(s.closed, "the session did not close once idle");
  });
  assert(closedAfter, "the client did not close the connection");
});

Deno.test("h2 session: the server's PING is echoed with ACK and its 8 bytes; a PING ACK is not", async () => {
  const echoes: Frame[] = [];
  await session(async (c) => {
    await handshake(c);
    await c.frame(FrameType.Ping, Flag.Ack, 0, new Uint8Array(8).fill(9))
      .frame(FrameType.Ping, 0, 0, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])).send();
    for (;;) {
      const f = (await c.next())!;
      if (f.type === FrameType.Ping) echoes.push(f);
      if (f.type === FrameType.Headers) break;
    }
    await c.ok(1).send();
    await sleep(20);
    echoes.push(...c.buffered.filter((f) => f.type === FrameType.Ping));
  }, async (s) => {
    await sleep(30);
    assertEquals((await send(s)).o.status, 200);
  });
  assertEquals(echoes.length, 1);
  assertEquals(echoes[0]!.flags, Flag.Ack);
  assertEquals([...echoes[0]!.payload], [1, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("h2 session: the server's mistakes end the connection with GOAWAY and its code; the stream fails under the reason", async () => {
  const u8 = (...b: number[]) => new Uint8Array(b);
  const mistakes: Array<[string, (c: PeerConn) => PeerConn, number, string]> = [
    [
      "RST_STREAM of 3 bytes",
      (c) => c.frame(FrameType.RstStream, 0, 1, u8(0, 0, 8)),
      ErrorCode.FrameSizeError,
      "protocol_error",
    ],
    [
      "PING of 7 bytes",
      (c) => c.frame(FrameType.Ping, 0, 0, new Uint8Array(7)),
      ErrorCode.FrameSizeError,
      "protocol_error",
    ],
    [
      "PING on a stream",
      (c) => c.frame(FrameType.Ping, 0, 1, new Uint8Array(8)),
      ErrorCode.FrameSizeError,
      "protocol_error",
    ],
    [
      "GOAWAY of 7 bytes",
      (c) => c.frame(FrameType.Goaway, 0, 0, new Uint8Array(7)),
      ErrorCode.FrameSizeError,
      "protocol_error",
    ],
    [
      "WINDOW_UPDATE of 5 bytes",
      (c) => c.frame(FrameType.WindowUpdate, 0, 0, new Uint8Array(5)),
      ErrorCode.FrameSizeError,
      "protocol_error",
    ],
    [
      "SETTINGS of 5 bytes",
      (c) => c.frame(FrameType.Settings, 0, 0, new Uint8Array(5)),
      ErrorCode.FrameSizeError,
      "protocol_error",
    ],
    [
      "SETTINGS ACK with a payload",
      (c) => c.frame(FrameType.Settings, Flag.Ack, 0, new Uint8Array(6)),
      ErrorCode.FrameSizeError,
      "protocol_error",
    ],
    [
      "SETTINGS on a stream",
      (c) => c.frame(FrameType.Settings, 0, 1, new Uint8Array(0)),
      ErrorCode.FrameSizeError,
      "protocol_error",
    ],
    [
      "MAX_FRAME_SIZE below 16384",
      (c) => c.settings([[Setting.MaxFrameSize, 16383]]),
      ErrorCode.ProtocolError,
      "protocol_error",
    ],
    [
      "MAX_FRAME_SIZE above 2^24-1",
      (c) => c.settings([[Setting.MaxFrameSize, 2 ** 24]]),
      ErrorCode.ProtocolError,
      "protocol_error",
    ],
    [
      "INITIAL_WINDOW_SIZE above 2^31-1",
      (c) => c.settings([[Setting.InitialWindowSize, 2 ** 31]]),
      ErrorCode.FlowControlError,
      "flow_control",
    ],
    [
      "PUSH_PROMISE",
      (c) => c.frame(FrameType.PushPromise, Flag.EndHeaders, 1, u8(0, 0, 0, 2)),
      ErrorCode.ProtocolError,
      "protocol_error",
    ],
    [
      "HEADERS on stream 0",
      (c) => c.frame(FrameType.Headers, Flag.EndHeaders, 0, u8(0x88)),
      ErrorCode.ProtocolError,
      "protocol_error",
    ],
    [
      "HEADERS padded beyond its length",
      (c) => c.frame(FrameType.Headers, Flag.EndHeaders | Flag.Padded, 1, u8(5, 0x88)),
      ErrorCode.ProtocolError,
      "protocol_error",
    ],
    [
      "a header block interrupted",
      (c) => c.frame(FrameType.Headers, 0, 1, u8(0x88)).frame(FrameType.Data, 0, 1, u8(1)),
      ErrorCode.ProtocolError,
      "protocol_error",
    ],
    [
      "CONTINUATION with no block open",
      (c) => c.frame(FrameType.Continuation, Flag.EndHeaders, 1, u8(0x88)),
      ErrorCode.ProtocolError,
      "protocol_error",
    ],
    [
      "CONTINUATION on another stream",
      (c) =>
        c.frame(FrameType.Headers, 0, 1, u8(0x88)).frame(
          FrameType.Continuation,
          Flag.EndHeaders,
          3,
          u8(0x88),
        ),
      ErrorCode.ProtocolError,
      "protocol_error",
    ],
    [
      "DATA padded beyond its length",
      (c) => c.frame(FrameType.Data, Flag.Padded, 1, u8(9, 1, 2)),
      ErrorCode.ProtocolError,
      "protocol_error",
    ],
    [
      "a frame over 16384 bytes",
      (c) => c.frame(FrameType.Data, 0, 1, new Uint8Array(16385)),
      ErrorCode.FrameSizeError,
      "protocol_error",
    ],
    [
      "HPACK that does not decode",
      (c) => c.frame(FrameType.Headers, Flag.EndHeaders, 1, u8(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
      ErrorCode.CompressionError,
      "protocol_error",
    ],
  ];
  for (const [what, mistake, code, reason] of mistakes) {
    let goaway: number[] = [];
    await session(async (c) => {
      await handshake(c);
      await c.nextOf(FrameType.Headers);
      await mistake(c).send();
      goaway = wordsOf(
        (await c.nextOf(FrameType.Goaway)) ??
          { type: 0, flags: 0, id: 0, payload: new Uint8Array(0) },
      );
    }, async (s) => {
      const r = await send(s);
      assertEquals(r.error?.reason, reason, what);
      assert(s.closed, `${what}: the connection is still open`);
    });
    assertEquals(goaway, [0, code], what);
  }
});

Deno.test("h2 session: cancel: a stream in flight is reset with CANCEL, one still queued is never sent, a second cancel changes nothing", async () => {
  let frames: Frame[] = [];
  await session(async (c) => {
    await handshake(c, [[Setting.MaxConcurrentStreams, 1]]);
    await c.nextOf(FrameType.Headers);
    await sleep(80);
    frames = [...c.buffered];
    await c.ok(3).send();
  }, async (s) => {
    const [a, b, c] = [owner(), owner(), owner()];
    const first = s.request(get, a).then(() => undefined, (e: Error) => e);
    const second = s.request(get, b).then(() => undefined, (e: Error) => e);
    const third = s.request(get, c).then(() => undefined, (e: Error) => e);
    await sleep(30);
    const queued = b.stream!;
    s.cancel(queued, new Error("queued, cancelled"));
    s.cancel(queued, new Error("cancelled again"));
    s.cancel(a.stream!, new Error("in flight, cancelled"));
    assert(s.usable, "cancelling closed the session");
    assertEquals((await first)?.message, "in flight, cancelled");
    assertEquals((await second)?.message, "queued, cancelled");
    assertEquals([await third, c.status], [undefined, 200]);
  });
  const rst = frames.filter((f) => f.type === FrameType.RstStream);
  assertEquals(rst.map((f) => [f.id, ...wordsOf(f)]), [[1, ErrorCode.Cancel]]);
  assertEquals(frames.filter((f) => f.type === FrameType.Headers).map((f) => f.id), [3]);
});

Deno.test("h2 session: the client announces a 2^30 - 1 window for streams and the connection, and no push", async () => {
  let first: Frame[] = [];
  await session(async (c) => {
    first = [(await c.next())!, (await c.next())!];
    await handshake(c);
  }, async () => {});
  assertEquals(first[0]!.type, FrameType.Settings);
  assertEquals(wordsOf({ ...first[0]!, payload: first[0]!.payload.slice(2, 6) }), [0]);
  assertEquals([...first[0]!.payload.slice(0, 2)], [0, Setting.EnablePush]);
  assertEquals([...first[0]!.payload.slice(6, 8)], [0, Setting.InitialWindowSize]);
  assertEquals(wordsOf({ ...first[0]!, payload: first[0]!.payload.slice(8, 12) }), [2 ** 30 - 1]);
  assertEquals([first[1]!.type, first[1]!.id, ...wordsOf(first[1]!)], [
    FrameType.WindowUpdate,
    0,
    2 ** 30 - 1 - 65535,
  ]);
});

Deno.test("h2 session: the server closing the connection fails what is in flight as connection_closed, and what waits as unprocessed", async () => {
  await session(async (c) => {
    await handshake(c, [[Setting.MaxConcurrentStreams, 1]]);
    await c.nextOf(FrameType.Headers);
    c.close();
  }, async (s) => {
    const [a, b] = await Promise.all([send(s), send(s)]);
    assertEquals([a.error?.reason, a.error?.unprocessed], ["connection_closed", false]);
    assertEquals([b.error?.reason, b.error?.unprocessed], ["connection_closed", true]);
    assert(!s.usable && s.idle, "a closed session");
  });
});

Deno.test("h2 session: the server's HEADER_TABLE_SIZE 0 is signalled at the start of the next header block", async () => {
  let first = -1;
  await session(async (c) => {
    await handshake(c, [[Setting.HeaderTableSize, 0]]);
    first = (await c.nextOf(FrameType.Headers))!.payload[0]!;
    await c.ok(1).send();
  }, async (s) => {
    assertEquals((await send(s)).o.status, 200);
  });
  assertEquals(first, 0x20, "a dynamic table size update to 0");
});

Deno.test("h2 session: a request with an empty body ends its stream on HEADERS; :status 999 is a status", async () => {
  let flags = -1;
  await session(async (c) => {
    await handshake(c);
    flags = (await c.nextOf(FrameType.Headers))!.flags;
    await c.head(1, [[":status", "999"]], Flag.EndStream).send();
  }, async (s) => {
    const empty = encodeH2("POST", url, [], new Uint8Array(0), "t");
    assertEquals((await send(s, empty)).o.status, 999);
  });
  assertEquals(flags & Flag.EndStream, Flag.EndStream);
});

Deno.test("h2 session: frames for streams it no longer has, the server's SETTINGS ACK and several SETTINGS at once leave the session working", async () => {
  let acks = 0;
  await session(async (c) => {
    await handshake(c);
    const h = (await c.nextOf(FrameType.Headers))!;
    await c.words(FrameType.RstStream, 0, h.id, ErrorCode.RefusedStream).send();
    // The reset stream's late frames, one on a stream never opened, our ACK, and three SETTINGS.
    c.head(h.id, [[":status", "200"]], 0)
      .frame(FrameType.Data, Flag.EndStream, h.id, new Uint8Array(10))
      .frame(FrameType.Data, 0, 99, new Uint8Array(3))
      .settings([], Flag.Ack)
      .settings([[Setting.MaxConcurrentStreams, 3]])
      .settings([[Setting.MaxFrameSize, 16384]])
      .settings([[Setting.HeaderTableSize, 4096], [Setting.EnablePush, 0]]);
    await c.send();
    const open: number[] = [];
    while (open.length < 3) {
      const f = (await c.next((f) =>
        f.type === FrameType.Headers || f.type === FrameType.Settings
      ))!;
      if (f.type === FrameType.Settings && f.flags & Flag.Ack) acks++;
      if (f.type === FrameType.Headers) open.push(f.id);
    }
    for (const id of open) c.ok(id);
    await c.send();
    await sleep(50);
    acks += c.buffered.filter((f) => f.type === FrameType.Settings && f.flags & Flag.Ack).length;
  }, async (s) => {
    assertEquals((await send(s)).error?.reason, "refused_stream");
    await sleep(30);
    const rs = await Promise.all([send(s), send(s), send(s)]);
    assertEquals(rs.map((r) => r.o.status), [200, 200, 200]);
  });
  assertEquals(acks, 3, "one ACK per SETTINGS, none for the ACK");
});

Deno.test("h2 session: GOAWAY's error code is named in what the streams above its last id fail with", async () => {
  await session(async (c) => {
    await handshake(c);
    await c.nextOf(FrameType.Headers);
    await c.words(FrameType.Goaway, 0, 0, 0, 11).send();
  }, async (s) => {
    const r = await send(s);
    assertEquals(r.error?.message, "the server sent GOAWAY (ENHANCE_YOUR_CALM)");
  });
});

Deno.test("h2 session: a header block of exactly one frame goes alone; of exactly two, in two", async () => {
  /** A request whose header block, as a fresh encoder writes it, is `size` bytes. */
  const sized = (size: number): H2Request => {
    // Huffman codes "a" in 5 bits: start near where the block is `size` bytes and walk.
    for (let n = Math.floor(size * 1.6) - 100; n < size * 1.6 + 100; n++) {
      const r = encodeH2("GET", url, [["x-big", "a".repeat(n)]], undefined, "t");
      if (new Encoder().encode(r.fields).length === size) return r;
    }
    throw new Error(`no block of ${size} bytes`);
  };
  for (const [size, frames] of [[16384, 1], [32768, 2]] as const) {
    const seen: number[] = [];
    await session(async (c) => {
      await handshake(c);
      for (;;) {
        const f = (await c.next((f) =>
          f.type === FrameType.Headers || f.type === FrameType.Continuation
        ))!;
        seen.push(f.payload.length);
        if (f.flags & Flag.EndHeaders) break;
      }
      await sleep(30);
      seen.push(...c.buffered.filter((f) => f.type === FrameType.Continuation).map(() => -1));
      await c.ok(1).send();
    }, async (s) => {
      assertEquals((await send(s, sized(size))).o.status, 200);
    });
    assertEquals(seen, Array(frames).fill(16384), `a block of ${size}`);
  }
});

Deno.test("h2 session: 4 MB bodies on 4 streams at once arrive byte for byte, frames whole while earlier writes are still going out", async () => {
  const size = 4_000_000;
  const got = new Map<number, number>();
  let wrong = 0;
  await session(async (c) => {
    await handshake(c, [[Setting.InitialWindowSize, 2 ** 31 - 1]]);
    await c.words(FrameType.WindowUpdate, 0, 0, 2 ** 31 - 1 - 65535).send();
    let ended = 0;
    while (ended < 4) {
      const f = await c.next((f) => f.type === FrameType.Data, 20_000);
      if (f === undefined) break;
      const want = (f.id + 1) / 2; // stream 1 carries 1s, stream 3 2s …
      for (const b of f.payload) if (b !== want) wrong++;
      got.set(f.id, (got.get(f.id) ?? 0) + f.payload.length);
      if (f.flags & Flag.EndStream) {
        ended++;
        await c.ok(f.id).send();
      }
    }
  }, async (s) => {
    const bodies = [1, 2, 3, 4].map((n) =>
      encodeH2("POST", url, [], new Uint8Array(size).fill(n), "t")
    );
    const rs = await Promise.all(bodies.map((b) => send(s, b)));
    assertEquals(rs.map((r) => r.o.status), [200, 200, 200, 200]);
  });
  assertEquals([...got.values()], [size, size, size, size]);
  assertEquals(wrong, 0, "bytes of one stream in another's frames");
});
