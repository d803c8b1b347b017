/**
 * The Raft log: an immutable, 1-based sequence of entries whose versions share storage, plus the helpers the
 * protocol code reads it with. Keeping the index arithmetic here keeps off-by-one mistakes out of the
 * protocol code.
 *
 * @module
 */
import type { LogWrite } from './inputs.js';
import type { Index, LogEntry, Term } from './types.js';

/**
 * An immutable Raft log (the spec's `log[i]`, 1-based). Every change returns a new version and leaves the
 * old one as it was, so any earlier node state stays valid.
 *
 * Versions share one backing array the way Go slices do: a version is "the first `length` entries of the
 * backing", and the backing is only ever pushed onto, never changed below its end. Appending to the newest
 * version pushes onto the shared backing (O(1) amortized); truncating is O(1); appending to an older or
 * truncated version copies its prefix first, so no version ever sees another's entries. Without the
 * sharing every append copied the whole log, which dominated the simulator's time and garbage.
 */
export class RaftLog implements Iterable<LogEntry> {
  // A private field, not a property: deep-freezing or deep-comparing a version must not reach the backing
  // (freezing it would break the next append of every version that shares it).
  readonly #backing: LogEntry[];
  /** The spec's `Len(log)`. */
  readonly length: Index;

  private constructor(backing: LogEntry[], length: Index) {
    this.#backing = backing;
    this.length = length;
  }

  /** A log holding a copy of `entries` (in order). */
  static from(entries: Iterable<LogEntry>): RaftLog {
    const backing = Array.from(entries);
    return new RaftLog(backing, backing.length);
  }

  /** The entry at a 1-based index, or `undefined` when the log is shorter (or the index is 0). */
  entry(index: Index): LogEntry | undefined {
    return index >= 1 && index <= this.length ? this.#backing[index - 1] : undefined;
  }

  /** The term at a 1-based index, 0 when there is no entry there (the spec's convention for `mprevLogTerm`). */
  termAt(index: Index): Term {
    return this.entry(index)?.term ?? 0;
  }

  /** The spec's `LastTerm(log)`: the term of the last entry, 0 for an empty log. */
  get lastTerm(): Term {
    return this.termAt(this.length);
  }

  /** This log with `entry` appended. */
  append(entry: LogEntry): RaftLog {
    const backing = this.#backing;
    // The common case, the newest version growing by one, is a bare push (no array for `appendAll`).
    if (this.length === backing.length && this.length > 0) {
      backing.push(entry);
      return new RaftLog(backing, backing.length);
    }
    return this.appendAll([entry]);
  }

  /** This log with `entries` appended in order. */
  appendAll(entries: readonly LogEntry[]): RaftLog {
    if (entries.length === 0) return this;
    let backing = this.#backing;
    // The same entry objects may already follow this version on the backing (a disk replaying the node's
    // own writes, a node re-appending what it truncated): then the version just grows over them.
    let end = this.length;
    while (end < backing.length && end - this.length < entries.length && backing[end] === entries[end - this.length]) end++;
    if (end - this.length === entries.length) return new RaftLog(backing, end);
    // An empty version starts a backing of its own, so a long-lived empty log (a constant) never holds on
    // to the entries of whatever was first appended to it.
    if (end < backing.length || end === 0) backing = backing.slice(0, end);
    for (let i = end - this.length; i < entries.length; i++) backing.push(entries[i] as LogEntry);
    return new RaftLog(backing, backing.length);
  }

  /** The first `length` entries of this log (the spec's `SubSeq(log, 1, length)`). */
  truncate(length: Index): RaftLog {
    if (!Number.isInteger(length) || length < 0 || length > this.length) {
      throw new RangeError(`cannot truncate a log of length ${this.length} to ${length} entries`);
    }
    return length === this.length ? this : new RaftLog(this.#backing, length);
  }

  /** The entries at the 1-based `index` and after, as a new array (empty when `index` is past the end). */
  entriesFrom(index: Index): LogEntry[] {
    return this.#backing.slice(Math.max(index, 1) - 1, this.length);
  }

  /**
   * How many leading entries this log and `other` have in common. Versions of one backing share their
   * common prefix by construction, so that case needs no scan; unrelated logs are compared entry by entry.
   */
  commonPrefixLength(other: RaftLog): Index {
    const common = Math.min(this.length, other.length);
    if (this.#backing === other.#backing) return common;
    const mine = this.#backing;
    const theirs = other.#backing;
    let n = 0;
    while (n < common && sameEntry(mine[n], theirs[n])) n++;
    return n;
  }

  /** Whether both logs hold the same entries (same terms and values, in the same order). */
  equals(other: RaftLog): boolean {
    return this.length === other.length && this.commonPrefixLength(other) === this.length;
  }

  /** The entries as a new plain array. */
  toArray(): LogEntry[] {
    return this.#backing.slice(0, this.length);
  }

  /** JSON reports and files show a log as the plain array of its entries. */
  toJSON(): LogEntry[] {
    return this.toArray();
  }

  /** The entries in order, first to last. */
  *[Symbol.iterator](): Iterator<LogEntry> {
    for (let i = 0; i < this.length; i++) yield this.#backing[i] as LogEntry;
  }
}

/**
 * The voter's "candidate's log is at least as up-to-date as mine" check (the spec's `logOk` for votes):
 * a later last term wins; with equal last terms the longer log wins.
 */
export function isUpToDate(candidateLastTerm: Term, candidateLastIndex: Index, voterLog: RaftLog): boolean {
  const myLastTerm = voterLog.lastTerm;
  return candidateLastTerm > myLastTerm || (candidateLastTerm === myLastTerm && candidateLastIndex >= voterLog.length);
}

/** Two entries are the same entry when term and value agree (entries have no other identity). */
export function sameEntry(a: LogEntry | undefined, b: LogEntry | undefined): boolean {
  return a !== undefined && b !== undefined && (a === b || (a.term === b.term && a.value === b.value));
}

/**
 * Apply a `LogWrite` to a log. Used by storage to keep its copy in step with the node, and by the core to
 * derive the write from a before/after pair (see `diffLog`). Throws on a write that would leave a gap,
 * because such a write can only come from a bug in the caller.
 */
export function applyLogWrite(log: RaftLog, write: LogWrite): RaftLog {
  if (!Number.isInteger(write.fromIndex) || write.fromIndex < 1 || write.fromIndex > log.length + 1) {
    throw new RangeError(
      `LogWrite.fromIndex ${write.fromIndex} is outside 1..${log.length + 1} for a log of length ${log.length}`,
    );
  }
  return log.truncate(write.fromIndex - 1).appendAll(write.entries);
}

/**
 * The smallest `LogWrite` that turns `before` into `after`, or `null` when they hold the same entries.
 * Deriving it (instead of having every handler report its own write) means the persisted log can never
 * disagree with the in-memory one.
 */
export function diffLog(before: RaftLog, after: RaftLog): LogWrite | null {
  if (before === after) return null;
  const common = before.commonPrefixLength(after);
  if (common === before.length && common === after.length) return null;
  return { fromIndex: common + 1, entries: after.entriesFrom(common + 1) };
}
