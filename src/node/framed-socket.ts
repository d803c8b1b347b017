/**
 * Frames over one `node:net` socket: every complete, valid frame is handed to the owner; the first
 * malformed or oversized one closes the connection, after a best-effort `refused` frame telling the other
 * end why, and the owner learns the reason from {@link FramedSocketHandlers.closed}. Nothing here throws on
 * what the network sends.
 *
 * Sending is bounded: when the socket already holds `maxQueuedBytes` that the kernel has not taken (a slow
 * or cut-off peer), a frame is dropped and `send` says so. Raft tolerates lost messages; a node's memory
 * must not grow with a partition.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { match } from 'ts-pattern';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, type FrameError } from './frames.js';
import { type DecodeContext, type Frame, MAX_REASON_CHARS, decodeFrame, encodeFrame } from './wire.js';

/** Why a framed connection ended. */
export type CloseReason =
  /** This end refused what the other sent (the error says what); a `refused` frame was sent back. */
  | { readonly type: 'protocol'; readonly error: FrameError }
  /** This end closed it ({@link FramedSocket.close} or {@link FramedSocket.refuse}). */
  | { readonly type: 'local'; readonly reason: string }
  /** The other end closed it. */
  | { readonly type: 'remote' }
  /** The socket failed (reset, refused, unreachable). */
  | { readonly type: 'socket-error'; readonly message: string };

/** `protocol error (oversized): ...`, `closed here: shutting down`, ... */
export function formatCloseReason(reason: CloseReason): string {
  return match(reason)
    .with({ type: 'protocol' }, (r) => `protocol error (${r.error.code}): ${r.error.reason}`)
    .with({ type: 'local' }, (r) => `closed here: ${r.reason}`)
    .with({ type: 'remote' }, () => 'closed by the other end')
    .with({ type: 'socket-error' }, (r) => `socket error: ${r.message}`)
    .exhaustive();
}

/** The owner's callbacks. */
export interface FramedSocketHandlers {
  /** A valid frame arrived. */
  frame(frame: Frame): void;
  /** The connection is over; called exactly once. */
  closed(reason: CloseReason): void;
}

/** Limits and the receiver's knowledge. */
export interface FramedSocketOptions extends DecodeContext {
  /** The largest frame body sent or accepted (default 1 MiB). */
  readonly maxFrameBytes?: number;
  /** Bytes the socket may hold unsent before frames are dropped (default 4 MiB). */
  readonly maxQueuedBytes?: number;
  /** How long a refused connection waits for its `refused` frame to leave before it is destroyed (default 1 s). */
  readonly lingerMs?: number;
}

/** Whether a frame left, and why not. */
export type SendResult = { readonly sent: true } | { readonly sent: false; readonly why: 'closed' | 'backlog' | 'oversized'; readonly detail: string };

const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** One framed connection; see the module comment. */
export class FramedSocket {
  private readonly decoder: FrameDecoder;
  private readonly maxFrameBytes: number;
  private readonly maxQueuedBytes: number;
  private readonly lingerMs: number;
  private ended: CloseReason | null = null;
  private framesIn = 0;
  private framesOut = 0;
  private dropped = 0;

  constructor(
    readonly socket: Socket,
    private readonly handlers: FramedSocketHandlers,
    private readonly options: FramedSocketOptions = {},
  ) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.lingerMs = options.lingerMs ?? 1000;
    this.decoder = new FrameDecoder(this.maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      const error = this.decoder.end();
      this.finish(error === null ? { type: 'remote' } : { type: 'protocol', error });
    });
    socket.on('error', (e) => this.finish({ type: 'socket-error', message: e.message }));
    socket.on('close', () => this.finish({ type: 'remote' }));
  }

  /** Whether the connection is over. */
  get closed(): boolean {
    return this.ended !== null;
  }

  /** Counters, for a node's status line and for tests. */
  get stats(): { readonly framesIn: number; readonly framesOut: number; readonly dropped: number } {
    return { framesIn: this.framesIn, framesOut: this.framesOut, dropped: this.dropped };
  }

  /** Send a frame, unless the connection is over, too far behind, or the frame is too large. */
  send(frame: Frame): SendResult {
    if (this.ended !== null || this.socket.destroyed) return { sent: false, why: 'closed', detail: 'the connection is closed' };
    if (this.socket.writableLength >= this.maxQueuedBytes) {
      this.dropped++;
      return { sent: false, why: 'backlog', detail: `${this.socket.writableLength} bytes are still waiting to leave` };
    }
    const bytes = encodeFrame(frame, this.maxFrameBytes);
    if (!bytes.ok) {
      this.dropped++;
      return { sent: false, why: 'oversized', detail: bytes.error.reason };
    }
    this.socket.write(bytes.value);
    this.framesOut++;
    return { sent: true };
  }

  /** Close the connection now. */
  close(reason: string): void {
    this.finish({ type: 'local', reason });
    this.socket.destroy();
  }

  /** Tell the other end why, then close (the connection broke this end's rules, see `handshake.ts`). */
  refuse(reason: string): void {
    this.endWith({ type: 'local', reason }, reason);
  }

  private onData(chunk: Buffer): void {
    if (this.ended !== null) return;
    const { bodies, error } = this.decoder.push(chunk);
    for (const body of bodies) {
      // The owner may have closed the connection while handling an earlier frame of this chunk.
      if (this.ended !== null) return;
      const frame = decodeFrame(body, this.options);
      if (!frame.ok) {
        this.endWith({ type: 'protocol', error: frame.error }, frame.error.reason);
        return;
      }
      this.framesIn++;
      this.handlers.frame(frame.value);
    }
    if (error !== null && this.ended === null) this.endWith({ type: 'protocol', error }, error.reason);
  }

  /** Report `reason`, send a `refused` frame, half-close, and destroy the socket once it drained or lingered. */
  private endWith(reason: CloseReason, told: string): void {
    if (this.ended !== null) return;
    const bytes = encodeFrame({ kind: 'refused', reason: told.slice(0, MAX_REASON_CHARS) }, this.maxFrameBytes);
    this.finish(reason);
    const timer = setTimeout(() => this.socket.destroy(), this.lingerMs);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
    // Whatever else arrives is read and discarded, so the other end's writes do not stall before it sees the refusal.
    this.socket.resume();
    if (bytes.ok) this.socket.end(bytes.value);
    else this.socket.end();
  }

  private finish(reason: CloseReason): void {
    if (this.ended !== null) return;
    this.ended = reason;
    this.handlers.closed(reason);
  }
}
