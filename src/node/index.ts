/**
 * Running Raft nodes as real processes over TCP on 127.0.0.1: the frames they exchange (`wire.ts` on
 * `frames.ts`), the rules of an accepted connection (`handshake.ts`), frames over a socket
 * (`framed-socket.ts`), a node's data directory (`data-dir.ts`), the cluster configuration (`config.ts`),
 * the node process itself (`runtime.ts`, with `peer-link.ts` and `step-recording.ts`), its client
 * (`client.ts`), local clusters of node processes (`local-cluster.ts`), merging their recordings for
 * validate-trace (`trace-merge.ts`), and the nemesis's link proxy (`link-proxy.ts`).
 *
 * @module
 */
export type { DecodedChunk, FrameError, FrameErrorCode, FrameResult } from './frames.js';
export { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, FrameDecoder, prefixFrame } from './frames.js';
export type { ClusterIdentity, DecodeContext, Frame, FrameKind, HelloFrame, KvOutcome, NodeRole, NodeStatus, RaftFrame, RefusedFrame, RequestFrame, ResponseFrame, StatusFrame, StatusReplyFrame } from './wire.js';
export { MAX_REASON_CHARS, WIRE_VERSION, clusterIdentity, clusterIdProblem, decodeFrame, encodeFrame, formatIdentity, frameBody, frameFromJson, nodeIdProblem, sameIdentity } from './wire.js';
export type { InboundEvent, LocalNode } from './handshake.js';
export { InboundSession, checkHello, helloFrom } from './handshake.js';
export type { CloseReason, FramedSocketHandlers, FramedSocketOptions, SendResult } from './framed-socket.js';
export { FramedSocket, formatCloseReason } from './framed-socket.js';
export type { DataDirOptions, DataDirProblem } from './data-dir.js';
export { DATA_DIR_FILES, DataDir, DataDirError } from './data-dir.js';
export type { LinkDirection, LinkMode, LinkProxyOptions, LinkScheduler, LinkStats } from './link-proxy.js';
export { LOOPBACK, LinkProxy, formatLinkMode } from './link-proxy.js';
export type { Address, ClusterConfig, MemberConfig } from './config.js';
export { ConfigError, clusterConfigFromJson, clusterConfigJson, formatAddress, identityOf, loadClusterConfig, memberOf, parseAddress } from './config.js';
export type { NodeEvent, NodeRuntimeOptions } from './runtime.js';
export { NodeRuntime } from './runtime.js';
export type { CallOptions, ClientMember, KvCallResult, KvConnectionOptions } from './client.js';
export { KvConnection, StatusError, queryStatus } from './client.js';
export type { MergedNode, MergedTrace, MergeOptions, NodeRecording } from './trace-merge.js';
export { TraceMergeError, mergeNodeTraces } from './trace-merge.js';
