/**
 * The pure Raft core: a deterministic state machine with no I/O, clock, timers or randomness.
 *
 * - `step(state, input)` / `receive(state, message)` — one node, one input, new state plus outputs.
 * - `clusterStep` / `enabledActions` — the spec's `Next` over a whole cluster and its message bag.
 * - `toSpecState` — the abstraction function trace replay compares against the TLA+ spec.
 * - invariant mirrors with the spec's names.
 *
 * Vocabulary: `specs/RAFT_VOCABULARY.md`.
 *
 * @module
 */
export type { HardState, Index, LogEntry, NodeId, NodeState, Role, Term, Value } from './types.js';
export type {
  AppendEntriesRequest,
  AppendEntriesResponse,
  Message,
  MessageType,
  RequestVoteRequest,
  RequestVoteResponse,
} from './messages.js';
export { MESSAGE_TYPES } from './messages.js';
export type {
  AcceptedReply,
  AdvanceCommitIndexInput,
  AppendEntriesInput,
  BecomeLeaderInput,
  ClientReply,
  ClientRequestInput,
  CommittedEntry,
  HandleAppendEntriesRequestInput,
  HandleAppendEntriesResponseInput,
  HandleInput,
  HandleRequestVoteRequestInput,
  HandleRequestVoteResponseInput,
  Input,
  InputType,
  LogWrite,
  NotEnabled,
  NotEnabledCode,
  NotLeaderReply,
  Outputs,
  PersistUpdate,
  RestartInput,
  StepResult,
  TimeoutInput,
} from './inputs.js';
export { Inputs, MESSAGE_TYPE_OF_HANDLE_INPUT } from './inputs.js';
export { applyLogWrite, diffLog, isUpToDate, RaftLog } from './log.js';
export { initialNodeState, quorumSize, restoreNodeState } from './state.js';
export {
  enabledInternalInputs,
  handleInputFor,
  heartbeatInputs,
  isEnabled,
  mergeOutputs,
  NO_OUTPUTS,
  receive,
  stabilize,
  step,
  whyNotEnabled,
} from './step.js';
export { majorityMatchIndex } from './replication.js';
export type { BagEntry, MessageBag } from './bag.js';
export { bagAdd, bagAddAll, bagCount, bagEntries, bagRemove, bagSize, EMPTY_BAG, messageKey } from './bag.js';
export type { ActionLabel, ActionName, LabelTarget } from './labels.js';
export { formatLabel, formatMessage, labelOf, targetOf } from './labels.js';
export type { ClusterRefusal, ClusterSnapshot, ClusterStepResult, StepFn } from './cluster.js';
export { clusterStep, enabledActions, initialCluster } from './cluster.js';
export type {
  SpecActionLabel,
  SpecAppendEntriesRequest,
  SpecAppendEntriesResponse,
  SpecBagEntry,
  SpecLogEntry,
  SpecMessage,
  SpecRequestVoteRequest,
  SpecNodeState,
  SpecRequestVoteResponse,
  SpecState,
} from './spec-state.js';
export {
  isStrictlySorted,
  messageFromSpec,
  NIL,
  sortSpecBag,
  SPEC_VARIABLES,
  toSpecActionLabel,
  toSpecMessage,
  toSpecNode,
  toSpecState,
} from './spec-state.js';
export type { CommitHistory, CommitRecord } from './history.js';
export { EMPTY_HISTORY, recordCommits } from './history.js';
export type { InvariantName, InvariantResult, StepCheck } from './invariants.js';
export {
  checkStateInvariants,
  checkStep,
  checkStepInvariants,
  CommitIndexMonotonic,
  ElectionSafety,
  LeaderAppendOnly,
  LeaderCompleteness,
  LogMatching,
  StateMachineSafety,
  nodeTypeProblem,
  TypeOK,
  violations,
} from './invariants.js';
export { IncrementalInvariants } from './incremental-invariants.js';
export type { ViolatedInvariant } from './incremental-invariants.js';
export type { RaftConfig } from './config.js';
export {
  DEFAULT_ELECTION_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  defaultConfig,
  RaftConfigError,
  validateConfig,
} from './config.js';
export type { DurableCluster, DurableClusterStepResult, Disks, PersistedState } from './persistence.js';
export { applyPersist, bootFromDisk, diskOf, durableClusterStep, holdsNode, persistedOf } from './persistence.js';
export { DEFECTS, DEFECT_NAMES } from './defects.js';
export type { Defect, DefectName } from './defects.js';
export { canonicalJson, compareText } from './canonical.js';
