// The scrape endpoint: /metrics in Prometheus's text format, rendered from the latest snapshot at each
// scrape; bound before the run, so that a taken port stops salvo before any request.
export interface MetricsServer {
  /** Where Prometheus scrapes, e.g. http://127.0.0.1:9464/metrics. */
  readonly url: string;
  /** Scrapes answered so far. */
  scrapes(): number;
  close(): Promise<void>;
}

/** Why an address cannot be listened on, in words; undefined when the error is not about that. */
export const listenProblem = (e: unknown): string =>
  e instanceof Deno.errors.AddrInUse
    ? "the port is in use"
    : e instanceof Deno.errors.AddrNotAvailable
    ? "that address is not one of this machine's"
    : e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable
    ? "not allowed to listen there"
    : e instanceof Error
    ? e.message.split("\n")[0]!
    : String(e);

/**
 * Listens on `hostname:port` (throws when it cannot: see listenProblem) and answers GET /metrics with
 * `body()` as `contentType`; every other path is a 404 that says where the metrics are.
 */
export const listen = (
  hostname: string,
  port: number,
  contentType: string,
  body: () => string,
): MetricsServer => {
  let scrapes = 0;
  const server = Deno.serve({ hostname, port, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      return new Response("salvo serves its metrics at /metrics\n", { status: 404 });
    }
    const text = body();
    scrapes++;
    return new Response(req.method === "HEAD" ? null : text, {
      headers: { "content-type": contentType },
    });
  });
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return {
    url: `http://${host}:${addr.port}/metrics`,
    scrapes: () => scrapes,
    close: () => server.shutdown(),
  };
};
