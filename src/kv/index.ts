/**
 * The replicated key-value service on Raft: commands encoded as log values, the state machine every replica
 * applies, and a retrying client.
 *
 * Reads go through the log: a `get` is appended and answered when applied, exactly like a write. That is
 * linearizable by construction (a read is ordered among writes by its log position, and it is answered only
 * once committed, by a replica that applied everything before it) and needs no clock. The alternatives were
 * rejected on purpose: lease reads depend on bounded clock drift, which the simulator deliberately breaks;
 * ReadIndex needs the leader to confirm its leadership with a round of acknowledgements tied to the read,
 * which the pure core's messages do not carry. The cost is one log entry per read.
 *
 * Exactly-once writes: see `state-machine.ts` (client sessions with request ids).
 *
 * @module
 */
export type { KvCommand, KvOp, KvResult } from './command.js';
export { decodeCommand, encodeCommand, formatOp, formatResult, NOOP } from './command.js';
export type { ApplyOutcome, KvDefect } from './state-machine.js';
export { KV_DEFECT_NAMES, KvStateMachine } from './state-machine.js';
export type { ClientConfig, ClientHost, KvRequest, KvResponse, PlannedOp } from './client.js';
export { KvClient } from './client.js';
export type { RegisterState } from './lin-model.js';
export { kvModel, pruneUnobservedWrites } from './lin-model.js';
