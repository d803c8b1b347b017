/**
 * The bounds of a Raft trace model (specs/MCRaftTrace.tla's `TraceConstraint` and
 * `TraceActionConstraint`), or of a check-spec model of specs/MCRaft.tla (`MCConstraint`), read from its
 * config and mirrored in TypeScript, so the enabledness and state-graph checks can tell which of the
 * core's possible steps stay inside the model TLC explored.
 *
 * @module
 */
import type { SpecState } from '../../raft/index.js';
import { booleanConstant, hasConstant, naturalConstant, setConstant } from '../../tlc/config-constants.js';

/** A Raft trace model's bounds and constants. */
export interface RaftBounds {
  readonly maxTerm: number;
  readonly maxLogLen: number;
  readonly maxInFlight: number;
  readonly maxCopies: number;
  /** Action names the model never takes. */
  readonly disabledActions: readonly string[];
  /** The `Value` constant: what `ClientRequest` may carry. */
  readonly values: readonly string[];
  /** `FocusedNetwork` (MCRaftTrace): several messages in flight only if all are vote requests or copies of one. */
  readonly focusedNetwork: boolean;
  /** `MaxEntryTerm` (MCRaft): no entry of a later term. */
  readonly maxEntryTerm?: number;
  /** `MaxEntriesPerTerm` (MCRaft): no log with more entries of one term, once longer than this. */
  readonly maxEntriesPerTerm?: number;
}

const HINT = 'Raft trace models set every constant of specs/MCRaftTrace.tla; models of specs/MCRaft.tla every constant of that module.';

/** Parses the bounds out of a Raft trace model's config text. */
export function parseRaftBounds(text: string, file: string): RaftBounds {
  return {
    maxTerm: naturalConstant(text, 'MaxTerm', file, HINT),
    maxLogLen: naturalConstant(text, 'MaxLogLen', file, HINT),
    maxInFlight: naturalConstant(text, 'MaxInFlight', file, HINT),
    maxCopies: naturalConstant(text, 'MaxCopies', file, HINT),
    disabledActions: setConstant(text, 'DisabledActions', file, HINT),
    values: setConstant(text, 'Value', file, HINT),
    focusedNetwork: hasConstant(text, 'FocusedNetwork') && booleanConstant(text, 'FocusedNetwork', file, HINT),
    ...(hasConstant(text, 'MaxEntryTerm') ? { maxEntryTerm: naturalConstant(text, 'MaxEntryTerm', file, HINT) } : {}),
    ...(hasConstant(text, 'MaxEntriesPerTerm') ? { maxEntriesPerTerm: naturalConstant(text, 'MaxEntriesPerTerm', file, HINT) } : {}),
  };
}

/** `TraceConstraint`: whether a state lies inside the model's bounds. */
export function withinBounds(state: SpecState, bounds: RaftBounds): boolean {
  for (const id of Object.keys(state.currentTerm)) {
    if ((state.currentTerm[id] as number) > bounds.maxTerm) return false;
    if ((state.log[id] as readonly unknown[]).length > bounds.maxLogLen) return false;
  }
  if (bounds.maxEntryTerm !== undefined || bounds.maxEntriesPerTerm !== undefined) {
    for (const log of Object.values(state.log)) if (!entriesWithinBounds(log, bounds)) return false;
  }
  let total = 0;
  let allVoteRequests = true;
  for (const { message, count } of state.messages) {
    if (count > bounds.maxCopies) return false;
    total += count;
    if (message.mtype !== 'RequestVoteRequest') allVoteRequests = false;
  }
  if (total > bounds.maxInFlight) return false;
  return !bounds.focusedNetwork || total <= 1 || allVoteRequests || state.messages.length === 1;
}

/** MCRaft's bounds on a log's entries: no term beyond `maxEntryTerm`, at most `maxEntriesPerTerm` per term. */
function entriesWithinBounds(log: readonly { readonly term: number }[], bounds: RaftBounds): boolean {
  if (bounds.maxEntryTerm !== undefined && log.some((e) => e.term > (bounds.maxEntryTerm as number))) return false;
  const perTerm = bounds.maxEntriesPerTerm;
  if (perTerm === undefined || log.length <= perTerm) return true;
  const counts = new Map<number, number>();
  for (const e of log) counts.set(e.term, (counts.get(e.term) ?? 0) + 1);
  return [...counts.values()].every((c) => c <= perTerm);
}
