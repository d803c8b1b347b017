/**
 * The replication policy: which `AppendEntries` a node sends after a step. The core sends one entry per
 * `AppendEntries` and never decides when to send; this function does, for every driver:
 *
 * - a new leader sends to every peer at once (announcing itself and starting each peer's repair);
 * - the heartbeat timer sends to every peer;
 * - a new entry is sent to each peer that was caught up (its `nextIndex` is that entry);
 * - a successful response that advanced a peer sends it its next entry, if it is still behind;
 * - a failed response sends the probe at the backed-off `nextIndex` at once.
 *
 * A peer that is behind therefore has one request in flight at a time (stop-and-wait), which keeps
 * duplicates out of the network; a lost request is resent by the next heartbeat.
 *
 * @module
 */
import { unreachable } from '../exhaustive.js';
import type { AppendEntriesResponse, NodeId, NodeState } from '../raft/index.js';

/** What happened that may call for `AppendEntries`. */
export type ReplicationTrigger =
  /** The node has just become leader (and appended its election entry, if any). */
  | { readonly kind: 'became-leader' }
  /** The leader's heartbeat timer fired. */
  | { readonly kind: 'heartbeat' }
  /** The leader has just appended a client's entry at the end of its log. */
  | { readonly kind: 'new-entry' }
  /** The node has just handled this response. */
  | { readonly kind: 'append-entries-response'; readonly response: AppendEntriesResponse };

const NOBODY: readonly NodeId[] = Object.freeze([]);

/**
 * The peers to send an `AppendEntries` to, in member order, after a step from `before` to `after` caused
 * by `trigger`. Pure: it reads the two states and nothing else.
 */
export function appendEntriesTargets(trigger: ReplicationTrigger, before: NodeState, after: NodeState): readonly NodeId[] {
  if (after.role !== 'Leader') return NOBODY;
  // A switch, not ts-pattern: the response case runs for every AppendEntriesResponse delivered (see src/exhaustive.ts).
  switch (trigger.kind) {
    case 'became-leader':
    case 'heartbeat':
      return after.servers.filter((peer) => peer !== after.id);
    case 'new-entry': {
      const index = after.log.length;
      return after.servers.filter((peer) => peer !== after.id && after.nextIndex[peer] === index);
    }
    case 'append-entries-response': {
      const response = trigger.response;
      const peer = response.from;
      if (response.term !== after.currentTerm) return NOBODY;
      const advanced = (after.matchIndex[peer] ?? 0) > (before.matchIndex[peer] ?? 0);
      const behind = (after.nextIndex[peer] ?? 1) <= after.log.length;
      return behind && (advanced || !response.success) ? [peer] : NOBODY;
    }
    default:
      return unreachable(trigger, 'replication trigger');
  }
}
