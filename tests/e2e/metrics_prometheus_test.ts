// salvo's metrics in a real Prometheus: scraped from --metrics-listen during a 5 s run, and received
// from --metrics-push after a 3 s run; Prometheus's own queries give back salvo's and the target's counts.
import { defaultBuckets } from "../../src/core/metrics.ts";
import { assert, assertEquals } from "../assert.ts";
import { freePort, type Prometheus, startPrometheus } from "./prometheus.ts";
import { type Json, runJson, startServe } from "./support.ts";

/** Over the whole run: counters only rise, and max_over_time skips the staleness marker after it. */
const final = (selector: string) => `max_over_time(${selector}[10m])`;

const checkRun = async (prom: Prometheus, runId: string, json: Json, served: number) => {
  const sel = (name: string) => `${name}{run_id="${runId}"}`;
  const [requests] = await prom.query(`sum(${final(sel("salvo_requests_total"))})`);
  assertEquals(requests?.value, json.requests, "salvo_requests_total = the summary's requests");
  assertEquals(json.requests, served, "the summary's requests = what the target counted");
  // Failures by reason: the transport's as the summary's errors, a bad status as http_status.
  const byReason = await prom.query(
    `sum by (reason) (${final(sel("salvo_request_failures_total"))})`,
  );
  const transport = Object.values(json.errors as Record<string, number>).reduce((a, b) => a + b, 0);
  for (const { metric, value } of byReason) {
    const want = metric.reason === "http_status"
      ? json.failures - transport
      : (json.errors[metric.reason!] ?? 0);
    assertEquals(value, want, `failures, reason ${metric.reason}`);
  }
  assert(json.failures > 0, "the target's --error-rate made failures to compare");
  // histogram_quantile over the whole run lands in the bucket that holds salvo's p99.
  const [q] = await prom.query(
    `histogram_quantile(0.99, sum by (le) (${
      final(sel("salvo_request_duration_seconds_bucket"))
    }))`,
  );
  const p99 = json.latency_ms.p99 / 1000;
  const k = defaultBuckets.findIndex((b) => b >= p99);
  const width = defaultBuckets[k]! - (k > 0 ? defaultBuckets[k - 1]! : 0);
  assert(
    Math.abs(q!.value - p99) <= width,
    `histogram_quantile ${q!.value} s is more than a bucket (${width} s) from salvo's p99 ${p99} s`,
  );
  const [threads] = await prom.query(`max(${final(sel("salvo_load_threads"))})`);
  assertEquals(threads?.value, 2, "two load threads, their series added up");
  // Seen while it ran, not only at the end.
  const [points] = await prom.query(`max(count_over_time(${sel("salvo_requests_total")}[10m]))`);
  assert(points!.value >= 3, `only ${points!.value} points of the run reached Prometheus`);
};

/**
 * Every query of the example dashboard is PromQL that Prometheus runs, over a run's last seconds; the
 * closed model's panels (not the open model's) show data.
 */
const checkDashboard = async (prom: Prometheus, runId: string, atS: number) => {
  const dashboard = JSON.parse(
    await Deno.readTextFile(
      new URL("../../examples/grafana/salvo-dashboard.json", import.meta.url),
    ),
  );
  const openOnly = /target_requests|dropped|schedule_lag/;
  let queries = 0;
  for (const panel of dashboard.panels) {
    for (const t of panel.targets) {
      const q = (t.expr as string).replaceAll("$run_id", runId).replaceAll(
        "$__rate_interval",
        "10s",
      );
      const result = await prom.query(q, atS);
      queries++;
      if (!openOnly.test(q)) assert(result.length > 0, `${panel.title}: ${q} is empty`);
    }
  }
  assertEquals(queries, 11);
};

Deno.test("Prometheus scrapes --metrics-listen during a run and pulls in --metrics-push after one, counts exact", async () => {
  const scrapePort = freePort();
  const prom = await startPrometheus(scrapePort);
  const target = await startServe(["--latency", "2ms", "--error-rate", "0.1"]);
  try {
    const scraped = await runJson([
      target.url,
      "-c",
      "8",
      "-d",
      "5s",
      "-t",
      "2",
      "--metrics-listen",
      String(scrapePort),
      "--run-id",
      "scraped",
    ]);
    assertEquals(scraped.code, 0, scraped.stderr);
    const lastSecond = Date.now() / 1000 - 1.5;
    await checkRun(prom, "scraped", scraped.json, await target.count());
    await checkDashboard(prom, "scraped", lastSecond);
    const before = await target.count();
    const pushed = await runJson([
      target.url,
      "-c",
      "8",
      "-d",
      "3s",
      "-t",
      "2",
      "--metrics-push",
      `${prom.url}/api/v1/write`,
      "--metrics-interval",
      "1s",
      "--run-id",
      "pushed",
      "--tag",
      "team=api",
    ]);
    assertEquals(pushed.code, 0, pushed.stderr);
    assertEquals(pushed.stderr, "", "nothing dropped, nothing to say");
    await checkRun(prom, "pushed", pushed.json, (await target.count()) - before);
    const [tagged] = await prom.query(`count(salvo_requests_total{run_id="pushed",team="api"})`);
    assert(tagged !== undefined && tagged.value >= 1, "the --tag label reached Prometheus");
  } finally {
    await target.stop();
    await prom.stop();
  }
});
