// Which HTTP statuses count as success: `200-299,304` style ranges, parsed once into a predicate.
import * as Either from "effect/Either";
import { UsageError } from "../domain/errors.ts";

/** The default: any status below 400 succeeds. */
export const defaultSuccess = (status: number): boolean => status >= 100 && status < 400;

export const parseSuccessStatus = (
  text: string,
): Either.Either<(status: number) => boolean, UsageError> => {
  const ranges: Array<readonly [number, number]> = [];
  for (const part of text.split(",")) {
    const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(part);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || lo < 100 || hi > 999 || hi < lo) {
      return Either.left(
        new UsageError({
          reason: "status",
          message: `--success-status: '${part.trim()}' is not a status or range like 200-299`,
        }),
      );
    }
    ranges.push([lo, hi]);
  }
  return Either.right((s) => ranges.some(([lo, hi]) => s >= lo && s <= hi));
};
