/**
 * The quorum-replicated store of `specs/QuorumKV.tla`: a pure core for one key (`step(node, input)`),
 * its reconciliation rules, a deterministic cluster driver that performs the spec's actions, the
 * deliberately broken cores, a key's config from a hash-ring layout, a timed simulator and its checkers.
 *
 * @module
 */
export type * from './types.js';
export { type CoreRules, type KVCore, KV_CORE, SPEC_RULES, freshNode, makeCore } from './node.js';
export { byHint, byValue, covering, descends, newerLWW, newestLWW, maximalVV, reconcile, sameVersions, versionKey, versionSet } from './versions.js';
export { countedAcks, hintFor, homeReplicas, pendingReplicas, reachableTargets, sloppyTargets } from './targets.js';
export {
  type MembershipChange,
  type MembershipDefect,
  type MembershipPlan,
  type MembershipReport,
  MEMBERSHIP_DEFECTS,
  membershipViolations,
  planMembership,
  strandedAckedWrites,
  streamComplete,
} from './membership.js';
export { KV_DEFECTS, type KVDefect } from './defects.js';
export { type Quorums, configForKey } from './ring-config.js';
export {
  type Cluster,
  type ClusterConfig,
  type ClusterStep,
  type InFlight,
  type KVAction,
  type ReadRecord,
  type ReadStatus,
  type WriteRecord,
  type WriteStatus,
  canTalk,
  durableOf,
  initialCluster,
  messageKey,
  perform,
} from './cluster.js';
export {
  type ClientOp,
  type FaultSchedule,
  type KvSimObservation,
  type KvSimOptions,
  type KvSimRun,
  type NodeClock,
  type OpOutcome,
  type ReadOp,
  type ScheduleShape,
  type WriteOp,
  DEFAULT_SHAPE,
  DEFAULT_SIM,
  RING_DELAY_MS,
  STREAM_EVERY_MS,
  generateSchedule,
  simMembers,
  kvSimCommand,
  runKvSim,
  simConfig,
} from './sim.js';
export {
  type Claims,
  type FigureOptions,
  type KvFigures,
  type LinVerdict,
  type StaleRead,
  claimsOf,
  covers,
  figuresOf,
  linearizability,
  lostAckedWrites,
  registerHistory,
  registerModel,
  staleReads,
  violations,
} from './checkers.js';
