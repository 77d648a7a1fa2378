// The live view on a real pseudo-terminal (util-linux `script`): redrawn in place mid-run, within the
// terminal's size, and the terminal given back (cursor shown, frame cleared) after Ctrl-C.
import { assert, assertEquals } from "../assert.ts";
import * as Target from "../../src/serve/target.ts";
import { countingServer, entry } from "./support.ts";

const root = new URL("../../", import.meta.url);
const decoder = new TextDecoder();
// deno-lint-ignore no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

/** Runs `salvo run ARGS` on a `cols`×`rows` pseudo-terminal; types Ctrl-C after `ctrlCMs`, if given. */
const onTerminal = async (
  args: ReadonlyArray<string>,
  cols: number,
  rows: number,
  ctrlCMs?: number,
  env: Record<string, string> = {},
) => {
  const dir = await Deno.makeTempDir();
  try {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [
      `stty rows ${rows} cols ${cols};`,
      "exec",
      ...[Deno.execPath(), "run", "-A", entry, "run", ...args].map(quote),
    ].join(" ");
    const child = new Deno.Command("script", {
      args: ["-q", "-e", "-c", command, `${dir}/typescript`],
      cwd: root,
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
      env: { TERM: "xterm-256color", ...env },
    }).spawn();
    const writer = child.stdin.getWriter();
    if (ctrlCMs !== undefined) {
      await new Promise((r) => setTimeout(r, ctrlCMs));
      // The terminal's line discipline turns ^C into SIGINT for the foreground process: a real Ctrl-C.
      await writer.write(new Uint8Array([3]));
    }
    const status = await child.status;
    await writer.close().catch(() => {});
    const screen = decoder.decode(await Deno.readFile(`${dir}/typescript`));
    return { code: status.code, screen };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

/** The frames drawn: each ends by clearing what is below it (ESC [J). */
const framesOf = (screen: string) =>
  screen.split("\x1b[J").slice(0, -1).map((raw) => {
    const start = raw.lastIndexOf("\x1b[?25l") >= 0 ? raw.lastIndexOf("\x1b[?25l") : 0;
    const body = raw.slice(start);
    return { raw: body, lines: plain(body).split("\n").filter((l, i) => i > 0 || l !== "") };
  }).filter((f) => f.lines.some((l) => l.startsWith("salvo ")));

Deno.test("live view on an 80×24 terminal: redrawn in place, fits, and Ctrl-C gives the terminal back", async () => {
  const server = countingServer(1);
  try {
    const r = await onTerminal([server.url, "-c", "4", "-d", "10s"], 80, 24, 2500);
    assertEquals(r.code, 130, r.screen.slice(-2000));
    const frames = framesOf(r.screen);
    assert(frames.length >= 4, `${frames.length} frames drawn in 2.5 s`);
    for (const f of frames) {
      assert(f.lines.length <= 23, `a frame of ${f.lines.length} lines on 24 rows`);
      for (const l of f.lines) assert([...l].length <= 79, `a line wider than 79: ${l}`);
    }
    // Mid-run: the screen shows progress, throughput, latency, the histogram and the status codes.
    const mid = frames.findLast((f) => f.lines.some((l) => /requests +[1-9]/.test(l)))!;
    assert(mid !== undefined, "no frame with requests");
    for (
      const label of [
        "progress",
        "req/s",
        "latency",
        "last 1s",
        "whole run",
        "histogram",
        "status    200 ×",
      ]
    ) {
      assert(mid.lines.some((l) => l.includes(label)), `no '${label}' in\n${mid.lines.join("\n")}`);
    }
    const shown = Number(/requests +([\d,]+)/.exec(mid.lines.join("\n"))![1]!.replace(/,/g, ""));
    // Each redraw goes back up over the frame before it: nothing scrolls.
    frames.slice(1).forEach((f, i) => {
      const up = frames[i]!.lines.length - 1;
      assert(
        f.raw.startsWith(`\r${up > 0 ? `\x1b[${up}A` : ""}`),
        `frame ${i + 1} does not redraw in place`,
      );
    });
    // After Ctrl-C: the frame cleared, the cursor shown, no alternate screen, then the summary.
    const lastHide = r.screen.lastIndexOf("\x1b[?25l");
    const shownAgain = r.screen.lastIndexOf("\x1b[?25h");
    assert(shownAgain > lastHide, "the cursor is left hidden");
    assert(!r.screen.includes("\x1b[?1049h"), "an alternate screen was used");
    const after = plain(r.screen.slice(shownAgain));
    assert(after.includes("interrupted"), after);
    const total = Number(/requests +(\d+) in/.exec(after)![1]);
    assert(total >= shown, `the summary's ${total} is below the ${shown} shown mid-run`);
    assertEquals(total, server.count());
  } finally {
    await server.stop();
  }
});

Deno.test("live view: a 160×48 terminal gets wider bars; NO_COLOR and -q are honoured", async () => {
  const server = countingServer(0);
  try {
    const wide = await onTerminal([server.url, "-c", "2", "-d", "1200ms"], 160, 48, undefined, {
      NO_COLOR: "1",
    });
    assertEquals(wide.code, 0, wide.screen.slice(-2000));
    const frames = framesOf(wide.screen);
    assert(frames.length >= 2, `${frames.length} frames`);
    const widest = Math.max(...frames.flatMap((f) => f.lines.map((l) => [...l].length)));
    assert(widest > 79 && widest <= 159, `widest line ${widest} on 160 columns`);
    // NO_COLOR: no colour escapes at all (cursor movement is not colour).
    // deno-lint-ignore no-control-regex
    assert(!/\x1b\[[0-9;]*m/.test(wide.screen), "colour despite NO_COLOR");
    const quiet = await onTerminal([server.url, "-c", "2", "-n", "200", "-q"], 80, 24);
    assertEquals(quiet.code, 0, quiet.screen.slice(-2000));
    assertEquals(framesOf(quiet.screen).length, 0);
    assert(!quiet.screen.includes("\x1b[?25l"), "-q hid the cursor");
    assert(plain(quiet.screen).includes("requests   200 in"), quiet.screen);
  } finally {
    await server.stop();
  }
});

Deno.test("live view: on a 30-column terminal every line fits, and nothing is left when the run ends", async () => {
  const server = countingServer(0);
  try {
    const r = await onTerminal([server.url, "-c", "2", "-d", "1200ms"], 30, 24);
    assertEquals(r.code, 0, r.screen.slice(-2000));
    const frames = framesOf(r.screen);
    assert(frames.length >= 3, `${frames.length} frames`);
    for (const f of frames) for (const l of f.lines) assert([...l].length <= 29, `too wide: ${l}`);
    // The view's last act is to clear its frame and show the cursor; the summary comes after it.
    const cleared = r.screen.lastIndexOf("\x1b[J\x1b[?25h");
    assert(cleared > r.screen.lastIndexOf("\x1b[?25l"), "the last frame is not cleared");
    assert(plain(r.screen.slice(cleared)).includes("requests"), "no summary after the view");
  } finally {
    await server.stop();
  }
});

Deno.test("live view: --color always colours despite NO_COLOR, --color never does not colour", async () => {
  const server = countingServer(0);
  // deno-lint-ignore no-control-regex
  const sgr = /\x1b\[[0-9;]*m/;
  try {
    const always = await onTerminal(
      [server.url, "-c", "1", "-d", "700ms", "--color", "always"],
      80,
      24,
      undefined,
      {
        NO_COLOR: "1",
      },
    );
    assertEquals(always.code, 0, always.screen.slice(-2000));
    assert(sgr.test(always.screen), "no colour with --color always");
    const never = await onTerminal(
      [server.url, "-c", "1", "-d", "700ms", "--color", "never"],
      80,
      24,
    );
    assertEquals(never.code, 0, never.screen.slice(-2000));
    assert(framesOf(never.screen).length >= 1, "no view drawn");
    assert(!sgr.test(never.screen), "colour with --color never");
  } finally {
    await server.stop();
  }
});

Deno.test("live view of a scenario: its iterations, checks and a row per step in the order met, each step's count at most the summary's", async () => {
  const t = Target.start({ hostname: "127.0.0.1", port: 0, latencyMs: 0, errorRate: 0 });
  try {
    const r = await onTerminal(
      ["examples/scenarios/flow.ts", "--base-url", t.url, "-c", "4", "-d", "1500ms", "-t", "1"],
      100,
      32,
    );
    assertEquals(r.code, 0, r.screen.slice(-2000));
    const frames = framesOf(r.screen);
    const steps = ["POST /login", "GET /items", "POST /items", "GET /items/:id"];
    const rowOf = (text: string, step: string) =>
      new RegExp(`^  ${step.replace(/\//g, "\\/")} +([\\d,]+) +0 +\\S+ +\\S+$`, "m").exec(text);
    const mid = frames.findLast((f) => rowOf(f.lines.join("\n"), "GET /items/:id") !== null);
    assert(mid !== undefined, `no frame with every step: ${frames.at(-1)?.lines.join("\n")}`);
    const text = mid.lines.join("\n");
    for (const f of frames) for (const l of f.lines) assert([...l].length <= 99, `too wide: ${l}`);
    assert(
      /^ {2}iterations [\d,]+ · [\d.,]+\/s · checks 100\.0% · script errors 0$/m.test(text),
      text,
    );
    const at = steps.map((s) => text.search(new RegExp(`^  ${s} `, "m")));
    assert(
      at.every((a, i) => a >= 0 && (i === 0 || a > at[i - 1]!)),
      `steps out of order:\n${text}`,
    );
    // The summary after the view: each step's requests at least what the view last showed.
    const summary = plain(r.screen.slice(r.screen.lastIndexOf("\x1b[?25h")));
    for (const s of steps) {
      const shown = Number(rowOf(text, s)![1]!.replace(/,/g, ""));
      const total = Number(new RegExp(`^ +${s} +(\\d+) `, "m").exec(summary)?.[1]);
      assert(shown >= 1 && total >= shown, `${s}: ${shown} shown, ${total} in the summary`);
    }
  } finally {
    await t.shutdown();
  }
});
