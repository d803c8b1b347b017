/**
 * Deliberately wrong Raft cores, for negative controls. Each is the real {@link step} with one rule of
 * the protocol broken; trace replay and the simulator run them through their usual harness to prove
 * that harness catches the bug it claims to catch. Never use one outside a checker's self-test.
 *
 * @module
 */
import type { StepFn } from './cluster.js';
import type { CommittedEntry, PersistUpdate, StepResult } from './inputs.js';
import { majorityMatchIndex } from './replication.js';
import { updateNode } from './state.js';
import { NO_OUTPUTS, step } from './step.js';
import type { NodeState } from './types.js';

/** Names of the injectable defects. */
export type DefectName =
  | 'double-vote'
  | 'skip-log-check'
  | 'commit-old-term'
  | 'volatile-voted-for'
  | 'commit-index-regress'
  | 'minority-quorum'
  | 'skip-consistency-check'
  | 'overcount-match'
  | 'vote-not-persisted'
  | 'term-persisted-with-vote-only'
  | 'restart-clears-vote'
  | 'restart-term-from-log'
  | 'commit-by-log-length';

/** One defect: what it breaks, and the broken step function. */
export interface Defect {
  readonly name: DefectName;
  /** The protocol rule the defect breaks, in one sentence. */
  readonly breaks: string;
  readonly step: StepFn;
}

/** A voter that forgets whom it voted for in the current term, so it can grant a second vote. */
const doubleVote: StepFn = (state, input) =>
  input.type === 'HandleRequestVoteRequest' && input.message.term === state.currentTerm && state.votedFor !== input.message.from
    ? step({ ...state, votedFor: null }, input)
    : step(state, input);

/** A voter that treats every candidate's log as up to date (the election restriction is skipped). */
const skipLogCheck: StepFn = (state, input) => {
  if (input.type !== 'HandleRequestVoteRequest') return step(state, input);
  const m = input.message;
  // Present the candidate's log as at least as long as the voter's and ending in at least its last term,
  // so the up-to-date comparison always passes (the spec's UNSAFE_GrantVoteWithoutLogCheck).
  const lastLogTerm = Math.max(m.lastLogTerm, state.log.lastTerm);
  const lastLogIndex = Math.max(m.lastLogIndex, state.log.length);
  return step(state, { ...input, message: { ...m, lastLogTerm, lastLogIndex } });
};

/**
 * A leader that commits whatever a majority holds, even an entry of an older term: the Figure 8 bug.
 * Where the real guard refuses only because of the term condition, this core commits anyway.
 */
const commitOldTerm: StepFn = (state, input) => {
  if (input.type !== 'AdvanceCommitIndex' || state.role !== 'Leader') return step(state, input);
  const k = majorityMatchIndex(state);
  if (k <= state.commitIndex) return step(state, input);
  const committed = state.log.truncate(k).entriesFrom(state.commitIndex + 1).map((e, i) => ({ index: state.commitIndex + i + 1, term: e.term, value: e.value }));
  return { state: { ...state, commitIndex: k }, outputs: { ...NO_OUTPUTS, committed } };
};

/** A node that keeps votedFor in memory only, so a restart forgets the vote it cast this term. */
const volatileVotedFor: StepFn = (state, input) => {
  const result = step(state, input);
  return input.type === 'Restart' ? { ...result, state: { ...result.state, votedFor: null } } : result;
};

/**
 * A follower that takes its commit index from each accepted AppendEntries request as it is, instead of
 * only ever raising it: a stale request (duplicated, or overtaken by a newer one) lowers it. The spec's
 * UNSAFE_CommitIndexFromAnyRequest.
 */
const commitIndexRegress: StepFn = (state, input) => {
  const result = step(state, input);
  if (input.type !== 'HandleAppendEntriesRequest' || result.outputs.notEnabled !== null) return result;
  const reply = result.outputs.messages[0];
  if (reply?.type !== 'AppendEntriesResponse' || !reply.success) return result;
  const commitIndex = Math.min(input.message.commitIndex, reply.matchIndex);
  return commitIndex === result.state.commitIndex ? result : { ...result, state: updateNode(result.state, { commitIndex }) };
};

/**
 * A candidate that takes office with votes from N div 2 servers instead of a strict majority (N div 2 + 1):
 * two such quorums need not intersect, so two sides of a partition can each elect a leader in one term.
 * The spec's negative control with quorum n div 2 (MCQuorumSplitBrain) is the same mistake.
 */
const minorityQuorum: StepFn = (state, input) => {
  if (input.type !== 'BecomeLeader' || state.role !== 'Candidate') return step(state, input);
  const half = Math.floor(state.servers.length / 2);
  if (state.votesGranted.length < half || state.votesGranted.length >= half + 1) return step(state, input);
  // Short of a majority by one: present one more vote so the real rule lets it through.
  const ghost = state.servers.find((s) => !state.votesGranted.includes(s)) as string;
  const result = step(updateNode(state, { votesGranted: [...state.votesGranted, ghost].sort() }), input);
  return { ...result, state: updateNode(result.state, { votesGranted: state.votesGranted }) };
};

/**
 * A follower that skips the log-consistency check: every AppendEntries request is treated as if its
 * previous entry matched whatever the follower holds there, so entries land after a gap or a conflict.
 */
const skipConsistencyCheck: StepFn = (state, input) => {
  if (input.type !== 'HandleAppendEntriesRequest') return step(state, input);
  const prevLogIndex = Math.min(input.message.prevLogIndex, state.log.length);
  const prevLogTerm = state.log.termAt(prevLogIndex);
  return step(state, { ...input, message: { ...input.message, prevLogIndex, prevLogTerm } });
};

/** A leader off by one in its progress tracking: every success is taken to cover one entry more than it did. */
const overcountMatch: StepFn = (state, input) =>
  input.type === 'HandleAppendEntriesResponse' && input.message.success
    ? step(state, { ...input, message: { ...input.message, matchIndex: input.message.matchIndex + 1 } })
    : step(state, input);

/** `result` with `persist` as its durable output instead of the one the real step derived. */
function persisting(result: StepResult, persist: PersistUpdate | null): StepResult {
  return { state: result.state, outputs: { ...result.outputs, persist } };
}

/** `result` without the hard state in what it asks to write (the log write, if any, stays). */
function withoutHardState(result: StepResult): StepResult {
  const p = result.outputs.persist;
  if (p === null || p.hardState === null) return result;
  return persisting(result, p.logWrite === null ? null : { hardState: null, logWrite: p.logWrite });
}

/**
 * A node that writes its hard state only when its term changes: a vote cast in a term it already knew
 * (after refusing another candidate, or hearing from the leader) stays in memory, so after a crash it can
 * vote again in that term.
 */
const voteNotPersisted: StepFn = (state, input) => {
  const result = step(state, input);
  const hard = result.outputs.persist?.hardState;
  return hard != null && hard.currentTerm === state.currentTerm ? withoutHardState(result) : result;
};

/**
 * A node that writes its hard state only when its vote changes: a newer term adopted with the same vote
 * (a candidate timing out again, a follower that had not voted hearing of a newer term) stays in memory,
 * so after a crash the node is back in an older term.
 */
const termPersistedWithVoteOnly: StepFn = (state, input) => {
  const result = step(state, input);
  const hard = result.outputs.persist?.hardState;
  return hard != null && hard.votedFor === state.votedFor ? withoutHardState(result) : result;
};

/** A node whose `Restart` gives it `changes` and writes them to disk as if they were its durable state. */
function restartWith(changes: (booted: NodeState) => Partial<Pick<NodeState, 'currentTerm' | 'votedFor'>>): StepFn {
  return (state, input) => {
    const result = step(state, input);
    if (input.type !== 'Restart') return result;
    const booted = updateNode(result.state, changes(result.state));
    const currentTerm = booted.currentTerm;
    const votedFor = booted.votedFor;
    if (currentTerm === result.state.currentTerm && votedFor === result.state.votedFor) return result;
    return { state: booted, outputs: { ...result.outputs, persist: { hardState: { currentTerm, votedFor }, logWrite: null } } };
  };
}

/**
 * A node that clears its vote when it boots and saves that, as if a vote only mattered to the incarnation
 * that cast it: what it writes matches what it holds, but it can vote for a second candidate in a term it
 * already voted in.
 */
const restartClearsVote: StepFn = restartWith(() => ({ votedFor: null }));

/**
 * A node that takes its term from its last log entry when it boots (and saves it), instead of from its
 * hard state: a node whose latest terms left no entry comes back in an older term.
 */
const restartTermFromLog: StepFn = restartWith((booted) =>
  booted.log.lastTerm < booted.currentTerm ? { currentTerm: booted.log.lastTerm, votedFor: null } : {},
);

/**
 * A follower that caps its commit index by the length of its own log instead of by the last entry the
 * request carried: when its log runs on past that entry with entries the leader does not hold (a stale
 * suffix behind a matching prefix), it commits them.
 */
const commitByLogLength: StepFn = (state, input) => {
  const result = step(state, input);
  if (input.type !== 'HandleAppendEntriesRequest' || result.outputs.notEnabled !== null) return result;
  const reply = result.outputs.messages[0];
  if (reply?.type !== 'AppendEntriesResponse' || !reply.success) return result;
  const after = result.state;
  const commitIndex = Math.max(after.commitIndex, Math.min(input.message.commitIndex, after.log.length));
  if (commitIndex === after.commitIndex) return result;
  const committed: CommittedEntry[] = [...result.outputs.committed];
  for (let index = after.commitIndex + 1; index <= commitIndex; index++) {
    const entry = after.log.entry(index);
    if (entry !== undefined) committed.push({ index, term: entry.term, value: entry.value });
  }
  return { state: updateNode(after, { commitIndex }), outputs: { ...result.outputs, committed } };
};

/** Every defect, by name. */
export const DEFECTS: Readonly<Record<DefectName, Defect>> = {
  'double-vote': { name: 'double-vote', breaks: 'a server votes at most once per term', step: doubleVote },
  'skip-log-check': {
    name: 'skip-log-check',
    breaks: "a vote goes only to a candidate whose log is at least as up to date as the voter's",
    step: skipLogCheck,
  },
  'commit-old-term': {
    name: 'commit-old-term',
    breaks: 'a leader commits by counting replicas only entries of its own term (Figure 8)',
    step: commitOldTerm,
  },
  'volatile-voted-for': {
    name: 'volatile-voted-for',
    breaks: 'votedFor is durable and survives a restart',
    step: volatileVotedFor,
  },
  'commit-index-regress': {
    name: 'commit-index-regress',
    breaks: "a follower's commit index only ever grows (a stale AppendEntries request must not lower it)",
    step: commitIndexRegress,
  },
  'minority-quorum': {
    name: 'minority-quorum',
    breaks: 'a candidate needs votes from a strict majority (N div 2 + 1) to lead, so any two quorums share a voter',
    step: minorityQuorum,
  },
  'skip-consistency-check': {
    name: 'skip-consistency-check',
    breaks: "a follower appends entries only after an entry that matches the leader's prevLogIndex and prevLogTerm",
    step: skipConsistencyCheck,
  },
  'overcount-match': {
    name: 'overcount-match',
    breaks: "a leader's matchIndex for a follower is the last index the follower confirmed, no more",
    step: overcountMatch,
  },
  'vote-not-persisted': {
    name: 'vote-not-persisted',
    breaks: 'a vote is written to disk before it is sent, also when the term does not change',
    step: voteNotPersisted,
  },
  'term-persisted-with-vote-only': {
    name: 'term-persisted-with-vote-only',
    breaks: 'a newer term is written to disk before it is acted on, also when the vote does not change',
    step: termPersistedWithVoteOnly,
  },
  'restart-clears-vote': {
    name: 'restart-clears-vote',
    breaks: 'a node comes back from a crash with the vote it cast in its term, and votes at most once per term',
    step: restartClearsVote,
  },
  'restart-term-from-log': {
    name: 'restart-term-from-log',
    breaks: "a node comes back from a crash with the term on its disk, never an older one (its last entry's)",
    step: restartTermFromLog,
  },
  'commit-by-log-length': {
    name: 'commit-by-log-length',
    breaks: 'a follower commits only up to the last entry the leader sent it, never into a stale suffix of its own log',
    step: commitByLogLength,
  },
};

/** The defect names, for `--defect` options and error messages. */
export const DEFECT_NAMES = Object.keys(DEFECTS) as DefectName[];
