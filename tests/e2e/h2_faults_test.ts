// HTTP/2 faults at the target are data: streams the server resets are counted under their reasons, a PING is answered.
//
// The server is a few lines over a TCP listener, speaking HTTP/2 with salvo's own frame and HPACK
// code (the RFC-checked parts), so that it can misbehave exactly as a test needs.
import {
  Flag,
  FrameType,
  FrameWriter,
  parseFrames,
  preface,
  u32,
} from "../../src/core/h2/frame.ts";
import { Encoder } from "../../src/core/hpack/encoder.ts";
import { assert, assertEquals } from "../assert.ts";
import { runJson, salvo } from "./support.ts";

/** RST_STREAM codes the server answers streams with, in turn; 0 stands for a 200 response. */
const answers = [7, 3, 2, 0]; // REFUSED_STREAM, FLOW_CONTROL_ERROR, INTERNAL_ERROR, 200

const h2Server = () => {
  let streams = 0;
  let pingAcks = 0;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serve = async (conn: Deno.Conn) => {
    const encoder = new Encoder();
    const out = new FrameWriter();
    const send = async () => {
      const bytes = out.take().slice();
      if (bytes.length > 0) await conn.write(bytes);
    };
    out.settings([]);
    // A PING the client must echo with ACK.
    out.frame(FrameType.Ping, 0, 0, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    await send();
    let buf = new Uint8Array(0);
    let prefaceSeen = false;
    const chunk = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await conn.read(chunk);
        if (n === null) break;
        const joined = new Uint8Array(buf.length + n);
        joined.set(buf);
        joined.set(chunk.subarray(0, n), buf.length);
        let start = 0;
        if (!prefaceSeen) {
          if (joined.length < preface.length) {
            buf = joined;
            continue;
          }
          prefaceSeen = true;
          start = preface.length;
        }
        const at = parseFrames(joined, start, joined.length, 1 << 20, {
          frame(type, flags, id, b, s) {
            if (type === FrameType.Settings && (flags & Flag.Ack) === 0) {
              out.settings([], Flag.Ack);
            } else if (type === FrameType.Ping && flags & Flag.Ack) {
              if (u32(b, s) === 0x01020304) pingAcks++;
            } else if (type === FrameType.Headers) {
              const code = answers[streams++ % answers.length]!;
              if (code > 0) out.words(FrameType.RstStream, 0, id, code);
              else {
                out.frame(
                  FrameType.Headers,
                  Flag.EndHeaders | Flag.EndStream,
                  id,
                  encoder.encode([[":status", "200"]]),
                );
              }
            }
          },
        });
        buf = joined.slice(at);
        await send();
      }
    } catch {
      // the client went away
    } finally {
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };
  (async () => {
    for await (const conn of listener) serve(conn);
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    streams: () => streams,
    pingAcks: () => pingAcks,
    stop: () => listener.close(),
  };
};

Deno.test("streams the server resets count under refused_stream, flow_control and stream_reset; its PING is answered", async () => {
  const server = h2Server();
  try {
    const { code, json } = await runJson([
      server.url,
      "--h2c",
      "-m",
      "4",
      "-c",
      "2",
      "-t",
      "1",
      "-n",
      "400",
    ]);
    assertEquals(code, 0);
    assertEquals(json.requests, 400);
    assertEquals(server.streams(), 400);
    assertEquals(json.errors, { refused_stream: 100, flow_control: 100, stream_reset: 100 });
    assertEquals(json.status_codes, { "200": 100 });
    // One PING per connection, each echoed.
    assertEquals(server.pingAcks(), 2);
  } finally {
    server.stop();
  }
});

Deno.test("the summary's why lines name the server's reset codes", async () => {
  const server = h2Server();
  try {
    const r = await salvo(["run", server.url, "--h2c", "-n", "8", "-c", "1", "-t", "1", "-q"]);
    assertEquals(r.code, 0, r.stderr);
    for (
      const line of [
        "refused_stream: the server reset the stream (REFUSED_STREAM)",
        "flow_control: the server reset the stream (FLOW_CONTROL_ERROR)",
        "stream_reset: the server reset the stream (INTERNAL_ERROR)",
      ]
    ) assert(r.stdout.includes(line), r.stdout);
  } finally {
    server.stop();
  }
});
