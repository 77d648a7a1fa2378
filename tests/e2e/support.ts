// Helpers for end-to-end tests: spawn the salvo CLI, and run servers on loopback that count what they see.

const root = new URL("../../", import.meta.url);

/**
 * What the tests run: src/main.ts, or with SALVO_ENTRY=dist/salvo.js the bundle (the compiled
 * binary's payload), so the whole suite can check what ships.
 */
export const entry = Deno.env.get("SALVO_ENTRY") ?? "src/main.ts";

/**
 * The environment for a salvo whose exit is timed (the signal tests): without DENO_COVERAGE_DIR,
 * which `deno test --coverage` sets for every child, since writing its coverage takes ~0.7 s at exit.
 * Spawn it with `clearEnv: true`.
 */
export const untimedCoverage = (): Record<string, string> => {
  const env = Deno.env.toObject();
  delete env.DENO_COVERAGE_DIR;
  return env;
};

/** Parsed JSON output: tests read it field by field. */
// deno-lint-ignore no-explicit-any
export type Json = any;
const decoder = new TextDecoder();

export interface Spawned {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `salvo ARGS` from source, as `deno run` would for a user, and waits for it to exit. `stdin` is
 * written to its standard input; with `killAfterMs`, a salvo that hangs is killed then (the test sees
 * SIGTERM's exit code, 143).
 */
export const salvo = async (
  args: ReadonlyArray<string>,
  options: { readonly stdin?: string; readonly killAfterMs?: number } = {},
): Promise<Spawned> => {
  const child = new Deno.Command(Deno.execPath(), {
    // node_modules is installed before the tests: without this, salvo processes started together
    // wait for each other's lock on it, and say so on stderr.
    args: ["run", "-A", "--node-modules-dir=manual", entry, ...args],
    cwd: root,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    ...(options.killAfterMs === undefined
      ? {}
      : { signal: AbortSignal.timeout(options.killAfterMs) }),
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
};

/**
 * Someone else held the CPU during a run, by the diagnosis's own rule (src/core/diagnosis.ts), read
 * from the run's JSON: the cores ≥ 85 % busy (steal included), or the hypervisor stealing ≥ 5 %.
 */
export const contended = (json: Json): boolean =>
  json.host.busy_share + json.host.steal_share >= 0.85 || json.host.steal_share >= 0.05;

/** `salvo run … -o json -q`, parsed. */
export const runJson = async (
  args: ReadonlyArray<string>,
): Promise<{ code: number; json: Json; stderr: string }> => {
  const r = await salvo(["run", ...args, "-o", "json", "-q"]);
  let json: Json;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`salvo printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
};

/** A `salvo serve` child process: its URL and the count it reports. */
export interface ServeProcess {
  readonly url: string;
  readonly count: () => Promise<number>;
  readonly stop: () => Promise<void>;
}

export const startServe = async (args: ReadonlyArray<string> = []): Promise<ServeProcess> => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", entry, "serve", "--port", "0", ...args],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`salvo serve exited before listening: ${text}`);
    text += decoder.decode(value);
  }
  reader.releaseLock();
  const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
  if (url === undefined) throw new Error(`unexpected serve output: ${text}`);
  return {
    url,
    count: async () => (await (await fetch(`${url}/__salvo/stats`)).json()).requests as number,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await child.stderr.cancel().catch(() => {});
    },
  };
};

/** Writes `files` (name → text) into a new temporary folder, for a scenario test; returns its path. */
export const scenarioDir = async (files: Readonly<Record<string, string>>): Promise<string> => {
  const dir = await Deno.makeTempDir({ prefix: "salvo-scenario-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
};

/** A plain Deno.serve on a free loopback port that counts requests and answers after `latencyMs`. */
export const countingServer = (latencyMs = 0, status = (_n: number) => 200) => {
  let count = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    const n = ++count;
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    return new Response("hello\n", { status: status(n) });
  });
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => count,
    stop: () => server.shutdown(),
  };
};

/**
 * A raw TCP server whose every connection is handed to `onConn`; counts connections. Used for targets
 * that misbehave: resets, stalls, bytes that are not HTTP.
 */
export const tcpServer = (onConn: (conn: Deno.TcpConn) => Promise<void>) => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const open = new Set<Deno.TcpConn>();
  const loop = (async () => {
    for await (const conn of listener) {
      connections++;
      open.add(conn);
      onConn(conn).catch(() => {}).finally(() => {
        open.delete(conn);
        try {
          conn.close();
        } catch { /* closed */ }
      });
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    connections: () => connections,
    stop: async () => {
      listener.close();
      for (const c of open) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await loop;
    },
  };
};

/** A raw server that counts request heads and answers each with `answer(n, conn)`; false closes the connection. */
export const rawServer = (answer: (n: number, conn: Deno.TcpConn) => Promise<boolean>) => {
  let requests = 0;
  const server = tcpServer(async (conn) => {
    const buf = new Uint8Array(4096);
    let pending = "";
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) return;
      pending += new TextDecoder().decode(buf.subarray(0, n));
      let end;
      while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
        pending = pending.slice(end + 4);
        if (!(await answer(++requests, conn))) return;
      }
    }
  });
  return { ...server, requests: () => requests };
};

/** A loopback port with nothing listening on it. */
export const closedPort = (): number => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
};

/** A server that answers every request by resetting the connection (TCP RST), counting connections. */
export const resettingServer = async () => {
  const net = await import("node:net");
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.once("data", () => socket.resetAndDestroy());
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
