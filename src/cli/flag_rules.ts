// Which `run` flags go together: every flag given is either used or refused, never silently ignored.

/**
 * A flag that means nothing without another (`needs`), or that contradicts one (`without`); either
 * may name alternatives, `--a|--b`: any one of them.
 */
export interface Rule {
  readonly flag: string;
  readonly needs?: string;
  readonly without?: string;
  /** The one line salvo prints, saying what to use instead. */
  readonly message: string;
}

/** The table: each row is checked in order and the first broken one is reported (exit 2). */
export const rules: ReadonlyArray<Rule> = [
  {
    flag: "--concurrency",
    without: "--rate",
    message:
      "-c sets the closed model's workers; with --rate, bound the requests in flight with --max-in-flight",
  },
  {
    flag: "--delay",
    without: "--rate",
    message: "--delay paces the closed model's workers; with --rate, arrivals follow the rate",
  },
  {
    flag: "--precise-pacing",
    needs: "--rate",
    message: "--precise-pacing times the open model's arrivals; it needs --rate",
  },
  {
    flag: "--max-in-flight",
    needs: "--rate",
    message: "--max-in-flight bounds the open model (--rate); without --rate, -c sets the workers",
  },
  {
    flag: "--http2",
    without: "--h2c",
    message: "--http2 is HTTP/2 over TLS (https://) and --h2c over cleartext (http://): give one",
  },
  {
    flag: "--streams",
    needs: "--http2|--h2c",
    message: "-m sets the streams per HTTP/2 connection: it needs --http2 or --h2c",
  },
  {
    flag: "--no-keepalive",
    without: "--http2|--h2c",
    message:
      "--no-keepalive opens a connection per request; HTTP/2 multiplexes streams on kept connections",
  },
  {
    flag: "--follow-redirects",
    without: "--http2|--h2c",
    message: "--follow-redirects is HTTP/1.1 only for now: drop it, or --http2/--h2c",
  },
  {
    flag: "--body",
    without: "--body-file",
    message: "--body and --body-file cannot be used together",
  },
  {
    flag: "--insecure",
    without: "--cacert",
    message:
      "--insecure skips certificate checks and --cacert adds a CA to check against: give one of them",
  },
  {
    flag: "--connect-to",
    without: "--unix-socket",
    message: "--connect-to and --unix-socket both say where to connect: give one of them",
  },
  {
    flag: "--insecure",
    without: "--connect-to",
    message:
      "--insecure cannot be used with --connect-to: trust the server's CA with --cacert instead",
  },
  {
    flag: "--targets-order",
    needs: "--targets",
    message: "--targets-order needs --targets FILE",
  },
  {
    flag: "--targets-format",
    needs: "--targets",
    message: "--targets-format needs --targets FILE",
  },
  {
    flag: "--skip-invalid",
    needs: "--targets",
    message: "--skip-invalid needs --targets FILE (run reads no other file it could skip lines of)",
  },
  {
    flag: "--abort-on-fail",
    needs: "--threshold",
    message:
      "--abort-on-fail stops the run when a --threshold can no longer pass: give a --threshold",
  },
  {
    flag: "--allow-different",
    needs: "--baseline",
    message: "--allow-different accepts a --baseline of another test; it needs --baseline FILE",
  },
  {
    flag: "--interval",
    needs: "--results",
    message: "--interval needs --results FILE and a duration above 0, like --interval 1s",
  },
  {
    flag: "--metrics-interval",
    needs: "--metrics-push",
    message: "--metrics-interval sets how often --metrics-push sends: give --metrics-push URL",
  },
  {
    flag: "--metrics-required",
    needs: "--metrics-push",
    message:
      "--metrics-required fails the run when --metrics-push drops points: give --metrics-push URL",
  },
  {
    flag: "--metrics-linger",
    needs: "--metrics-listen",
    message: "--metrics-linger keeps --metrics-listen serving after the run: give --metrics-listen",
  },
  ...["--metrics-buckets", "--run-id", "--tag"].map((flag) => ({
    flag,
    needs: "--metrics-listen|--metrics-push",
    message: `${flag} labels the exported metrics: give --metrics-listen or --metrics-push`,
  })),
];

/** The message of the first rule `given` breaks, or undefined when the flags go together. */
export const check = (given: ReadonlySet<string>): string | undefined => {
  const any = (flags: string) => flags.split("|").some((f) => given.has(f));
  return rules.find((r) =>
    given.has(r.flag) &&
    ((r.needs !== undefined && !any(r.needs)) || (r.without !== undefined && any(r.without)))
  )?.message;
};
