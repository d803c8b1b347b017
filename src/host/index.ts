/**
 * The node host: one Raft node and its service replica, driven by the simulator (`src/sim/`) or by a real
 * runtime through the same small interface. See `node-host.ts`.
 *
 * @module
 */
export type { NodeEnvironment, NodeHostOptions, NodeObserver, WriteKind } from './node-host.js';
export { NodeHost, writeKindOf } from './node-host.js';
export type { ReplicationTrigger } from './replication.js';
export { appendEntriesTargets } from './replication.js';
export type { ServiceFactory, ServiceReplica } from './service.js';
export type { KvReplicaOptions } from './kv-replica.js';
export { KvReplica } from './kv-replica.js';
export type { NodeTraceEvent, RecordedNetworkEvent, RecordedStep, TraceRecorder } from './trace-events.js';
export { describeNodeState, describePersistUpdate } from './describe.js';
