// `run`'s flags → plan, directly: what each flag becomes, and what is refused, without a process.
import { Effect, Either, Option } from "effect";
import { resolve } from "../../src/cli/run_plan.ts";
import * as FlagRules from "../../src/cli/flag_rules.ts";
import { usableCores } from "../../src/io/cpu_quota.ts";
import { assert, assertEquals } from "../assert.ts";

type Raw = Parameters<typeof resolve>[0];

/** What @effect/cli hands over for `salvo run URL` with nothing else, then `over`. */
const raw = (over: Partial<Raw> = {}): Raw => ({
  url: Option.some("http://127.0.0.1:8080/x?page=2"),
  method: "GET",
  header: [],
  body: Option.none(),
  bodyFile: Option.none(),
  timeout: "30s",
  successStatus: Option.none(),
  insecure: false,
  cacert: Option.none(),
  followRedirects: Option.none(),
  targets: Option.none(),
  targetsOrder: Option.none(),
  targetsFormat: Option.none(),
  skipInvalid: false,
  concurrency: Option.none(),
  threads: Option.none(),
  duration: Option.none(),
  requests: Option.none(),
  delay: Option.none(),
  rate: Option.none(),
  stages: Option.none(),
  maxInFlight: Option.none(),
  precisePacing: false,
  output: "text",
  threshold: [],
  baseline: Option.none(),
  allowDifferent: false,
  abortOnFail: false,
  junit: Option.none(),
  results: Option.none(),
  interval: Option.none(),
  out: Option.none(),
  html: Option.none(),
  connectTo: Option.none(),
  unixSocket: Option.none(),
  noKeepalive: false,
  noRetry: false,
  mask: [],
  http2: false,
  h2c: false,
  streams: Option.none(),
  quiet: false,
  color: "auto",
  metricsListen: Option.none(),
  metricsPush: Option.none(),
  metricsInterval: Option.none(),
  metricsRequired: false,
  metricsLinger: Option.none(),
  metricsBuckets: Option.none(),
  baseUrl: Option.none(),
  data: Option.none(),
  dataOrder: Option.none(),
  runId: Option.none(),
  tag: [],
  ...over,
});

const run = (over: Partial<Raw>) => Effect.runSync(Effect.either(resolve(raw(over))));

Deno.test("resolve: the defaults are 10 workers for 10 s, GET, a 30 s timeout, below 400 succeeds", () => {
  const r = run({});
  assert(Either.isRight(r), String(r));
  const { plan, thresholds } = r.right;
  assertEquals(plan.model, { _tag: "Closed", workers: { start: 10, stages: [] }, delayMs: 0 });
  assertEquals([plan.durationMs, plan.maxRequests, plan.timeoutMs], [10_000, undefined, 30_000]);
  assertEquals(plan.targets.length, 1);
  assertEquals([plan.targets[0].method, plan.targets[0].url.href], [
    "GET",
    "http://127.0.0.1:8080/x?page=2",
  ]);
  assertEquals([plan.isSuccess(399), plan.isSuccess(400)], [true, false]);
  assertEquals(plan.tls, { caCerts: undefined, insecure: false });
  assertEquals(thresholds, []);
});

Deno.test("resolve: -n alone runs unbounded in time; --rate makes the open model, per millisecond", () => {
  const byCount = run({ requests: Option.some("500") });
  assert(Either.isRight(byCount));
  assertEquals([byCount.right.plan.durationMs, byCount.right.plan.maxRequests], [undefined, 500]);
  const open = run({
    rate: Option.some("200/s"),
    maxInFlight: Option.some("64"),
    duration: Option.some("3s"),
  });
  assert(Either.isRight(open));
  assertEquals(open.right.plan.model, {
    _tag: "Open",
    rate: { start: 0.2, stages: [] },
    maxInFlight: 64,
  });
  const ramp = run({ stages: Option.some("1s:20,2s:20") });
  assert(Either.isRight(ramp));
  assertEquals(ramp.right.plan.durationMs, 3000, "a ramp lasts its stages");
});

Deno.test("resolve: every broken flag combination of the rule table is refused with its message", () => {
  const given: Record<string, Partial<Raw>> = {
    "--concurrency": { concurrency: Option.some("5") },
    "--delay": { delay: Option.some("5ms") },
    "--rate": { rate: Option.some("50") },
    "--max-in-flight": { maxInFlight: Option.some("10") },
    "--precise-pacing": { precisePacing: true },
    "--body": { body: Option.some("x") },
    "--body-file": { bodyFile: Option.some("deno.json") },
    "--insecure": { insecure: true },
    "--cacert": { cacert: Option.some("tests/fixtures/ca.crt") },
    "--targets": { targets: Option.some("-"), url: Option.none() },
    "--targets-order": { targetsOrder: Option.some("random") },
    "--targets-format": { targetsFormat: Option.some("http") },
    "--skip-invalid": { skipInvalid: true },
    "--abort-on-fail": { abortOnFail: true },
    "--threshold": { threshold: ["requests>=1"] },
    "--interval": { interval: Option.some("1s") },
    "--results": { results: Option.some("-") },
    "--baseline": { baseline: Option.some("base.json") },
    "--allow-different": { allowDifferent: true },
    "--connect-to": { connectTo: Option.some("127.0.0.1:9") },
    "--unix-socket": { unixSocket: Option.some("no-such.sock") },
    "--no-keepalive": { noKeepalive: true },
    "--http2": { http2: true },
    "--h2c": { h2c: true },
    "--streams": { streams: Option.some("4") },
    "--follow-redirects": { followRedirects: Option.some("same") },
    "--metrics-listen": { metricsListen: Option.some("9464") },
    "--metrics-push": { metricsPush: Option.some("http://127.0.0.1:9/w") },
    "--metrics-interval": { metricsInterval: Option.some("1s") },
    "--metrics-required": { metricsRequired: true },
    "--metrics-linger": { metricsLinger: Option.some("1s") },
    "--metrics-buckets": { metricsBuckets: Option.some("1ms") },
    "--run-id": { runId: Option.some("r") },
    "--tag": { tag: ["a=b"] },
  };
  for (const rule of FlagRules.rules) {
    const flags = [rule.flag, ...(rule.without === undefined ? [] : [rule.without.split("|")[0]!])];
    const r = run(Object.assign({}, ...flags.map((f) => given[f]!)));
    assert(Either.isLeft(r), `${flags.join(" ")} was accepted`);
    assertEquals(r.left.message, rule.message);
  }
});

Deno.test("resolve: zero durations, zero workers and a URL with a password are refused, the password masked", () => {
  const message = (over: Partial<Raw>) => {
    const r = run(over);
    return Either.isLeft(r) ? r.left.message : "(accepted)";
  };
  assertEquals(message({ duration: Option.some("0") }), "--duration must be longer than 0");
  assertEquals(message({ timeout: "0" }), "--timeout must be longer than 0");
  assertEquals(
    message({ concurrency: Option.some("0") }),
    "--concurrency: '0' must be a whole number of at least 1",
  );
  assertEquals(
    message({ stages: Option.some("0s:5") }),
    "--stages: stage '0s:5' must last longer than 0",
  );
  assertEquals(
    message({ url: Option.some("http://me:PASSWORD@127.0.0.1/") }),
    "'http://me:****@127.0.0.1/' is not a usable URL: put credentials in an Authorization header",
  );
  assertEquals(message({ url: Option.none() }), "missing a URL (or --targets FILE)");
});

Deno.test("resolve: --threads defaults to the usable cores, half of them for a target on this machine, never more than the workers, slots or -n", () => {
  const cores = usableCores();
  const remote = run({ url: Option.some("http://192.0.2.10:8080/x") });
  assert(Either.isRight(remote));
  assertEquals(remote.right.threads, Math.min(cores, 10));
  for (const local of ["http://127.0.0.1:8080/", "http://localhost/", "http://[::1]:80/"]) {
    const dflt = run({ url: Option.some(local) });
    assert(Either.isRight(dflt));
    assertEquals(dflt.right.threads, Math.min(Math.max(1, Math.floor(cores / 2)), 10), local);
  }
  const connectTo = run({
    url: Option.some("http://api.example/"),
    connectTo: Option.some("127.0.0.1:8080"),
  });
  assert(Either.isRight(connectTo));
  assertEquals(connectTo.right.threads, Math.min(Math.max(1, Math.floor(cores / 2)), 10));
  const one = run({ concurrency: Option.some("1") });
  assert(Either.isRight(one));
  assertEquals(one.right.threads, 1, "one worker, one thread");
  const open = run({ rate: Option.some("100"), maxInFlight: Option.some("1") });
  assert(Either.isRight(open));
  assertEquals(open.right.threads, 1, "one in-flight slot, one thread");
  const few = run({ requests: Option.some("1") });
  assert(Either.isRight(few));
  assertEquals(few.right.threads, 1, "-n 1: one thread, no Worker to wait for");
  const given = run({ threads: Option.some("4"), concurrency: Option.some("40") });
  assert(Either.isRight(given));
  assertEquals(given.right.threads, 4);
});

Deno.test("resolve: --threads 0, abc, 100000, or more than the workers is refused with one line", () => {
  const message = (over: Partial<Raw>) => {
    const r = run(over);
    return Either.isLeft(r) ? r.left.message : "(accepted)";
  };
  assertEquals(
    message({ threads: Option.some("0") }),
    "--threads: '0' must be a whole number of at least 1",
  );
  assertEquals(
    message({ threads: Option.some("abc") }),
    "--threads: 'abc' must be a whole number of at least 1",
  );
  assertEquals(
    message({ threads: Option.some("100000") }),
    "--threads 100000 is more than 256; one per core is the most that helps",
  );
  assertEquals(
    message({ threads: Option.some("8"), concurrency: Option.some("4") }),
    "--threads 8 needs at least 8 workers or slots: each thread takes at least one worker (-c), and there are 4",
  );
});

Deno.test("resolve: fractional durations and rates are kept exactly, in every flag that takes one", () => {
  const closed = run({
    duration: Option.some("1.5s"),
    delay: Option.some("2.5ms"),
    timeout: "0.25s",
    results: Option.some("/tmp/never-written.ndjson"),
    interval: Option.some("0.5s"),
  });
  assert(Either.isRight(closed), String(closed));
  assertEquals(closed.right.plan.durationMs, 1500);
  assertEquals(closed.right.plan.model, {
    _tag: "Closed",
    workers: { start: 10, stages: [] },
    delayMs: 2.5,
  });
  assertEquals([closed.right.plan.timeoutMs, closed.right.intervalMs], [250, 500]);
  for (
    const [rate, perMs] of [["2.5", 0.0025], ["0.5/ms", 0.5], ["90.5/m", 90.5 / 60_000]] as const
  ) {
    const open = run({ rate: Option.some(rate), duration: Option.some(".75s") });
    assert(Either.isRight(open), `${rate}: ${open}`);
    assertEquals(open.right.plan.durationMs, 750);
    assert(open.right.plan.model._tag === "Open");
    assert(Math.abs(open.right.plan.model.rate.start - perMs) < 1e-12, `${rate}: ${perMs}`);
  }
  const ramp = run({ stages: Option.some("1.5s:2.5,0.5m:10") });
  assert(Either.isRight(ramp), String(ramp));
  assertEquals(ramp.right.plan.durationMs, 1500 + 30_000);
});

Deno.test("resolve: the metrics' labels are the run id, the method, the URL masked, and the tags in order", () => {
  const r = run({
    url: Option.some("http://127.0.0.1:8080/x?token=abc&page=2"),
    metricsListen: Option.some("9464"),
    tag: ["team=api", "env=ci=1"],
  });
  assert(Either.isRight(r), String(r));
  const m = r.right.metrics!;
  assertEquals(m.listen, { hostname: "127.0.0.1", port: 9464, shown: "127.0.0.1:9464" });
  assertEquals(m.push, undefined);
  assertEquals([m.intervalMs, m.lingerMs, m.required], [5000, 15_000, false]);
  const [k, id] = m.labels[0]!;
  const rest = m.labels.slice(1);
  assertEquals(k, "run_id");
  assert(/^\d{8}T\d{6}Z-[0-9a-f]{4}$/.test(id!), `generated run id ${id}`);
  assertEquals(rest, [
    ["method", "GET"],
    ["url", "http://127.0.0.1:8080/x?token=****&page=2"],
    ["team", "api"],
    ["env", "ci=1"],
  ]);
  const none = run({});
  assert(Either.isRight(none) && none.right.metrics === undefined, "no metrics flag, no metrics");
});

Deno.test("resolve: --metrics-listen takes a port, a host and port, or a bracketed IPv6; buckets rise in seconds", () => {
  const listen = (text: string) => {
    const r = run({ metricsListen: Option.some(text) });
    return Either.isRight(r) ? r.right.metrics!.listen : r.left.message;
  };
  assertEquals(listen("0.0.0.0:9464"), { hostname: "0.0.0.0", port: 9464, shown: "0.0.0.0:9464" });
  assertEquals(listen("[::1]:1"), { hostname: "::1", port: 1, shown: "[::1]:1" });
  assertEquals(listen("localhost:65535"), {
    hostname: "localhost",
    port: 65535,
    shown: "localhost:65535",
  });
  for (const bad of ["0", "65536", "host:", ":80", "a:b:80", "9464x"]) {
    assertEquals(
      listen(bad),
      `--metrics-listen: '${bad}' is not PORT or HOST:PORT (e.g. 9464 or 127.0.0.1:9464)`,
    );
  }
  const r = run({
    metricsPush: Option.some("https://u:p@example.test/api/v1/write"),
    metricsBuckets: Option.some("500us, 1ms,2.5ms,1s"),
    metricsInterval: Option.some("100ms"),
    runId: Option.some("main-42"),
  });
  assert(Either.isRight(r), String(r));
  const m = r.right.metrics!;
  assertEquals(m.buckets, [0.0005, 0.001, 0.0025, 1]);
  assertEquals(m.intervalMs, 100);
  assertEquals(m.labels[0], ["run_id", "main-42"]);
  assertEquals(m.push?.href, "https://u:p@example.test/api/v1/write");
});

Deno.test("resolve: each malformed metrics flag is refused with its one line", () => {
  const message = (over: Partial<Raw>) => {
    const r = run(over);
    return Either.isLeft(r) ? r.left.message : "(accepted)";
  };
  const listen = { metricsListen: Option.some("9464") };
  const cases: Array<[Partial<Raw>, string]> = [
    [
      { metricsPush: Option.some("ftp://x/") },
      "--metrics-push needs an http:// or https:// URL, like http://127.0.0.1:9090/api/v1/write",
    ],
    [
      { metricsPush: Option.some("not a url") },
      "--metrics-push needs an http:// or https:// URL, like http://127.0.0.1:9090/api/v1/write",
    ],
    [
      { metricsPush: Option.some("http://127.0.0.1:1/w"), metricsInterval: Option.some("99ms") },
      "--metrics-interval must be 100ms or longer",
    ],
    [
      { ...listen, tag: ["bad-name=x"] },
      "--tag 'bad-name': a label name is letters, digits and _, not starting with a digit",
    ],
    [
      { ...listen, tag: ["status=x"] },
      "--tag 'status': salvo or Prometheus sets that label itself",
    ],
    [
      { ...listen, tag: ["__meta=x"] },
      "--tag '__meta': names starting with __ are Prometheus's own",
    ],
    [{ ...listen, tag: ["team"] }, "--tag 'team': it needs KEY=VALUE"],
    [{ ...listen, tag: ["a=1", "a=2"] }, "--tag 'a' is given twice"],
    [
      { ...listen, metricsBuckets: Option.some("5ms,1ms") },
      "--metrics-buckets: the bounds must rise; '1ms' does not",
    ],
    [
      { ...listen, metricsBuckets: Option.some("5ms,5ms") },
      "--metrics-buckets: the bounds must rise; '5ms' does not",
    ],
    [{ ...listen, metricsBuckets: Option.some("0,1ms") }, "--metrics-buckets: '0' must be above 0"],
    [
      { ...listen, metricsBuckets: Option.some(" , ") },
      "--metrics-buckets: give bounds like 1ms,5ms,25ms",
    ],
    [
      { ...listen, metricsBuckets: Option.some("5ms,soon") },
      "--metrics-buckets: 'soon' is not a duration; use a number with a unit, like 500ms, 3s or 2m",
    ],
    [{ ...listen, runId: Option.some("") }, "--run-id must not be empty"],
  ];
  for (const [over, said] of cases) assertEquals(message(over), said, JSON.stringify(over));
});
