/**
 * Read-only helpers over a 1-based Raft log stored in a 0-based array. Keeping the index arithmetic here
 * keeps off-by-one mistakes out of the protocol code.
 *
 * @module
 */
import type { LogWrite } from './inputs.js';
import type { Index, LogEntry, Term } from './types.js';

/** The spec's `Len(log)`. */
export function lastIndex(log: readonly LogEntry[]): Index {
  return log.length;
}

/** The spec's `LastTerm(log)`: the term of the last entry, 0 for an empty log. */
export function lastTerm(log: readonly LogEntry[]): Term {
  return log[log.length - 1]?.term ?? 0;
}

/** The entry at a 1-based index, or `undefined` when the log is shorter (or the index is 0). */
export function entryAt(log: readonly LogEntry[], index: Index): LogEntry | undefined {
  return index >= 1 ? log[index - 1] : undefined;
}

/** The term at a 1-based index, 0 for index 0 (the spec's convention for `mprevLogTerm`). */
export function termAt(log: readonly LogEntry[], index: Index): Term {
  return entryAt(log, index)?.term ?? 0;
}

/**
 * The voter's "candidate's log is at least as up-to-date as mine" check (the spec's `logOk` for votes):
 * a later last term wins; with equal last terms the longer log wins.
 */
export function isUpToDate(
  candidateLastTerm: Term,
  candidateLastIndex: Index,
  voterLog: readonly LogEntry[],
): boolean {
  const myLastTerm = lastTerm(voterLog);
  return candidateLastTerm > myLastTerm || (candidateLastTerm === myLastTerm && candidateLastIndex >= voterLog.length);
}

/** Two entries are the same entry when term and value agree (entries have no other identity). */
export function sameEntry(a: LogEntry | undefined, b: LogEntry | undefined): boolean {
  return a !== undefined && b !== undefined && a.term === b.term && a.value === b.value;
}

/**
 * Apply a `LogWrite` to a log. Used by storage to keep its copy in step with the node, and by the core to
 * derive the write from a before/after pair (see `diffLog`). Throws on a write that would leave a gap,
 * because such a write can only come from a bug in the caller.
 */
export function applyLogWrite(log: readonly LogEntry[], write: LogWrite): readonly LogEntry[] {
  if (!Number.isInteger(write.fromIndex) || write.fromIndex < 1 || write.fromIndex > log.length + 1) {
    throw new RangeError(
      `LogWrite.fromIndex ${write.fromIndex} is outside 1..${log.length + 1} for a log of length ${log.length}`,
    );
  }
  const next = log.slice(0, write.fromIndex - 1);
  for (const e of write.entries) next.push(e);
  return next;
}

/**
 * The smallest `LogWrite` that turns `before` into `after`, or `null` when they hold the same entries.
 * Deriving it (instead of having every handler report its own write) means the persisted log can never
 * disagree with the in-memory one.
 */
export function diffLog(before: readonly LogEntry[], after: readonly LogEntry[]): LogWrite | null {
  if (before === after) return null;
  const common = Math.min(before.length, after.length);
  let first = 0;
  // Handlers share the entries they keep, so an identical reference settles most positions at once.
  while (first < common && (before[first] === after[first] || sameEntry(before[first], after[first]))) first++;
  if (first === before.length && first === after.length) return null;
  return { fromIndex: first + 1, entries: after.slice(first) };
}
