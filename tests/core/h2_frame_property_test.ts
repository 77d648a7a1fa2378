// HTTP/2's frame parser: any split of valid input reads the same frames; arbitrary bytes never make it throw.
import fc from "fast-check";
import {
  defaultMaxFrameSize,
  Flag,
  type FrameSink,
  frameTooLarge,
  FrameType,
  FrameWriter,
  parseFrames,
  unpad,
  unpadded,
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

Deno.test("a frame exactly as long as the limit is read", () => {
  const w = new FrameWriter();
  w.frame(0, 0, 1, new Uint8Array(20).fill(3));
  const seen: Seen[] = [];
  assertEquals(parseFrames(w.take(), 0, 29, 20, recorder(seen)), 29);
  assertEquals(seen.map((s) => s.payload.length), [20]);
});

Deno.test("unpad: the pad length byte and the padding come off; a PADDED frame with no room for them is refused", () => {
  // DATA, PADDED, payload at 5..11: pad length 2, "abcd"... less the 2 bytes of padding.
  const buf = new Uint8Array([9, 9, 9, 9, 9, 2, 97, 98, 99, 0, 0, 0]);
  assertEquals([unpad(FrameType.Data, Flag.Padded, buf, 5, 11), unpadded.end], [6, 9]);
  // HEADERS, PADDED and PRIORITY: the 5 bytes of priority come off too.
  const h = new Uint8Array([1, 0, 0, 0, 0, 0, 104, 0]);
  assertEquals(
    [unpad(FrameType.Headers, Flag.Padded | Flag.Priority, h, 0, 8), unpadded.end],
    [6, 7],
  );
  // Empty: not even the pad length's byte (the next byte, a 0, is not the frame's).
  assertEquals(unpad(FrameType.Data, Flag.Padded, new Uint8Array([0, 0]), 1, 1), -1);
  // Padding longer than what is left.
  assertEquals(unpad(FrameType.Data, Flag.Padded, new Uint8Array([5, 1, 2]), 0, 3), -1);
  // Not padded: all of it.
  assertEquals([unpad(FrameType.Data, 0, buf, 5, 11), unpadded.end], [5, 11]);
});
