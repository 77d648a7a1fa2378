// The text exposition: what Prometheus's own linter accepts, and labels escaped as the format says.
import * as Metrics from "../../src/core/metrics.ts";
import * as Summary from "../../src/core/summary.ts";
import { render } from "../../src/report/exposition.ts";
import { assert, assertEquals } from "../assert.ts";

const sample = () => {
  const s = Summary.empty();
  for (let i = 0; i < 100; i++) {
    s.add({
      status: i % 9 === 0 ? 503 : 200,
      reason: undefined,
      ok: i % 9 !== 0,
      latencyUs: 800 + i * 37,
      sentLatencyUs: 700 + i * 30,
      bytes: 120,
    });
  }
  s.add({
    status: 0,
    reason: "connection_reset",
    ok: false,
    latencyUs: 5000,
    sentLatencyUs: 5000,
    bytes: 0,
  });
  (s.lag = Summary.empty().latency).record(40);
  return s;
};

const promtool = async (text: string) => {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await child.output();
  const d = new TextDecoder();
  return { code: out.code, text: d.decode(out.stdout) + d.decode(out.stderr) };
};

Deno.test("promtool check metrics accepts the exposition of a closed and an open run, lint included", async () => {
  const labels = [["run_id", "20261203T201500Z-3f2a"], ["method", "GET"], [
    "url",
    "http://127.0.0.1:8080/?token=***",
  ], ["team", "api"]] as const;
  for (const targetRps of [undefined, 1500]) {
    const text = render(
      Metrics.families(
        { summary: sample(), elapsedMs: 2500, inFlight: 7, threads: 2, targetRps },
        labels,
      ),
    );
    const r = await promtool(text);
    assertEquals(r.code, 0, r.text);
    assertEquals(r.text.trim(), "", "no lint problems");
    assert(text.includes("# TYPE salvo_request_duration_seconds histogram"), "histogram family");
  }
});

Deno.test("promtool check metrics rejects a broken exposition, so the check above can fail", async () => {
  const r = await promtool(
    '# TYPE salvo_requests_total counter\nsalvo_requests_total{status="200} 1\n',
  );
  assert(r.code !== 0, r.text);
});

Deno.test("label values escape backslashes, quotes and newlines; help escapes backslashes and newlines", () => {
  const text = render([{
    name: "salvo_x_total",
    type: "counter",
    help: "a \\ b\nc",
    samples: [{ name: "salvo_x_total", labels: [["team", 'a"b\\c\nd']], value: 1 }],
  }]);
  assertEquals(
    text,
    '# HELP salvo_x_total a \\\\ b\\nc\n# TYPE salvo_x_total counter\nsalvo_x_total{team="a\\"b\\\\c\\nd"} 1\n',
  );
});

Deno.test("a family with no samples is left out, and infinities are spelled as Prometheus reads them", () => {
  const text = render([
    { name: "salvo_a_total", type: "counter", help: "a", samples: [] },
    {
      name: "salvo_b",
      type: "gauge",
      help: "b",
      samples: [{ name: "salvo_b", labels: [], value: Infinity }],
    },
  ]);
  assertEquals(text, "# HELP salvo_b b\n# TYPE salvo_b gauge\nsalvo_b +Inf\n");
});

Deno.test("the example Prometheus config passes promtool check config and scrapes salvo's port", async () => {
  const path = new URL("../../examples/prometheus/prometheus.yml", import.meta.url).pathname;
  const out = await new Deno.Command("promtool", { args: ["check", "config", path] }).output();
  const d = new TextDecoder();
  assertEquals(out.code, 0, d.decode(out.stdout) + d.decode(out.stderr));
  assert((await Deno.readTextFile(path)).includes('targets: ["127.0.0.1:9464"]'), "salvo's port");
});
