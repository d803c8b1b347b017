/**
 * Log replication: the spec's `ClientRequest`, `AppendEntries`, `AdvanceCommitIndex`,
 * `HandleAppendEntriesRequest` and `HandleAppendEntriesResponse`, each with its guard.
 *
 * @module
 */
import { effect, observeTerm, refuse, type Effect } from './effect.js';
import type { NotEnabled, NotLeaderReply } from './inputs.js';
import type { AppendEntriesRequest, AppendEntriesResponse } from './messages.js';
import { quorumSize, updateNode } from './state.js';
import type { Index, NodeId, NodeState, Value } from './types.js';

function notLeader(state: NodeState, input: 'ClientRequest' | 'AppendEntries' | 'AdvanceCommitIndex', call: string): NotEnabled {
  return refuse(
    'NotLeader',
    input,
    state.id,
    `${call} is not enabled: ${state.id} is ${state.role} of term ${state.currentTerm}, not Leader`,
  );
}

/** `ClientRequest` is enabled only on a Leader; anyone else redirects the client. */
export function clientRequestGuard(state: NodeState, value: Value): NotEnabled | null {
  return state.role === 'Leader' ? null : notLeader(state, 'ClientRequest', `ClientRequest(${state.id}, ${value})`);
}

/** The redirect a non-leader gives a client, naming the leader it last heard from (if any). */
export function notLeaderReply(state: NodeState, value: Value): NotLeaderReply {
  return { type: 'NotLeader', value, leaderHint: state.leaderHint };
}

/** `ClientRequest`: the leader appends the value in its current term; replication happens separately. */
export function clientRequest(state: NodeState, value: Value): Effect {
  const log = state.log.append({ term: state.currentTerm, value });
  return effect(
    updateNode(state, { log }),
    { replies: [{ type: 'Accepted', value, index: log.length, term: state.currentTerm }] },
  );
}

/** `AppendEntries(peer)` is enabled on a Leader for any other cluster member. */
export function appendEntriesGuard(state: NodeState, peer: NodeId): NotEnabled | null {
  if (state.role !== 'Leader') return notLeader(state, 'AppendEntries', `AppendEntries(${state.id}, ${peer})`);
  if (peer !== state.id && state.servers.includes(peer)) return null;
  return refuse(
    'UnknownPeer',
    'AppendEntries',
    state.id,
    `AppendEntries(${state.id}, ${peer}) is not enabled: ${peer} is not another member of [${state.servers.join(', ')}]`,
  );
}

/**
 * `AppendEntries(peer)`: send the entry at `nextIndex[peer]` (or nothing, as a heartbeat) together with the
 * index and term just before it, so the follower can check its log matches up to there. One entry per
 * message keeps the model (and TLC's state space) small; throughput is not this model's concern.
 */
export function appendEntries(state: NodeState, peer: NodeId): Effect {
  const next = state.nextIndex[peer] ?? 1;
  const prevLogIndex = next - 1;
  const entry = state.log.entry(next);
  const message: AppendEntriesRequest = {
    type: 'AppendEntriesRequest',
    term: state.currentTerm,
    from: state.id,
    to: peer,
    prevLogIndex,
    prevLogTerm: state.log.termAt(prevLogIndex),
    entries: entry === undefined ? [] : [entry],
    commitIndex: state.commitIndex,
  };
  return effect(state, { messages: [message] });
}

/**
 * The largest index a majority holds (the leader holds its whole log; a peer holds up to its
 * `matchIndex`), or 0 when no index is held by a majority.
 */
export function majorityMatchIndex(state: NodeState): Index {
  const quorum = quorumSize(state.servers);
  // Read each member's index once, then count instead of sorting: clusters are small (quadratic in members).
  const held = state.servers.map((s) => (s === state.id ? state.log.length : Math.min(state.matchIndex[s] ?? 0, state.log.length)));
  let best = 0;
  for (const candidate of held) {
    if (candidate <= best) continue;
    let holders = 0;
    for (const h of held) if (h >= candidate) holders++;
    if (holders >= quorum) best = candidate;
  }
  return best;
}

/**
 * `AdvanceCommitIndex` is enabled on a Leader when the largest majority-held index is from its own term
 * and above its commitIndex. The term condition is the Figure 8 rule: counting replicas of an entry from
 * an older term does not make it safe, because a server with a newer-term last entry could still be elected
 * and overwrite it; an older entry is committed only indirectly, under an entry of the current term.
 */
export function advanceCommitIndexGuard(state: NodeState): NotEnabled | null {
  if (state.role !== 'Leader') return notLeader(state, 'AdvanceCommitIndex', `AdvanceCommitIndex(${state.id})`);
  const k = majorityMatchIndex(state);
  const call = `AdvanceCommitIndex(${state.id})`;
  if (k <= state.commitIndex) {
    return refuse(
      'NothingToCommit',
      'AdvanceCommitIndex',
      state.id,
      `${call} is not enabled: the largest index held by a majority is ${k}, not above commitIndex ${state.commitIndex}`,
    );
  }
  const kTerm = state.log.termAt(k);
  if (kTerm !== state.currentTerm) {
    return refuse(
      'NothingToCommit',
      'AdvanceCommitIndex',
      state.id,
      `${call} is not enabled: index ${k} is held by a majority but has term ${kTerm}, not the current term ${state.currentTerm} (Figure 8 rule: an older-term entry is committed only under one of the current term)`,
    );
  }
  return null;
}

/** `AdvanceCommitIndex`: commit up to the largest majority-held index (the guard checked its term). */
export function advanceCommitIndex(state: NodeState): Effect {
  return effect(updateNode(state, { commitIndex: majorityMatchIndex(state) }));
}

/**
 * `HandleAppendEntriesRequest`: after the term rule, refuse a stale leader (with our term, so it steps
 * down). Otherwise the sender is this term's leader: a Candidate gives up, and the entry is accepted if our
 * log matches at `prevLogIndex`. An entry already present with the same term is kept (a delayed or
 * duplicated request must not truncate entries that arrived later); a conflicting suffix is replaced.
 */
export function handleAppendEntriesRequest(state: NodeState, m: AppendEntriesRequest): Effect {
  const { state: current, steppedDown } = observeTerm(state, m.term);
  if (m.term < current.currentTerm) {
    return effect(current, { messages: [appendEntriesReply(current, m, false, 0)], resetElectionTimer: steppedDown });
  }
  const follower = updateNode(current, { role: current.role === 'Candidate' ? 'Follower' : current.role, leaderHint: m.from });
  const logOk =
    m.prevLogIndex === 0 ||
    (m.prevLogIndex <= follower.log.length && follower.log.termAt(m.prevLogIndex) === m.prevLogTerm);
  if (!logOk) {
    return effect(follower, { messages: [appendEntriesReply(follower, m, false, 0)], resetElectionTimer: true });
  }
  const k = m.prevLogIndex + 1;
  const incoming = m.entries[0];
  const existing = follower.log.entry(k);
  const log =
    incoming === undefined || (existing !== undefined && existing.term === incoming.term)
      ? follower.log
      : follower.log.truncate(m.prevLogIndex).append(incoming);
  const matchIndex = m.prevLogIndex + m.entries.length;
  const commitIndex = Math.max(follower.commitIndex, Math.min(m.commitIndex, matchIndex));
  return effect(updateNode(follower, { log, commitIndex }), { messages: [appendEntriesReply(follower, m, true, matchIndex)], resetElectionTimer: true });
}

function appendEntriesReply(self: NodeState, m: AppendEntriesRequest, success: boolean, matchIndex: Index): AppendEntriesResponse {
  return { type: 'AppendEntriesResponse', term: self.currentTerm, from: self.id, to: m.from, success, matchIndex };
}

/**
 * `HandleAppendEntriesResponse`: after the term rule, a Leader of the response's term records progress on
 * success (never moving `matchIndex` back, since responses can arrive out of order) or, on failure, backs
 * `nextIndex` off by one so the next `AppendEntries` probes an earlier point. Anything else is consumed.
 */
export function handleAppendEntriesResponse(state: NodeState, m: AppendEntriesResponse): Effect {
  const { state: current, steppedDown } = observeTerm(state, m.term);
  if (m.term !== current.currentTerm || current.role !== 'Leader') {
    return effect(current, { resetElectionTimer: steppedDown });
  }
  const peer = m.from;
  if (m.success) {
    const match = Math.max(current.matchIndex[peer] ?? 0, m.matchIndex);
    return effect(
      updateNode(current, {
        matchIndex: withIndex(current.matchIndex, peer, match),
        nextIndex: withIndex(current.nextIndex, peer, match + 1),
      }),
    );
  }
  const backedOff = Math.max((current.nextIndex[peer] ?? 1) - 1, 1);
  return effect(updateNode(current, { nextIndex: withIndex(current.nextIndex, peer, backedOff) }));
}

/** `index` with `peer`'s entry set to `value`; the same record when it already holds that. */
function withIndex(index: Readonly<Record<NodeId, Index>>, peer: NodeId, value: Index): Readonly<Record<NodeId, Index>> {
  return index[peer] === value ? index : { ...index, [peer]: value };
}
