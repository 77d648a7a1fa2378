// `salvo run URL`: resolves flags into a plan, runs it, prints the summary.
import { Args, Command, Options } from "@effect/cli";
import { Duration, Effect, Either, Option, Ref, Schedule } from "effect";
import * as Pacing from "../core/pacing.ts";
import * as Request from "../core/request.ts";
import * as Status from "../core/status.ts";
import * as Targets from "../core/targets.ts";
import * as Thresholds from "../core/thresholds.ts";
import { parseCount, parseDuration } from "../core/units.ts";
import { RunError, UsageError } from "../domain/errors.ts";
import { openFileLimit, reservedFiles } from "../io/fd_limit.ts";
import { IntervalSink } from "../io/interval_sink.ts";
import { ResultsSink } from "../io/results_sink.ts";
import { concurrencyOf, type LoadModel, type RequestSpec, type RunPlan } from "../domain/plan.ts";
import * as Engine from "../engine/run.ts";
import * as Text from "../report/text.ts";
import { junit, out, output, threshold } from "./common_options.ts";
import { set as setExitCode } from "./exit_code.ts";
import * as FlagRules from "./flag_rules.ts";
import * as Report from "./reporting.ts";

const url = Args.text({ name: "url" }).pipe(
  Args.optional,
  Args.withDescription("http:// or https:// URL to load"),
);
const concurrency = Options.text("concurrency").pipe(
  Options.withAlias("c"),
  Options.optional,
  Options.withDescription(
    "Concurrent workers, each with its own keep-alive connection (default 10)",
  ),
);
const duration = Options.text("duration").pipe(
  Options.withAlias("d"),
  Options.optional,
  Options.withDescription(
    "How long to send: 500ms, 3s, 2m (default 10s, or unbounded with -n alone)",
  ),
);
const requests = Options.text("requests").pipe(
  Options.withAlias("n"),
  Options.optional,
  Options.withDescription("Stop after this many requests (with -d, whichever comes first)"),
);
const delay = Options.text("delay").pipe(
  Options.optional,
  Options.withDescription("Pause between one worker's requests, e.g. 20ms"),
);
const rate = Options.text("rate").pipe(
  Options.optional,
  Options.withDescription(
    "Open model: arrivals per second (200, 200/s, 12000/m) whatever the responses do; latency counts from each request's intended start",
  ),
);
const stages = Options.text("stages").pipe(
  Options.optional,
  Options.withDescription(
    "Ramps 'DURATION:TARGET,…' (10s:100,1m:100,10s:0): of the rate with --rate, else of the worker count, starting from --rate or -c",
  ),
);
const maxInFlight = Options.text("max-in-flight").pipe(
  Options.optional,
  Options.withDescription(
    "Open model: most requests in flight at once; an arrival with none free is dropped (default 1000, or what ulimit -n allows)",
  ),
);
const method = Options.text("method").pipe(
  Options.withAlias("X"),
  Options.withDefault("GET"),
  Options.withDescription("HTTP method"),
);
const header = Options.text("header").pipe(
  Options.withAlias("H"),
  Options.repeated,
  Options.withDescription("Request header 'Name: value'; repeatable"),
);
const body = Options.text("body").pipe(Options.optional, Options.withDescription("Request body"));
const bodyFile = Options.text("body-file").pipe(
  Options.optional,
  Options.withDescription("Read the request body from this file"),
);
const timeout = Options.text("timeout").pipe(
  Options.withDefault("30s"),
  Options.withDescription("Per-request timeout, connect included"),
);
const successStatus = Options.text("success-status").pipe(
  Options.optional,
  Options.withDescription("Statuses that count as success, e.g. 200-299,304 (default: below 400)"),
);
const abortOnFail = Options.boolean("abort-on-fail").pipe(
  Options.withDescription(
    "Stop as soon as a threshold can no longer pass (e.g. failures<=3 exceeded)",
  ),
);
const insecure = Options.boolean("insecure").pipe(
  Options.withAlias("k"),
  Options.withDescription("https: do not verify the server's certificate"),
);
const cacert = Options.text("cacert").pipe(
  Options.optional,
  Options.withDescription("https: also trust the CA certificate(s) in this PEM file"),
);
const followRedirects = Options.choice("follow-redirects", ["same", "any"]).pipe(
  Options.optional,
  Options.withDescription(
    "Follow redirects: --follow-redirects (same host only) or --follow-redirects=any (credentials are not sent to another host)",
  ),
);
const targets = Options.text("targets").pipe(
  Options.optional,
  Options.withDescription(
    "Many requests instead of one URL, from FILE or '-' (stdin): vegeta's format (METHOD URL, headers, @body) or NDJSON {method,url,headers,body}",
  ),
);
const targetsOrder = Options.choice("targets-order", ["round-robin", "random"]).pipe(
  Options.optional,
  Options.withDescription("How --targets are taken (default round-robin)"),
);
const targetsFormat = Options.choice("targets-format", ["auto", "http", "json", "ndjson"]).pipe(
  Options.optional,
  Options.withDescription(
    "--targets format: http (vegeta's text), json (vegeta's JSON: header lists, base64 body), ndjson (salvo's: headers, text body); auto tells them apart",
  ),
);
const skipInvalid = Options.boolean("skip-invalid").pipe(
  Options.withDescription(
    "Skip and count malformed --targets entries instead of stopping at the first",
  ),
);
const results = Options.text("results").pipe(
  Options.optional,
  Options.withDescription(
    "Stream one NDJSON line per request to FILE, or to stdout with '-' (the summary then goes to stderr)",
  ),
);
const interval = Options.text("interval").pipe(
  Options.optional,
  Options.withDescription(
    "With --results: write one record per window of this length (counts and histogram) instead of a line per request",
  ),
);
const quiet = Options.boolean("quiet").pipe(
  Options.withAlias("q"),
  Options.withDescription("No progress line on stderr"),
);

const options = {
  url,
  concurrency,
  duration,
  requests,
  delay,
  rate,
  stages,
  maxInFlight,
  method,
  header,
  body,
  bodyFile,
  timeout,
  successStatus,
  output,
  threshold,
  abortOnFail,
  junit,
  insecure,
  cacert,
  followRedirects,
  targets,
  targetsOrder,
  targetsFormat,
  skipInvalid,
  results,
  interval,
  out,
  quiet,
};

type Raw = Command.Command.ParseConfig<typeof options>;

const optional = <A, E>(
  o: Option.Option<string>,
  parse: (s: string) => Either.Either<A, E>,
): Either.Either<A | undefined, E> =>
  Option.match(o, { onNone: () => Either.right(undefined), onSome: parse });

const readBody = (raw: Raw): Effect.Effect<Uint8Array | undefined, UsageError> => {
  if (Option.isSome(raw.body)) return Effect.succeed(new TextEncoder().encode(raw.body.value));
  if (Option.isNone(raw.bodyFile)) return Effect.succeed(undefined);
  const path = raw.bodyFile.value;
  return Effect.tryPromise({
    try: () => Deno.readFile(path),
    catch: (e) =>
      new UsageError({
        reason: "file",
        message: `--body-file: cannot read '${path}': ${
          e instanceof Error ? e.message : String(e)
        }`,
      }),
  });
};

/** Reads --targets; each target gets the -H headers (its own win) and, without a body of its own, --body. */
const readTargets = (
  skipInvalid: boolean,
  format: Targets.Format,
  path: string,
  headers: ReadonlyArray<readonly [string, string]>,
  body: Uint8Array | undefined,
): Effect.Effect<readonly [RequestSpec, ...RequestSpec[]], UsageError> =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: async () =>
        path === "-"
          ? await new Response(Deno.stdin.readable).text()
          : await Deno.readTextFile(path),
      catch: (e) =>
        new UsageError({
          reason: "file",
          message: `--targets: cannot read '${path}': ${
            e instanceof Error ? e.message : String(e)
          }`,
        }),
    });
    const { entries, skipped } = yield* Targets.parse(text, skipInvalid, format);
    if (skipped > 0) {
      yield* Effect.sync(() =>
        console.error(
          `salvo: --targets: skipped ${skipped} invalid target${skipped === 1 ? "" : "s"}`,
        )
      );
    }
    const specs = yield* Effect.forEach(entries, (t) =>
      Effect.gen(function* () {
        const own = new Set(t.headers.map(([k]) => k.toLowerCase()));
        const merged = [...headers.filter(([k]) => !own.has(k.toLowerCase())), ...t.headers];
        const b = t.body === undefined
          ? body
          : "text" in t.body
          ? new TextEncoder().encode(t.body.text)
          : "bytes" in t.body
          ? t.body.bytes
          : yield* Effect.tryPromise({
            try: () => Deno.readFile((t.body as { file: string }).file),
            catch: (e) =>
              new UsageError({
                reason: "file",
                message: `--targets line ${t.line}: cannot read body file: ${
                  e instanceof Error ? e.message : String(e)
                }`,
              }),
          });
        return { method: t.method, url: t.url, headers: merged, body: b } satisfies RequestSpec;
      }));
    return [specs[0]!, ...specs.slice(1)] as const;
  });

const readCaCert = (path: string): Effect.Effect<ReadonlyArray<string>, UsageError> =>
  Effect.tryPromise({
    try: () => Deno.readTextFile(path),
    catch: (e) =>
      new UsageError({
        reason: "file",
        message: `--cacert: cannot read '${path}': ${e instanceof Error ? e.message : String(e)}`,
      }),
  }).pipe(
    Effect.filterOrFail(
      (pem) => pem.includes("-----BEGIN CERTIFICATE-----"),
      () =>
        new UsageError({ reason: "file", message: `--cacert: '${path}' holds no PEM certificate` }),
    ),
    Effect.map((pem) => [pem]),
  );

/** The flags given on the command line (those with a default count only when given). */
const givenFlags = (raw: Raw): ReadonlySet<string> => {
  const given = new Set<string>();
  const add = (flag: string, on: boolean) => on && given.add(flag);
  add("--concurrency", Option.isSome(raw.concurrency));
  add("--delay", Option.isSome(raw.delay));
  add("--rate", Option.isSome(raw.rate));
  add("--max-in-flight", Option.isSome(raw.maxInFlight));
  add("--body", Option.isSome(raw.body));
  add("--body-file", Option.isSome(raw.bodyFile));
  add("--insecure", raw.insecure);
  add("--cacert", Option.isSome(raw.cacert));
  add("--targets", Option.isSome(raw.targets));
  add("--targets-order", Option.isSome(raw.targetsOrder));
  add("--targets-format", Option.isSome(raw.targetsFormat));
  add("--skip-invalid", raw.skipInvalid);
  add("--abort-on-fail", raw.abortOnFail);
  add("--threshold", raw.threshold.length > 0);
  add("--interval", Option.isSome(raw.interval));
  add("--results", Option.isSome(raw.results));
  return given;
};

/** Default --max-in-flight: 1000, lowered to what the open-file limit leaves for connections. */
const defaultMaxInFlight = 1000;

/** Resolves raw flags into a plan and its thresholds; the first problem found is reported. */
export const resolve = (
  raw: Raw,
): Effect.Effect<{ plan: RunPlan; thresholds: ReadonlyArray<Thresholds.Threshold> }, UsageError> =>
  Effect.gen(function* () {
    const conflict = FlagRules.check(givenFlags(raw));
    if (conflict !== undefined) return yield* new UsageError({ reason: "flag", message: conflict });
    const thresholds = yield* Effect.forEach(raw.threshold, (t) => Thresholds.parse(t));
    if (Option.isSome(raw.url) === Option.isSome(raw.targets)) {
      return yield* new UsageError({
        reason: "flag",
        message: Option.isSome(raw.url)
          ? "give a URL or --targets, not both"
          : "missing a URL (or --targets FILE)",
      });
    }
    const concurrency = yield* parseCount(
      "--concurrency",
      Option.getOrElse(raw.concurrency, () => "10"),
      1,
    );
    const durationMs = yield* optional(raw.duration, (s) => parseDuration("--duration", s));
    const maxRequests = yield* optional(raw.requests, (s) => parseCount("--requests", s, 1));
    const delayMs = yield* optional(raw.delay, (s) => parseDuration("--delay", s));
    const timeoutMs = yield* parseDuration("--timeout", raw.timeout);
    const methodName = yield* Request.parseMethod(raw.method);
    const headers = yield* Effect.forEach(raw.header, (h) => Request.parseHeader(h));
    const isSuccess = yield* optional(raw.successStatus, Status.parseSuccessStatus);
    const requestBody = yield* readBody(raw);
    const caCerts = yield* optional(raw.cacert, (path) => Either.right(path)).pipe(
      Effect.flatMap((path) => path === undefined ? Effect.succeed(undefined) : readCaCert(path)),
    );
    if (durationMs === 0) {
      return yield* new UsageError({
        reason: "duration",
        message: "--duration must be longer than 0",
      });
    }
    if (timeoutMs === 0) {
      return yield* new UsageError({
        reason: "duration",
        message: "--timeout must be longer than 0",
      });
    }
    const rateValue = yield* optional(raw.rate, Pacing.parseRate);
    const stageList = yield* optional(raw.stages, Pacing.parseStages);
    const limit = openFileLimit();
    const inFlight = Option.isSome(raw.maxInFlight)
      ? yield* parseCount("--max-in-flight", raw.maxInFlight.value, 1)
      : Math.max(1, Math.min(defaultMaxInFlight, (limit ?? Infinity) - reservedFiles));
    const ramp = stageList ?? [];
    const model: LoadModel = rateValue !== undefined
      ? {
        _tag: "Open",
        rate: {
          start: rateValue / 1000,
          stages: ramp.map((st) => ({ ...st, target: st.target / 1000 })),
        },
        maxInFlight: inFlight,
      }
      : { _tag: "Closed", workers: { start: concurrency, stages: ramp }, delayMs: delayMs ?? 0 };
    if (model._tag === "Closed" && concurrencyOf(model) < 1) {
      return yield* new UsageError({
        reason: "flag",
        message: "--stages: the ramp never has a worker",
      });
    }
    // Each worker (closed) or request in flight (open) holds a connection: an open file.
    const needed = concurrencyOf(model) + reservedFiles;
    if (limit !== undefined && needed > limit) {
      const flag = model._tag === "Closed" ? "-c" : "--max-in-flight";
      return yield* new UsageError({
        reason: "number",
        message:
          `${flag} ${
            concurrencyOf(model)
          } needs about ${needed} open files, but the limit is ${limit} ` +
          `(ulimit -n); raise it with 'ulimit -n ${needed}' or lower ${flag}`,
      });
    }
    const rampMs = ramp.reduce((t, st) => t + st.durationMs, 0);
    const plan: RunPlan = {
      targets: yield* Option.match(raw.targets, {
        onNone: () =>
          Effect.map(
            Request.parseUrl(Option.getOrThrow(raw.url)),
            (target) => [{ method: methodName, url: target, headers, body: requestBody }] as const,
          ),
        onSome: (path) =>
          readTargets(
            raw.skipInvalid,
            Option.getOrElse(raw.targetsFormat, () => "auto" as const),
            path,
            headers,
            requestBody,
          ),
      }),
      targetsOrder: Option.getOrElse(raw.targetsOrder, () => "round-robin" as const),
      model,
      durationMs: durationMs ??
        (rampMs > 0 ? rampMs : maxRequests === undefined ? 10_000 : undefined),
      maxRequests,
      timeoutMs,
      tls: { caCerts, insecure: raw.insecure },
      followRedirects: Option.getOrUndefined(raw.followRedirects),
      isSuccess: isSuccess ?? Status.defaultSuccess,
    };
    return { plan, thresholds };
  });

const encoder = new TextEncoder();

/** The terminal's width; a line as wide as it would wrap, and a wrapped line cannot be redrawn. */
const columns = (): number => {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
};

/** Redraws the progress line on stderr from the latest snapshot, cut to the terminal's width. */
const progressLoop = (progress: Ref.Ref<Engine.Snapshot>) =>
  Ref.get(progress).pipe(
    Effect.flatMap((s) =>
      // Nothing to show until the first snapshot of the run.
      s === Engine.emptySnapshot ? Effect.void : Effect.sync(() =>
        Deno.stderr.writeSync(
          encoder.encode(
            `\r\x1b[2K${
              Text.progressLine(s.elapsedMs, s.requests, s.failures).slice(
                0,
                Math.max(1, columns() - 1),
              )
            }`,
          ),
        )
      )
    ),
    Effect.repeat(Schedule.spaced(Duration.millis(250))),
    Effect.asVoid,
  );

const clearProgress = Effect.sync(() => Deno.stderr.writeSync(encoder.encode("\r\x1b[2K")));

const runHandler = (raw: Raw) =>
  Effect.gen(function* () {
    const { plan, thresholds } = yield* resolve(raw);
    const resultsPath = Option.getOrUndefined(raw.results);
    const intervalMs = yield* optional(raw.interval, (t) => parseDuration("--interval", t));
    if (intervalMs !== undefined && intervalMs <= 0) {
      return yield* new UsageError({
        reason: "flag",
        message: "--interval needs --results FILE and a duration above 0, like --interval 1s",
      });
    }
    const files = {
      junit: Option.getOrUndefined(raw.junit),
      out: Option.getOrUndefined(raw.out),
      summaryToStderr: resultsPath === "-",
      results: resultsPath,
    };
    yield* Report.checkFiles(files);
    const sink = resultsPath === undefined
      ? undefined
      : yield* openResults(resultsPath, plan, intervalMs);
    const run = Engine.prepare(plan, sink?.sink);
    const progress = yield* Ref.make<Engine.Snapshot>(Engine.emptySnapshot);
    const stopWhen = raw.abortOnFail && thresholds.length > 0
      ? (s: Engine.Snapshot) => thresholds.some((t) => Thresholds.cannotPass(t, snapshotFigures(s)))
      : undefined;
    const execute = Engine.execute(run, progress, stopWhen);
    const load = !raw.quiet && Deno.stderr.isTerminal()
      ? Effect.scoped(Effect.forkScoped(progressLoop(progress)).pipe(Effect.andThen(execute))).pipe(
        Effect.ensuring(clearProgress),
      )
      : execute;
    const finish = Effect.suspend(() =>
      Report.report(
        Report.runSubject(
          plan,
          Engine.outcome(run),
          Math.round((performance.timeOrigin + run.startedAt) * 1000),
        ),
        thresholds,
        raw.output,
        files,
      )
    ).pipe(Effect.ensuring(Effect.sync(() => sink?.close())));
    // The summary is printed however the run ends, Ctrl-C included (the exit code is then 130).
    const code = yield* load.pipe(
      Effect.onInterrupt(() => Effect.ignore(finish)),
      Effect.andThen(finish),
    );
    yield* setExitCode(code);
  });

/** Opens the --results destination before the run, so an unwritable path stops salvo before any request. */
const openResults = (path: string, plan: RunPlan, intervalMs: number | undefined) =>
  Effect.try({
    try: () => {
      const file = path === "-"
        ? undefined
        : Deno.openSync(path, { write: true, create: true, truncate: true });
      const first = plan.targets[0];
      const target = plan.targets.length === 1
        ? `${first.method} ${Request.maskUrl(first.url)}`
        : `${plan.targets.length} targets`;
      const out = file ?? Deno.stdout;
      return {
        sink: intervalMs === undefined
          ? new ResultsSink(out)
          : new IntervalSink(out, intervalMs, target),
        close: () => file?.close(),
      };
    },
    catch: (e) =>
      new RunError({
        reason: "output",
        message: `--results: cannot write '${path}': ${e instanceof Error ? e.message : String(e)}`,
      }),
  });

/** Mid-run figures for --abort-on-fail: counts and max latency (the ones that only grow). */
const snapshotFigures = (s: Engine.Snapshot): Thresholds.Figures => ({
  requests: s.requests,
  successes: s.successes,
  failures: s.failures,
  rps: 0,
  latencyMs: (name) => (name === "max" ? s.maxUs / 1000 : 0),
  percentileMs: () => 0,
});

export const runCommand = Command.make("run", options, runHandler).pipe(
  Command.withDescription(
    [
      "Send HTTP requests from concurrent workers for a duration or a count, then print a summary.",
      "",
      "Examples:",
      "  salvo run http://127.0.0.1:8080/health -c 8 -d 3s --delay 5ms",
      "  salvo run https://api.example.test/items -n 1000 -c 50 -H 'Authorization: Bearer $TOKEN'",
      "  salvo run http://127.0.0.1:8080/ -X POST --body-file payload.json -o json | jq .latency_ms",
      "",
      "  salvo run http://127.0.0.1:8080/ -c 8 -d 3s --threshold 'requests>=15' --threshold 'p(95)<300ms'",
      "  salvo run http://127.0.0.1:8080/ --rate 500 --stages 10s:2000,1m:2000,10s:0   # open model, ramped",
      "",
      "Exit codes: 0 ok · 1 a threshold failed · 2 bad usage or input · 3 salvo could not do its job · 130 interrupted",
    ].join("\n"),
  ),
);
