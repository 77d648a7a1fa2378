// The built-in HTTP target: answers every path, optionally late or with errors, and counts what it received.
//
// GET /__salvo/stats answers {"requests": N} and is not itself counted. --error-rate is deterministic:
// with rate r, exactly ⌊n·r⌋ of the first n requests get 503 (with r = 0.1, every 10th request).

export interface TargetOptions {
  readonly hostname: string;
  readonly port: number;
  readonly latencyMs: number;
  readonly errorRate: number;
}

export interface Target {
  readonly url: string;
  readonly port: number;
  /** Requests received, the stats path excluded. */
  readonly count: () => number;
  readonly shutdown: () => Promise<void>;
}

export const statsPath = "/__salvo/stats";

export const start = (options: TargetOptions): Target => {
  let received = 0;
  let errorCredit = 0;
  const ok = new TextEncoder().encode("ok\n");
  const textHeaders = { "content-type": "text/plain" };
  const answer = (): Response => {
    errorCredit += options.errorRate;
    if (errorCredit >= 1 - 1e-9) {
      errorCredit -= 1;
      return new Response("unavailable\n", { status: 503, headers: textHeaders });
    }
    return new Response(ok, { headers: textHeaders });
  };
  const server = Deno.serve(
    { hostname: options.hostname, port: options.port, onListen: () => {} },
    (req) => {
      if (req.url.endsWith(statsPath)) {
        return Response.json({ requests: received });
      }
      received++;
      if (options.latencyMs <= 0) return answer();
      return new Promise((resolve) => setTimeout(() => resolve(answer()), options.latencyMs));
    },
  );
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    count: () => received,
    shutdown: () => server.shutdown(),
  };
};
