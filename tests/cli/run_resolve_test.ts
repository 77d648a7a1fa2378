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
    "--connect-to": { connectTo: Option.some("127.0.0.1:9") },
    "--unix-socket": { unixSocket: Option.some("no-such.sock") },
    "--no-keepalive": { noKeepalive: true },
    "--http2": { http2: true },
    "--h2c": { h2c: true },
    "--streams": { streams: Option.some("4") },
    "--follow-redirects": { followRedirects: Option.some("same") },
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
