// The byte stream under the HTTP/1.1 client: a Deno connection read and written through Deno's own ops.
//
// Deno.Conn's `read` wraps the `read` op in an async function that also tracks the pending promise in a
// Set, and its `write` wraps the `write` op in another async function: two extra promises per request.
// Deno exposes those same ops to user code as `Deno[Deno.internal].core.read / .write(rid, buffer)`, and
// the connection's resource id under the `Deno.internal.rid` symbol; calling them directly is what
// `Conn.read` / `Conn.write` do minus the wrappers (scripts/bench_io.ts measures the difference). Where
// either is missing (another Deno), the public methods are used.

/** The part of a connection the HTTP/1.1 client needs. */
export interface ByteConn {
  /** Resolves to the number of bytes read into `p` (never empty), or 0 at end of stream. */
  read(p: Uint8Array): Promise<number>;
  /** Resolves to the number of bytes written: possibly fewer than `p.length`. */
  write(p: Uint8Array): Promise<number>;
  close(): void;
}

interface CoreOps {
  read(rid: number, p: Uint8Array): Promise<number>;
  write(rid: number, p: Uint8Array): Promise<number>;
}

const coreOps = (): CoreOps | undefined => {
  const internal = (Deno as unknown as Record<symbol, { core?: Partial<CoreOps> } | undefined>)[
    (Deno as unknown as { internal: symbol }).internal
  ];
  const core = internal?.core;
  return typeof core?.read === "function" && typeof core.write === "function"
    ? core as CoreOps
    : undefined;
};

const ops = coreOps();

const ridOf = (conn: Deno.Conn): number | undefined => {
  const key = Object.getOwnPropertySymbols(conn).find((s) => s.description === "Deno.internal.rid");
  const rid = key === undefined ? undefined : (conn as unknown as Record<symbol, unknown>)[key];
  return typeof rid === "number" ? rid : undefined;
};

/** Reads and writes the connection's resource with Deno's ops directly. */
class OpsConn implements ByteConn {
  constructor(
    private readonly conn: Deno.Conn,
    private readonly rid: number,
    private readonly core: CoreOps,
  ) {}
  read(p: Uint8Array): Promise<number> {
    return this.core.read(this.rid, p);
  }
  write(p: Uint8Array): Promise<number> {
    return this.core.write(this.rid, p);
  }
  close(): void {
    this.conn.close();
  }
}

/** The public Deno.Conn methods, with end of stream as 0. */
class PublicConn implements ByteConn {
  constructor(private readonly conn: Deno.Conn) {}
  async read(p: Uint8Array): Promise<number> {
    return (await this.conn.read(p)) ?? 0;
  }
  write(p: Uint8Array): Promise<number> {
    return this.conn.write(p);
  }
  close(): void {
    this.conn.close();
  }
}

/** Adapts a Deno connection (TCP or TLS) to the client; `direct: false` forces the public methods. */
export const byteConn = (conn: Deno.Conn, direct = true): ByteConn => {
  const rid = direct && ops !== undefined ? ridOf(conn) : undefined;
  return rid !== undefined && ops !== undefined
    ? new OpsConn(conn, rid, ops)
    : new PublicConn(conn);
};

/** True when `c` reads and writes through Deno's ops directly. */
export const isDirect = (c: ByteConn): boolean => c instanceof OpsConn;
