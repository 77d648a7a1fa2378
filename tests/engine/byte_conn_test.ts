// The byte stream under the client reads and writes the same through Deno's ops as through Deno.Conn.
import { byteConn, isDirect } from "../../src/engine/byte_conn.ts";
import { assertEquals } from "../assert.ts";

/** A loopback server that answers each chunk it reads with the chunk upper-cased, then closes. */
const echoUpper = () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(1024);
    const n = await conn.read(buf);
    const text = new TextDecoder().decode(buf.subarray(0, n ?? 0)).toUpperCase();
    await conn.write(new TextEncoder().encode(text));
    conn.close();
  })();
  return { port: (listener.addr as Deno.NetAddr).port, served, listener };
};

for (const direct of [true, false]) {
  Deno.test(`a ${direct ? "direct" : "public"} byte stream writes, reads, and reads 0 at end of stream`, async () => {
    const server = echoUpper();
    const conn = byteConn(await Deno.connect({ hostname: "127.0.0.1", port: server.port }), direct);
    // On this Deno the direct path must be taken: a silent fallback would only show as lost speed.
    assertEquals(isDirect(conn), direct);
    assertEquals(await conn.write(new TextEncoder().encode("hello")), 5);
    const buf = new Uint8Array(64);
    let got = "";
    for (;;) {
      const n = await conn.read(buf);
      if (n === 0) break;
      got += new TextDecoder().decode(buf.subarray(0, n));
    }
    assertEquals(got, "HELLO");
    conn.close();
    await server.served;
    server.listener.close();
  });
}
