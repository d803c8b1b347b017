/**
 * The bounds of a Raft trace model (specs/MCRaftTrace.tla's `TraceConstraint` and
 * `TraceActionConstraint`), read from its config and mirrored in TypeScript, so the enabledness check
 * can tell which of the core's possible steps stay inside the model TLC explored.
 *
 * @module
 */
import type { SpecState } from '../../raft/index.js';
import { naturalConstant, setConstant } from '../../tlc/config-constants.js';

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
}

const HINT = 'Raft trace models set every constant of specs/MCRaftTrace.tla.';

/** Parses the bounds out of a Raft trace model's config text. */
export function parseRaftBounds(text: string, file: string): RaftBounds {
  return {
    maxTerm: naturalConstant(text, 'MaxTerm', file, HINT),
    maxLogLen: naturalConstant(text, 'MaxLogLen', file, HINT),
    maxInFlight: naturalConstant(text, 'MaxInFlight', file, HINT),
    maxCopies: naturalConstant(text, 'MaxCopies', file, HINT),
    disabledActions: setConstant(text, 'DisabledActions', file, HINT),
    values: setConstant(text, 'Value', file, HINT),
  };
}

/** `TraceConstraint`: whether a state lies inside the model's bounds. */
export function withinBounds(state: SpecState, bounds: RaftBounds): boolean {
  for (const id of Object.keys(state.currentTerm)) {
    if ((state.currentTerm[id] as number) > bounds.maxTerm) return false;
    if ((state.log[id] as readonly unknown[]).length > bounds.maxLogLen) return false;
  }
  let total = 0;
  for (const { count } of state.messages) {
    if (count > bounds.maxCopies) return false;
    total += count;
  }
  return total <= bounds.maxInFlight;
}
