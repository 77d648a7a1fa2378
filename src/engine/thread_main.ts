// A load thread (a Deno Worker running thread_entry.ts, or its embedded bundle): runs its share of the plan with the same
// engine as a run on one thread, posts snapshots and results to the main thread, then its report.
import * as Effect from "effect/Effect";
import * as Fiber from "effect/Fiber";
import * as Ref from "effect/Ref";
import * as Schedule from "effect/Schedule";
import * as Codec from "../core/histogram_codec.ts";
import { maskAlso } from "../core/request.ts";
import { toRecord } from "../io/summary_record.ts";
import { toTallyRecord } from "../io/tally_record.ts";
import { ForwardSink } from "./forward_sink.ts";
import * as Scenario from "./scenario_load.ts";
import { emptySnapshot, execute, partOf, prepare, type Run, type Snapshot } from "./run.ts";
import { type FromThread, fromWire, type ThreadReport, type ToThread } from "./wire.ts";
import { messageOf } from "../domain/thrown.ts";

/**
 * SALVO_FAULT_THREAD=K makes load thread K (from 1) throw once its run has started: how the tests see
 * that a thread that dies stops the run with one line and exit 3. Unset (or no env permission), nothing.
 */
const faultInjected = (index: number): boolean => {
  try {
    return Deno.env.get("SALVO_FAULT_THREAD") === String(index + 1);
  } catch {
    return false;
  }
};

/** How often the thread checks for a stop from the main thread, and posts its figures. */
const checkMs = 50;
const snapshotMs = 250;

interface Scope {
  postMessage(m: FromThread, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToThread>) => void) | null;
}

const reportOf = (run: Run): ThreadReport => {
  const p = partOf(run);
  const origin = performance.timeOrigin;
  return {
    summary: toRecord(p.summary),
    startedAt: origin + p.startedAt,
    endedAt: origin + p.endedAt,
    pausedMs: p.pausedMs,
    loopLag: Codec.encode(p.loopLag),
    cpuMs: p.cpuMs,
    waitMs: p.waitMs,
    budgetUsed: p.budgetUsed,
    streamLimit: p.streamLimit,
    byTarget: p.byTarget?.map(toRecord),
    tally: p.tally === undefined ? undefined : toTallyRecord(p.tally),
  };
};

/** Serves the main thread's messages in this worker until it is terminated. */
export const serve = (): void => {
  const scope = globalThis as unknown as Scope;
  const post = (m: FromThread, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
  let stopRequested = false;
  let index = 0;
  let fiber: Fiber.RuntimeFiber<void> | undefined;
  let go: (at: number) => void = () => {};
  const started = new Promise<number>((resolve) => (go = resolve));
  scope.onmessage = (e) => {
    const m = e.data;
    switch (m.type) {
      case "start": {
        index = m.share.index;
        const plan = fromWire(m.plan);
        maskAlso(plan.mask ?? []);
        const run = prepare(
          plan,
          m.results ? new ForwardSink(post) : undefined,
          m.share,
          m.detail,
        );
        const program = Effect.gen(function* () {
          const progress = yield* Ref.make<Snapshot>(emptySnapshot);
          yield* Effect.forkScoped(
            Ref.get(progress).pipe(
              Effect.tap((s) =>
                post({
                  type: "snapshot",
                  requests: s.requests,
                  successes: s.successes,
                  maxUs: s.maxUs,
                  ...(s.detail === undefined ? {} : {
                    detail: {
                      summary: toRecord(s.detail.summary),
                      inFlight: s.detail.inFlight,
                      ...(s.detail.tally === undefined
                        ? {}
                        : { tally: toTallyRecord(s.detail.tally) }),
                    },
                  }),
                })
              ),
              Effect.repeat(Schedule.spaced(snapshotMs)),
            ),
          );
          yield* execute(run, progress, () => stopRequested, checkMs, () => {
            post({ type: "ready" });
            return started;
          });
        }).pipe(
          Effect.scoped,
          Effect.ensuring(Effect.sync(() => post({ type: "done", report: reportOf(run) }))),
          Effect.catchAllDefect((d) =>
            Effect.sync(() => post({ type: "failed", message: String(d) }))
          ),
        );
        fiber = Effect.runFork(program);
        break;
      }
      case "go":
        go(m.at - performance.timeOrigin);
        if (faultInjected(index)) {
          setTimeout(() => {
            throw new Error("injected fault (SALVO_FAULT_THREAD)");
          }, 200);
        }
        break;
      case "stop":
        stopRequested = true;
        break;
      case "interrupt":
        if (fiber !== undefined) Effect.runFork(Fiber.interrupt(fiber));
        break;
    }
  };
  // What this thread did not catch is reported as its failure, once, as one line (no stack on stderr).
  const failed = (message: string) => post({ type: "failed", message });
  globalThis.addEventListener("error", (e) => {
    e.preventDefault();
    failed(e.error instanceof Error ? e.error.message : String(e.message));
  });
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    // A scenario's promise that nothing awaited: its script error, counted; the run goes on.
    if (Scenario.running !== undefined) Scenario.running.stray(e.reason);
    else failed(messageOf(e.reason));
  });
  post({ type: "loaded" });
};
