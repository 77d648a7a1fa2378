// The charts' legends: items laid out by the width of their names, never on top of each other.
import fc from "fast-check";
import { assert } from "../assert.ts";
import { legendLayout } from "../../src/report/svg.ts";

/** The layout of `names`: every item inside the chart, no two on one row overlapping. */
const laidOutWell = (names: ReadonlyArray<string>): void => {
  const { at, rows } = legendLayout(names);
  // An item spans its swatch (28 px) and its name (6.5 px a character).
  const boxes = names.map((n, i) => ({ x: at[i]![0], y: at[i]![1], w: 28 + n.length * 6.5 }));
  for (const b of boxes) assert(b.x + b.w <= 760 - 16 || b.x === 64 + 8, JSON.stringify(b));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!, b = boxes[j]!;
      assert(a.y !== b.y || a.x + a.w <= b.x || b.x + b.w <= a.x, JSON.stringify([a, b]));
    }
  }
  assert(rows === new Set(boxes.map((b) => b.y)).size);
};

Deno.test("legend items never overlap and stay inside the chart, however long or many their names", () => {
  // The failure reasons the HTML report names (their legend once overlapped itself): one row.
  const reasons = ["connection_refused", "connection_reset", "timeout", "protocol_error"];
  laidOutWell(reasons);
  assert(legendLayout(reasons).rows === 1);
  fc.assert(
    fc.property(
      fc.array(fc.stringOf(fc.constantFrom(..."abcdefghij_"), { minLength: 1, maxLength: 24 }), {
        minLength: 1,
        maxLength: 12,
      }),
      laidOutWell,
    ),
    { numRuns: 300 },
  );
});
