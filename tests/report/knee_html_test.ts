// salvo knee's HTML report: every step drawn on both charts, the SLO and the knee marked, nothing fetched.
import * as KneeHtml from "../../src/report/knee_html.ts";
import { assert, assertEquals } from "../assert.ts";

const point = (offeredRps: number, p99Ms: number, outcome: KneeHtml.Point["outcome"]) => ({
  offeredRps,
  achievedRps: Math.min(offeredRps, 400),
  p50Ms: p99Ms / 2,
  p99Ms,
  successRate: outcome === "fail" ? 0.98 : 1,
  outcome,
});

Deno.test("knee HTML: a dot per step and series, the SLO lines, the knee, and no outside reference", () => {
  const html = KneeHtml.render({
    title: "salvo knee GET http://127.0.0.1:8080/ <&>",
    points: [
      point(100, 12, "pass"),
      point(200, 13, "pass"),
      point(400, 19, "pass"),
      point(800, 2500, "fail"),
      point(600, 2400, "fail"),
    ],
    limits: [
      { expression: "p99<100ms", kind: "latency", value: 100 },
      { expression: "success_rate>=99%", kind: "rate", value: 0.99 },
    ],
    kneeRps: 400,
    verdict: "knee 400 req/s",
  });
  assert(html.startsWith("<!DOCTYPE html>"), "not HTML");
  assertEquals(html.match(/<svg /g)?.length, 2);
  // 5 steps × (p50 + p99) on the latency chart, 5 on the success chart.
  assertEquals(html.match(/<circle /g)?.length, 15);
  assertEquals(html.match(/<polyline /g)?.length, 3);
  assertEquals(html.match(/class="slo"/g)?.length, 2);
  assertEquals(html.match(/knee 400\/s/g)?.length, 2);
  assert(
    html.includes("SLO p99&lt;100ms") && html.includes("SLO success_rate&gt;=99%"),
    "SLO labels",
  );
  assert(html.includes("salvo knee GET http://127.0.0.1:8080/ &lt;&amp;&gt;"), "the title escaped");
  assertEquals(html.match(/<tr><td>/g)?.length, 5);
  // Self-contained: no script, and nothing that could make the page fetch.
  assert(!/<script|src=|href=|url\(|@import/i.test(html), "an outside reference");
  // Points are drawn in order of rate, whatever order the search took them in.
  const xs = [...html.matchAll(/<polyline[^>]*points="([^"]+)"/g)][0]![1]!.split(" ").map((p) =>
    Number(p.split(",")[0])
  );
  assertEquals(xs, [...xs].sort((a, b) => a - b));
});
