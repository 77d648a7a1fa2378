// Durations and counts at their edges: a bare 0, the least count allowed, and each format's first value (1 ms, 10 ms, 100 ms, 1 s, 1 min) and values that are not numbers.
import { Either } from "effect";
import { formatDuration, parseCount, parseDuration } from "../../src/core/units.ts";
import { assertEquals, refusal } from "../assert.ts";

Deno.test("a bare 0 is a duration of zero; any other bare number is refused", () => {
  assertEquals(Either.getOrThrow(parseDuration("--ramp", " 0 ")), 0);
  assertEquals(Either.isLeft(parseDuration("--ramp", "5")), true);
  assertEquals(Either.getOrThrow(parseDuration("--ramp", "250us")), 0.25);
});

Deno.test("a count equal to its least allowed value is accepted; one below is refused with the least", () => {
  assertEquals(Either.getOrThrow(parseCount("-c", "5", 5)), 5);
  assertEquals(refusal(parseCount("-c", "4", 5)), "-c: '4' must be a whole number of at least 5");
});

Deno.test("each duration format starts at its own edge: 1 ms, 10 ms, 100 ms, 1 s and 1 min", () => {
  const shown = [0.5, 1, 9.999, 10, 99.9, 100, 999, 1000, 59_999, 60_000, 125_000].map(
    formatDuration,
  );
  assertEquals(shown, [
    "500µs",
    "1.00ms",
    "10.00ms",
    "10.0ms",
    "99.9ms",
    "100ms",
    "999ms",
    "1.00s",
    "60.00s",
    "1m00s",
    "2m05s",
  ]);
});

Deno.test("a duration that is not a finite number is written as JavaScript writes it", () => {
  assertEquals([NaN, Infinity].map(formatDuration), ["NaN", "Infinity"]);
});
