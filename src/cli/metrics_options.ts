// The metrics flags of `salvo run` (a scrape endpoint, remote write, their labels and buckets) and
// what they resolve to; each refusal is one line (exit 2).
import { type Command, Options } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { defaultBuckets, type Labels, tagNameProblem } from "../core/metrics.ts";
import { maskUrl } from "../core/request.ts";
import { parseDuration } from "../core/units.ts";
import { UsageError } from "../domain/errors.ts";
import type { RunPlan } from "../domain/plan.ts";

export const metricsOptions = {
  metricsListen: Options.text("metrics-listen").pipe(
    Options.optional,
    Options.withDescription(
      "Serve Prometheus metrics at http://ADDR/metrics during the run: PORT (on 127.0.0.1) or HOST:PORT",
    ),
  ),
  metricsPush: Options.text("metrics-push").pipe(
    Options.optional,
    Options.withDescription(
      "Send the metrics to a Prometheus remote-write URL every --metrics-interval, and once at the end",
    ),
  ),
  metricsInterval: Options.text("metrics-interval").pipe(
    Options.optional,
    Options.withDescription("How often --metrics-push sends (default 5s)"),
  ),
  metricsRequired: Options.boolean("metrics-required").pipe(
    Options.withDescription("Exit 3 when --metrics-push could not deliver every point"),
  ),
  metricsLinger: Options.text("metrics-linger").pipe(
    Options.optional,
    Options.withDescription(
      "After the run, serve the final metrics until scraped once more, at most this long (default 15s; 0: no wait)",
    ),
  ),
  metricsBuckets: Options.text("metrics-buckets").pipe(
    Options.optional,
    Options.withDescription(
      "Latency histogram bucket bounds, rising: 1ms,5ms,25ms,100ms (default 100µs to 60s, 1-1.5-2-3-5-7 per decade)",
    ),
  ),
  runId: Options.text("run-id").pipe(
    Options.optional,
    Options.withDescription(
      "The run_id label of every series (default: the start time and 4 random hex digits)",
    ),
  ),
  tag: Options.text("tag").pipe(
    Options.repeated,
    Options.withDescription("A label KEY=VALUE on every series, repeatable"),
  ),
};

export type MetricsRaw = Command.Command.ParseConfig<typeof metricsOptions>;

export interface MetricsPlan {
  readonly listen:
    | { readonly hostname: string; readonly port: number; readonly shown: string }
    | undefined;
  readonly push: URL | undefined;
  readonly intervalMs: number;
  readonly required: boolean;
  readonly lingerMs: number;
  readonly buckets: ReadonlyArray<number>;
  readonly labels: Labels;
}

/** The metrics flags given, for the flag rules. */
export const metricsFlags = (raw: MetricsRaw): ReadonlyArray<string> =>
  ([
    ["--metrics-listen", Option.isSome(raw.metricsListen)],
    ["--metrics-push", Option.isSome(raw.metricsPush)],
    ["--metrics-interval", Option.isSome(raw.metricsInterval)],
    ["--metrics-required", raw.metricsRequired],
    ["--metrics-linger", Option.isSome(raw.metricsLinger)],
    ["--metrics-buckets", Option.isSome(raw.metricsBuckets)],
    ["--run-id", Option.isSome(raw.runId)],
    ["--tag", raw.tag.length > 0],
  ] as const).filter(([, given]) => given).map(([flag]) => flag);

const refuse = (message: string) => new UsageError({ reason: "flag", message });

/** `PORT`, `HOST:PORT` or `[IPv6]:PORT`; a bare port listens on loopback only. */
export const parseListen = (text: string) => {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:\s\[\]]+):)?(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || !(port >= 1 && port <= 65535)) {
    return Effect.fail(
      refuse(`--metrics-listen: '${text}' is not PORT or HOST:PORT (e.g. 9464 or 127.0.0.1:9464)`),
    );
  }
  const host = m[1] ?? "127.0.0.1";
  return Effect.succeed({
    hostname: host.startsWith("[") ? host.slice(1, -1) : host,
    port,
    shown: `${host}:${port}`,
  });
};

/** Rising bucket bounds in seconds from `1ms,5ms,…`. */
export const parseBuckets = (text: string) =>
  Effect.gen(function* () {
    const parts = text.split(",").map((p) => p.trim()).filter((p) => p !== "");
    const bounds: number[] = [];
    for (const p of parts) {
      const ms = yield* parseDuration("--metrics-buckets", p);
      if (ms <= 0) return yield* refuse(`--metrics-buckets: '${p}' must be above 0`);
      if (bounds.length > 0 && ms / 1000 <= bounds[bounds.length - 1]!) {
        return yield* refuse(`--metrics-buckets: the bounds must rise; '${p}' does not`);
      }
      bounds.push(ms / 1000);
    }
    if (bounds.length === 0) {
      return yield* refuse("--metrics-buckets: give bounds like 1ms,5ms,25ms");
    }
    return bounds;
  });

const parseTag = (text: string, seen: Set<string>) => {
  const eq = text.indexOf("=");
  const name = eq < 0 ? text : text.slice(0, eq);
  const problem = eq < 0 ? "it needs KEY=VALUE" : tagNameProblem(name);
  if (problem !== undefined) return Effect.fail(refuse(`--tag '${name}': ${problem}`));
  if (seen.has(name)) return Effect.fail(refuse(`--tag '${name}' is given twice`));
  seen.add(name);
  return Effect.succeed([name, text.slice(eq + 1)] as const);
};

/** A run id that sorts by time and rarely repeats: 20261203T201500Z-3f2a. */
const newRunId = (): string => {
  const t = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const r = crypto.getRandomValues(new Uint16Array(1))[0]!.toString(16).padStart(4, "0");
  return `${t}-${r}`;
};

/** The metrics plan, or undefined when neither --metrics-listen nor --metrics-push was given. */
export const resolveMetrics = (raw: MetricsRaw, plan: RunPlan) =>
  Effect.gen(function* () {
    if (Option.isNone(raw.metricsListen) && Option.isNone(raw.metricsPush)) return undefined;
    const listen = Option.isSome(raw.metricsListen)
      ? yield* parseListen(raw.metricsListen.value)
      : undefined;
    let push: URL | undefined;
    if (Option.isSome(raw.metricsPush)) {
      push = URL.canParse(raw.metricsPush.value) ? new URL(raw.metricsPush.value) : undefined;
      if (push === undefined || (push.protocol !== "http:" && push.protocol !== "https:")) {
        return yield* refuse(
          "--metrics-push needs an http:// or https:// URL, like http://127.0.0.1:9090/api/v1/write",
        );
      }
    }
    const intervalMs = Option.isSome(raw.metricsInterval)
      ? yield* parseDuration("--metrics-interval", raw.metricsInterval.value)
      : 5000;
    if (intervalMs < 100) return yield* refuse("--metrics-interval must be 100ms or longer");
    const lingerMs = Option.isSome(raw.metricsLinger)
      ? yield* parseDuration("--metrics-linger", raw.metricsLinger.value)
      : 15_000;
    const buckets = Option.isSome(raw.metricsBuckets)
      ? yield* parseBuckets(raw.metricsBuckets.value)
      : defaultBuckets;
    const runId = Option.getOrElse(raw.runId, newRunId);
    if (runId === "") return yield* refuse("--run-id must not be empty");
    const seen = new Set<string>();
    const tags = yield* Effect.forEach(raw.tag, (t) => parseTag(t, seen));
    const first = plan.targets[0]!;
    const labels: Labels = [
      ["run_id", runId],
      // Several targets have no one method and URL: their series carry neither label.
      ...(plan.targets.length === 1
        ? [["method", first.method] as const, ["url", maskUrl(first.url)] as const]
        : []),
      ...tags,
    ];
    return {
      listen,
      push,
      intervalMs,
      required: raw.metricsRequired,
      lingerMs,
      buckets,
      labels,
    } satisfies MetricsPlan;
  });
