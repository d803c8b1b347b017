/**
 * Storage that lives in memory: for tests and simulations where "durable" means "survives the node's
 * `Restart` in the same process". A simulator models a crash by keeping this object and dropping the node.
 *
 * @module
 */
import { RaftLog, type PersistUpdate } from '../raft/index.js';
import { applyPersistUpdate, INITIAL_PERSISTENT_STATE, type PersistentState, type Storage } from './types.js';

/** In-memory `Storage`. Copies on the way in and out, so callers cannot alias its contents. */
export class MemoryStorage implements Storage {
  private state: PersistentState;

  /** @param initial the state to start from (default: nothing saved yet). */
  constructor(initial: PersistentState = INITIAL_PERSISTENT_STATE) {
    this.state = copy(initial);
  }

  /** The last saved state. */
  load(): Promise<PersistentState> {
    return Promise.resolve(copy(this.state));
  }

  /** Apply `update`; durable as soon as it resolves (it is memory: "durable" within this process). */
  save(update: PersistUpdate): Promise<void> {
    try {
      this.state = copy(applyPersistUpdate(this.state, update));
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

function copy(s: PersistentState): PersistentState {
  return { hardState: { ...s.hardState }, log: RaftLog.from(Array.from(s.log, (e) => ({ term: e.term, value: e.value }))) };
}
