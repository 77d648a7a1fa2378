// Parses --targets: vegeta's HTTP target format or NDJSON, into requests, with line numbers in errors.
//
// HTTP format: a request line `METHOD URL`, then `Name: value` header lines, then an optional
// `@path` body file line; targets are separated by blank lines; `#` starts a comment line.
// NDJSON: one `{"method", "url", "headers", "body"}` object per line; headers map a name to a value
// or a list of values; body is text.
import { Either } from "effect";
import { UsageError } from "../domain/errors.ts";
import { parseHeader, parseMethod, parseUrl } from "./request.ts";

export interface TargetEntry {
  readonly method: string;
  readonly url: URL;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Text of the body (NDJSON), or the file to read it from (`@path`). */
  readonly body: { readonly text: string } | { readonly file: string } | undefined;
  readonly line: number;
}

export interface Parsed {
  readonly entries: ReadonlyArray<TargetEntry>;
  /** Targets skipped as malformed (with --skip-invalid). */
  readonly skipped: number;
}

const fail = (line: number, what: string) =>
  Either.left(new UsageError({ reason: "file", message: `--targets line ${line}: ${what}` }));

/** A parser's message without its flag prefix. */
const why = (e: UsageError): string => e.message.replace(/^--\w+: /, "");

interface Building {
  readonly method: string;
  readonly url: URL;
  readonly headers: Array<readonly [string, string]>;
  body: TargetEntry["body"];
  readonly line: number;
}

/** Applies one non-blank line of the HTTP format to the target being built; returns what is wrong. */
const httpLine = (
  line: string,
  n: number,
  current: Building | undefined,
): { current: Building } | { problem: string } => {
  if (current === undefined) {
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (m === null) return { problem: `expected 'METHOD URL', found '${line.slice(0, 60)}'` };
    const method = parseMethod(m[1]!);
    if (Either.isLeft(method)) return { problem: why(method.left) };
    const url = parseUrl(m[2]!);
    if (Either.isLeft(url)) return { problem: why(url.left) };
    return {
      current: { method: method.right, url: url.right, headers: [], body: undefined, line: n },
    };
  }
  if (line.startsWith("@")) {
    if (current.body !== undefined) return { problem: "a second body file for one target" };
    if (line.length === 1) return { problem: "'@' names no body file" };
    current.body = { file: line.slice(1) };
    return { current };
  }
  if (current.body !== undefined) {
    return { problem: "a header after the body file; put headers first" };
  }
  const h = parseHeader(line);
  if (Either.isLeft(h)) return { problem: why(h.left) };
  current.headers.push(h.right);
  return { current };
};

const parseHttp = (text: string, skipInvalid: boolean): Either.Either<Parsed, UsageError> => {
  const entries: TargetEntry[] = [];
  let skipped = 0;
  let skipping = false;
  let current: Building | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith("#")) continue;
    if (line === "") {
      if (current !== undefined) entries.push(current);
      current = undefined;
      skipping = false;
      continue;
    }
    if (skipping) continue;
    const step = httpLine(line, i + 1, current);
    if ("current" in step) {
      current = step.current;
      continue;
    }
    if (!skipInvalid) return fail(i + 1, step.problem);
    // Skip the whole target: the rest of its block.
    skipped++;
    current = undefined;
    skipping = true;
  }
  if (current !== undefined) entries.push(current);
  return Either.right({ entries, skipped });
};

const jsonEntry = (line: string, n: number): Either.Either<TargetEntry, UsageError> => {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return fail(n, "not JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(n, "not a JSON object");
  const o = v as Record<string, unknown>;
  const method = parseMethod(typeof o.method === "string" ? o.method : "GET");
  if (Either.isLeft(method)) return fail(n, why(method.left));
  if (typeof o.url !== "string") return fail(n, "'url' is missing or not a string");
  const url = parseUrl(o.url);
  if (Either.isLeft(url)) return fail(n, why(url.left));
  const headers: Array<readonly [string, string]> = [];
  if (o.headers !== undefined) {
    if (typeof o.headers !== "object" || o.headers === null || Array.isArray(o.headers)) {
      return fail(n, "'headers' must be an object");
    }
    for (const [name, value] of Object.entries(o.headers)) {
      for (const one of Array.isArray(value) ? value : [value]) {
        if (typeof one !== "string") {
          return fail(n, `header '${name}' must be a string or a list of strings`);
        }
        const h = parseHeader(`${name}: ${one}`);
        if (Either.isLeft(h)) return fail(n, why(h.left));
        headers.push(h.right);
      }
    }
  }
  if (o.body !== undefined && typeof o.body !== "string") return fail(n, "'body' must be a string");
  return Either.right({
    method: method.right,
    url: url.right,
    headers,
    body: o.body === undefined ? undefined : { text: o.body },
    line: n,
  });
};

const parseJsonLines = (text: string, skipInvalid: boolean): Either.Either<Parsed, UsageError> => {
  const entries: TargetEntry[] = [];
  let skipped = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const entry = jsonEntry(line, i + 1);
    if (Either.isRight(entry)) entries.push(entry.right);
    else if (skipInvalid) skipped++;
    else return Either.left(entry.left);
  }
  return Either.right({ entries, skipped });
};

/**
 * Parses a targets file's text; the format is NDJSON when the first non-blank character is `{`.
 * A malformed target stops the parse with its line number, or with `skipInvalid` is skipped and counted.
 */
export const parse = (text: string, skipInvalid = false): Either.Either<Parsed, UsageError> => {
  const parsed = text.trimStart().startsWith("{")
    ? parseJsonLines(text, skipInvalid)
    : parseHttp(text, skipInvalid);
  return Either.flatMap(
    parsed,
    (p) =>
      p.entries.length === 0
        ? Either.left(new UsageError({ reason: "file", message: "--targets: no targets found" }))
        : Either.right(p),
  );
};
