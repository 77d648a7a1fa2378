// Relative thresholds (`p99<+10%`, `rps>-5%`) judged against a baseline run: one fails only when its
// figure's change is significant (src/core/compare.ts: `regressed`) and beyond the allowance, or when
// the windows cannot tell (inconclusive: a gate that cannot judge never passes).
import * as Compare from "./compare.ts";
import type { Stats } from "./summary.ts";
import * as Thresholds from "./thresholds.ts";
import type { Row } from "./timeline.ts";

/** Two runs as a relative threshold sees them: their windows and their whole-run figures. */
export interface Runs {
  readonly baseRows: ReadonlyArray<Row>;
  readonly nextRows: ReadonlyArray<Row>;
  readonly base: Stats;
  readonly next: Stats;
  /** The smallest change a verdict names (Compare.minChangePct unless given). */
  readonly floorPct?: number;
}

/** Judges the change a comparison found against a relative threshold's allowance. */
export const judge = (t: Thresholds.Threshold, r: Compare.Result): boolean =>
  r.verdict !== "inconclusive" &&
  !(r.verdict === "regressed" &&
    (r.changePct === undefined || !Thresholds.compare(t.op, r.changePct, t.limit)));

/** The figure relative threshold `t` bounds (Thresholds.parse made it, so one exists). */
export const figureOf = (t: Thresholds.Threshold): Compare.Figure =>
  Compare.figureNamed(Thresholds.relativeFigure(t.metric)!);

/** Evaluates relative threshold `t` on two runs' windows. */
export const evaluate = (t: Thresholds.Threshold, runs: Runs): Thresholds.Evaluation => {
  const figure = figureOf(t);
  return ofResult(
    t,
    Compare.compareFigure(figure, runs.baseRows, runs.nextRows, runs.floorPct),
    figure.whole(runs.base),
    figure.whole(runs.next),
  );
};

/** Relative threshold `t` judged on comparison `r`; `base` and `next` the figure's two values. */
export const ofResult = (
  t: Thresholds.Threshold,
  r: Compare.Result,
  base: number,
  next: number,
): Thresholds.Evaluation => {
  return {
    threshold: t,
    passed: judge(t, r),
    actual: r.changePct ?? Number.NaN,
    change: {
      verdict: r.verdict,
      base,
      next,
      changePct: r.changePct,
      lowPct: r.lowPct,
      highPct: r.highPct,
      why: r.why,
    },
  };
};
