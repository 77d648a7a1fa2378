// The socket an HTTP/2 session runs over: TLS agreeing on h2 by ALPN (--http2), TCP or a unix socket in cleartext (--h2c).
import { type ByteConn, byteConn } from "./byte_conn.ts";
import { type Endpoint, TransportError } from "./http1.ts";
import { connectInsecureAlpn } from "./insecure_tls.ts";

/** Opens the socket an HTTP/2 session runs over: TLS with ALPN h2 (--http2), or cleartext (--h2c). */
export const openSocket = async (e: Endpoint): Promise<ByteConn> => {
  if (e.unixSocket !== undefined) {
    return byteConn(await Deno.connect({ transport: "unix", path: e.unixSocket }));
  }
  const to = e.connectTo ?? { hostname: e.hostname, port: e.port };
  if (!e.tls) {
    const tcp = await Deno.connect(to);
    tcp.setNoDelay(true);
    return byteConn(tcp);
  }
  let chosen: { conn: ByteConn; protocol: string | null } | undefined;
  try {
    chosen = await connectTls(e, to, ["h2"]);
  } catch (error) {
    // A server that offers none of our protocols may end the handshake with this alert instead.
    if (!String(error).includes("NoApplicationProtocol")) throw error;
  }
  if (chosen?.protocol !== "h2") {
    chosen?.conn.close();
    throw new TransportError(
      "protocol_error",
      `the server did not agree to HTTP/2 (TLS ALPN chose ${
        chosen?.protocol ?? "nothing"
      }); without --http2 salvo speaks HTTP/1.1`,
    );
  }
  return chosen.conn;
};

/** TLS offering `alpnProtocols`: the connection, and the protocol the server chose. */
const connectTls = async (
  e: Endpoint,
  to: { readonly hostname: string; readonly port: number },
  alpnProtocols: string[],
): Promise<{ conn: ByteConn; protocol: string | null }> => {
  if (e.insecure) return connectInsecureAlpn(e.hostname, e.port, alpnProtocols);
  const ca = e.caCerts ? { caCerts: [...e.caCerts] } : {};
  let tls: Deno.TlsConn;
  if (e.connectTo === undefined) {
    tls = await Deno.connectTls({ hostname: e.hostname, port: e.port, alpnProtocols, ...ca });
  } else {
    const tcp = await Deno.connect(to);
    tcp.setNoDelay(true);
    tls = await Deno.startTls(tcp, { hostname: e.hostname, alpnProtocols, ...ca });
  }
  try {
    return { protocol: (await tls.handshake()).alpnProtocol, conn: byteConn(tls) };
  } catch (error) {
    tls.close();
    throw error;
  }
};
