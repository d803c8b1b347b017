/**
 * Creating node states: the spec's `Init`, and the volatile reset shared by `Restart` and by a real driver
 * that boots a node from storage.
 *
 * @module
 */
import { RaftLog } from './log.js';
import type { HardState, Index, NodeId, NodeState } from './types.js';

/** The fields of a node state a step may change (membership is fixed). */
export type NodeChanges = Partial<Omit<NodeState, 'id' | 'servers'>>;

/** A record with the same number for every server (the spec's `[j \in Server |-> n]`). */
export function forEveryServer(servers: readonly NodeId[], value: Index): Readonly<Record<NodeId, Index>> {
  const out: Record<NodeId, Index> = {};
  for (const s of servers) out[s] = value;
  return out;
}

/** The smallest number of servers that is a strict majority of `servers`. */
export function quorumSize(servers: readonly NodeId[]): number {
  return Math.floor(servers.length / 2) + 1;
}

/** Sorted, de-duplicated copy of the member list, so every node agrees on iteration order. */
export function normalizeServers(servers: readonly NodeId[]): readonly NodeId[] {
  return [...new Set(servers)].sort();
}

/**
 * A node booted from durable state: term, vote and log as given; everything else volatile and reset
 * (role Follower, commitIndex 0, no votes, nextIndex 1, matchIndex 0), exactly the spec's `Restart`.
 * Real drivers call this with what `Storage.load` returned.
 */
export function restoreNodeState(
  id: NodeId,
  servers: readonly NodeId[],
  hard: HardState,
  log: RaftLog,
): NodeState {
  const members = normalizeServers(servers);
  if (!members.includes(id)) {
    throw new RangeError(`node ${id} is not one of the cluster members [${members.join(', ')}]`);
  }
  return {
    id,
    servers: members,
    currentTerm: hard.currentTerm,
    role: 'Follower',
    votedFor: hard.votedFor,
    log,
    commitIndex: 0,
    votesGranted: [],
    nextIndex: forEveryServer(members, 1),
    matchIndex: forEveryServer(members, 0),
    leaderHint: null,
  };
}

/** The spec's `Init` for one node: term 0, no vote, empty log, Follower. */
export function initialNodeState(id: NodeId, servers: readonly NodeId[]): NodeState {
  return restoreNodeState(id, servers, { currentTerm: 0, votedFor: null }, RaftLog.from([]));
}

/**
 * A copy of `s` with `changes` applied: what `{ ...s, ...changes }` means. Written out field by field
 * because V8 copies an object spread that overrides fields about ten times slower than it builds an
 * object literal (measured in Node 20), and every step makes one. `null` is a value here (`votedFor: null`
 * clears the vote); only `undefined` means "unchanged".
 */
export function updateNode(s: NodeState, changes: NodeChanges): NodeState {
  return {
    id: s.id,
    servers: s.servers,
    currentTerm: changes.currentTerm ?? s.currentTerm,
    role: changes.role ?? s.role,
    votedFor: changes.votedFor === undefined ? s.votedFor : changes.votedFor,
    log: changes.log ?? s.log,
    commitIndex: changes.commitIndex ?? s.commitIndex,
    votesGranted: changes.votesGranted ?? s.votesGranted,
    nextIndex: changes.nextIndex ?? s.nextIndex,
    matchIndex: changes.matchIndex ?? s.matchIndex,
    leaderHint: changes.leaderHint === undefined ? s.leaderHint : changes.leaderHint,
  };
}
