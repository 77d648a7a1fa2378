// The built-in HTTP target: answers every path, optionally late or with errors, and counts what it received.
//
// GET /__salvo/stats answers {"requests": N, "routes": {…}, "wrong_owner": N} and is not itself
// counted. Besides "ok" on any path, it serves a small stateful API for multi-step flows
// (src/serve/api.ts: POST /login, GET and POST /items, GET /items/ID). --error-rate is deterministic:
// with rate r, exactly ⌊n·r⌋ of the first n requests get 503 (with r = 0.1, every 10th request).
//
// With --capacity N, the target is N slots, each busy for the latency per request, with a FIFO queue
// beyond them: its capacity is exactly N ÷ latency. Slots are booked on a timeline (a request starts
// when it arrives or when the earliest slot frees, whichever is later), so the timers' own lateness
// delays answers but never lowers the capacity.

import { Api, routeOf } from "./api.ts";

export interface TargetOptions {
  readonly hostname: string;
  readonly port: number;
  readonly latencyMs: number;
  readonly errorRate: number;
  /** Slots serving at once, each for `latencyMs` per request; more requests queue. Unbounded if absent. */
  readonly capacity?: number;
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
  const api = new Api();
  const answer = (req: Request): Response | Promise<Response> => {
    errorCredit += options.errorRate;
    if (errorCredit >= 1 - 1e-9) {
      errorCredit -= 1;
      return new Response("unavailable\n", { status: 503, headers: textHeaders });
    }
    // The API's paths only: a plain request never pays for parsing its URL.
    if (req.url.includes("/items") || req.url.includes("/login")) {
      const path = new URL(req.url).pathname;
      const route = routeOf(req.method, path);
      if (route !== undefined) return api.answer(route, req, path);
    }
    return new Response(ok, { headers: textHeaders });
  };
  // When each slot is next free, in performance.now() time (--capacity).
  const slots = new Float64Array(options.capacity ?? 0);
  /** How long until the answer: the latency, after the wait for a slot when slots are limited. */
  const delayOf = (): number => {
    if (slots.length === 0) return options.latencyMs;
    let earliest = 0;
    for (let i = 1; i < slots.length; i++) if (slots[i]! < slots[earliest]!) earliest = i;
    const now = performance.now();
    const done = Math.max(now, slots[earliest]!) + options.latencyMs;
    slots[earliest] = done;
    return done - now;
  };
  const server = Deno.serve(
    { hostname: options.hostname, port: options.port, onListen: () => {} },
    (req) => {
      if (req.url.endsWith(statsPath)) {
        return Response.json({ requests: received, ...api.stats() });
      }
      received++;
      const delay = delayOf();
      if (delay <= 0) return answer(req);
      return new Promise((resolve) => setTimeout(() => resolve(answer(req)), delay));
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
