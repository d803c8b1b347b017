/**
 * Raft's trace models: each mode has its own config under `specs/traces/` (outside check-spec's
 * reach, which only reads `specs/*.cfg`), all running `specs/MCRaftTrace.tla`: Raft with trace-friendly
 * bounds, a VIEW that keeps the action label, and the goal predicates of the targeted scenarios.
 *
 * @module
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../paths.js';
import type { TraceMode } from '../../trace/itf-trace.js';
import type { GraphModel } from '../../protocol/definition.js';
import type { ScenarioGoal, TraceModel } from '../../trace/models.js';

const SPECS = join(REPO_ROOT, 'specs');

function raftModel(name: string, mode: TraceMode): TraceModel {
  return {
    name,
    spec: 'Raft',
    mode,
    module: join(SPECS, 'MCRaftTrace.tla'),
    config: join(SPECS, 'traces', `${name}.cfg`),
    labelVariable: 'action',
  };
}

/** Random walks: TLC `-simulate` on 3 servers with loose bounds. */
export const RAFT_SIMULATION_MODEL: TraceModel = { ...raftModel('MCRaftTraceSim', 'simulation'), walks: 20 };
/** The state-graph tour: a model small enough to dump its whole state graph. */
export const RAFT_TOUR_MODEL = raftModel('MCRaftTraceTour', 'tour');
/** The base of every targeted scenario (goal negations are added per run). */
export const RAFT_SCENARIO_MODEL = raftModel('MCRaftTraceScenario', 'scenario');

/**
 * The models of the state-graph check: three servers (a majority leaves one out), in CI; and `MCRaft`,
 * check-spec's own model of every invariant, opt-in.
 */
export const RAFT_GRAPH_MODELS: readonly GraphModel[] = [
  {
    name: 'MCRaftTraceTour3',
    module: join(SPECS, 'MCRaftTrace.tla'),
    config: join(SPECS, 'traces', 'MCRaftTraceTour3.cfg'),
    description: '3 servers, terms <= 2, one entry per log, a focused network of <= 2 copies, restarts; servers symmetric, the label in each state',
    symmetric: true,
    labelInState: true,
    tier: 'ci',
  },
  {
    name: 'MCRaft',
    module: join(SPECS, 'MCRaft.tla'),
    config: join(SPECS, 'MCRaft.cfg'),
    description: "check-spec's 3-server model: terms <= 2, one entry per log, <= 2 messages in flight; servers symmetric, no label in the view",
    symmetric: true,
    labelInState: false,
    tier: 'large',
  },
];

/** Actions a scenario may switch off to keep TLC's breadth-first search small. */
const NETWORK_FAULTS_AND_RESTARTS = ['Restart', 'DropMessage', 'DuplicateMessage'] as const;
const NETWORK_FAULTS = ['DropMessage', 'DuplicateMessage'] as const;

function disabled(actions: readonly string[]): Readonly<Record<string, string>> {
  return { DisabledActions: `{${actions.map((a) => `"${a}"`).join(', ')}}` };
}

/** The goals of the targeted scenarios (the issue's list, plus the situations the negative controls need). */
export const SCENARIO_GOALS: readonly ScenarioGoal[] = [
  {
    name: 'leader-elected',
    description: 'a candidate wins an election and becomes leader',
    operator: 'Not_LeaderElected',
    kind: 'invariant',
  },
  {
    name: 'entry-committed',
    description: 'a leader replicates an entry to a majority and commits it',
    operator: 'Not_EntryCommitted',
    kind: 'invariant',
    constants: disabled(NETWORK_FAULTS_AND_RESTARTS),
  },
  {
    name: 'commit-learned',
    description: 'a follower learns from the leader that an entry is committed',
    operator: 'Not_CommitLearned',
    kind: 'invariant',
    constants: disabled(NETWORK_FAULTS_AND_RESTARTS),
  },
  {
    name: 'leader-change-after-commit',
    description: 'after an entry is committed, a leader of a later term is elected',
    operator: 'Not_LeaderChangeAfterCommit',
    kind: 'invariant',
    constants: disabled(NETWORK_FAULTS_AND_RESTARTS),
  },
  {
    name: 'stale-leader-steps-down',
    description: 'a leader hears of a newer term and steps down to follower',
    operator: 'Never_StaleLeaderStepsDown',
    kind: 'property',
  },
  {
    name: 'conflicting-suffix-truncated',
    description: "a follower deletes a conflicting entry and takes the new leader's",
    operator: 'Never_ConflictingSuffixTruncated',
    kind: 'property',
    constants: disabled(NETWORK_FAULTS_AND_RESTARTS),
  },
  {
    name: 'restart-mid-election',
    description: 'a server that voted for a candidate restarts while that candidate is still campaigning',
    operator: 'Never_RestartMidElection',
    kind: 'property',
  },
  {
    name: 'duplicate-redelivered',
    description: 'the network duplicates a message and both copies are delivered',
    operator: 'Never_DuplicateRedelivered',
    kind: 'property',
  },
  {
    name: 'vote-refused-already-voted',
    description: 'a server refuses a vote because it already voted for another candidate in that term',
    operator: 'Never_VoteRefusedAlreadyVoted',
    kind: 'property',
  },
  {
    name: 'vote-refused-stale-log',
    description: "a server refuses a vote because the candidate's log is behind its own",
    operator: 'Never_VoteRefusedStaleLog',
    kind: 'property',
    constants: disabled(NETWORK_FAULTS_AND_RESTARTS),
  },
  {
    name: 'leader-backs-up',
    description: "a follower refuses entries whose predecessor its log lacks, and the leader backs nextIndex up",
    operator: 'Never_LeaderBacksUp',
    kind: 'property',
    constants: disabled(NETWORK_FAULTS_AND_RESTARTS),
  },
  {
    name: 'candidate-yields-to-leader',
    description: 'a candidate receives an AppendEntries request from the leader of its own term and becomes follower',
    operator: 'Never_CandidateYieldsToLeader',
    kind: 'property',
    // Two candidates of one term put four vote requests in flight at once.
    constants: { ...disabled(NETWORK_FAULTS_AND_RESTARTS), MaxInFlight: '4' },
  },
  {
    name: 'stale-append-refused',
    description: 'a server refuses an AppendEntries request from a leader of an older term',
    operator: 'Never_StaleAppendRefused',
    kind: 'property',
  },
  {
    name: 'old-term-entry-on-majority',
    description: "a leader holds an older term's entry on a majority and must not commit it yet (Figure 8)",
    operator: 'Not_OldTermEntryOnMajority',
    kind: 'invariant',
    constants: disabled(NETWORK_FAULTS_AND_RESTARTS),
  },
  // Persistence: replay restarts a node from what its core asked to persist, so each of these catches a
  // core that leaves one part of its hard state out of the write.
  {
    name: 'restart-after-known-term-vote',
    description: 'a server votes in a term it already knew (only its vote changes) and restarts right after',
    operator: 'Never_RestartAfterVoteInKnownTerm',
    kind: 'property',
    constants: disabled(NETWORK_FAULTS),
  },
  {
    name: 'restart-after-term-only-change',
    description: 'a candidate times out again (its term changes, its vote for itself does not) and restarts right after',
    operator: 'Never_RestartAfterTermOnlyChange',
    kind: 'property',
    // Two campaigns of one candidate put four vote requests in flight.
    constants: { ...disabled(NETWORK_FAULTS), MaxInFlight: '4' },
  },
  // Longer logs: three terms, logs of three entries, a follower with a stale suffix behind a matching
  // prefix. Too deep for a blind breadth-first search (41 steps), so the search follows a guide
  // (specs/MCRaftTrace.tla, StaleSuffixGuide); TLC still computes and checks every state.
  {
    name: 'stale-suffix-behind-prefix',
    description:
      'a follower whose log runs on past a matching prefix into entries the leader lacks accepts a request for an entry it holds, the leader having committed beyond it',
    operator: 'Never_StaleSuffixBehindMatchingPrefix',
    kind: 'property',
    constants: { MaxTerm: '3', MaxLogLen: '3', MaxInFlight: '4', MaxCopies: '2', Guide: '"stale-suffix"' },
  },
];

