// A scenario's tally as plain JSON data and back: what load threads send the main thread, and the JSON summary's `scenario` section carries for `salvo merge`.
import * as Either from "effect/Either";
import * as Histogram from "../core/histogram.ts";
import * as Codec from "../core/histogram_codec.ts";
import { Tally } from "../core/scenario_tally.ts";
import { fromRecord, type SummaryRecord, toRecord } from "./summary_record.ts";

export interface TallyRecord {
  readonly steps: ReadonlyArray<{ readonly name: string; readonly summary: SummaryRecord }>;
  readonly groups: ReadonlyArray<
    { readonly name: string; readonly count: number; readonly histogram: string }
  >;
  readonly checks: ReadonlyArray<
    { readonly name: string; readonly passed: number; readonly failed: number }
  >;
  readonly iterations: { readonly count: number; readonly histogram: string };
  readonly script_errors: number;
  /** Rejections no iteration awaited. */
  readonly strays?: number;
  readonly script_error?: string;
  readonly cut: number;
  readonly exhausted: boolean;
}

const withMoments = (h: Histogram.Histogram) => ({ histogram: Codec.encode(h) });

export const toTallyRecord = (t: Tally): TallyRecord => ({
  steps: [...t.steps].map(([name, s]) => ({ name, summary: toRecord(s) })),
  groups: [...t.groups].map(([name, g]) => ({ name, count: g.count, ...withMoments(g.durations) })),
  checks: [...t.checks].map(([name, c]) => ({ name, passed: c.passed, failed: c.failed })),
  iterations: { count: t.iterations.count, ...withMoments(t.iterations.durations) },
  script_errors: t.scriptErrors,
  ...(t.strays > 0 ? { strays: t.strays } : {}),
  ...(t.scriptWhy === undefined ? {} : { script_error: t.scriptWhy }),
  cut: t.cut,
  exhausted: t.exhausted,
});

const isCount = (x: unknown): x is number =>
  typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

const decoded = (text: unknown, what: string): Histogram.Histogram => {
  if (typeof text !== "string") throw new Error(`'${what}' is missing`);
  const h = Codec.decode(text);
  if (Either.isLeft(h)) throw new Error(`'${what}' does not decode: ${h.left.message}`);
  return h.right;
};

/** Rebuilds a tally from its record; the message says which field is wrong. */
export const fromTallyRecord = (r: unknown): Either.Either<Tally, string> => {
  try {
    if (!isObject(r)) throw new Error("not a JSON object");
    const t = new Tally();
    for (const s of Array.isArray(r.steps) ? r.steps : []) {
      if (!isObject(s) || typeof s.name !== "string") throw new Error("a step has no name");
      const summary = fromRecord(s.summary);
      if (Either.isLeft(summary)) throw new Error(`step ${s.name}: ${summary.left}`);
      t.steps.set(s.name, summary.right);
    }
    for (const g of Array.isArray(r.groups) ? r.groups : []) {
      if (!isObject(g) || typeof g.name !== "string" || !isCount(g.count)) {
        throw new Error("a group is malformed");
      }
      t.groups.set(g.name, { count: g.count, durations: decoded(g.histogram, `group ${g.name}`) });
    }
    for (const c of Array.isArray(r.checks) ? r.checks : []) {
      if (!isObject(c) || typeof c.name !== "string" || !isCount(c.passed) || !isCount(c.failed)) {
        throw new Error("a check is malformed");
      }
      t.checks.set(c.name, { passed: c.passed, failed: c.failed });
    }
    const it = r.iterations;
    if (!isObject(it) || !isCount(it.count)) throw new Error("'iterations' is malformed");
    t.iterations.count = it.count;
    t.iterations.durations.add(decoded(it.histogram, "iterations"));
    if (!isCount(r.script_errors) || !isCount(r.cut)) {
      throw new Error("'script_errors' or 'cut' is malformed");
    }
    t.scriptErrors = r.script_errors;
    if (r.strays !== undefined) {
      if (!isCount(r.strays)) throw new Error("'strays' is malformed");
      t.strays = r.strays;
    }
    t.cut = r.cut;
    if (typeof r.script_error === "string") t.scriptWhy = r.script_error;
    t.exhausted = r.exhausted === true;
    return Either.right(t);
  } catch (e) {
    return Either.left((e as Error).message);
  }
};
