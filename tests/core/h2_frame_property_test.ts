// HTTP/2's frame parser: any split of valid input reads the same frames; arbitrary bytes never make it throw.
import fc from "fast-check";
import {
  defaultMaxFrameSize,
  type FrameSink,
  frameTooLarge,
  FrameWriter,
  parseFrames,
} from "../../src/core/h2/frame.ts";
import { assert, assertEquals } from "../assert.ts";

interface Seen {
  type: number;
  flags: number;
  stream: number;
  payload: number[];
}

const recorder = (seen: Seen[]): FrameSink => ({
  frame: (type, flags, stream, buf, start, end) =>
    seen.push({ type, flags, stream, payload: Array.from(buf.subarray(start, end)) }),
});

/** Feeds `bytes` in the chunks given, as a connection's reads would, into one buffer. */
const readInChunks = (bytes: Uint8Array, cuts: number[]): Seen[] => {
  const seen: Seen[] = [];
  const sink = recorder(seen);
  const buf = new Uint8Array(bytes.length);
  let start = 0, end = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut < end) continue;
    buf.set(bytes.subarray(end, cut), end);
    end = cut;
    start = parseFrames(buf, start, end, defaultMaxFrameSize, sink);
    assert(start >= 0);
  }
  assertEquals(start, bytes.length);
  return seen;
};

const frame = fc.record({
  type: fc.integer({ min: 0, max: 255 }),
  flags: fc.integer({ min: 0, max: 255 }),
  stream: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  payload: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }),
});

Deno.test("property: every split of a stream of frames is read as the same frames, in order", () => {
  fc.assert(
    fc.property(
      fc.array(frame, { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (frames, rawCuts) => {
        const w = new FrameWriter(64);
        for (const f of frames) w.frame(f.type, f.flags, f.stream, Uint8Array.from(f.payload));
        const bytes = w.take().slice();
        const cuts = rawCuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
        assertEquals(readInChunks(bytes, cuts), frames);
        assertEquals(readInChunks(bytes, []), frames);
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("property: arbitrary bytes never make the parser throw, nor read past the end", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 70000 }), (b, max) => {
      const seen: Seen[] = [];
      const at = parseFrames(b, 0, b.length, max, recorder(seen));
      assert(at === frameTooLarge || (at >= 0 && at <= b.length));
      for (const f of seen) assert(f.payload.length <= max);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("a frame longer than the limit is refused before it is read", () => {
  const w = new FrameWriter();
  w.frame(0, 0, 1, new Uint8Array(20));
  assertEquals(parseFrames(w.take(), 0, 29, 19, recorder([])), frameTooLarge);
});
