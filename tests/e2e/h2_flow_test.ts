// HTTP/2 request bodies larger than the server's windows, over --h2c and --http2: every byte arrives, no window is overrun.
//
// The server is a few lines over TCP (or TLS with ALPN h2), speaking HTTP/2 with salvo's own frame
// and HPACK code. It keeps the flow-control books as RFC 9113 §6.9 says a receiver may: it lowers
// the stream window to 16 KiB by SETTINGS (applied to open streams when the client ACKs it), grants
// more only as DATA arrives, and counts every DATA frame that exceeds what the client was allowed.
import {
  Flag,
  FrameType,
  FrameWriter,
  parseFrames,
  preface,
  Setting,
} from "../../src/core/h2/frame.ts";
import { Encoder } from "../../src/core/hpack/encoder.ts";
import { assertEquals } from "../assert.ts";
import { runJson } from "./support.ts";

const fixtures = new URL("../fixtures/", import.meta.url);
const defaultWindow = 65535;
const ourStreamWindow = 16384;

const flowServer = async (tls: boolean) => {
  let bodyBytes = 0;
  let streamsEnded = 0;
  let overruns = 0;
  const listener = tls
    ? Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: await Deno.readTextFile(new URL("localhost.crt", fixtures)),
      key: await Deno.readTextFile(new URL("localhost.key", fixtures)),
      alpnProtocols: ["h2"],
    })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serve = async (conn: Deno.Conn) => {
    const encoder = new Encoder();
    const out = new FrameWriter();
    /** What the client may still send: per stream, and on the connection. */
    const windows = new Map<number, number>();
    let connWindow = defaultWindow;
    let initial = defaultWindow;
    /** Tops a stream's window back up to 16 KiB once half of it is used. */
    const grant = (id: number) => {
      const w = windows.get(id)!;
      if (w > ourStreamWindow / 2) return;
      out.words(FrameType.WindowUpdate, 0, id, ourStreamWindow - w);
      windows.set(id, ourStreamWindow);
    };
    out.settings([[Setting.InitialWindowSize, ourStreamWindow]]);
    let buf = new Uint8Array(0);
    let prefaceSeen = false;
    const chunk = new Uint8Array(65536);
    try {
      await conn.write(out.take().slice());
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
          frame(type, flags, id, _b, s, e) {
            if (type === FrameType.Settings && (flags & Flag.Ack) === 0) {
              out.settings([], Flag.Ack);
            } else if (type === FrameType.Settings) {
              // From here on the client uses our 16 KiB: open streams' windows shrink by the difference.
              for (const [sid, w] of windows) {
                windows.set(sid, w + ourStreamWindow - initial);
                grant(sid);
              }
              initial = ourStreamWindow;
            } else if (type === FrameType.Headers) {
              windows.set(id, initial);
            } else if (type === FrameType.Data) {
              const length = e - s;
              const w = windows.get(id) ?? 0;
              if (length > w || length > connWindow) overruns++;
              windows.set(id, w - length);
              connWindow -= length;
              bodyBytes += length;
              if (length > 0) {
                // Granted back only once read: the connection's at once, the stream's by halves.
                out.words(FrameType.WindowUpdate, 0, 0, length);
                connWindow += length;
              }
              if (flags & Flag.EndStream) {
                windows.delete(id);
                streamsEnded++;
                out.frame(
                  FrameType.Headers,
                  Flag.EndHeaders | Flag.EndStream,
                  id,
                  encoder.encode([[":status", "200"]]),
                );
              } else grant(id);
            }
          },
        });
        buf = joined.slice(at);
        const bytes = out.take().slice();
        if (bytes.length > 0) await conn.write(bytes);
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
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `${tls ? "https://localhost" : "http://127.0.0.1"}:${port}/`,
    bodyBytes: () => bodyBytes,
    streamsEnded: () => streamsEnded,
    overruns: () => overruns,
    stop: () => listener.close(),
  };
};

for (const tls of [false, true]) {
  const flag = tls ? "--http2" : "--h2c";
  Deno.test(`${flag}: 100 kB bodies on 4 streams at once, past 16 KiB stream windows and the 64 KiB connection window: every byte arrives, no window overrun`, async () => {
    const server = await flowServer(tls);
    const dir = await Deno.makeTempDir();
    try {
      const size = 100_000;
      await Deno.writeFile(`${dir}/body`, new Uint8Array(size).fill(120));
      const { code, json, stderr } = await runJson([
        server.url,
        flag,
        ...(tls ? ["--cacert", new URL("ca.crt", fixtures).pathname] : []),
        ...["-X", "POST", "--body-file", `${dir}/body`],
        ...["-c", "2", "-m", "2", "-t", "1", "-n", "40"],
      ]);
      assertEquals(code, 0, stderr);
      assertEquals(json.requests, 40);
      assertEquals(json.status_codes, { "200": 40 });
      assertEquals(server.streamsEnded(), 40);
      assertEquals(server.bodyBytes(), 40 * size);
      assertEquals(server.overruns(), 0);
    } finally {
      server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
