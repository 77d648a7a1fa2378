// Parses --targets: vegeta's HTTP target format or NDJSON, into requests, with line numbers in errors.
//
// http (vegeta's text format): a request line `METHOD URL`, then `Name: value` header lines, then
// an optional `@path` body file line; targets are separated by blank lines; `#` starts a comment line.
// ndjson (salvo's): one `{"method", "url", "headers", "body"}` object per line; headers map a name to
// a value or a list of values; body is text; method defaults to GET.
// json (vegeta's JSON): one `{"method", "url", "header", "body"}` object per line; header maps a name
// to a list of values; body is base64; method is required.
// In both JSON forms an unknown key or a wrong type is an error naming the line, never ignored.
import * as Either from "effect/Either";
import { UsageError } from "../domain/errors.ts";
import { maskSecrets, parseHeader, parseMethod, parseUrl } from "./request.ts";

export interface TargetEntry {
  readonly method: string;
  readonly url: URL;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Text of the body (ndjson), its bytes (json, from base64), or the file to read it from (`@path`). */
  readonly body:
    | { readonly text: string }
    | { readonly bytes: Uint8Array }
    | { readonly file: string }
    | undefined;
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
    if (m === null) {
      return { problem: `expected 'METHOD URL', found '${maskSecrets(line).slice(0, 60)}'` };
    }
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

/** The two JSON forms: salvo's NDJSON and vegeta's JSON (`-format=json`). */
type JsonForm = "ndjson" | "json";

const keysOf: Record<JsonForm, ReadonlySet<string>> = {
  ndjson: new Set(["method", "url", "headers", "body"]),
  json: new Set(["method", "url", "header", "body"]),
};

const decodeBase64 = (text: string): Uint8Array | undefined => {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
};

/** A header map's values: a string or a list of strings (ndjson), a list of strings (json). */
const headerValues = (value: unknown, form: JsonForm): ReadonlyArray<string> | undefined => {
  const list = Array.isArray(value) ? value : form === "ndjson" ? [value] : undefined;
  return list !== undefined && list.every((v) => typeof v === "string") ? list : undefined;
};

const jsonEntry = (
  line: string,
  n: number,
  form: JsonForm,
): Either.Either<TargetEntry, UsageError> => {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return fail(n, "not JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(n, "not a JSON object");
  const o = v as Record<string, unknown>;
  const allowed = keysOf[form];
  const unknown = Object.keys(o).find((k) => !allowed.has(k));
  if (unknown !== undefined) {
    return fail(
      n,
      `unknown key '${unknown.slice(0, 40)}' (${
        form === "json" ? "vegeta's JSON" : "salvo's NDJSON"
      } has ${[...allowed].join(", ")})`,
    );
  }
  if (o.method !== undefined && typeof o.method !== "string") {
    return fail(n, "'method' must be a string");
  }
  if (form === "json" && (o.method === undefined || o.method === "")) {
    return fail(n, "'method' is missing (vegeta's JSON requires it)");
  }
  const method = parseMethod(typeof o.method === "string" ? o.method : "GET");
  if (Either.isLeft(method)) return fail(n, why(method.left));
  if (typeof o.url !== "string") return fail(n, "'url' is missing or not a string");
  const url = parseUrl(o.url);
  if (Either.isLeft(url)) return fail(n, why(url.left));
  const headers: Array<readonly [string, string]> = [];
  const key = form === "json" ? "header" : "headers";
  const map = o[key];
  if (map !== undefined) {
    if (typeof map !== "object" || map === null || Array.isArray(map)) {
      return fail(n, `'${key}' must be an object`);
    }
    for (const [name, value] of Object.entries(map)) {
      const values = headerValues(value, form);
      if (values === undefined) {
        return fail(
          n,
          `header '${name.slice(0, 40)}' must be ${
            form === "json" ? "a list of strings" : "a string or a list of strings"
          }`,
        );
      }
      for (const one of values) {
        const h = parseHeader(`${name}: ${one}`);
        if (Either.isLeft(h)) return fail(n, why(h.left));
        headers.push(h.right);
      }
    }
  }
  if (o.body !== undefined && typeof o.body !== "string") return fail(n, "'body' must be a string");
  let body: TargetEntry["body"] = undefined;
  if (typeof o.body === "string") {
    if (form === "ndjson") body = { text: o.body };
    else {
      const bytes = decodeBase64(o.body);
      if (bytes === undefined) {
        return fail(n, "'body' is not base64 (vegeta's JSON encodes bodies)");
      }
      body = { bytes };
    }
  }
  return Either.right({ method: method.right, url: url.right, headers, body, line: n });
};

/**
 * Tells vegeta's JSON from salvo's NDJSON by their keys: `header` is vegeta's, `headers` salvo's. A file
 * with bodies and neither key is ambiguous (base64 or text?) and must be named with --targets-format.
 */
const detectJsonForm = (lines: ReadonlyArray<string>): Either.Either<JsonForm, UsageError> => {
  let header = false, headers = false, body = false;
  for (const line of lines) {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    header ||= "header" in v;
    headers ||= "headers" in v;
    body ||= "body" in v;
  }
  const bad = (message: string) =>
    Either.left(new UsageError({ reason: "file", message: `--targets: ${message}` }));
  if (header && headers) {
    return bad(
      "mixes vegeta's JSON ('header') and salvo's NDJSON ('headers'); use one, or say which with --targets-format",
    );
  }
  if (header) return Either.right("json");
  if (headers || !body) return Either.right("ndjson");
  return bad(
    "a 'body' could be base64 (vegeta's JSON) or text (salvo's NDJSON): say which with --targets-format json or ndjson",
  );
};

const parseJsonLines = (
  text: string,
  skipInvalid: boolean,
  form: JsonForm | "auto",
): Either.Either<Parsed, UsageError> => {
  const entries: TargetEntry[] = [];
  let skipped = 0;
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const detected = form === "auto" ? detectJsonForm(lines) : Either.right(form);
  if (Either.isLeft(detected)) return Either.left(detected.left);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const entry = jsonEntry(line, i + 1, detected.right);
    if (Either.isRight(entry)) entries.push(entry.right);
    else if (skipInvalid) skipped++;
    else return Either.left(entry.left);
  }
  return Either.right({ entries, skipped });
};

/** How --targets is written; `auto` tells the formats apart (see the top of this file). */
export type Format = "auto" | "http" | "json" | "ndjson";

/**
 * Parses a targets file's text; with `auto`, a file whose first non-blank character is `{` is one of
 * the JSON forms, told apart by their keys. A malformed target stops the parse with its line number,
 * or with `skipInvalid` is skipped and counted.
 */
export const parse = (
  text: string,
  skipInvalid = false,
  format: Format = "auto",
): Either.Either<Parsed, UsageError> => {
  const json = format === "auto" ? text.trimStart().startsWith("{") : format !== "http";
  const parsed = json
    ? parseJsonLines(text, skipInvalid, format === "http" ? "auto" : format)
    : parseHttp(text, skipInvalid);
  return Either.flatMap(
    parsed,
    (p) =>
      p.entries.length === 0
        ? Either.left(new UsageError({ reason: "file", message: "--targets: no targets found" }))
        : Either.right(p),
  );
};
