/**
 * Broken cores that exist only to exercise checkers, beside the registry of src/raft/defects.ts. None of
 * the registry's defects breaks `TypeOK` or `LeaderAppendOnly` (the real core's types and its leaders'
 * logs are right even when a rule is broken); in short random schedules they break `LogMatching` or
 * `LeaderCompleteness` before `StateMachineSafety`; and in the simulator the vote defects are caught by its
 * durability checks before `ElectionSafety`. So the agreement tests of the incremental invariant checker
 * add one core for each of those four, to see both checkers report every invariant.
 */
import { Inputs, step, type StepFn } from '../../../src/raft/index.js';
import { updateNode } from '../../../src/raft/state.js';

/** A node that comes back from a restart with commitIndex -1 instead of 0: not a natural, so `TypeOK` breaks. */
export const restartsWithNegativeCommitIndex: StepFn = (state, input) => {
  const r = step(state, input);
  return input.type === 'Restart' ? { ...r, state: { ...r.state, commitIndex: -1 } } : r;
};

/**
 * A leader that, on a client request, overwrites its last entry when that entry is from its own term and
 * not yet committed, instead of appending after it: its log loses an entry, so `LeaderAppendOnly` breaks
 * (or `LogMatching`, when a follower already holds the overwritten entry).
 */
export const leaderOverwritesLastEntry: StepFn = (state, input) => {
  if (input.type !== 'ClientRequest' || state.role !== 'Leader') return step(state, input);
  const last = state.log.length;
  if (last === 0 || last <= state.commitIndex || state.log.termAt(last) !== state.currentTerm) return step(state, input);
  const r = step({ ...state, log: state.log.truncate(last - 1) }, Inputs.ClientRequest(input.value));
  return r.outputs.notEnabled !== null ? step(state, input) : r;
};

/**
 * A follower that takes the leader's commit index from every accepted AppendEntries request, even beyond
 * the entries it holds: its commitIndex passes the end of its log, so `StateMachineSafety` breaks.
 */
export const followerTakesLeaderCommit: StepFn = (state, input) => {
  const r = step(state, input);
  if (input.type !== 'HandleAppendEntriesRequest' || r.outputs.notEnabled !== null) return r;
  const reply = r.outputs.messages[0];
  if (reply?.type !== 'AppendEntriesResponse' || !reply.success || input.message.commitIndex <= r.state.commitIndex) return r;
  return { ...r, state: updateNode(r.state, { commitIndex: input.message.commitIndex }) };
};

/**
 * A candidate that counts a refused vote of its term as granted: with a split vote both candidates of a
 * term take office, so `ElectionSafety` breaks (nothing about it is durable, so no disk check sees it).
 */
export const countsRefusedVotes: StepFn = (state, input) =>
  input.type === 'HandleRequestVoteResponse' && !input.message.voteGranted && input.message.term === state.currentTerm
    ? step(state, Inputs.HandleRequestVoteResponse({ ...input.message, voteGranted: true }))
    : step(state, input);

/** The checker cores by name, for test titles. */
export const CHECKER_CORES: Readonly<Record<string, StepFn>> = {
  'restarts-with-negative-commit-index': restartsWithNegativeCommitIndex,
  'leader-overwrites-last-entry': leaderOverwritesLastEntry,
  'follower-takes-leader-commit': followerTakesLeaderCommit,
  'counts-refused-votes': countsRefusedVotes,
};
