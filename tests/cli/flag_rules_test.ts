// Every flag is used or refused: each row of the combination table, broken and kept, by the table and by the CLI.
import * as FlagRules from "../../src/cli/flag_rules.ts";
import { assert, assertEquals } from "../assert.ts";
import { countingServer, salvo } from "../e2e/support.ts";

/** A flag as typed, with a value where it takes one. */
const argv: Readonly<Record<string, ReadonlyArray<string>>> = {
  "--concurrency": ["-c", "5"],
  "--delay": ["--delay", "5ms"],
  "--rate": ["--rate", "50"],
  "--max-in-flight": ["--max-in-flight", "10"],
  "--precise-pacing": ["--precise-pacing"],
  "--body": ["--body", "x"],
  "--body-file": ["--body-file", "deno.json"],
  "--insecure": ["--insecure"],
  "--cacert": ["--cacert", "tests/fixtures/ca.crt"],
  "--targets": ["--targets", "-"],
  "--targets-order": ["--targets-order", "random"],
  "--targets-format": ["--targets-format", "http"],
  "--skip-invalid": ["--skip-invalid"],
  "--abort-on-fail": ["--abort-on-fail"],
  "--threshold": ["--threshold", "requests>=1"],
  "--interval": ["--interval", "1s"],
  "--results": ["--results", "-"],
  "--baseline": ["--baseline", "no-such-baseline.json"],
  "--allow-different": ["--allow-different"],
  "--connect-to": ["--connect-to", "127.0.0.1:9"],
  // Refused before it is looked at: no such socket is needed.
  "--unix-socket": ["--unix-socket", "no-such.sock"],
  "--no-keepalive": ["--no-keepalive"],
  "--http2": ["--http2"],
  "--h2c": ["--h2c"],
  "--streams": ["-m", "4"],
  "--follow-redirects": ["--follow-redirects"],
  // A port nothing else uses in the suite: these runs are refused before it is bound.
  "--metrics-listen": ["--metrics-listen", "9"],
  "--metrics-push": ["--metrics-push", "http://127.0.0.1:9/api/v1/write"],
  "--metrics-interval": ["--metrics-interval", "1s"],
  "--metrics-required": ["--metrics-required"],
  "--metrics-linger": ["--metrics-linger", "1s"],
  "--metrics-buckets": ["--metrics-buckets", "1ms,5ms"],
  "--run-id": ["--run-id", "r1"],
  "--tag": ["--tag", "team=api"],
};

/** A rule's `needs` or `without` may name alternatives, `--a|--b`: the first stands for them here. */
const first = (flags: string): string => flags.split("|")[0]!;

Deno.test("every rule names flags the CLI knows", () => {
  for (const r of FlagRules.rules) {
    for (const f of [r.flag, r.needs, r.without]) {
      for (const one of f?.split("|") ?? []) assert(one in argv, `${one} is not a run flag`);
    }
    assert((r.needs === undefined) !== (r.without === undefined), `${r.flag}: needs or without`);
  }
});

Deno.test("check() reports each broken rule and accepts the same flags used as meant", () => {
  for (const r of FlagRules.rules) {
    for (const alternative of r.without?.split("|") ?? [undefined]) {
      const broken = new Set([r.flag, ...(alternative === undefined ? [] : [alternative])]);
      assertEquals(FlagRules.check(broken), r.message, `${r.flag} with ${alternative}`);
    }
    for (const alternative of r.needs?.split("|") ?? [undefined]) {
      const kept = new Set([r.flag, ...(alternative === undefined ? [] : [alternative])]);
      assertEquals(FlagRules.check(kept), undefined, `${r.flag} with ${alternative}`);
    }
  }
  assertEquals(FlagRules.check(new Set()), undefined);
});

Deno.test("salvo run refuses each broken combination with its one line and exit 2, sending nothing", async () => {
  const server = countingServer();
  try {
    // Four at a time (support.ts starts them without node_modules' lock).
    const spawn = (r: FlagRules.Rule) => {
      const flags = [r.flag, ...(r.without === undefined ? [] : [first(r.without)])];
      // --targets reads its file before the run: with the rule broken it must not get that far.
      const target = flags.includes("--targets") ? [] : [server.url];
      return salvo(["run", ...target, ...flags.flatMap((f) => argv[f]!), "-n", "5", "-q"]);
    };
    const results: Awaited<ReturnType<typeof salvo>>[] = [];
    for (let i = 0; i < FlagRules.rules.length; i += 4) {
      results.push(...await Promise.all(FlagRules.rules.slice(i, i + 4).map(spawn)));
    }
    results.forEach((r, i) => {
      const rule = FlagRules.rules[i]!;
      assertEquals(r.code, 2, `${rule.flag}: ${r.stdout}${r.stderr}`);
      assertEquals(r.stderr, `salvo: ${rule.message}\n`, rule.flag);
    });
    assertEquals(server.count(), 0);
  } finally {
    await server.stop();
  }
});

Deno.test("-c with --rate is refused, pointing at --max-in-flight; --max-in-flight with --rate runs", async () => {
  const server = countingServer();
  try {
    const bad = await salvo(["run", server.url, "--rate", "50", "-c", "5", "-d", "1s", "-q"]);
    assertEquals(bad.code, 2);
    assert(bad.stderr.includes("--max-in-flight"), bad.stderr);
    assertEquals(server.count(), 0);
    const good = await salvo([
      "run",
      server.url,
      "--rate",
      "50",
      "--max-in-flight",
      "5",
      "-d",
      "1s",
      "-q",
    ]);
    assertEquals(good.code, 0, good.stderr);
    assert(server.count() >= 49 && server.count() <= 51, `count ${server.count()}`);
  } finally {
    await server.stop();
  }
});
