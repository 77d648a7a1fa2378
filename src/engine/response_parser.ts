// An incremental HTTP/1.x response parser over a byte buffer: synchronous, allocation-free, fed by the client.
//
// `advance(buf, start, end)` consumes what it can of buf[start..end) and returns the new start; `done`
// turns true when one whole response was consumed. The head must lie whole in the buffer before it is
// parsed (the client compacts and reads more until it does); the body is skipped as it streams by.

import { copyOf } from "./slab.ts";

export class ProtocolError extends Error {}

const empty = new Uint8Array(0);

/** Pieces of a body, whole (the one piece itself when there is one). */
export const joined = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 0) return empty;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const CR = 13;
const LF = 10;

// Phases as plain numbers (a TS enum would be an object lookup on the hot path).
const Head = 0,
  Length = 1,
  UntilClose = 2,
  ChunkSize = 3,
  ChunkData = 4,
  ChunkDataEnd = 5,
  Trailers = 6,
  Done = 7;

/** Longest chunk-size or trailer line accepted, and longest head. */
const maxLine = 8192;
const maxHead = 65536 - 1;

export class ResponseParser {
  private phase = Head;
  private head = false;
  private remaining = 0;
  status = 0;
  /** The server asked to close the connection after this response (or the body ends at close). */
  close = false;
  /** Read the Location header (only when following redirects: it costs a string per response). */
  wantLocation = false;
  /** The Location header of the last response, when `wantLocation`. */
  location: string | undefined;
  /**
   * Keep the head's bytes and the body, for a scenario that reads them (engine/scenario_user.ts);
   * off on a plain run's hot path, which skips the body as it streams by.
   */
  keep = false;
  /** With `keep`: the last response's head (status line and header lines) as received. */
  headBytes: Uint8Array | undefined;
  /** With `keep`: the last response's body so far, in the pieces it arrived in (chunk framing removed). */
  bodyParts: Uint8Array[] = [];
  /** With `keep`: the last response's head has a Set-Cookie header (its head is then read for it). */
  setCookie = false;
  private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private wordsMemory: ArrayBufferLike | undefined;

  /** Starts a new response; `head` marks a HEAD request, whose response has no body. */
  begin(head: boolean): void {
    this.phase = Head;
    this.head = head;
    this.status = 0;
    this.close = false;
    this.location = undefined;
    if (this.keep) {
      this.headBytes = undefined;
      this.bodyParts.length = 0;
      this.setCookie = false;
    }
  }

  /** With `keep`: the last response's body, whole. */
  body(): Uint8Array {
    return joined(this.bodyParts);
  }

  private keepBody(buf: Uint8Array, from: number, to: number): void {
    if (to > from) this.bodyParts.push(copyOf(buf, from, to));
  }

  get done(): boolean {
    return this.phase === Done;
  }

  /** True when the response so far may legitimately end at end of stream (a body delimited by close). */
  get endsAtClose(): boolean {
    return this.phase === UntilClose;
  }

  /** True while nothing of the head has been parsed yet. */
  get inHead(): boolean {
    return this.phase === Head;
  }

  advance(buf: Uint8Array, start: number, end: number): number {
    let at = start;
    while (at < end || this.phase === Done) {
      switch (this.phase) {
        case Done:
          return at;
        case Head: {
          const next = this.parseHead(buf, at, end);
          if (next < 0) return at;
          at = next;
          break;
        }
        case Length: {
          const take = Math.min(this.remaining, end - at);
          if (this.keep) this.keepBody(buf, at, at + take);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.phase = Done;
          break;
        }
        case UntilClose:
          if (this.keep) this.keepBody(buf, at, end);
          return end;
        case ChunkSize: {
          const eol = lineEnd(buf, at, end);
          if (eol < 0) return at;
          let size = 0, digits = 0;
          for (let i = at; i < eol; i++) {
            const h = hexValue(buf[i]!);
            if (h < 0) {
              const b = buf[i]!;
              if (b !== 59 /* ; */ && b !== 32 && b !== 9 && b !== CR) {
                throw new ProtocolError("bad chunk size");
              }
              break;
            }
            size = size * 16 + h;
            digits++;
          }
          if (digits === 0 || digits > 12) throw new ProtocolError("bad chunk size");
          at = eol + 1;
          if (size === 0) this.phase = Trailers;
          else {
            this.remaining = size;
            this.phase = ChunkData;
          }
          break;
        }
        case ChunkData: {
          const take = Math.min(this.remaining, end - at);
          if (this.keep) this.keepBody(buf, at, at + take);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.remaining = 2;
            this.phase = ChunkDataEnd;
          }
          break;
        }
        case ChunkDataEnd: {
          const b = buf[at++]!;
          if (b !== (this.remaining === 2 ? CR : LF)) {
            throw new ProtocolError("chunk not followed by CRLF");
          }
          if (--this.remaining === 0) this.phase = ChunkSize;
          break;
        }
        case Trailers: {
          const eol = lineEnd(buf, at, end);
          if (eol < 0) return at;
          const empty = eol === at || (eol === at + 1 && buf[at] === CR);
          at = eol + 1;
          if (empty) this.phase = Done;
          break;
        }
      }
    }
    return at;
  }

  /**
   * Parses the status line and the headers that frame the body, in one pass over whole lines; returns
   * where the body starts, or -1 when the head is not all in buf[s..end) yet.
   */
  private parseHead(buf: Uint8Array, s: number, end: number): number {
    const words = this.wordsOf(buf);
    let eol = findLF(buf, words, s, end);
    if (eol < 0) return end - s > maxHead ? tooLarge() : -1;
    if (
      eol - s < 12 || buf[s] !== 72 || buf[s + 1] !== 84 || buf[s + 2] !== 84 ||
      buf[s + 3] !== 80 || buf[s + 4] !== 47 || buf[s + 5] !== 49 || buf[s + 6] !== 46 ||
      buf[s + 8] !== 32
    ) {
      throw new ProtocolError("response is not HTTP/1.x");
    }
    const d0 = buf[s + 9]! - 48, d1 = buf[s + 10]! - 48, d2 = buf[s + 11]! - 48;
    if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      throw new ProtocolError("bad status code");
    }
    const status = d0 * 100 + d1 * 10 + d2;
    let contentLength = -1;
    let chunked = false;
    let close = buf[s + 7] === 48; // HTTP/1.0 closes unless it says keep-alive
    let line = eol + 1;
    for (;;) {
      eol = findLF(buf, words, line, end);
      if (eol < 0) return end - s > maxHead ? tooLarge() : -1;
      if (eol === line || (eol === line + 1 && buf[line] === CR)) break; // the blank line
      const c = buf[line]! | 0x20;
      if (c === 99 /* c */ || c === 116 /* t */) {
        let colon = line;
        while (colon < eol && buf[colon] !== 58) colon++;
        const len = colon - line;
        if (len === 14 && sameName(buf, line, contentLengthName)) {
          let v = 0, digits = 0;
          for (let i = colon + 1; i < eol; i++) {
            const b = buf[i]!;
            if (b >= 48 && b <= 57) {
              v = v * 10 + b - 48;
              digits++;
            } else if (b !== 32 && b !== 9 && b !== CR) {
              throw new ProtocolError("bad Content-Length");
            }
          }
          if (digits === 0 || digits > 15) throw new ProtocolError("bad Content-Length");
          contentLength = v;
        } else if (len === 17 && sameName(buf, line, transferEncodingName)) {
          chunked = containsToken(buf, colon + 1, eol, chunkedToken);
        } else if (len === 10 && sameName(buf, line, connectionName)) {
          if (containsToken(buf, colon + 1, eol, closeToken)) close = true;
          else if (containsToken(buf, colon + 1, eol, keepAliveToken)) close = false;
        }
      } else if (c === 115 /* s */ && this.keep) {
        if (eol - line >= 11 && buf[line + 10] === 58 && sameName(buf, line, setCookieName)) {
          this.setCookie = true;
        }
      } else if (c === 108 /* l */ && this.wantLocation) {
        if (eol - line >= 9 && buf[line + 8] === 58 && sameName(buf, line, locationName)) {
          this.location = new TextDecoder().decode(buf.subarray(line + 9, eol)).trim();
        }
      }
      line = eol + 1;
    }
    const headEnd = eol + 1;
    if (status < 200 && status !== 101) return headEnd; // interim (100, 103): the real response follows
    this.status = status;
    this.close = close;
    if (this.keep) this.headBytes = copyOf(buf, s, headEnd);
    if (this.head || status < 200 || status === 204 || status === 304) this.phase = Done;
    else if (chunked) this.phase = ChunkSize;
    else if (contentLength > 0) {
      this.remaining = contentLength;
      this.phase = Length;
    } else if (contentLength === 0) this.phase = Done;
    else {
      this.phase = UntilClose;
      this.close = true;
    }
    return headEnd;
  }

  /** A view of buf's memory as 32-bit words, for `findLF`; made again only when the buffer changes. */
  private wordsOf(buf: Uint8Array): Int32Array<ArrayBufferLike> {
    const memory = buf.buffer;
    if (memory !== this.wordsMemory) {
      this.wordsMemory = memory;
      this.words = new Int32Array(memory, 0, memory.byteLength >> 2);
    }
    return this.words;
  }

  /** At end of stream: completes a body delimited by close. */
  finishAtClose(): void {
    if (this.phase === UntilClose) this.phase = Done;
  }
}

/**
 * The index of the first LF in buf[from..end), or -1: four bytes at a time where the bytes are aligned
 * (a word holds an LF exactly when `v ^ 0x0a0a0a0a` has a zero byte), which halves the cost of a head.
 * `words` views buf's whole ArrayBuffer, so word k holds bytes 4k..4k+3 of it, not of buf.
 */
const findLF = (
  buf: Uint8Array,
  words: Int32Array<ArrayBufferLike>,
  from: number,
  end: number,
): number => {
  const base = buf.byteOffset;
  let i = from;
  while (i < end && ((base + i) & 3) !== 0) {
    if (buf[i] === LF) return i;
    i++;
  }
  while (i + 4 <= end) {
    const v = words[(base + i) >> 2]! ^ 0x0a0a0a0a;
    if (((v - 0x01010101) & ~v & 0x80808080) !== 0) break;
    i += 4;
  }
  while (i < end) {
    if (buf[i] === LF) return i;
    i++;
  }
  return -1;
};

const lineEnd = (buf: Uint8Array, from: number, end: number): number => {
  for (let i = from; i < end; i++) if (buf[i] === LF) return i;
  if (end - from > maxLine) throw new ProtocolError("line too long in body framing");
  return -1;
};

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const contentLengthName = bytes("content-length");
const transferEncodingName = bytes("transfer-encoding");
const connectionName = bytes("connection");
const locationName = bytes("location");
const setCookieName = bytes("set-cookie");
const chunkedToken = bytes("chunked");
const closeToken = bytes("close");
const keepAliveToken = bytes("keep-alive");

/** Case-insensitive match of buf[from..] against a lower-case name. */
const sameName = (buf: Uint8Array, from: number, name: Uint8Array): boolean => {
  for (let i = 0; i < name.length; i++) if ((buf[from + i]! | 0x20) !== name[i]) return false;
  return true;
};

const containsToken = (buf: Uint8Array, from: number, to: number, token: Uint8Array): boolean => {
  const n = token.length;
  for (let i = from; i + n <= to; i++) if (sameName(buf, i, token)) return true;
  return false;
};

const tooLarge = (): never => {
  throw new ProtocolError("response head larger than 64 KiB");
};

const hexValue = (b: number): number =>
  b >= 48 && b <= 57 ? b - 48 : b >= 97 && b <= 102 ? b - 87 : b >= 65 && b <= 70 ? b - 55 : -1;
