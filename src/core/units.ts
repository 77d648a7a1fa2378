// Parsers and formatters for durations and counts typed by users: pure, never throw.
import * as Either from "effect/Either";
import { UsageError } from "../domain/errors.ts";

const durationUnits: Readonly<Record<string, number>> = {
  us: 0.001,
  "µs": 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const durationPattern = /^(\d+(?:\.\d+)?|\.\d+)(us|µs|ms|s|m|h)$/;

/**
 * Parses `250us`, `500ms`, `3s`, `1.5m`, `2h` into milliseconds. A bare number is rejected (units are
 * required), except `0`, which is zero in any unit: whether zero is allowed is the flag's to say.
 */
export const parseDuration = (flag: string, text: string): Either.Either<number, UsageError> => {
  if (text.trim() === "0") return Either.right(0);
  const m = durationPattern.exec(text.trim());
  if (m === null) {
    return Either.left(
      new UsageError({
        reason: "duration",
        message:
          `${flag}: '${text}' is not a duration; use a number with a unit, like 500ms, 3s or 2m`,
      }),
    );
  }
  const ms = Number(m[1]) * durationUnits[m[2]!]!;
  return Number.isFinite(ms) ? Either.right(ms) : Either.left(
    new UsageError({ reason: "duration", message: `${flag}: '${text}' is too large` }),
  );
};

/** Parses a whole number that is at least `min`. */
export const parseCount = (
  flag: string,
  text: string,
  min: number,
): Either.Either<number, UsageError> => {
  const t = text.trim();
  const n = /^-?\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    return Either.left(
      new UsageError({
        reason: "number",
        message: `${flag}: '${text}' must be a whole number of at least ${min}`,
      }),
    );
  }
  return Either.right(n);
};

/** Formats milliseconds for people: `812µs`, `2.31ms`, `1.50s`, `2m05s`. */
export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 100) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
};
