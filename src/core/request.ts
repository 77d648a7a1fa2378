// Parsers for the parts of a request typed by users: target URL, method and header lines.
import * as Either from "effect/Either";
import { UsageError } from "../domain/errors.ts";

export const parseUrl = (text: string): Either.Either<URL, UsageError> => {
  const bad = (why: string) =>
    Either.left(
      new UsageError({
        reason: "url",
        message: `'${maskSecrets(text)}' is not a usable URL: ${why}`,
      }),
    );
  if (!/^https?:\/\//i.test(text)) return bad("it must start with http:// or https://");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad("it does not parse");
  }
  if (url.hostname === "") return bad("it has no host");
  if (url.username !== "" || url.password !== "") {
    return bad("put credentials in an Authorization header");
  }
  return Either.right(url);
};

const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const parseMethod = (text: string): Either.Either<string, UsageError> =>
  token.test(text) ? Either.right(text.toUpperCase()) : Either.left(
    new UsageError({ reason: "flag", message: `--method: '${text}' is not an HTTP method` }),
  );

/** Parses `Name: value`; the value may be empty, the name must be an HTTP token. */
export const parseHeader = (
  text: string,
): Either.Either<readonly [string, string], UsageError> => {
  const colon = text.indexOf(":");
  const name = colon > 0 ? text.slice(0, colon).trim() : "";
  const value = colon > 0 ? text.slice(colon + 1).trim() : "";
  // The message never repeats a value: it may be a credential.
  const bad = (why: string) =>
    Either.left(new UsageError({ reason: "header", message: `--header: ${why}` }));
  if (colon <= 0) {
    const start = /^[^\s:]{0,40}/.exec(text)![0];
    return bad(
      `'${start}${start.length < text.length ? "…" : ""}' is not a header like 'Name: value'`,
    );
  }
  if (!token.test(name)) return bad(`'${name.slice(0, 40)}' is not a header name`);
  if (/[\r\n\0]/.test(value)) return bad(`the value of '${name}' contains a line break or NUL`);
  return Either.right([name, value] as const);
};

/**
 * The masking rule, one for every echo: a header or query parameter whose name contains one of these
 * (case-insensitive) carries a credential. It masks too much rather than too little (`zipcode`).
 */
export const secretParts = [
  "auth",
  "token",
  "secret",
  "key",
  "passw",
  "pwd",
  "sig",
  "session",
  "credential",
  "code",
  "cookie",
  "jwt",
] as const;
const secretName = new RegExp(secretParts.join("|"), "i");
/** Names added by --mask, lower-cased: matched the same way. */
let alsoSecret: ReadonlyArray<string> = [];

/**
 * Adds names to the rule for the rest of this thread's life (--mask; each load thread is told the
 * same by its plan). Set before anything is echoed.
 */
export const maskAlso = (names: ReadonlyArray<string>): void => {
  alsoSecret = names.map((n) => n.toLowerCase()).filter((n) => n !== "");
};

/** Whether a header or parameter of this name carries a credential. */
export const isSecretName = (name: string): boolean => {
  if (secretName.test(name)) return true;
  if (alsoSecret.length === 0) return false;
  const lower = name.toLowerCase();
  return alsoSecret.some((n) => lower.includes(n));
};

const masked = "****";

/** Masks values of headers that carry credentials, for anything salvo echoes. */
export const maskHeader = ([name, value]: readonly [string, string]): readonly [string, string] =>
  isSecretName(name) && value !== "" ? [name, masked] : [name, value];

/**
 * A URL as salvo echoes it: a password in it is masked (`user:****@`), and so are query parameters
 * named like credentials (api_key, token, …).
 */
export const maskUrl = (url: URL): string => {
  if (url.search === "" && url.password === "") return url.href;
  const u = new URL(url.href);
  if (u.password !== "") u.password = masked;
  for (const key of [...u.searchParams.keys()]) {
    if (isSecretName(key)) u.searchParams.set(key, masked);
  }
  return u.href.replaceAll(encodeURIComponent(masked), masked);
};

/** `scheme://` then everything up to the last `@` of the same word: the userinfo, however odd. */
const userinfo = /([a-z][a-z0-9+.-]*:\/\/)(\S*)@/gi;
/** A query or form parameter: its separator, name and value (masked when the name is secret). */
const param = /([?&;])([^=&#\s]*)=([^&#\s'"]*)/g;

/**
 * Masks credentials in any text salvo prints (error messages included), parsed or not: the userinfo
 * of every URL (`user:****@`, or `****@` when there is no password) and credential-named parameters.
 * It masks too much rather than too little: a malformed URL may hide its password anywhere.
 */
export const maskSecrets = (text: string): string =>
  text
    .replace(userinfo, (_, scheme: string, info: string) => {
      const colon = info.indexOf(":");
      return `${scheme}${colon < 0 ? masked : `${info.slice(0, colon)}:${masked}`}@`;
    })
    .replace(
      param,
      (all, sep: string, name: string) => isSecretName(name) ? `${sep}${name}=${masked}` : all,
    );

/**
 * Headers that would make the request unframed or ambiguous, as the line salvo prints; undefined when
 * none. salvo frames bodies itself with Content-Length: a Content-Length that is not the body's
 * length, or a Transfer-Encoding it would not apply, leaves the server waiting for bytes that never
 * come (every request a timeout); a second Host is two answers to one question.
 */
export const framingProblem = (
  headers: ReadonlyArray<readonly [string, string]>,
  bodyLength: number,
): string | undefined => {
  const named = (n: string) => headers.filter(([k]) => k.toLowerCase() === n);
  if (named("host").length > 1) return "Host is given more than once: give it once";
  if (named("transfer-encoding").length > 0) {
    return "salvo sends a body with Content-Length, never chunked: drop the Transfer-Encoding header";
  }
  const lengths = named("content-length");
  if (lengths.length > 1) return "Content-Length is given more than once: drop it (salvo sets it)";
  if (lengths.length === 1 && lengths[0]![1].trim() !== String(bodyLength)) {
    return `Content-Length '${
      lengths[0]![1].slice(0, 20)
    }' is not the body's ${bodyLength} bytes: drop it (salvo sets it)`;
  }
  return undefined;
};
