// A/B by rounds (`salvo compare --run A B --rounds N`): each round runs both targets back to back,
// so the ratio B/A of a round cancels what the machine was doing then; the rounds' log-ratios give a
// t interval for the typical ratio, and the verdict reads it as `compare` reads a change.
import { minChangePct, type Result, tQuantile, verdictOf } from "./compare.ts";

/** Fewest rounds with a usable ratio for an interval. */
export const minRounds = 3;

/** The middle value of `xs` (the mean of the middle two when even). */
export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Compares figure `name` over rounds: `a[i]` and `b[i]` are round i's values. The change is the
 * median ratio's; the interval the geometric mean ratio's, 99 % (Student's t on the log-ratios).
 */
export const compareRounds = (
  name: string,
  worse: "up" | "down",
  a: ReadonlyArray<number>,
  b: ReadonlyArray<number>,
  floorPct = minChangePct,
): Result => {
  const ratios = a.flatMap((x, i) => {
    const r = b[i]! / x;
    return x > 0 && Number.isFinite(r) && r > 0 ? [r] : [];
  });
  if (ratios.length < minRounds) {
    return {
      figure: name,
      verdict: "inconclusive",
      changePct: undefined,
      lowPct: undefined,
      highPct: undefined,
      why: `${ratios.length} rounds with a ratio; ${minRounds} are needed`,
    };
  }
  const logs = ratios.map(Math.log);
  const m = logs.reduce((s, x) => s + x, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((s, x) => s + (x - m) ** 2, 0) / (logs.length - 1));
  const half = tQuantile(logs.length - 1) * sd / Math.sqrt(logs.length);
  const low = Math.exp(m - half), high = Math.exp(m + half);
  return {
    figure: name,
    // On the log scale, so that swapping A and B (a ratio and its inverse) mirrors the verdict.
    verdict: verdictOf(worse, m - half, m + half, Math.log1p(floorPct / 100)),
    changePct: (median(ratios) - 1) * 100,
    lowPct: (low - 1) * 100,
    highPct: (high - 1) * 100,
    why: undefined,
  };
};
