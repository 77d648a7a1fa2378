// What to send, as `run` and `knee` take it: the URL or --targets, method, headers, body, TLS, timeout.
import { Args, Command, Options } from "@effect/cli";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Option from "effect/Option";
import * as Request from "../core/request.ts";
import * as Status from "../core/status.ts";
import * as Targets from "../core/targets.ts";
import { parseCount, parseDuration } from "../core/units.ts";
import { UsageError } from "../domain/errors.ts";
import type { RequestSpec, RunPlan } from "../domain/plan.ts";
import { messageOf } from "../domain/thrown.ts";

const url = Args.text({ name: "url" }).pipe(
  Args.optional,
  Args.withDescription("http:// or https:// URL to load"),
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
const connectTo = Options.text("connect-to").pipe(
  Options.optional,
  Options.withDescription(
    "Connect to HOST:PORT instead of the URL's host; the URL's host stays in Host and TLS's SNI",
  ),
);
const unixSocket = Options.text("unix-socket").pipe(
  Options.optional,
  Options.withDescription("Send over this unix socket (http:// URLs; Host from the URL)"),
);
const noKeepalive = Options.boolean("no-keepalive").pipe(
  Options.withDescription(
    "A new connection per request (Connection: close); connect and TLS handshake times reported apart",
  ),
);
const mask = Options.text("mask").pipe(
  Options.repeated,
  Options.withDescription(
    "Mask the values of headers and query parameters whose name contains NAME, besides the built-in rule (repeatable)",
  ),
);
const noRetry = Options.boolean("no-retry").pipe(
  Options.withDescription(
    "Never send a request again after its connection closed before an answer (idempotent methods are resent once by default)",
  ),
);
const http2 = Options.boolean("http2").pipe(
  Options.withDescription("HTTP/2 over TLS, agreed by ALPN (https:// URLs)"),
);
const h2c = Options.boolean("h2c").pipe(
  Options.withDescription("HTTP/2 in cleartext with prior knowledge (http:// URLs)"),
);
const streams = Options.text("streams").pipe(
  Options.withAlias("m"),
  Options.optional,
  Options.withDescription("Concurrent streams per HTTP/2 connection (default 1)"),
);
const skipInvalid = Options.boolean("skip-invalid").pipe(
  Options.withDescription(
    "Skip and count malformed --targets entries instead of stopping at the first",
  ),
);

/** Parses an optional flag's value when it was given. */
export const optional = <A, E>(
  o: Option.Option<string>,
  parse: (s: string) => Either.Either<A, E>,
): Either.Either<A | undefined, E> =>
  Option.match(o, { onNone: () => Either.right(undefined), onSome: parse });

const readBody = (raw: RequestRaw): Effect.Effect<Uint8Array | undefined, UsageError> => {
  if (Option.isSome(raw.body)) return Effect.succeed(new TextEncoder().encode(raw.body.value));
  if (Option.isNone(raw.bodyFile)) return Effect.succeed(undefined);
  const path = raw.bodyFile.value;
  return Effect.tryPromise({
    try: () => Deno.readFile(path),
    catch: (e) =>
      new UsageError({
        reason: "file",
        message: `--body-file: cannot read '${path}': ${messageOf(e)}`,
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
          message: `--targets: cannot read '${path}': ${messageOf(e)}`,
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
                message: `--targets line ${t.line}: cannot read body file: ${messageOf(e)}`,
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
        message: `--cacert: cannot read '${path}': ${messageOf(e)}`,
      }),
  }).pipe(
    Effect.filterOrFail(
      (pem) => pem.includes("-----BEGIN CERTIFICATE-----"),
      () =>
        new UsageError({ reason: "file", message: `--cacert: '${path}' holds no PEM certificate` }),
    ),
    Effect.map((pem) => [pem]),
  );

/** The request options, shared by every command that sends. */
export const requestOptions = {
  url,
  method,
  header,
  body,
  bodyFile,
  timeout,
  successStatus,
  insecure,
  cacert,
  followRedirects,
  targets,
  targetsOrder,
  targetsFormat,
  skipInvalid,
  connectTo,
  unixSocket,
  noKeepalive,
  noRetry,
  mask,
  http2,
  h2c,
  streams,
};

export type RequestRaw = Command.Command.ParseConfig<typeof requestOptions>;

/** The request flags given on the command line, for the combination rules (cli/flag_rules.ts). */
export const requestFlags = (raw: RequestRaw): ReadonlyArray<string> =>
  ([
    ["--body", Option.isSome(raw.body)],
    ["--body-file", Option.isSome(raw.bodyFile)],
    ["--insecure", raw.insecure],
    ["--cacert", Option.isSome(raw.cacert)],
    ["--targets", Option.isSome(raw.targets)],
    ["--targets-order", Option.isSome(raw.targetsOrder)],
    ["--targets-format", Option.isSome(raw.targetsFormat)],
    ["--skip-invalid", raw.skipInvalid],
    ["--connect-to", Option.isSome(raw.connectTo)],
    ["--unix-socket", Option.isSome(raw.unixSocket)],
    ["--no-keepalive", raw.noKeepalive],
    ["--no-retry", raw.noRetry],
    ["--mask", raw.mask.length > 0],
    ["--http2", raw.http2],
    ["--h2c", raw.h2c],
    ["--streams", Option.isSome(raw.streams)],
    ["--follow-redirects", Option.isSome(raw.followRedirects)],
  ] as const).filter(([, given]) => given).map(([flag]) => flag);

/** The part of a run's plan that says what to send. */
export type RequestPlan = Pick<
  RunPlan,
  | "targets"
  | "targetsOrder"
  | "timeoutMs"
  | "tls"
  | "transport"
  | "followRedirects"
  | "isSuccess"
  | "mask"
>;

/** Streams per connection at most: servers allow about 100 to 256 at once (nginx 128). */
const maxStreams = 1000;

const flagError = (message: string) => new UsageError({ reason: "flag", message });

/** --connect-to HOST:PORT (an IPv6 address in brackets). */
const parseConnectTo = (
  text: string,
): Either.Either<{ hostname: string; port: number }, UsageError> => {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:\s\[\]]+):(\d{1,5})$/.exec(text);
  const port = m === null ? 0 : Number(m[2]);
  return m === null || port < 1 || port > 65535
    ? Either.left(flagError(`--connect-to: '${text}' is not HOST:PORT, like 127.0.0.1:8080`))
    : Either.right({ hostname: m[1]!.replace(/^\[|\]$/g, ""), port });
};

/** --unix-socket PATH: it must be a socket now, or every request would fail the same way. */
const checkSocket = (path: string): Effect.Effect<string, UsageError> =>
  Effect.tryPromise({
    try: () => Deno.stat(path),
    catch: (e) => flagError(`--unix-socket: no socket at '${path}' (${messageOf(e)})`),
  }).pipe(
    Effect.filterOrFail(
      (info) => info.isSocket === true,
      () => flagError(`--unix-socket: '${path}' is not a socket`),
    ),
    Effect.as(path),
  );

/** Resolves the request flags, reading the files they name; the first problem found is reported. */
export const resolveRequest = (raw: RequestRaw): Effect.Effect<RequestPlan, UsageError> =>
  Effect.gen(function* () {
    // Before anything is echoed, refusals included.
    yield* Effect.sync(() => Request.maskAlso(raw.mask));
    if (Option.isSome(raw.url) === Option.isSome(raw.targets)) {
      return yield* new UsageError({
        reason: "flag",
        message: Option.isSome(raw.url)
          ? "give a URL or --targets, not both"
          : "missing a URL (or --targets FILE)",
      });
    }
    const timeoutMs = yield* parseDuration("--timeout", raw.timeout);
    const methodName = yield* Request.parseMethod(raw.method);
    const headers = yield* Effect.forEach(raw.header, (h) => Request.parseHeader(h));
    const isSuccess = yield* optional(raw.successStatus, Status.parseSuccessStatus);
    const requestBody = yield* readBody(raw);
    const caCerts = yield* optional(raw.cacert, (path) => Either.right(path)).pipe(
      Effect.flatMap((path) => path === undefined ? Effect.succeed(undefined) : readCaCert(path)),
    );
    const to = yield* optional(raw.connectTo, parseConnectTo);
    const socket = Option.isSome(raw.unixSocket)
      ? yield* checkSocket(raw.unixSocket.value)
      : undefined;
    if (timeoutMs === 0) {
      return yield* new UsageError({
        reason: "duration",
        message: "--timeout must be longer than 0",
      });
    }
    const targets = yield* Option.match(raw.targets, {
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
    });
    for (const [i, t] of targets.entries()) {
      const problem = Request.framingProblem(t.headers, t.body?.length ?? 0);
      if (problem !== undefined) {
        return yield* new UsageError({
          reason: "header",
          message: Option.isSome(raw.targets)
            ? `--targets: target ${i + 1} (${t.method} ${Request.maskUrl(t.url)}): ${problem}`
            : `--header: ${problem}`,
        });
      }
    }
    if (socket !== undefined && targets.some((t) => t.url.protocol === "https:")) {
      return yield* flagError("--unix-socket carries http:// only, in clear; the URL is https://");
    }
    if (raw.http2 && targets.some((t) => t.url.protocol !== "https:")) {
      return yield* flagError(
        "--http2 is HTTP/2 over TLS and needs an https:// URL; for cleartext HTTP/2 use --h2c",
      );
    }
    if (raw.h2c && targets.some((t) => t.url.protocol !== "http:")) {
      return yield* flagError(
        "--h2c is cleartext HTTP/2 and needs an http:// URL; over TLS use --http2",
      );
    }
    const streamCount = yield* optional(raw.streams, (s) => parseCount("--streams", s, 1));
    if (streamCount !== undefined && streamCount > maxStreams) {
      return yield* flagError(`--streams: at most ${maxStreams} per connection`);
    }
    return {
      targets,
      targetsOrder: Option.getOrElse(raw.targetsOrder, () => "round-robin" as const),
      timeoutMs,
      tls: { caCerts, insecure: raw.insecure },
      transport: {
        connectTo: to,
        unixSocket: socket,
        keepAlive: !raw.noKeepalive,
        http2: raw.http2 || raw.h2c,
        streams: streamCount ?? 1,
        retry: !raw.noRetry,
      },
      followRedirects: Option.getOrUndefined(raw.followRedirects),
      isSuccess: isSuccess ?? Status.defaultSuccess,
      mask: raw.mask,
    };
  });
