/**
 * Length-prefixed frames on a byte stream: a 4-byte big-endian body length, then the body. TCP delivers
 * bytes, not messages, so one `data` chunk may hold half a frame or several; {@link FrameDecoder} reassembles
 * them. A length above the maximum is refused as soon as the 4 header bytes arrive, before any body is
 * buffered, so a peer cannot make a node hold more than one maximum-sized frame per connection.
 *
 * Nothing here throws on bad input: problems are {@link FrameError} values with a reason, and the caller
 * closes the connection.
 *
 * @module
 */

/** Bytes of the length prefix. */
export const FRAME_HEADER_BYTES = 4;

/** The default largest body a frame may carry: 1 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** Why a frame (or the stream carrying it) was refused. */
export type FrameErrorCode =
  /** The length prefix names a body larger than the maximum. */
  | 'oversized'
  /** The stream ended inside a frame. */
  | 'truncated'
  /** The body is not UTF-8. */
  | 'not-utf8'
  /** The body is not JSON. */
  | 'not-json'
  /** The JSON is not a frame: unknown kind, missing, extra or ill-typed fields, a value out of range. */
  | 'bad-frame'
  /** A hello of a wire version this build does not speak. */
  | 'unsupported-version';

/** A refused frame: the code for programs, the reason for people (it ends up in a node's log). */
export interface FrameError {
  readonly code: FrameErrorCode;
  readonly reason: string;
}

/** A value, or the reason there is none. */
export type FrameResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FrameError };

/** A successful {@link FrameResult}. */
export function ok<T>(value: T): FrameResult<T> {
  return { ok: true, value };
}

/** A failed {@link FrameResult}. */
export function refused<T>(code: FrameErrorCode, reason: string): FrameResult<T> {
  return { ok: false, error: { code, reason } };
}

function checkMax(maxFrameBytes: number): number {
  if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < 1 || maxFrameBytes > 0xffffffff) {
    throw new RangeError(`maxFrameBytes must be an integer from 1 to ${0xffffffff}, got ${maxFrameBytes}`);
  }
  return maxFrameBytes;
}

/** `body` behind its length prefix; refused when the body is larger than `maxFrameBytes`. */
export function prefixFrame(body: Uint8Array, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): FrameResult<Buffer> {
  if (body.length > checkMax(maxFrameBytes)) {
    return refused('oversized', `a frame of ${body.length} bytes is larger than the ${maxFrameBytes}-byte maximum`);
  }
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, FRAME_HEADER_BYTES);
  return ok(out);
}

/** What one {@link FrameDecoder.push} produced: the complete bodies, then the error that stopped the stream, if any. */
export interface DecodedChunk {
  readonly bodies: readonly Buffer[];
  readonly error: FrameError | null;
}

/**
 * Reassembles frame bodies from stream chunks. After the first error the decoder is failed: further input
 * yields that error again and no bodies (the connection is to be closed, its remaining bytes are unframed).
 */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** The body length of the frame being read, once its header is complete. */
  private bodyLength: number | null = null;
  private failure: FrameError | null = null;
  private readonly maxFrameBytes: number;

  /** @param maxFrameBytes the largest body accepted (default {@link DEFAULT_MAX_FRAME_BYTES}). */
  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.maxFrameBytes = checkMax(maxFrameBytes);
  }

  /** Bytes held for a frame not yet complete (at most one maximum-sized frame and its header). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The error that stopped the stream, if any. */
  get error(): FrameError | null {
    return this.failure;
  }

  /** Feed a chunk; returns every body it completed, and the error if the stream is now refused. */
  push(chunk: Uint8Array): DecodedChunk {
    if (this.failure !== null) return { bodies: [], error: this.failure };
    if (chunk.length > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const bodies: Buffer[] = [];
    for (;;) {
      if (this.bodyLength === null) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          this.fail({ code: 'oversized', reason: `a frame announces ${length} bytes, more than the ${this.maxFrameBytes}-byte maximum` });
          break;
        }
        this.bodyLength = length;
      }
      if (this.buffered < this.bodyLength) break;
      // Copied out: a body may outlive the chunk it came in, and must not pin a large socket buffer.
      bodies.push(Buffer.from(this.take(this.bodyLength)));
      this.bodyLength = null;
    }
    return { bodies, error: this.failure };
  }

  /** The stream ended: an error when it ended inside a frame (or had already failed), else `null`. */
  end(): FrameError | null {
    if (this.failure !== null) return this.failure;
    if (this.buffered > 0 || this.bodyLength !== null) {
      const what =
        this.bodyLength === null
          ? `${this.buffered} of the ${FRAME_HEADER_BYTES} length bytes`
          : `${this.buffered} of the ${this.bodyLength} bytes the frame announced`;
      this.fail({ code: 'truncated', reason: `the stream ended inside a frame (${what} arrived)` });
    }
    return this.failure;
  }

  private fail(error: FrameError): void {
    this.failure = error;
    this.chunks.length = 0;
    this.buffered = 0;
    this.bodyLength = null;
  }

  /** Removes the first `n` buffered bytes (n <= buffered); a view when they lie in one chunk. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.buffered -= n;
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0] as Buffer;
      const part = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, part);
      filled += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    return out;
  }
}
