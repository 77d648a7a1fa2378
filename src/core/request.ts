// Parsers for the parts of a request typed by users: target URL, method and header lines.
import { Either } from "effect";
import { UsageError } from "../domain/errors.ts";

export const parseUrl = (text: string): Either.Either<URL, UsageError> => {
  const bad = (why: string) =>
    Either.left(
      new UsageError({ reason: "url", message: `'${text}' is not a usable URL: ${why}` }),
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
  if (!token.test(name) || /[\r\n\0]/.test(value)) {
    return Either.left(
      new UsageError({
        reason: "header",
        message: `--header: '${text}' is not a header like 'Name: value'`,
      }),
    );
  }
  return Either.right([name, value] as const);
};

const secretName =
  /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|key|password/i;

/** Masks values of headers that carry credentials, for anything salvo echoes. */
export const maskHeader = ([name, value]: readonly [string, string]): readonly [string, string] =>
  secretName.test(name) ? [name, value === "" ? "" : "****"] : [name, value];
