/**
 * The persistence contract between a Raft driver and stable storage. The pure core never calls it: the
 * driver takes `outputs.persist` from a step, awaits `save`, and only then sends that step's messages.
 *
 * @module
 */
import type { HardState, PersistUpdate } from '../raft/index.js';
import { applyLogWrite, RaftLog } from '../raft/index.js';

/** What survives a crash: the term, the vote and the log (exactly what the spec's `Restart` keeps). */
export interface PersistentState {
  readonly hardState: HardState;
  /** Immutable and structurally shared, so applying an append does not copy the log. */
  readonly log: RaftLog;
}

/** The state of a node that has never saved anything (the spec's `Init`). */
export const INITIAL_PERSISTENT_STATE: PersistentState = {
  hardState: { currentTerm: 0, votedFor: null },
  log: RaftLog.from([]),
};

/**
 * Stable storage for one node.
 *
 * `save` resolves only once the update is durable: after that, no crash may lose it. If `save` rejects, the
 * update may or may not have reached the disk, the step's messages must not be sent, and the node should be
 * restarted from `load()` (which returns the last state whose `save` resolved, or a later attempted one).
 */
export interface Storage {
  /** The last durable state, or `INITIAL_PERSISTENT_STATE` when nothing was ever saved. */
  load(): Promise<PersistentState>;
  /** Make `update` durable on top of the current state. */
  save(update: PersistUpdate): Promise<void>;
}

/** Apply a step's `PersistUpdate` to a persistent state (pure; shared by every implementation). */
export function applyPersistUpdate(state: PersistentState, update: PersistUpdate): PersistentState {
  return {
    hardState: update.hardState ?? state.hardState,
    log: update.logWrite === null ? state.log : applyLogWrite(state.log, update.logWrite),
  };
}
