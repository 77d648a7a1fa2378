// The open model's queue of arrivals waiting for a connection: first in, first out, whatever it holds.
import fc from "fast-check";
import { assertEquals } from "../assert.ts";
import { ArrivalQueue } from "../../src/engine/arrival_queue.ts";
import type { Target } from "../../src/engine/target.ts";

const target = (endpoint: number): Target => ({
  request: new Uint8Array(0),
  h2: undefined,
  head: false,
  retry: true,
  endpoint,
  nameJson: `"t${endpoint}"`,
  redirects: undefined,
  summary: undefined,
});

Deno.test("arrival queue: any mix of pushes and shifts gives back arrivals oldest first, each with its target", () => {
  fc.assert(
    fc.property(
      // true: push the next arrival; false: shift one if any waits. Pushes are the more likely, so the
      // ring fills and grows while its oldest arrival sits anywhere in it (wrapped around).
      fc.array(fc.integer({ min: 0, max: 2 }).map((x) => x > 0), { maxLength: 300, size: "max" }),
      (ops) => {
        const q = new ArrivalQueue();
        const model: number[] = [];
        let next = 0;
        for (const push of ops) {
          if (push) {
            q.push(next, target(next));
            model.push(next++);
          } else if (model.length > 0) {
            const want = model.shift()!;
            assertEquals(q.shift(), want);
            assertEquals(q.shiftedTarget?.endpoint, want);
          }
          assertEquals(q.length, model.length);
        }
        while (model.length > 0) assertEquals(q.shift(), model.shift());
        assertEquals(q.length, 0);
      },
    ),
    { numRuns: 1000 },
  );
});
