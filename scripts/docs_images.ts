// Makes the README's pictures: docs/html-report.png (a run's HTML report in headless Chromium) and
// docs/live-view.png (the live view captured on an 100×30 pseudo-terminal, drawn as a terminal would).
//
//   npx -y deno@2.9.6 run -A scripts/docs_images.ts
//
// Needs chromium and util-linux `script`. Traffic goes only to salvo's own target on 127.0.0.1.
import { withPage } from "../tests/browser.ts";

const root = new URL("../", import.meta.url).pathname;
const deno = Deno.execPath();
const port = 20_000 + Math.floor(Math.random() * 20_000);
const url = `http://127.0.0.1:${port}/`;
const tmp = await Deno.makeTempDir();

const serve = new Deno.Command(deno, {
  args: [
    "run",
    "-A",
    "src/main.ts",
    "serve",
    "--port",
    String(port),
    "--latency",
    "2ms",
    "--error-rate",
    "0.02",
  ],
  cwd: root,
  stdout: "null",
  stderr: "null",
}).spawn();

const waitForPort = async () => {
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("salvo serve did not start");
};

/** ANSI colour escapes as HTML spans, the rest escaped: a terminal's screen as a page. */
const terminalHtml = (lines: ReadonlyArray<string>): string => {
  const colours: Record<string, string> = {
    "1": "font-weight:bold",
    "2": "color:#8b949e",
    "31": "color:#ff7b72",
    "32": "color:#3fb950",
    "36": "color:#39c5cf",
  };
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const body = lines.map((l) =>
    // deno-lint-ignore no-control-regex
    l.split(/(\x1b\[[0-9;]*m)/).reduce((acc, part) => {
      // deno-lint-ignore no-control-regex
      const m = /^\x1b\[([0-9;]*)m$/.exec(part);
      if (m === null) return acc + escape(part);
      return acc + (m[1] === "0" ? "</span>" : `<span style="${colours[m[1]!] ?? ""}">`);
    }, "")
  ).join("\n");
  return `<!DOCTYPE html><meta charset="utf-8"><body style="margin:0;background:#0d1117">
<pre style="margin:0;padding:14px 16px;color:#e6edf3;font:14px/1.25 'DejaVu Sans Mono',monospace">${body}</pre>`;
};

try {
  await waitForPort();
  await Deno.mkdir(`${root}docs`, { recursive: true });

  // The HTML report of a 6 s run.
  const html = `${tmp}/report.html`;
  const run = await new Deno.Command(deno, {
    args: [
      "run",
      "-A",
      "src/main.ts",
      "run",
      url,
      "-c",
      "16",
      "-d",
      "6s",
      "-q",
      "--html",
      html,
      "--threshold",
      "p99<50ms",
      "--threshold",
      "success_rate>=97%",
    ],
    cwd: root,
  }).output();
  if (run.code !== 0) throw new Error(new TextDecoder().decode(run.stderr));
  await withPage(`file://${html}`, { width: 860, height: 1200 }, async (page) => {
    await Deno.writeFile(`${root}docs/html-report.png`, await page.screenshot());
  });

  // The live view, 3 s into a 6 s run, on a 100×30 terminal.
  const typescript = `${tmp}/typescript`;
  await new Deno.Command("script", {
    args: [
      "-q",
      "-e",
      "-c",
      `stty rows 30 cols 100; exec ${deno} run -A src/main.ts run ${url} -c 16 -d 3500ms -t 2`,
      typescript,
    ],
    cwd: root,
    stdin: "null",
    stdout: "null",
    env: { TERM: "xterm-256color" },
  }).output();
  const screen = new TextDecoder().decode(await Deno.readFile(typescript));
  // The last whole frame before the view was cleared: frames end with ESC [J.
  const frames = screen.split("\x1b[J").slice(0, -1).filter((f) => f.includes("histogram"));
  const last = frames[frames.length - 1]!;
  const lines = last.slice(last.indexOf("\x1b[2K")).split("\n").map((l) =>
    // deno-lint-ignore no-control-regex
    l.replace(/\x1b\[2K|\r|\x1b\[\d+A|\x1b\[\?25[lh]/g, "")
  );
  const page = `${tmp}/live.html`;
  await Deno.writeTextFile(page, terminalHtml(lines));
  await withPage(`file://${page}`, { width: 940, height: 30 + lines.length * 18 }, async (p) => {
    await Deno.writeFile(`${root}docs/live-view.png`, await p.screenshot());
  });
  console.log("wrote docs/html-report.png and docs/live-view.png");
} finally {
  serve.kill();
  await serve.status;
  await Deno.remove(tmp, { recursive: true });
}
