// Exporting a run's metrics while it runs: the scrape endpoint and the remote-write fiber read the
// same snapshots the live view reads (nothing on the hot path), and both see the run's final state.
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Ref from "effect/Ref";
import * as Schedule from "effect/Schedule";
import type * as Scope from "effect/Scope";
import * as Metrics from "../core/metrics.ts";
import * as Pacing from "../core/pacing.ts";
import type { Series } from "../core/remote_write.ts";
import * as Summary from "../core/summary.ts";
import { UsageError } from "../domain/errors.ts";
import type { RunPlan } from "../domain/plan.ts";
import type * as Engine from "../engine/run.ts";
import { listen, listenProblem } from "../io/metrics_server.ts";
import { Pusher, type PushReport } from "../io/metrics_push.ts";
import { writeWhole } from "../io/whole_write.ts";
import { contentType, render } from "../report/exposition.ts";
import type { MetricsPlan } from "./metrics_options.ts";

/** Most points waiting for a receiver that is down: at the default interval, over ten minutes' worth. */
const maxQueuedPoints = 100_000;
/** Longest a push may take, and the end's last push with it. */
const pushTimeoutMs = 5000;

export interface Exporter {
  /** The run has ended: from now on every scrape reads its final state. */
  readonly ended: Effect.Effect<void>;
  /** After the report: the last push and the linger; says what was dropped; true when nothing was. */
  readonly finish: (quiet: boolean) => Effect.Effect<boolean>;
}

/** The families of the latest snapshot. */
const familiesOf = (
  m: MetricsPlan,
  plan: RunPlan,
  threads: number,
  s: Engine.Snapshot,
): ReadonlyArray<Metrics.Family> => {
  const model = plan.model;
  return Metrics.families(
    {
      summary: s.detail?.summary ?? Summary.empty(),
      elapsedMs: s.elapsedMs,
      inFlight: s.detail?.inFlight ?? 0,
      threads,
      targetRps: model._tag === "Open"
        ? Pacing.valueAt(model.rate, Math.max(0, s.elapsedMs)) * 1000
        : undefined,
    },
    m.labels,
    m.buckets,
  );
};

/** Every sample as its own series with one point at `timestampMs`. */
export const seriesOf = (
  families: ReadonlyArray<Metrics.Family>,
  timestampMs: number,
): ReadonlyArray<Series> =>
  families.flatMap((f) =>
    f.samples.map((s) => ({
      labels: [["__name__", s.name] as const, ...s.labels],
      points: [[s.value, timestampMs] as const],
    }))
  );

const line = (text: string) => writeWhole(Deno.stderr, new TextEncoder().encode(`${text}\n`));

const pushLine = (shown: string, r: PushReport): string =>
  `salvo: --metrics-push ${shown}: ${r.dropped} of ${r.sent + r.dropped} points not delivered${
    r.lastProblem === undefined ? "" : ` (last: ${r.lastProblem})`
  }`;

/**
 * Starts what `m` asks for, in the caller's scope: the endpoint is bound now (a port in use is one
 * line, exit 2, before any request), the pushes begin at once and repeat every interval.
 */
export const start = (
  m: MetricsPlan,
  plan: RunPlan,
  threads: number,
  progress: Ref.Ref<Engine.Snapshot>,
): Effect.Effect<Exporter, UsageError, Scope.Scope> =>
  Effect.gen(function* () {
    const now = () => familiesOf(m, plan, threads, Effect.runSync(Ref.get(progress)));
    const server = m.listen === undefined ? undefined : yield* Effect.acquireRelease(
      Effect.try({
        try: () => listen(m.listen!.hostname, m.listen!.port, contentType, () => render(now())),
        catch: (e) =>
          new UsageError({
            reason: "flag",
            message: `--metrics-listen ${m.listen!.shown}: ${listenProblem(e)}`,
          }),
      }),
      (s) => Effect.promise(() => s.close()),
    );
    // A push may take the interval, or 5 s if that is shorter; so may the last one at the end.
    const timeoutMs = Math.min(pushTimeoutMs, m.intervalMs);
    const pusher = m.push === undefined
      ? undefined
      : new Pusher(m.push, timeoutMs, maxQueuedPoints);
    if (pusher !== undefined) {
      yield* Effect.forkScoped(Effect.repeat(
        Effect.sync(() => pusher.push(seriesOf(now(), Date.now()))),
        Schedule.spaced(Duration.millis(m.intervalMs)),
      ));
    }
    let scrapesAtEnd = 0;
    return {
      ended: Effect.sync(() => {
        scrapesAtEnd = server?.scrapes() ?? 0;
      }),
      finish: (quiet) =>
        Effect.gen(function* () {
          let delivered = true;
          if (pusher !== undefined) {
            const r = yield* Effect.promise(() =>
              pusher.finish(seriesOf(now(), Date.now()), timeoutMs)
            );
            if (r.dropped > 0) {
              delivered = false;
              line(pushLine(pusher.shown, r));
            }
          }
          if (server !== undefined && m.lingerMs > 0 && server.scrapes() === scrapesAtEnd) {
            if (!quiet) {
              line(
                `salvo: serving the final metrics at ${server.url} until scraped once more (at most ${
                  m.lingerMs / 1000
                }s)`,
              );
            }
            yield* Effect.sync(() => server.scrapes() > scrapesAtEnd).pipe(
              Effect.repeat({ until: (b) => b, schedule: Schedule.spaced(Duration.millis(50)) }),
              Effect.timeout(Duration.millis(m.lingerMs)),
              Effect.ignore,
            );
          }
          return delivered;
        }),
    };
  });
