// Picking targets: in turn, or at random with every target reached.
import { pick, type Target, type Targets } from "../../src/engine/target.ts";
import { assert, assertEquals } from "../assert.ts";

const targets = (n: number, random: boolean): Targets => ({
  all: Array.from({ length: n }, (_, i) => ({ nameJson: String(i) }) as unknown as Target),
  endpoints: [],
  random,
  next: 0,
});

const picks = (t: Targets, n: number): number[] =>
  Array.from({ length: n }, () => Number(pick(t).nameJson));

Deno.test("pick: round-robin takes the targets in turn, from the first", () => {
  assertEquals(picks(targets(3, false), 7), [0, 1, 2, 0, 1, 2, 0]);
  assertEquals(picks(targets(1, false), 3), [0, 0, 0]);
});

Deno.test("pick: random reaches every target in no fixed order", () => {
  const seq = picks(targets(3, true), 300);
  const counts = [0, 1, 2].map((i) => seq.filter((x) => x === i).length);
  // Each share is 100 ± 45 with overwhelming probability (binomial, sd ≈ 8.2: more than 5 sd).
  for (const c of counts) assert(c > 55 && c < 145, `counts ${counts}`);
  const inTurn = seq.every((x, i) => x === i % 3);
  assert(!inTurn, "random order was round-robin");
  // Some target repeats back to back (round-robin never does): P(no repeat in 300) = (2/3)^299.
  assert(seq.some((x, i) => i > 0 && x === seq[i - 1]), "no repeat in 300 random picks");
});
