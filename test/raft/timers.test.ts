/**
 * Every decision the core makes about the election timer (`outputs.resetElectionTimer`), one case each: the
 * driver restarts a node's timer exactly when the core says so, so these decide when elections happen.
 *
 * The rule, as the core implements it: a node restarts its timer when it starts an election (Timeout),
 * comes back (Restart), grants a vote, hears from the leader of its term (an AppendEntries request it
 * does not reject as stale, matching or not), or steps down to a newer term. Nothing else restarts it:
 * not a refused or stale message, not counting votes, not the leader's own actions.
 */
import { describe, expect, it } from 'vitest';
import {
  initialNodeState,
  Inputs,
  RaftLog,
  step,
  type AppendEntriesRequest,
  type AppendEntriesResponse,
  type Input,
  type LogEntry,
  type NodeState,
  type RequestVoteRequest,
  type RequestVoteResponse,
} from '../../src/raft/index.js';
import { updateNode } from '../../src/raft/state.js';

const SERVERS = ['s1', 's2', 's3'];
const e = (term: number, value: string): LogEntry => ({ term, value });

function follower(term: number, changes: Parameters<typeof updateNode>[1] = {}, log: readonly LogEntry[] = []): NodeState {
  return updateNode(initialNodeState('s1', SERVERS), { currentTerm: term, log: RaftLog.from(log), ...changes });
}
const candidate = (term: number) => follower(term, { role: 'Candidate', votedFor: 's1', votesGranted: ['s1'] });
const leader = (term: number, log: readonly LogEntry[] = []) =>
  updateNode(follower(term, { role: 'Leader', votedFor: 's1', votesGranted: ['s1', 's2'], leaderHint: 's1' }, log), {
    nextIndex: { s1: log.length + 1, s2: log.length + 1, s3: log.length + 1 },
  });

const voteRequest = (term: number, lastLogTerm = 0, lastLogIndex = 0, from = 's2'): RequestVoteRequest => ({
  type: 'RequestVoteRequest',
  term,
  from,
  to: 's1',
  lastLogTerm,
  lastLogIndex,
});
const voteResponse = (term: number, voteGranted: boolean): RequestVoteResponse => ({ type: 'RequestVoteResponse', term, from: 's2', to: 's1', voteGranted });
const appendRequest = (term: number, prevLogIndex = 0, prevLogTerm = 0, entries: readonly LogEntry[] = []): AppendEntriesRequest => ({
  type: 'AppendEntriesRequest',
  term,
  from: 's2',
  to: 's1',
  prevLogIndex,
  prevLogTerm,
  entries,
  commitIndex: 0,
});
const appendResponse = (term: number, success: boolean, matchIndex = 0): AppendEntriesResponse => ({
  type: 'AppendEntriesResponse',
  term,
  from: 's2',
  to: 's1',
  success,
  matchIndex,
});

interface Case {
  readonly state: NodeState;
  readonly input: Input;
  readonly reset: boolean;
  /** A check that the case is the situation it names (the state the step ends in). */
  readonly then?: Partial<Pick<NodeState, 'role' | 'currentTerm' | 'votedFor'>>;
}

const CASES: Record<string, Case> = {
  // The node's own actions.
  'Timeout: starting an election restarts the timer for the candidacy': { state: follower(1), input: Inputs.Timeout(), reset: true, then: { role: 'Candidate', currentTerm: 2 } },
  'Timeout of a candidate: a new election, a new timer': { state: candidate(2), input: Inputs.Timeout(), reset: true, then: { currentTerm: 3 } },
  'Restart: a node back from a crash starts a fresh timer': { state: leader(2), input: Inputs.Restart(), reset: true, then: { role: 'Follower' } },
  'BecomeLeader: a leader has no election timer to restart': { state: updateNode(candidate(2), { votesGranted: ['s1', 's2'] }), input: Inputs.BecomeLeader(), reset: false, then: { role: 'Leader' } },
  'ClientRequest on the leader': { state: leader(2), input: Inputs.ClientRequest('v'), reset: false },
  'AppendEntries (sending a heartbeat or an entry)': { state: leader(2), input: Inputs.AppendEntries('s2'), reset: false },
  'AdvanceCommitIndex': {
    state: updateNode(leader(2, [e(2, 'a')]), { matchIndex: { s1: 0, s2: 1, s3: 0 } }),
    input: Inputs.AdvanceCommitIndex(),
    reset: false,
  },
  'a refused input (Timeout on a leader)': { state: leader(2), input: Inputs.Timeout(), reset: false, then: { role: 'Leader', currentTerm: 2 } },

  // Vote requests.
  'RequestVote granted in the current term': { state: follower(2), input: Inputs.HandleRequestVoteRequest(voteRequest(2)), reset: true, then: { votedFor: 's2' } },
  'RequestVote granted again to the same candidate (a duplicate request)': {
    state: follower(2, { votedFor: 's2' }),
    input: Inputs.HandleRequestVoteRequest(voteRequest(2)),
    reset: true,
    then: { votedFor: 's2' },
  },
  'RequestVote granted with a newer term (step down, then grant)': {
    state: leader(2),
    input: Inputs.HandleRequestVoteRequest(voteRequest(3)),
    reset: true,
    then: { role: 'Follower', currentTerm: 3, votedFor: 's2' },
  },
  'RequestVote refused: this term\'s vote went to another candidate': {
    state: follower(2, { votedFor: 's3' }),
    input: Inputs.HandleRequestVoteRequest(voteRequest(2)),
    reset: false,
    then: { votedFor: 's3' },
  },
  'RequestVote refused: the candidate\'s log is behind, same term': {
    state: follower(2, {}, [e(2, 'a')]),
    input: Inputs.HandleRequestVoteRequest(voteRequest(2, 1, 1)),
    reset: false,
    then: { votedFor: null },
  },
  'RequestVote refused: a stale term': { state: follower(3), input: Inputs.HandleRequestVoteRequest(voteRequest(2)), reset: false, then: { currentTerm: 3 } },
  // The one that lets a candidate that cannot win postpone one that can: the refusal still steps down.
  'RequestVote refused for a log behind, but from a newer term (step down)': {
    state: follower(2, {}, [e(2, 'a')]),
    input: Inputs.HandleRequestVoteRequest(voteRequest(3, 1, 1)),
    reset: true,
    then: { currentTerm: 3, votedFor: null },
  },

  // Vote responses.
  'RequestVoteResponse counted by the candidate': { state: candidate(2), input: Inputs.HandleRequestVoteResponse(voteResponse(2, true)), reset: false, then: { role: 'Candidate' } },
  'RequestVoteResponse refusing the vote': { state: candidate(2), input: Inputs.HandleRequestVoteResponse(voteResponse(2, false)), reset: false },
  'RequestVoteResponse of an older term': { state: candidate(3), input: Inputs.HandleRequestVoteResponse(voteResponse(2, true)), reset: false, then: { currentTerm: 3 } },
  'RequestVoteResponse arriving after the election was won': { state: leader(2), input: Inputs.HandleRequestVoteResponse(voteResponse(2, true)), reset: false, then: { role: 'Leader' } },
  'RequestVoteResponse from a newer term (step down)': {
    state: candidate(2),
    input: Inputs.HandleRequestVoteResponse(voteResponse(4, false)),
    reset: true,
    then: { role: 'Follower', currentTerm: 4 },
  },

  // AppendEntries requests.
  'AppendEntries from the leader, accepted': { state: follower(2), input: Inputs.HandleAppendEntriesRequest(appendRequest(2, 0, 0, [e(2, 'a')])), reset: true },
  'AppendEntries from the leader, a heartbeat': { state: follower(2), input: Inputs.HandleAppendEntriesRequest(appendRequest(2)), reset: true },
  'AppendEntries from the leader, rejected because the logs differ': {
    state: follower(2),
    input: Inputs.HandleAppendEntriesRequest(appendRequest(2, 3, 2)),
    reset: true,
  },
  'AppendEntries from the leader of its term makes a candidate a follower': {
    state: candidate(2),
    input: Inputs.HandleAppendEntriesRequest(appendRequest(2)),
    reset: true,
    then: { role: 'Follower', currentTerm: 2 },
  },
  'AppendEntries from a newer term (step down, hear the new leader)': {
    state: leader(2),
    input: Inputs.HandleAppendEntriesRequest(appendRequest(3)),
    reset: true,
    then: { role: 'Follower', currentTerm: 3 },
  },
  'AppendEntries from a stale leader, rejected': { state: follower(3), input: Inputs.HandleAppendEntriesRequest(appendRequest(2)), reset: false, then: { currentTerm: 3 } },

  // AppendEntries responses.
  'AppendEntriesResponse, success, at the leader': { state: leader(2, [e(2, 'a')]), input: Inputs.HandleAppendEntriesResponse(appendResponse(2, true, 1)), reset: false },
  'AppendEntriesResponse, failure, at the leader': { state: leader(2, [e(2, 'a')]), input: Inputs.HandleAppendEntriesResponse(appendResponse(2, false)), reset: false },
  'AppendEntriesResponse of an older term': { state: leader(3), input: Inputs.HandleAppendEntriesResponse(appendResponse(2, true)), reset: false, then: { role: 'Leader' } },
  'AppendEntriesResponse reaching a node that is no longer leader': { state: follower(2), input: Inputs.HandleAppendEntriesResponse(appendResponse(2, true)), reset: false },
  'AppendEntriesResponse from a newer term (the leader steps down)': {
    state: leader(2),
    input: Inputs.HandleAppendEntriesResponse(appendResponse(3, false)),
    reset: true,
    then: { role: 'Follower', currentTerm: 3 },
  },
};

describe('when the core restarts the election timer', () => {
  it.each(Object.entries(CASES))('%s', (_name, c) => {
    const r = step(c.state, c.input);
    expect(r.outputs.resetElectionTimer).toBe(c.reset);
    if (c.then !== undefined) expect(r.state).toMatchObject(c.then);
  });

  it('covers every input type, in a case that restarts the timer or one that does not', () => {
    const types = new Set(Object.values(CASES).map((c) => c.input.type));
    expect([...types].sort()).toEqual(
      [
        'AdvanceCommitIndex',
        'AppendEntries',
        'BecomeLeader',
        'ClientRequest',
        'HandleAppendEntriesRequest',
        'HandleAppendEntriesResponse',
        'HandleRequestVoteRequest',
        'HandleRequestVoteResponse',
        'Restart',
        'Timeout',
      ].sort(),
    );
  });
});
