// The HTML report in a real headless browser, offline: no console error, no request leaves the page,
// every chart has size and drawn pixels, and the figures shown are the JSON summary's.
import * as Summary from "../../src/core/summary.ts";
import { toRecord } from "../../src/io/summary_record.ts";
import { assert, assertEquals } from "../assert.ts";
import { type Page, withPage } from "../browser.ts";
import { countingServer, type Json, salvo } from "./support.ts";

interface Chart {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Pixels that are not the background once the chart is drawn into a canvas. */
  readonly inked: number;
}

/** Each chart rasterised the way the page shows it, and its pixels counted. */
const chartsOf = (page: Page) =>
  page.evaluate<Chart[]>(
    `Promise.all([...document.querySelectorAll("svg.chart")].map(async (svg) => {
    const box = svg.getBoundingClientRect();
    const img = new Image();
    img.src = URL.createObjectURL(
      new Blob([new XMLSerializer().serializeToString(svg)], { type: "image/svg+xml" }),
    );
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(box.width);
    canvas.height = Math.round(box.height);
    const g = canvas.getContext("2d");
    g.fillStyle = "#fff";
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(img, 0, 0, canvas.width, canvas.height);
    const px = g.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) inked++;
    return { id: svg.id, width: box.width, height: box.height, inked };
  }))`,
  );

/** The summary's figures as the page shows them: JSON path → text. */
const figuresOf = (page: Page) =>
  page.evaluate<Array<[string, string]>>(
    `[...document.querySelectorAll("[data-key]")].map((e) => [e.dataset.key, e.textContent])`,
  );

const at = (json: Json, path: string): unknown =>
  path.split(".").reduce((v: Json, k) => (v === undefined ? undefined : v[k]), json);

/** Opens `html` offline and checks what every report must hold; returns the page's charts. */
const check = async (
  dir: string,
  html: string,
  json: Json,
  expectCharts: ReadonlyArray<string>,
) =>
  await withPage(`file://${html}`, { width: 900, height: 1400 }, async (page) => {
    assertEquals(page.errors, [], "console errors");
    const own = `file://${html}`;
    // The pixel check's own blob: images are the test's, not the page's.
    const left = page.requests.filter((u) => u !== own && !u.startsWith("blob:"));
    assertEquals(left, [], "requests that left the page");
    const charts = await chartsOf(page);
    assertEquals(charts.map((c) => c.id), [...expectCharts]);
    for (const c of charts) {
      assert(c.width > 100 && c.height > 100, `chart ${c.id} is ${c.width}×${c.height}`);
      assert(c.inked > 500, `chart ${c.id} has only ${c.inked} drawn pixels`);
    }
    const figures = await figuresOf(page);
    assert(figures.length >= 14, `${figures.length} figures shown`);
    for (const [path, text] of figures) {
      assertEquals(Number(text), at(json, path), `the page's ${path}`);
    }
    const png = await page.screenshot();
    assertEquals([...png.slice(1, 4)], [0x50, 0x4e, 0x47], "a PNG screenshot");
    await Deno.writeFile(`${dir}/screenshot.png`, png);
    const loadMs = await page.evaluate<number>(
      `performance.getEntriesByType("navigation")[0].loadEventEnd`,
    );
    return { charts, loadMs };
  });

Deno.test("run --html: offline in a real browser, every chart drawn, its figures the JSON summary's", async () => {
  // Every 10th request fails with 503, so the failures chart has something to draw.
  const server = countingServer(0, (n) => (n % 10 === 0 ? 503 : 200));
  const dir = await Deno.makeTempDir();
  try {
    const html = `${dir}/report.html`, out = `${dir}/summary.json`;
    const r = await salvo([
      "run",
      server.url,
      "-c",
      "4",
      "-d",
      "2500ms",
      "--html",
      html,
      "--out",
      out,
      "--threshold",
      "p99<1s",
      "-q",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const json = JSON.parse(await Deno.readTextFile(out));
    assertEquals(json.requests, server.count());
    const text = await Deno.readTextFile(html);
    assert(!/(src|href)=["']?(https?:)?\/\//.test(text), "an outside reference");
    assert(text.includes("PASS p99&lt;1s"), "the threshold's line");
    const data = JSON.parse(
      /<script type="application\/json" id="salvo-data">(.*?)<\/script>/s.exec(text)![1]!,
    );
    const rows: Json[] = data.timeline;
    assert(rows.length >= 2, `${rows.length} windows`);
    assertEquals(rows.reduce((n, w) => n + w.requests, 0), json.requests);
    assertEquals(rows.reduce((n, w) => n + (w.status["503"] ?? 0), 0), json.status_codes["503"]);
    await check(dir, html, json, ["throughput", "failures", "latency", "percentiles"]);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report --html of an hour of 1 s interval records: under 2 MB, loads within 1 s", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Ten distinct windows, repeated over an hour: 3,600 records, as `--interval 1s` writes them.
    const kinds = Array.from({ length: 10 }, (_, k) => {
      const s = Summary.empty();
      for (let i = 0; i < 500 + k * 50; i++) {
        s.record(
          i % 97 === 0 ? 500 : 200,
          -1,
          i % 97 !== 0,
          200 + ((i * 7919) % (3000 + k * 400)),
          200,
          100,
        );
      }
      return toRecord(s);
    });
    const t0 = 1_780_000_000_000_000;
    const lines = Array.from({ length: 3600 }, (_, i) =>
      JSON.stringify({
        type: "interval",
        start_us: t0 + i * 1_000_000,
        end_us: t0 + (i + 1) * 1_000_000,
        target: "GET http://127.0.0.1:8080/",
        ...kinds[i % 10]!,
      }));
    const input = `${dir}/hour.ndjson`, html = `${dir}/hour.html`;
    await Deno.writeTextFile(input, lines.join("\n") + "\n");
    const r = await salvo(["report", input, "--html", html, "-o", "json"]);
    assertEquals(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const size = (await Deno.stat(html)).size;
    assert(size < 2_000_000, `${size} bytes`);
    const text = await Deno.readTextFile(html);
    const data = JSON.parse(
      /<script type="application\/json" id="salvo-data">(.*?)<\/script>/s.exec(text)![1]!,
    );
    assertEquals(data.timeline.length, 3600);
    const { loadMs } = await check(dir, html, json, [
      "throughput",
      "failures",
      "latency",
      "percentiles",
    ]);
    assert(loadMs < 1000, `the page took ${loadMs} ms to load`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge --html of two runs' summaries: the percentile plot and the merged figures", async () => {
  const server = countingServer(0);
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["a", "b"]) {
      const r = await salvo([
        "run",
        server.url,
        "-c",
        "2",
        "-n",
        "300",
        "--out",
        `${dir}/${name}.json`,
        "-q",
      ]);
      assertEquals(r.code, 0, r.stderr);
    }
    const html = `${dir}/merged.html`;
    const r = await salvo([
      "merge",
      `${dir}/a.json`,
      `${dir}/b.json`,
      "--html",
      html,
      "-o",
      "json",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assertEquals(json.requests, 600);
    assertEquals(server.count(), 600);
    await check(dir, html, json, ["percentiles"]);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--targets on 2 threads: the HTML report breaks the run down by target as the server counted", async () => {
  const seen = new Map<string, number>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    seen.set(path, (seen.get(path) ?? 0) + 1);
    return new Response("ok", { status: path === "/b" ? 404 : 200 });
  });
  const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/targets.txt`, `GET ${base}/a\n\nGET ${base}/b\n`);
    const html = `${dir}/report.html`, results = `${dir}/results.ndjson`;
    const r = await salvo([
      "run",
      "--targets",
      `${dir}/targets.txt`,
      "-n",
      "400",
      "-c",
      "4",
      "-t",
      "2",
      "--html",
      html,
      "--results",
      results,
      "-q",
      "-o",
      "json",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    /** The "By target" table: target → [requests, statuses]. */
    const table = (text: string) =>
      Object.fromEntries<unknown>(
        [...text.matchAll(
          /<tr><th>GET [^<]*(\/[ab])<\/th><td>(\d+)<\/td>.*?<td>([^<]*)<\/td><\/tr>/g,
        )]
          .map((m) => [m[1]!, [Number(m[2]), m[3]!]]),
      );
    const expected: Record<string, unknown> = {
      "/a": [seen.get("/a"), `200 ×${seen.get("/a")}`],
      "/b": [seen.get("/b"), `404 ×${seen.get("/b")}`],
    };
    assertEquals(seen.get("/a")! + seen.get("/b")!, json.requests);
    assertEquals(table(await Deno.readTextFile(html)), expected);
    // The same breakdown from the results stream, read back.
    const again = `${dir}/again.html`;
    const rr = await salvo(["report", results, "--html", again, "-o", "json"]);
    assertEquals(rr.code, 0, rr.stderr);
    assertEquals(table(await Deno.readTextFile(again)), expected);
    await check(dir, html, json, ["throughput", "failures", "latency", "percentiles"]);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

/** The numbers a report embeds behind its charts. */
const embedded = (html: string): Json =>
  JSON.parse(/<script type="application\/json" id="salvo-data">(.*?)<\/script>/s.exec(html)![1]!);

Deno.test("report --html of a results stream: partial windows at either end are drawn over the time they cover, and several targets are named as such", async () => {
  const server = countingServer(0);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/t.txt`,
      ["a", "b", "c", "d"].map((p) => `GET ${server.url}/${p}`).join("\n\n") + "\n",
    );
    const run = await salvo([
      "run",
      ...["--targets", `${dir}/t.txt`, "--rate", "400", "-d", "2500ms", "-t", "1", "-q"],
      ...["--results", `${dir}/r.ndjson`],
    ]);
    assertEquals(run.code, 0, run.stderr);
    const r = await salvo(["report", `${dir}/r.ndjson`, "--html", `${dir}/r.html`, "-o", "json"]);
    assertEquals(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const html = await Deno.readTextFile(`${dir}/r.html`);
    assert(/<title>[^<]*4 targets[^<]*<\/title>/.test(html), /<title>.*<\/title>/.exec(html)?.[0]);
    const rows: Json[] = embedded(html).timeline;
    const spanMs = (json.ended_us - json.started_us) / 1000;
    assert(rows.length >= 3, `${rows.length} windows`);
    // Windows are whole seconds of the clock: the first and last are cut to the run's own span.
    assert(rows[0].startMs >= 0, JSON.stringify(rows[0]));
    assert(rows.at(-1).endMs <= spanMs + 1, `${rows.at(-1).endMs} ms, the run ${spanMs} ms`);
    assertEquals(rows.reduce((n: number, w: Json) => n + w.requests, 0), json.requests);
    // No fake drop: every window long enough to count is near the plan's 400/s.
    for (const w of rows.filter((w: Json) => w.endMs - w.startMs >= 300)) {
      assert(w.rps >= 200 && w.rps <= 800, JSON.stringify(w));
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("merge --html shows the warnings merge found, as the text and JSON do", async () => {
  const server = countingServer(0);
  const dir = await Deno.makeTempDir();
  try {
    const a = await salvo(["run", server.url, "-n", "50", "-q", "--out", `${dir}/a.json`]);
    assertEquals(a.code, 0, a.stderr);
    const r = await salvo(["merge", `${dir}/a.json`, `${dir}/a.json`, "--html", `${dir}/m.html`]);
    assertEquals(r.code, 0, r.stderr);
    assert(r.stdout.includes("warning: ") && r.stdout.includes("are the same run"), r.stdout);
    const html = await Deno.readTextFile(`${dir}/m.html`);
    assert(/class="warning">warning: [^<]*are the same run/.test(html), "no warning in the HTML");
    assertEquals(embedded(html).summary.warnings.length, 1);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
