// A TLS connection that skips certificate verification (--insecure), over node:tls: Deno.connectTls
// always verifies. Adapted to the small part of Deno.Conn the client uses: read, write, close.
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import type { ByteConn } from "./byte_conn.ts";

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

export const connectInsecure = (hostname: string, port: number): Promise<ByteConn> =>
  new Promise((resolve, reject) => {
    // SNI carries names only; for an address, send none.
    const ip = /^[\d.]+$|:/.test(hostname);
    const socket = tlsConnect({
      host: hostname,
      port,
      servername: ip ? "" : hostname,
      rejectUnauthorized: false,
    });
    socket.setNoDelay(true);
    socket.once("secureConnect", () => resolve(new InsecureTlsConn(socket)));
    socket.once("error", reject);
  });
