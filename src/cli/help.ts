// The help people read: each command's flags with their value and default, grouped, in one screen;
// and what salvo says to a typo. Plain text, no framework: it loads before, and without, the rest.
//
// @effect/cli parses the flags; this table describes them. A test holds the two to the same names.

export interface Flag {
  readonly name: string;
  readonly alias?: string;
  /** What the flag takes (`N`, `DURATION`, `FILE`, …); none for a switch. */
  readonly value?: string;
  readonly default?: string;
  readonly help: string;
}

export interface Group {
  readonly title: string;
  readonly flags: ReadonlyArray<Flag>;
}

export interface CommandHelp {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly groups: ReadonlyArray<Group>;
  readonly examples: ReadonlyArray<string>;
  readonly exits: string;
}

const request: ReadonlyArray<Group> = [
  {
    title: "Request",
    flags: [
      { name: "method", alias: "X", value: "METHOD", default: "GET", help: "HTTP method" },
      { name: "header", alias: "H", value: "'NAME: VALUE'", help: "request header, repeatable" },
      { name: "body", value: "TEXT", help: "request body" },
      { name: "body-file", value: "FILE", help: "request body from a file" },
      { name: "timeout", value: "DURATION", default: "30s", help: "per request, connect included" },
      {
        name: "success-status",
        value: "LIST",
        default: "<400",
        help: "statuses that succeed: 200-299,304",
      },
      {
        name: "follow-redirects",
        value: "[=any]",
        help: "follow redirects (same host; =any: any)",
      },
      { name: "targets", value: "FILE|-", help: "many requests instead of the URL" },
      {
        name: "targets-order",
        value: "ORDER",
        default: "round-robin",
        help: "round-robin or random",
      },
      {
        name: "targets-format",
        value: "FORMAT",
        default: "auto",
        help: "http, json (vegeta's), ndjson",
      },
      { name: "skip-invalid", help: "skip malformed targets, counted" },
      { name: "mask", value: "NAME", help: "also mask headers and parameters named so" },
    ],
  },
  {
    title: "Connection",
    flags: [
      { name: "connect-to", value: "HOST:PORT", help: "connect there; Host and SNI from the URL" },
      { name: "unix-socket", value: "PATH", help: "send over a unix socket (http://)" },
      { name: "no-keepalive", help: "a connection per request, its connect timed" },
      { name: "no-retry", help: "never resend (GET… may go twice)" },
      { name: "http2", help: "HTTP/2 over TLS, by ALPN (https://)" },
      { name: "h2c", help: "HTTP/2 in cleartext, prior knowledge (http://)" },
      {
        name: "streams",
        alias: "m",
        value: "N",
        default: "1",
        help: "streams per HTTP/2 connection",
      },
      { name: "insecure", alias: "k", help: "do not verify the server's certificate" },
      { name: "cacert", value: "FILE", help: "also trust the CA certificates in this PEM file" },
    ],
  },
];

/** `salvo run FLOW.ts`: a scenario module's own flags. */
const scenarioFlags: ReadonlyArray<Flag> = [
  { name: "base-url", value: "URL", help: "scenario: where its relative URLs point" },
  { name: "data", value: "FILE", help: "scenario: rows, CSV, JSON array or NDJSON" },
  {
    name: "data-order",
    value: "ORDER",
    default: "unique",
    help: "scenario: unique, round-robin, random",
  },
];

const baselineFlags: ReadonlyArray<Flag> = [
  {
    name: "baseline",
    value: "FILE",
    help: "an earlier run, for thresholds like p99<+10%",
  },
  { name: "allow-different", help: "accept a run of another target, model or -c" },
];

const gate: Group = {
  title: "Gates",
  flags: [
    {
      name: "threshold",
      value: "EXPR",
      help: "pass/fail, repeatable: p99<300ms, p99<+10%",
    },
    { name: "junit", value: "FILE", help: "the thresholds as JUnit XML" },
    ...baselineFlags,
  ],
};

const gateExits = "0 ok · 1 threshold failed · 2 usage · 3 output failed · 130 Ctrl-C";

const outputFlag: Flag = {
  name: "output",
  alias: "o",
  value: "FORMAT",
  default: "text",
  help: "text or json",
};

export const commands: ReadonlyArray<CommandHelp> = [
  {
    name: "run",
    usage: "salvo run URL|FLOW.ts [flags]",
    summary: "Send requests from workers (or at a rate), then print a summary.",
    groups: [
      {
        title: "Load",
        flags: [
          {
            name: "concurrency",
            alias: "c",
            value: "N",
            default: "10",
            help: "workers, one connection each",
          },
          {
            name: "threads",
            alias: "t",
            value: "N",
            help: "load threads sharing the work (one per core)",
          },
          {
            name: "duration",
            alias: "d",
            value: "DURATION",
            default: "10s",
            help: "how long: 500ms, 3s, 2m",
          },
          { name: "requests", alias: "n", value: "N", help: "stop after N requests" },
          { name: "delay", value: "DURATION", help: "pause between a worker's requests" },
          { name: "rate", value: "RATE", help: "open model: arrivals per second (200, 12000/m)" },
          { name: "stages", value: "STAGES", help: "ramps of -c or --rate: 10s:100,1m:100,10s:0" },
          {
            name: "max-in-flight",
            value: "N",
            default: "1000",
            help: "open model: most requests at once",
          },
          { name: "precise-pacing", help: "open model: sends within µs of plan (a core)" },
        ],
      },
      { ...request[0]!, flags: [...request[0]!.flags, ...scenarioFlags] },
      ...request.slice(1),
      {
        title: "Output",
        flags: [
          outputFlag,
          { name: "quiet", alias: "q", help: "no live view on stderr" },
          {
            name: "color",
            value: "WHEN",
            default: "auto",
            help: "live view colour: always, never",
          },
          { name: "out", value: "FILE", help: "also write the JSON summary" },
          { name: "html", value: "FILE", help: "also write an HTML report with charts" },
          { name: "results", value: "FILE|-", help: "one NDJSON line per request" },
          {
            name: "interval",
            value: "DURATION",
            help: "with --results: a record per window instead",
          },
        ],
      },
      {
        ...gate,
        flags: [
          ...gate.flags,
          { name: "abort-on-fail", help: "stop once a threshold can no longer pass" },
        ],
      },
      {
        title: "Metrics (Prometheus)",
        flags: [
          {
            name: "metrics-listen",
            value: "ADDR",
            help: "serve /metrics during the run: [HOST:]PORT",
          },
          { name: "metrics-push", value: "URL", help: "remote write to this receiver" },
          { name: "metrics-interval", value: "TIME", default: "5s", help: "between pushes" },
          { name: "metrics-required", help: "exit 3 if a pushed point was lost" },
          {
            name: "metrics-linger",
            value: "DURATION",
            default: "15s",
            help: "serve the end until scraped",
          },
          { name: "metrics-buckets", value: "LIST", help: "latency buckets: 1ms,5ms,25ms" },
          { name: "run-id", value: "ID", help: "the run_id label (default: time-random)" },
          { name: "tag", value: "KEY=VALUE", help: "a label on every series, repeatable" },
        ],
      },
    ],
    examples: [
      "salvo run http://127.0.0.1:8080/health -c 8 -d 3s --delay 5ms",
      "salvo run http://127.0.0.1:8080/ -n 1000 --threshold p99<50ms --junit gate.xml",
      "salvo run flow.ts --base-url http://127.0.0.1:8080 -c 8 -d 3s --data users.csv",
    ],
    exits: gateExits,
  },
  {
    name: "knee",
    usage: "salvo knee URL --slo EXPR [flags]",
    summary: "Find the highest rate the server sustains within an SLO.",
    groups: [
      {
        title: "Search",
        flags: [
          { name: "slo", value: "EXPR", help: "what each step must meet: p99<50ms, repeatable" },
          { name: "start-rate", value: "RATE", default: "100", help: "the first step's rate" },
          { name: "max-rate", value: "RATE", default: "100000", help: "never offer more" },
          {
            name: "step",
            value: "DURATION",
            default: "5s",
            help: "how long each step holds its rate",
          },
          {
            name: "warmup",
            value: "DURATION",
            default: "1s",
            help: "load before each step, not judged",
          },
          { name: "precision", value: "SHARE", default: "5%", help: "stop bisecting within this" },
          { name: "require-rate", value: "RATE", help: "exit 1 unless the knee reaches it" },
          { name: "max-in-flight", value: "N", default: "1000", help: "most requests at once" },
        ],
      },
      ...request,
      {
        title: "Output",
        flags: [
          outputFlag,
          { name: "results", value: "FILE|-", help: "one NDJSON line per judged request" },
          { name: "html", value: "FILE", help: "latency against rate, as a self-contained page" },
        ],
      },
    ],
    examples: ["salvo knee http://127.0.0.1:8080/ --slo 'p99<100ms' --require-rate 300"],
    exits: "0 a knee · 1 under --require-rate · 2 usage · 3 salvo was the limit",
  },
  {
    name: "report",
    usage: "salvo report [FILE…|-] [flags]",
    summary: "Summarise results streams again (run --results), with thresholds.",
    groups: [
      {
        title: "Flags",
        flags: [
          outputFlag,
          { name: "out", value: "FILE", help: "also write the JSON summary" },
          { name: "html", value: "FILE", help: "also write an HTML report with charts" },
          { name: "skip-invalid", help: "skip lines that do not parse, counted" },
          ...gate.flags,
        ],
      },
    ],
    examples: [
      "salvo run http://127.0.0.1:8080/ --results - | salvo report -o json",
    ],
    exits: gateExits,
  },
  {
    name: "merge",
    usage: "salvo merge FILE… [flags]",
    summary: "Merge JSON summaries of several runs exactly, with thresholds.",
    groups: [
      {
        title: "Flags",
        flags: [
          outputFlag,
          { name: "out", value: "FILE", help: "also write the JSON summary" },
          { name: "html", value: "FILE", help: "also write an HTML report" },
          ...gate.flags,
        ],
      },
    ],
    examples: ["salvo merge a.json b.json --threshold 'p99<100ms'"],
    exits: gateExits,
  },
  {
    name: "compare",
    usage: "salvo compare BASE NEW [flags]",
    summary: "Did it change? Two runs' figures, changes with 99 % intervals.",
    groups: [{
      title: "Flags",
      flags: [
        outputFlag,
        {
          name: "threshold",
          value: "EXPR",
          help: "relative: p99<+10%, rps>-5%; absolute ones judge NEW",
        },
        baselineFlags[1]!,
        { name: "html", value: "FILE", help: "both runs overlaid, with the verdicts" },
        {
          name: "min-change",
          value: "PCT",
          default: "2%",
          help: "a verdict needs the interval beyond ±PCT",
        },
        { name: "run", help: "BASE, NEW are URLs: run them here in rounds" },
        { name: "rounds", value: "N", default: "5", help: "with --run: rounds of A and B" },
      ],
    }],
    examples: [
      "salvo run URL -d 20s --out base.json   # before",
      "salvo run URL -d 20s --out new.json    # after",
      "salvo compare base.json new.json --threshold 'p99<+10%'",
      "salvo compare --run URL_A URL_B --rounds 5 -- -c 8 -d 5s",
    ],
    exits: "0 ok · 1 threshold failed · 2 usage, bad input, different tests",
  },
  {
    name: "serve",
    usage: "salvo serve [flags]",
    summary: "Run the built-in target on loopback; it counts what it received.",
    groups: [
      {
        title: "Flags",
        flags: [
          { name: "port", alias: "p", value: "PORT", default: "8080", help: "0 picks a free one" },
          { name: "host", value: "ADDRESS", default: "127.0.0.1", help: "keep it on loopback" },
          { name: "latency", value: "DURATION", default: "0ms", help: "delay before each answer" },
          { name: "capacity", value: "N", help: "N requests at once, the rest queue: N ÷ latency" },
          {
            name: "error-rate",
            value: "SHARE",
            default: "0",
            help: "answer 503 to this share, evenly",
          },
        ],
      },
    ],
    examples: [
      "salvo serve --port 8080 --capacity 4 --latency 10ms",
      'curl -d \'{"user":"ann","password":"salvo"}\' 127.0.0.1:8080/login  # a token',
    ],
    exits: "0 stopped by Ctrl-C or SIGTERM · 2 bad usage",
  },
  {
    name: "types",
    usage: "salvo types > salvo.d.ts",
    summary: "Print the types a scenario module imports (salvo run FLOW.ts).",
    groups: [],
    examples: [
      "salvo types > salvo.d.ts",
      "echo 'import type { User } from \"./salvo.d.ts\";' > flow.ts",
    ],
    exits: "0 ok",
  },
];

const flagColumn = (f: Flag): string =>
  `${f.alias === undefined ? "    " : `-${f.alias}, `}--${f.name}${
    f.value === undefined ? "" : ` ${f.value}`
  }`;

export const commandHelp = (c: CommandHelp): string => {
  const width = Math.max(...c.groups.flatMap((g) => g.flags.map((f) => flagColumn(f).length)));
  const lines = [`Usage: ${c.usage}`, c.summary, ""];
  for (const g of c.groups) {
    lines.push(`${g.title}:`);
    for (const f of g.flags) {
      lines.push(
        `  ${flagColumn(f).padEnd(width)}  ${f.help}${
          f.default === undefined ? "" : ` (${f.default})`
        }`,
      );
    }
  }
  lines.push("", "Examples:", ...c.examples.map((e) => `  ${e}`), "", `Exit codes: ${c.exits}`);
  lines.push("Every flag also takes --name=value. More: the README, and salvo help.");
  return lines.join("\n");
};

export const rootHelp = (version: string): string =>
  [
    `salvo ${version}`,
    "An HTTP load tester: honest latency, and CI gates that explain themselves.",
    "",
    "Usage: salvo COMMAND [flags]     salvo help COMMAND     salvo --version",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(8)}${c.summary}`),
    "",
    "Examples:",
    "  salvo serve --port 8080 &",
    "  salvo run http://127.0.0.1:8080/ -c 8 -d 3s --threshold 'p99<50ms'",
    "  salvo knee http://127.0.0.1:8080/ --slo 'p99<100ms'",
    "",
    "Exit codes: 0 ok · 1 threshold failed · 2 usage · 3 salvo could not · 130 Ctrl-C",
    "Completions: salvo --completions bash > /etc/bash_completion.d/salvo (zsh, fish)",
    "More: the README; flags of a command: salvo help run",
  ].join("\n");

/** Edit distance, for suggestions. */
const distance = (a: string, b: string): number => {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length]!;
};

/** The nearest of `candidates` within edit distance 2, if any. */
export const suggest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined, bestDistance = 3;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
};

/** Flags every command takes besides its own. */
const builtIns = ["help", "version", "completions", "log-level"];

/**
 * Checks the command and its long flags before @effect/cli parses them, so a typo gets one line with
 * a suggestion. Returns that line, or undefined when nothing looks mistyped.
 */
export const checkArgs = (args: ReadonlyArray<string>): string | undefined => {
  const first = args[0];
  if (first === undefined) return undefined;
  const names = commands.map((c) => c.name);
  if (first.startsWith("--") && !builtIns.includes(first.slice(2).replace(/=.*$/, ""))) {
    const near = suggest(first.slice(2), ["version", "help", "completions"]);
    return `unknown option ${first}${near === undefined ? "" : `; did you mean --${near}?`}`;
  }
  if (first.startsWith("-")) return undefined;
  const command = commands.find((c) => c.name === first);
  if (command === undefined) {
    if (first === "help") {
      // `salvo help CMD` names a command, or nothing.
      const topic = args[1];
      if (topic === undefined || topic.startsWith("-") || names.includes(topic)) return undefined;
      const near = suggest(topic, names);
      return `no help for '${topic}': ${
        near === undefined ? `the commands are ${names.join(", ")}` : `did you mean '${near}'?`
      }`;
    }
    // A flag typed as a command: `salvo version`.
    const flag = suggest(first, ["version", "help", "completions"]);
    if (flag !== undefined && suggest(first, names) === undefined) {
      return `unknown command '${first}'; did you mean --${flag}?`;
    }
    const near = suggest(first, names);
    return `unknown command '${first}'; ${
      near === undefined ? `use one of ${names.join(", ")}` : `did you mean '${near}'?`
    }`;
  }
  const flags = command.groups.flatMap((g) => g.flags);
  const known = [...flags.map((f) => f.name), ...builtIns];
  const takesValue = (f: Flag | undefined) =>
    f?.value !== undefined && f.name !== "follow-redirects";
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") break;
    // The token after a flag that takes a value is that value, whatever it looks like.
    const short = /^-([A-Za-z])$/.exec(a);
    if (short !== null) {
      if (takesValue(flags.find((f) => f.alias === short[1]))) i++;
      continue;
    }
    const m = /^--([a-z][a-z0-9-]*)(=.*)?$/.exec(a);
    if (m === null) continue;
    if (known.includes(m[1]!)) {
      if (m[2] === undefined && takesValue(flags.find((f) => f.name === m[1]))) i++;
      continue;
    }
    const near = suggest(m[1]!, known);
    return `unknown option --${m[1]} for '${command.name}'${
      near === undefined ? `; see salvo help ${command.name}` : `; did you mean --${near}?`
    }`;
  }
  return undefined;
};

/** The help asked for by `args`, if they ask for help: `--help`, `-h`, `help`, `CMD --help`, `help CMD`. */
export const helpFor = (args: ReadonlyArray<string>, version: string): string | undefined => {
  const wants = args.length === 0 || args.some((a) => a === "--help" || a === "-h") ||
    args[0] === "help";
  if (!wants) return undefined;
  const name = args[0] === "help" ? args[1] : args.find((a) => !a.startsWith("-"));
  const command = commands.find((c) => c.name === name);
  return command === undefined ? rootHelp(version) : commandHelp(command);
};
