// A real Prometheus on loopback for the metrics tests: Debian's `prometheus`, a temporary storage
// directory, the remote-write receiver on, scraping one salvo every second.

export interface Prometheus {
  readonly url: string;
  /** An instant query's vector (at `atS`, seconds since the epoch, or now): labels and value. */
  query(q: string, atS?: number): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

const freePort = (): number => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
};

/** Starts Prometheus scraping 127.0.0.1:`scrapePort` every second; ready once that target is taken up. */
export const startPrometheus = async (scrapePort: number): Promise<Prometheus> => {
  const dir = await Deno.makeTempDir({ prefix: "salvo-prometheus-" });
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    [
      "global:",
      "  scrape_interval: 1s",
      "scrape_configs:",
      "  - job_name: salvo",
      "    static_configs:",
      `      - targets: ['127.0.0.1:${scrapePort}']`,
      "",
    ].join("\n"),
  );
  const port = freePort();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("prometheus", {
      args: [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--web.enable-remote-write-receiver",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new Error(
      `cannot start prometheus (Debian's package 'prometheus'; .ci/run installs it): ${e}`,
    );
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await child.stderr.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  // Ready, and scraping: the scrape manager takes up its targets up to 5 s after the start (its
  // reload ticker), and a run shorter than that would be missed.
  const scraping = () =>
    fetch(`${url}/api/v1/targets`).then(
      async (r) => r.ok && (await r.json()).data.activeTargets.length > 0,
      () => false,
    );
  for (let i = 0; !(await scraping()); i++) {
    if (i === 200) {
      await stop();
      throw new Error("prometheus did not take up its scrape target within 20 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    query: async (q, atS) => {
      const at = atS === undefined ? "" : `&time=${atS}`;
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}${at}`);
      const body = await r.json();
      if (body.status !== "success") throw new Error(`query ${q}: ${JSON.stringify(body)}`);
      return body.data.result.map((
        x: { metric: Record<string, string>; value: [number, string] },
      ) => ({
        metric: x.metric,
        value: Number(x.value[1]),
      }));
    },
    stop,
  };
};

export { freePort };
