// The few assertions the tests use, so tests need nothing beyond npm packages (no JSR here).
import * as Either from "effect/Either";

export class AssertionError extends Error {}

export function assert(cond: unknown, message = "assertion failed"): asserts cond {
  if (!cond) throw new AssertionError(message);
}

const same = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
};

export const assertEquals = <T>(actual: T, expected: T, message?: string): void => {
  if (!same(actual, expected)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}expected ${JSON.stringify(expected)}, got ${
        JSON.stringify(actual)
      }`,
    );
  }
};

export const assertGreater = (actual: number, than: number): void =>
  assert(actual > than, `expected more than ${than}, got ${actual}`);

export const assertLess = (actual: number, than: number): void =>
  assert(actual < than, `expected less than ${than}, got ${actual}`);

export const assertThrows = (f: () => unknown, message?: string): void => {
  try {
    f();
  } catch {
    return;
  }
  throw new AssertionError(message ?? "expected a throw");
};

/** A parser's answer as one string: its refusal's message, or "accepted". */
export const refusal = <A>(r: Either.Either<A, { readonly message: string }>): string =>
  Either.isLeft(r) ? r.left.message : "accepted";
