// `salvo serve`: runs the built-in target on loopback until interrupted, then reports its count.
import { Command, Options } from "@effect/cli";
import * as Console from "effect/Console";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { UsageError } from "../domain/errors.ts";
import { parseDuration } from "../core/units.ts";
import * as Target from "../serve/target.ts";

const port = Options.integer("port").pipe(
  Options.withAlias("p"),
  Options.withDefault(8080),
  Options.withDescription("Port to listen on; 0 picks a free one"),
);
const host = Options.text("host").pipe(
  Options.withDefault("127.0.0.1"),
  Options.withDescription("Address to listen on (keep it on loopback)"),
);
const latency = Options.text("latency").pipe(
  Options.withDefault("0ms"),
  Options.withDescription("Delay before each answer, e.g. 50ms"),
);
const capacity = Options.integer("capacity").pipe(
  Options.optional,
  Options.withDescription(
    "Serve at most N requests at once, each for --latency, queueing the rest in order: capacity N ÷ latency",
  ),
);
const errorRate = Options.float("error-rate").pipe(
  Options.withDefault(0),
  Options.withDescription(
    "Fraction 0..1 of requests answered 503, spread evenly (0.1: every 10th)",
  ),
);

export const serveCommand = Command.make(
  "serve",
  { port, host, latency, errorRate, capacity },
  (o) =>
    Effect.gen(function* () {
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
        return yield* new UsageError({
          reason: "number",
          message: `--port: '${o.port}' is not a port 0..65535`,
        });
      }
      if (!(o.errorRate >= 0 && o.errorRate <= 1)) {
        return yield* new UsageError({
          reason: "number",
          message: `--error-rate: '${o.errorRate}' is not between 0 and 1`,
        });
      }
      const latencyMs = yield* parseDuration("--latency", o.latency);
      const slots = Option.getOrUndefined(o.capacity);
      if (slots !== undefined && (!Number.isInteger(slots) || slots < 1 || slots > 100_000)) {
        return yield* new UsageError({
          reason: "number",
          message: `--capacity: '${slots}' is not a number of slots 1..100000`,
        });
      }
      if (slots !== undefined && latencyMs <= 0) {
        return yield* new UsageError({
          reason: "flag",
          message: "--capacity needs --latency above 0: each slot is busy that long per request",
        });
      }
      const target = yield* Effect.acquireRelease(
        Effect.try({
          try: () =>
            Target.start({
              hostname: o.host,
              port: o.port,
              latencyMs,
              errorRate: o.errorRate,
              ...(slots === undefined ? {} : { capacity: slots }),
            }),
          catch: (e) =>
            new UsageError({
              reason: "flag",
              message: `cannot listen on ${o.host}:${o.port}: ${String(e)}`,
            }),
        }),
        (t) =>
          Effect.promise(() => t.shutdown()).pipe(
            Effect.andThen(Console.error(`serve received ${t.count()} requests`)),
          ),
      );
      yield* Console.log(
        `listening on ${target.url} (request count at ${target.url}${Target.statsPath})`,
      );
      return yield* Effect.never;
    }).pipe(Effect.scoped),
).pipe(
  Command.withDescription(
    'Run the built-in HTTP target on loopback, for demos and tests. It answers every path with 200 \'ok\', counts what it received, and reports the count at /__salvo/stats and on exit. A small stateful API serves multi-step flows: POST /login {"user", "password": "salvo"} gives a token (Authorization: Bearer, or the session cookie) for GET and POST /items and GET /items/ID.\n\nExamples:\n  salvo serve --port 8080 --latency 2ms --error-rate 0.1\n  salvo serve --port 8080 --capacity 4 --latency 10ms   # at most 400 req/s; beyond, a queue',
  ),
);
