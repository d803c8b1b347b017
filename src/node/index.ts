/**
 * Running Raft nodes as real processes over TCP on 127.0.0.1: the frames they exchange (`wire.ts` on
 * `frames.ts`), the rules of an accepted connection (`handshake.ts`), frames over a socket
 * (`framed-socket.ts`), a node's data directory (`data-dir.ts`), and the nemesis's link proxy
 * (`link-proxy.ts`).
 *
 * @module
 */
export type { DecodedChunk, FrameError, FrameErrorCode, FrameResult } from './frames.js';
export { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, FrameDecoder, prefixFrame } from './frames.js';
export type { ClusterIdentity, DecodeContext, Frame, FrameKind, HelloFrame, KvOutcome, RaftFrame, RefusedFrame, RequestFrame, ResponseFrame } from './wire.js';
export { MAX_REASON_CHARS, WIRE_VERSION, clusterIdentity, clusterIdProblem, decodeFrame, encodeFrame, formatIdentity, frameBody, frameFromJson, nodeIdProblem, sameIdentity } from './wire.js';
export type { InboundEvent, LocalNode } from './handshake.js';
export { InboundSession, checkHello, helloFrom } from './handshake.js';
export type { CloseReason, FramedSocketHandlers, FramedSocketOptions, SendResult } from './framed-socket.js';
export { FramedSocket, formatCloseReason } from './framed-socket.js';
export type { DataDirOptions, DataDirProblem } from './data-dir.js';
export { DATA_DIR_FILES, DataDir, DataDirError } from './data-dir.js';
export type { LinkDirection, LinkMode, LinkProxyOptions, LinkScheduler, LinkStats } from './link-proxy.js';
export { LOOPBACK, LinkProxy, formatLinkMode } from './link-proxy.js';
