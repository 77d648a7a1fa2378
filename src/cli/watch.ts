// Watching a run: a fiber that reads the progress Ref on a Schedule, cuts it into a timeline, and draws
// the live view on a terminal in place; the terminal is given back as it was however the run ends.
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Ref from "effect/Ref";
import * as Schedule from "effect/Schedule";
import * as Distribution from "../core/distribution.ts";
import * as Pacing from "../core/pacing.ts";
import { passRate, type Tally } from "../core/scenario_tally.ts";
import * as Summary from "../core/summary.ts";
import { Timeline } from "../core/timeline.ts";
import type { RunPlan } from "../domain/plan.ts";
import type * as Engine from "../engine/run.ts";
import { writeWhole } from "../io/whole_write.ts";
import * as Live from "../report/live.ts";
import { consoleSize } from "./terminal.ts";

/** How often the view is redrawn (it reads the run's snapshots, published every 250 ms). */
export const redrawMs = 250;

/** The live view's frame from the latest snapshot and the timeline so far. */
export const frameOf = (
  title: string,
  plan: RunPlan,
  threads: number,
  s: Engine.Snapshot,
  timeline: Timeline,
): Live.Frame => {
  const summary = s.detail?.summary ?? Summary.empty();
  const stats = Summary.describe(summary, s.elapsedMs);
  const last = timeline.rows[timeline.rows.length - 1];
  const m = plan.model;
  return {
    title,
    // Load threads start a few ms after the first snapshot: the plan's clock has not begun yet.
    elapsedMs: Math.max(0, s.elapsedMs),
    durationMs: plan.durationMs,
    maxRequests: plan.maxRequests,
    requests: s.requests,
    failures: s.failures,
    rpsNow: last?.rps ?? stats.rps,
    rpsHistory: timeline.rows.map((r) => r.rps),
    last: last === undefined || last.requests === 0 ? undefined : last,
    whole: stats.latency,
    // As many bins as a tall terminal shows; the renderer adds neighbours together to fit.
    bins: Distribution.bins(summary.latency, 16),
    status: stats.statusCodes,
    errors: stats.errors,
    inFlight: s.detail?.inFlight ?? 0,
    open: m._tag === "Open"
      ? {
        targetRps: Pacing.valueAt(m.rate, s.elapsedMs) * 1000,
        dropped: summary.dropped,
        lagP99Ms: stats.scheduleLag?.p99 ?? 0,
      }
      : undefined,
    threads,
    ...(s.detail?.tally === undefined
      ? {}
      : { scenario: scenarioFrame(s.detail.tally, Math.max(0, s.elapsedMs)) }),
  };
};

/** Steps the live view is given (it shows those that fit). */
const stepsShown = 20;

/** A scenario's figures for the live view, from its tally so far. */
export const scenarioFrame = (t: Tally, elapsedMs: number): Live.ScenarioFrame => {
  let checks = 0;
  for (const c of t.checks.values()) checks += c.passed + c.failed;
  const steps = [...t.steps].slice(0, stepsShown).map(([name, s]): Live.StepRow => ({
    name,
    requests: s.requests,
    failures: s.requests - s.successes,
    p50: s.requests > 0 ? s.latency.valueAtPercentile(50) / 1000 : 0,
    p99: s.requests > 0 ? s.latency.valueAtPercentile(99) / 1000 : 0,
  }));
  return {
    iterations: t.iterations.count,
    iterationsPerSec: elapsedMs > 0 ? t.iterations.count / (elapsedMs / 1000) : 0,
    checksPassed: checks === 0 ? undefined : passRate(t),
    scriptErrors: t.scriptErrors + t.strays,
    steps,
    moreSteps: t.steps.size - steps.length,
  };
};

const encoder = new TextEncoder();

/** Draws frames in place on a terminal: each one over the last, nothing scrolls. */
export class Screen {
  private drawn = 0;
  private cursorHidden = false;

  constructor(private readonly out: { writeSync(p: Uint8Array): number }) {}

  draw(lines: ReadonlyArray<string>): void {
    const hide = this.cursorHidden ? "" : "\x1b[?25l";
    this.cursorHidden = true;
    // Back to the first column of the frame's first line; each line cleared as it is written; what an
    // earlier, longer frame left below is cleared at the end.
    const up = this.drawn > 1 ? `\x1b[${this.drawn - 1}A` : "";
    const body = lines.map((l) => `\x1b[2K${l}`).join("\n");
    writeWhole(this.out, encoder.encode(`${hide}\r${up}${body}\x1b[J`));
    this.drawn = lines.length;
  }

  /** Clears the frame and shows the cursor again: the terminal as it was before the first frame. */
  clear(): void {
    if (!this.cursorHidden && this.drawn === 0) return;
    const up = this.drawn > 1 ? `\x1b[${this.drawn - 1}A` : "";
    writeWhole(this.out, encoder.encode(`\r${up}\x1b[J\x1b[?25h`));
    this.drawn = 0;
    this.cursorHidden = false;
  }
}

/**
 * Reads `progress` every `redrawMs` into `timeline`, and draws the live view on `screen` when there is
 * one. Runs until interrupted; the screen is cleared and the cursor shown again when it ends, however.
 */
export const watch = (
  progress: Ref.Ref<Engine.Snapshot>,
  timeline: Timeline,
  screen: {
    readonly screen: Screen;
    readonly frame: (s: Engine.Snapshot) => Live.Frame;
    readonly colour: boolean;
  } | undefined,
): Effect.Effect<void> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      // A crash that skips every finalizer still gets its cursor back.
      const restore = () => screen?.screen.clear();
      globalThis.addEventListener("unload", restore);
      return restore;
    }),
    () =>
      Ref.get(progress).pipe(
        Effect.flatMap((s) =>
          Effect.sync(() => {
            if (s.detail === undefined) return;
            timeline.push(s.elapsedMs, s.detail.summary);
            if (screen === undefined) return;
            const { columns, rows } = consoleSize();
            screen.screen.draw(Live.render(screen.frame(s), columns, rows, screen.colour));
          })
        ),
        Effect.repeat(Schedule.spaced(Duration.millis(redrawMs))),
        Effect.asVoid,
      ),
    (restore) =>
      Effect.sync(() => {
        globalThis.removeEventListener("unload", restore);
        restore();
      }),
  );

/**
 * Whether the view is coloured: `auto` on a terminal unless NO_COLOR is set (no-color.org; Deno reads
 * it, no permission needed). The view is only ever drawn on a terminal.
 */
export const colourWanted = (choice: "auto" | "always" | "never"): boolean =>
  choice === "always" || (choice === "auto" && !Deno.noColor);
