/**
 * The four Raft messages, with readable field names. `toSpecMessage` (in `spec-state.ts`) maps them to the
 * spec's `m*` records; the mapping is one-to-one so a trace's message can be turned back into one of these.
 *
 * @module
 */
import type { Index, LogEntry, NodeId, Term } from './types.js';

/** A candidate asks `to` for its vote in `term` (the spec's `RequestVoteRequest`). */
export interface RequestVoteRequest {
  readonly type: 'RequestVoteRequest';
  readonly term: Term;
  readonly from: NodeId;
  readonly to: NodeId;
  /** Term of the candidate's last entry (0 for an empty log); the voter compares logs with it. */
  readonly lastLogTerm: Term;
  /** Length of the candidate's log. */
  readonly lastLogIndex: Index;
}

/** A voter's answer (the spec's `RequestVoteResponse`). */
export interface RequestVoteResponse {
  readonly type: 'RequestVoteResponse';
  /** The voter's term after handling the request, so a stale candidate learns it is behind. */
  readonly term: Term;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly voteGranted: boolean;
}

/** A leader's replication or heartbeat message (the spec's `AppendEntriesRequest`). */
export interface AppendEntriesRequest {
  readonly type: 'AppendEntriesRequest';
  readonly term: Term;
  readonly from: NodeId;
  readonly to: NodeId;
  /** The index just before `entries`; the follower must hold an entry of `prevLogTerm` there. */
  readonly prevLogIndex: Index;
  readonly prevLogTerm: Term;
  /** At most one entry in this model (empty for a heartbeat), mirroring the spec. */
  readonly entries: readonly LogEntry[];
  /** The leader's commitIndex when it sent this. */
  readonly commitIndex: Index;
}

/** A follower's answer to an `AppendEntriesRequest` (the spec's `AppendEntriesResponse`). */
export interface AppendEntriesResponse {
  readonly type: 'AppendEntriesResponse';
  readonly term: Term;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly success: boolean;
  /** On success, the last index known to match the leader's log; 0 on failure. */
  readonly matchIndex: Index;
}

/** Any Raft message; `type` is the discriminant (the spec's `mtype`). */
export type Message = RequestVoteRequest | RequestVoteResponse | AppendEntriesRequest | AppendEntriesResponse;

/** The message type names, spelled as the spec's `mtype` values. */
export type MessageType = Message['type'];

/** All message type names, in a fixed order (useful for drivers and reports). */
export const MESSAGE_TYPES: readonly MessageType[] = [
  'RequestVoteRequest',
  'RequestVoteResponse',
  'AppendEntriesRequest',
  'AppendEntriesResponse',
];
