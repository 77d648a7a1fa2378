// HTTP/2 frames (RFC 9113 §4, §6): the constants, a parser that splits bytes into frames, and a writer.
//
// The parser is pure and never throws: it hands each whole frame to a sink and returns where the
// first incomplete one begins, so bytes may arrive split anywhere.

export const FrameType = {
  Data: 0x0,
  Headers: 0x1,
  Priority: 0x2,
  RstStream: 0x3,
  Settings: 0x4,
  PushPromise: 0x5,
  Ping: 0x6,
  Goaway: 0x7,
  WindowUpdate: 0x8,
  Continuation: 0x9,
} as const;

export const Flag = {
  EndStream: 0x1,
  Ack: 0x1,
  EndHeaders: 0x4,
  Padded: 0x8,
  Priority: 0x20,
} as const;

export const Setting = {
  HeaderTableSize: 0x1,
  EnablePush: 0x2,
  MaxConcurrentStreams: 0x3,
  InitialWindowSize: 0x4,
  MaxFrameSize: 0x5,
  MaxHeaderListSize: 0x6,
} as const;

/** Error codes (§7), by value. */
export const errorNames = [
  "NO_ERROR",
  "PROTOCOL_ERROR",
  "INTERNAL_ERROR",
  "FLOW_CONTROL_ERROR",
  "SETTINGS_TIMEOUT",
  "STREAM_CLOSED",
  "FRAME_SIZE_ERROR",
  "REFUSED_STREAM",
  "CANCEL",
  "COMPRESSION_ERROR",
  "CONNECT_ERROR",
  "ENHANCE_YOUR_CALM",
  "INADEQUATE_SECURITY",
  "HTTP_1_1_REQUIRED",
] as const;

export const ErrorCode = {
  NoError: 0x0,
  ProtocolError: 0x1,
  FlowControlError: 0x3,
  FrameSizeError: 0x6,
  RefusedStream: 0x7,
  Cancel: 0x8,
  CompressionError: 0x9,
} as const;

export const errorName = (code: number): string =>
  errorNames[code] ?? `error 0x${code.toString(16)}`;

/** The client's connection preface (§3.4). */
export const preface = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

export const frameHeaderSize = 9;
/** The largest frame payload before SETTINGS_MAX_FRAME_SIZE says otherwise (§4.2). */
export const defaultMaxFrameSize = 16384;

/** Receives each whole frame: its payload is buf[start..end). */
export interface FrameSink {
  frame(
    type: number,
    flags: number,
    stream: number,
    buf: Uint8Array,
    start: number,
    end: number,
  ): void;
}

/** What `parseFrames` returns when a frame is longer than the receiver allows. */
export const frameTooLarge = -1;

/**
 * Hands every whole frame in buf[start..end) to `sink`, in order; returns the offset of the first
 * byte not consumed (the start of an incomplete frame, or `end`), or `frameTooLarge`.
 */
export const parseFrames = (
  buf: Uint8Array,
  start: number,
  end: number,
  maxFrameSize: number,
  sink: FrameSink,
): number => {
  let at = start;
  while (end - at >= frameHeaderSize) {
    const length = (buf[at]! << 16) | (buf[at + 1]! << 8) | buf[at + 2]!;
    if (length > maxFrameSize) return frameTooLarge;
    if (end - at < frameHeaderSize + length) break;
    const stream = ((buf[at + 5]! & 0x7f) << 24 | buf[at + 6]! << 16 | buf[at + 7]! << 8 |
      buf[at + 8]!) >>> 0;
    const type = buf[at + 3]!, flags = buf[at + 4]!;
    const payload = at + frameHeaderSize;
    at = payload + length;
    sink.frame(type, flags, stream, buf, payload, at);
  }
  return at;
};

/** A big-endian 32-bit integer at buf[at]. */
export const u32 = (buf: Uint8Array, at: number): number =>
  ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;

/**
 * The part of a DATA or HEADERS payload left when padding (and, for HEADERS, priority) is taken
 * off: returns its start and sets `unpadded.end`; -1 when the padding is longer than the payload
 * (a PROTOCOL_ERROR).
 */
export const unpadded = { end: 0 };
export const unpad = (
  type: number,
  flags: number,
  buf: Uint8Array,
  start: number,
  end: number,
): number => {
  let pad = 0;
  if (flags & Flag.Padded) {
    if (start >= end) return -1;
    pad = buf[start++]!;
  }
  if (type === FrameType.Headers && flags & Flag.Priority) start += 5;
  if (start + pad > end) return -1;
  unpadded.end = end - pad;
  return start;
};

/** A growable output buffer that frames are written into. */
export class FrameWriter {
  buf: Uint8Array;
  length = 0;

  constructor(size = 16 * 1024) {
    this.buf = new Uint8Array(size);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  /** Writes a frame header and makes room for its payload; returns the payload's offset. */
  header(length: number, type: number, flags: number, stream: number): number {
    this.room(frameHeaderSize + length);
    const b = this.buf;
    let at = this.length;
    b[at++] = length >>> 16;
    b[at++] = length >>> 8;
    b[at++] = length;
    b[at++] = type;
    b[at++] = flags;
    b[at++] = stream >>> 24 & 0x7f;
    b[at++] = stream >>> 16;
    b[at++] = stream >>> 8;
    b[at++] = stream;
    this.length = at + length;
    return at;
  }

  /** Bytes as they are (the connection preface). */
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A whole frame with `payload` (bytes, or buf[start..end) of it). */
  frame(
    type: number,
    flags: number,
    stream: number,
    payload: Uint8Array,
    start = 0,
    end = payload.length,
  ): void {
    const at = this.header(end - start, type, flags, stream);
    this.buf.set(
      start === 0 && end === payload.length ? payload : payload.subarray(start, end),
      at,
    );
  }

  /** A frame whose payload is 32-bit integers (WINDOW_UPDATE, RST_STREAM, GOAWAY). */
  words(type: number, flags: number, stream: number, ...words: number[]): void {
    let at = this.header(4 * words.length, type, flags, stream);
    for (const w of words) {
      this.buf[at++] = w >>> 24;
      this.buf[at++] = w >>> 16;
      this.buf[at++] = w >>> 8;
      this.buf[at++] = w;
    }
  }

  /** SETTINGS with these (identifier, value) pairs. */
  settings(pairs: ReadonlyArray<readonly [number, number]>, flags = 0): void {
    let at = this.header(6 * pairs.length, FrameType.Settings, flags, 0);
    for (const [id, v] of pairs) {
      this.buf[at++] = id >>> 8;
      this.buf[at++] = id;
      this.buf[at++] = v >>> 24;
      this.buf[at++] = v >>> 16;
      this.buf[at++] = v >>> 8;
      this.buf[at++] = v;
    }
  }

  /** Takes what was written: the bytes, and an empty writer. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.length);
    this.length = 0;
    return out;
  }
}
