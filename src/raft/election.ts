/**
 * Leader election: the spec's `Timeout`, `BecomeLeader`, `HandleRequestVoteRequest` and
 * `HandleRequestVoteResponse`, each with the guard that says when it is enabled.
 *
 * @module
 */
import { effect, observeTerm, refuse, type Effect } from './effect.js';
import type { NotEnabled } from './inputs.js';
import { isUpToDate } from './log.js';
import type { Message, RequestVoteRequest, RequestVoteResponse } from './messages.js';
import { forEveryServer, quorumSize, updateNode } from './state.js';
import type { NodeState } from './types.js';

/** `Timeout` is enabled for a Follower or a Candidate; a Leader has no election timer. */
export function timeoutGuard(state: NodeState): NotEnabled | null {
  if (state.role !== 'Leader') return null;
  return refuse(
    'NotFollowerOrCandidate',
    'Timeout',
    state.id,
    `Timeout(${state.id}) is not enabled: ${state.id} is Leader of term ${state.currentTerm}, and only a Follower or Candidate starts an election`,
  );
}

/**
 * `Timeout`: start an election in the next term, vote for yourself, and ask every other server for its vote
 * with your last log term and index (so voters can refuse a candidate whose log is behind theirs).
 */
export function timeout(state: NodeState): Effect {
  const term = state.currentTerm + 1;
  const next = updateNode(state, {
    currentTerm: term,
    role: 'Candidate',
    votedFor: state.id,
    votesGranted: [state.id],
    leaderHint: null,
  });
  const messages: Message[] = state.servers
    .filter((peer) => peer !== state.id)
    .map((peer) => ({
      type: 'RequestVoteRequest',
      term,
      from: state.id,
      to: peer,
      lastLogTerm: state.log.lastTerm,
      lastLogIndex: state.log.length,
    }));
  return effect(next, { messages, resetElectionTimer: true });
}

/** `BecomeLeader` is enabled for a Candidate holding votes from a strict majority of all servers. */
export function becomeLeaderGuard(state: NodeState): NotEnabled | null {
  if (state.role !== 'Candidate') {
    return refuse(
      'NotCandidate',
      'BecomeLeader',
      state.id,
      `BecomeLeader(${state.id}) is not enabled: ${state.id} is ${state.role}, not Candidate`,
    );
  }
  const needed = quorumSize(state.servers);
  if (state.votesGranted.length >= needed) return null;
  return refuse(
    'NoMajority',
    'BecomeLeader',
    state.id,
    `BecomeLeader(${state.id}) is not enabled: votes from {${state.votesGranted.join(', ')}} are ${state.votesGranted.length} of ${state.servers.length}, a strict majority needs ${needed}`,
  );
}

/**
 * `BecomeLeader`: optimistically assume every follower is caught up (`nextIndex` = last index + 1) and
 * that nothing is known to match (`matchIndex` = 0); failed appends walk `nextIndex` back until the logs
 * meet. Sends nothing: heartbeats are separate `AppendEntries` steps the driver fires.
 */
export function becomeLeader(state: NodeState): Effect {
  return effect(
    updateNode(state, {
      role: 'Leader',
      nextIndex: forEveryServer(state.servers, state.log.length + 1),
      matchIndex: forEveryServer(state.servers, 0),
      leaderHint: state.id,
    }),
  );
}

/**
 * `HandleRequestVoteRequest`: after the term rule, grant the vote only in the current term, only to a
 * candidate whose log is at least as up-to-date, and only if this term's vote is still free or already
 * went to this candidate (so a duplicated request is answered the same way). Always answers.
 */
export function handleRequestVoteRequest(state: NodeState, m: RequestVoteRequest): Effect {
  const { state: current, steppedDown } = observeTerm(state, m.term);
  const logOk = isUpToDate(m.lastLogTerm, m.lastLogIndex, current.log);
  const voteFree = current.votedFor === null || current.votedFor === m.from;
  const grant = m.term === current.currentTerm && logOk && voteFree;
  const next = grant && current.votedFor !== m.from ? updateNode(current, { votedFor: m.from }) : current;
  const reply: RequestVoteResponse = {
    type: 'RequestVoteResponse',
    term: next.currentTerm,
    from: next.id,
    to: m.from,
    voteGranted: grant,
  };
  return effect(next, { messages: [reply], resetElectionTimer: grant || steppedDown });
}

/**
 * `HandleRequestVoteResponse`: after the term rule, a Candidate counts a granted vote of its current term;
 * anything else (stale term, refused vote, no longer a candidate) is just consumed.
 */
export function handleRequestVoteResponse(state: NodeState, m: RequestVoteResponse): Effect {
  const { state: current, steppedDown } = observeTerm(state, m.term);
  const counts = m.term === current.currentTerm && current.role === 'Candidate' && m.voteGranted;
  if (!counts || current.votesGranted.includes(m.from)) {
    return effect(current, { resetElectionTimer: steppedDown });
  }
  const votesGranted = [...current.votesGranted, m.from].sort();
  return effect(updateNode(current, { votesGranted }), { resetElectionTimer: steppedDown });
}
