// Tagged errors for what must stop salvo; a failed request is never one of these.
import * as Data from "effect/Data";

/** Bad flags, URLs, durations, thresholds or files named by the user: exit code 2. */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly reason:
    | "flag"
    | "url"
    | "duration"
    | "number"
    | "header"
    | "file"
    | "threshold"
    | "status";
  readonly message: string;
}> {}

/** salvo could not do its job, e.g. an output file cannot be written: exit code 3. */
export class RunError extends Data.TaggedError("RunError")<{
  readonly reason: "output" | "listen" | "internal";
  readonly message: string;
}> {}
