/**
 * Core value types of the Raft state machine.
 *
 * Names and shapes follow `specs/RAFT_VOCABULARY.md`: terms start at 0, log indexes are 1-based, and every
 * field that the spec models has the spec's name. Fields the spec does not model (`servers`, `leaderHint`)
 * are marked as such; `toSpecState` leaves them out.
 *
 * @module
 */
import type { RaftLog } from './log.js';

/** A server id. Same strings as the spec's model values (`"s1"`, `"s2"`, ...). */
export type NodeId = string;

/** An election term. Starts at 0, as in the spec. */
export type Term = number;

/** A 1-based log position; 0 means "before the first entry". */
export type Index = number;

/** A client value. Same strings as the spec's `Value` model values (`"v1"`, ...). */
export type Value = string;

/** The spec's `role` values, spelled exactly as in the spec. */
export type Role = 'Follower' | 'Candidate' | 'Leader';

/** One log entry: the spec's `[term : Nat, value : Value]`. */
export interface LogEntry {
  readonly term: Term;
  readonly value: Value;
}

/**
 * The part of a node's state that must survive a crash besides the log (the spec's `Restart` keeps it).
 * Persisted before any message that depends on it is sent, so a restarted node never votes twice in a term.
 */
export interface HardState {
  readonly currentTerm: Term;
  /** `null` is the spec's `Nil`. */
  readonly votedFor: NodeId | null;
}

/**
 * Everything one Raft node knows. Immutable: `step` returns a new object and shares unchanged parts, so a
 * caller may keep any earlier state (for before/after invariant checks, branching test stories, replay diffs).
 */
export interface NodeState {
  /** This node's id. Not a spec variable (the spec indexes its functions by it). */
  readonly id: NodeId;
  /**
   * Every cluster member including this node, sorted. Static configuration captured at creation; not a spec
   * variable but the spec's `Server` constant.
   */
  readonly servers: readonly NodeId[];
  readonly currentTerm: Term;
  readonly role: Role;
  /** `null` is the spec's `Nil`. */
  readonly votedFor: NodeId | null;
  /** Shares storage with the versions it was derived from; see `RaftLog`. */
  readonly log: RaftLog;
  readonly commitIndex: Index;
  /** Sorted ids of servers that granted this node a vote in `currentTerm` (the spec's set, kept sorted). */
  readonly votesGranted: readonly NodeId[];
  /** Keyed by every server, this node included (the spec keeps the own entry and never reads it). */
  readonly nextIndex: Readonly<Record<NodeId, Index>>;
  /** Keyed by every server, this node included (likewise). */
  readonly matchIndex: Readonly<Record<NodeId, Index>>;
  /**
   * The leader of `currentTerm` as far as this node knows, used only to answer a client with a redirect.
   * Volatile, not a spec variable, never affects any spec-visible decision.
   */
  readonly leaderHint: NodeId | null;
}
