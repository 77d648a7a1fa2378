// --insecure's connections: through Deno's own TLS when the server's certificate can be pinned, else
// through node:tls; both read a whole response.
import { assert, assertEquals } from "../assert.ts";
import { isDirect } from "../../src/engine/byte_conn.ts";
import { connectInsecure } from "../../src/engine/insecure_tls.ts";
import { type CertPair, makeCerts, tlsServer } from "../e2e/certs.ts";

const firstLine = async (pair: CertPair): Promise<{ direct: boolean; line: string }> => {
  const server = tlsServer(pair);
  try {
    const c = await connectInsecure("127.0.0.1", server.port);
    await c.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    const buf = new Uint8Array(4096);
    const n = await c.read(buf);
    const direct = isDirect(c);
    c.close();
    return { direct, line: new TextDecoder().decode(buf.subarray(0, n)).split("\r\n")[0]! };
  } finally {
    await server.stop();
  }
};

Deno.test("--insecure pins a self-signed certificate that is not a CA's and moves data through Deno's TLS; an expired one goes through node:tls", async () => {
  const certs = await makeCerts();
  try {
    const pinned = await firstLine(certs.pinnable);
    assertEquals(pinned, { direct: true, line: "HTTP/1.1 200 OK" });
    const expired = await firstLine(certs.expired);
    assertEquals(expired, { direct: false, line: "HTTP/1.1 200 OK" });
    const caAsServer = await firstLine(certs.selfSigned);
    assert(!caAsServer.direct, "a CA's certificate as the server's cannot be pinned");
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
