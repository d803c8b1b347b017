/**
 * The spec's history variable `commitHistory`, for `LeaderCompleteness`: every entry a leader has committed,
 * with the leader's term at that moment. The algorithm never reads it, and trace replay does not compare it
 * (it is kept out of TLC's VIEW); it exists so an invariant can talk about the past.
 *
 * @module
 */
import type { ClusterSnapshot } from './cluster.js';
import type { ActionLabel } from './labels.js';
import type { Index, LogEntry, Term } from './types.js';

/** The spec's `[index |-> k, entry |-> e, commitTerm |-> t]`: leader of term `t` committed `e` at `k`. */
export interface CommitRecord {
  readonly index: Index;
  readonly entry: LogEntry;
  readonly commitTerm: Term;
}

/** The spec's `commitHistory` set, as an array sorted by index, commit term, entry term, value. */
export type CommitHistory = readonly CommitRecord[];

/** `commitHistory` in the initial state: nothing committed. */
export const EMPTY_HISTORY: CommitHistory = [];

/**
 * `commitHistory` after one step, exactly as the spec updates it: only an `AdvanceCommitIndex(i)` step adds
 * records, one per newly committed index `commitIndex[i]+1 .. commitIndex'[i]`, stamped with `i`'s current
 * term. Followers learning a commit add nothing (what they learn was recorded when a leader committed it).
 * Returns the same array when nothing was added.
 */
export function recordCommits(
  history: CommitHistory,
  before: ClusterSnapshot,
  after: ClusterSnapshot,
  action: ActionLabel,
): CommitHistory {
  if (action.name !== 'AdvanceCommitIndex') return history;
  const was = before.nodes[action.node];
  const now = after.nodes[action.node];
  if (was === undefined || now === undefined) return history;
  const known = new Set(history.map(recordKey));
  const added: CommitRecord[] = [];
  for (let index = was.commitIndex + 1; index <= now.commitIndex; index++) {
    const e = now.log.entry(index);
    if (e === undefined) continue;
    const record: CommitRecord = { index, entry: { term: e.term, value: e.value }, commitTerm: now.currentTerm };
    const key = recordKey(record);
    if (!known.has(key)) {
      known.add(key);
      added.push(record);
    }
  }
  if (added.length === 0) return history;
  return [...history, ...added].sort(
    (a, b) =>
      a.index - b.index ||
      a.commitTerm - b.commitTerm ||
      a.entry.term - b.entry.term ||
      (a.entry.value < b.entry.value ? -1 : a.entry.value > b.entry.value ? 1 : 0),
  );
}

function recordKey(r: CommitRecord): string {
  return JSON.stringify([r.index, r.entry.term, r.entry.value, r.commitTerm]);
}
