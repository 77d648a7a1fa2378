// TLS without certificate verification (--insecure). Deno.connectTls always verifies, and node:tls
// (which can skip it) moves data at about half the speed. So the first connection to an endpoint
// fetches the certificates the server presents (node:tls, unverified), and every connection then
// goes through Deno's own TLS trusting exactly those certificates, the name not checked. Where that
// cannot verify (an expired certificate, a CA certificate used as the server's, an issuer the server
// does not send), the endpoint's connections stay on node:tls.
import { Buffer } from "node:buffer";
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from "node:tls";
import { type ByteConn, byteConn } from "./byte_conn.ts";

class InsecureTlsConn implements ByteConn {
  private chunks: Uint8Array[] = [];
  private ended = false;
  private failure: Error | undefined;
  private waiting: (() => void) | undefined;

  constructor(private readonly socket: TLSSocket) {
    socket.on("data", (d: Uint8Array) => {
      this.chunks.push(d);
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", (e: Error) => {
      this.failure = e;
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  async read(p: Uint8Array): Promise<number> {
    while (this.chunks.length === 0) {
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return 0;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    const head = this.chunks[0]!;
    const n = Math.min(head.length, p.length);
    p.set(head.subarray(0, n));
    if (n === head.length) this.chunks.shift();
    else this.chunks[0] = head.subarray(n);
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) =>
      this.socket.write(p, (e?: Error | null) => (e ? reject(e) : resolve(p.length)))
    );
  }

  close(): void {
    this.ended = true;
    this.socket.destroy();
    this.wake();
  }
}

/** node:tls, verification off: what the probe connects with, and the way when pinning fails. */
const connectNode = (hostname: string, port: number, alpn?: string[]): Promise<TLSSocket> =>
  new Promise((resolve, reject) => {
    // SNI carries names only; for an address, send none.
    const ip = /^[\d.]+$|:/.test(hostname);
    const socket = tlsConnect({
      host: hostname,
      port,
      servername: ip ? "" : hostname,
      rejectUnauthorized: false,
      ...(alpn === undefined ? {} : { ALPNProtocols: alpn }),
    });
    socket.setNoDelay(true);
    socket.once("secureConnect", () => resolve(socket));
    socket.once("error", reject);
  });

/** The certificates a server presented, leaf first, as PEM. */
const presented = (socket: TLSSocket): string[] => {
  const pems: string[] = [];
  const seen = new Set<string>();
  let c: PeerCertificate | undefined = socket.getPeerCertificate(true);
  while (c?.raw !== undefined && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    // `raw` is a Uint8Array here, not always a Buffer.
    const b64 = Buffer.from(c.raw).toString("base64").replace(/.{64}/g, "$&\n");
    pems.push(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`);
    c = (c as { issuerCertificate?: PeerCertificate }).issuerCertificate;
  }
  return pems;
};

/** Deno's TLS trusting exactly `pems`, whatever name they carry. */
const connectPinned = (
  hostname: string,
  port: number,
  pems: string[],
  alpn?: string[],
): Promise<Deno.TlsConn> =>
  Deno.connectTls({
    hostname,
    port,
    caCerts: pems,
    unsafelyDisableHostnameVerification: true,
    ...(alpn === undefined ? {} : { alpnProtocols: alpn }),
  });

/**
 * Per endpoint (and per load thread), decided by the first connection and kept for the run: the
 * certificates its connections go through Deno's TLS trusting, or undefined for node:tls.
 */
const pins = new Map<string, Promise<string[] | undefined>>();

/** Fetches the endpoint's certificates, then tries a pinned connection with them. */
const probe = async (hostname: string, port: number): Promise<string[] | undefined> => {
  const socket = await connectNode(hostname, port);
  const pems = presented(socket);
  socket.destroy();
  if (pems.length === 0) return undefined;
  try {
    const conn = await connectPinned(hostname, port, pems);
    try {
      await conn.handshake();
    } finally {
      conn.close();
    }
    return pems;
  } catch {
    return undefined;
  }
};

/** The pin for `hostname:port`, probing once; a probe that could not connect is not kept. */
const pinFor = (hostname: string, port: number): Promise<string[] | undefined> => {
  const key = `${hostname}:${port}`;
  let pin = pins.get(key);
  if (pin === undefined) {
    pin = probe(hostname, port);
    pins.set(key, pin);
    pin.catch(() => pins.delete(key));
  }
  return pin;
};

/** A connection to `hostname:port` that does not verify the server's certificate. */
export const connectInsecure = async (hostname: string, port: number): Promise<ByteConn> =>
  (await connectInsecureAlpn(hostname, port)).conn;

/** The same, offering `alpn` protocols: also says which one the server chose (null: none). */
export const connectInsecureAlpn = async (
  hostname: string,
  port: number,
  alpn?: string[],
): Promise<{ conn: ByteConn; protocol: string | null }> => {
  const pinned = await pinFor(hostname, port);
  if (pinned !== undefined) {
    const conn = await connectPinned(hostname, port, pinned, alpn);
    const { alpnProtocol } = await conn.handshake();
    return { conn: byteConn(conn), protocol: alpnProtocol };
  }
  const socket = await connectNode(hostname, port, alpn);
  const chosen = socket.alpnProtocol;
  return {
    conn: new InsecureTlsConn(socket),
    protocol: typeof chosen === "string" ? chosen : null,
  };
};
