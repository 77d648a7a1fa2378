// The `histogram` string of `salvo run -o json` decodes with hdr-histogram-js to what salvo printed.
import * as hdr from "hdr-histogram-js";
import { assertEquals } from "../assert.ts";
import { runJson } from "./support.ts";

Deno.test("the JSON histogram decodes with hdr-histogram-js to the printed p50, p99 and max", async () => {
  // Latencies spread over 0..20 ms, so the percentiles fall in different slots.
  const slow = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20)));
    return new Response("ok");
  });
  try {
    const url = `http://127.0.0.1:${(slow.addr as Deno.NetAddr).port}/`;
    const { json } = await runJson([url, "-n", "400", "-c", "8"]);
    const h = hdr.decodeFromCompressedBase64(json.histogram, 64);
    assertEquals(h.totalCount, json.requests);
    assertEquals(h.getValueAtPercentile(50) / 1000, json.latency_ms.p50);
    assertEquals(h.getValueAtPercentile(99) / 1000, json.latency_ms.p99);
    assertEquals(h.maxValue / 1000, json.latency_ms.max);
  } finally {
    await slow.shutdown();
  }
});
