// The resolved description of a run: what to send, how many workers, when to stop.

/** One request, fully resolved; `body` is already read from --body or --body-file. */
export interface RequestSpec {
  readonly method: string;
  readonly url: URL;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array | undefined;
}

export interface RunPlan {
  readonly request: RequestSpec;
  readonly concurrency: number;
  /** Stop issuing after this many milliseconds; undefined when only --requests bounds the run. */
  readonly durationMs: number | undefined;
  /** Stop after this many requests in total. */
  readonly maxRequests: number | undefined;
  /** Pause between one worker's requests, in milliseconds (0: back to back). */
  readonly delayMs: number;
  readonly timeoutMs: number;
  /** Decides whether a response status counts as a success. */
  readonly isSuccess: (status: number) => boolean;
}
