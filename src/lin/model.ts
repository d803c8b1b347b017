/**
 * A sequential specification for the checker (Porcupine's `Model`): the object's states and what each
 * operation may do to them.
 *
 * @module
 */
import type { Operation } from './history.js';

/** What `Model.step` returns when an output is impossible (a symbol, since `null` is often a legal state). */
export const IMPOSSIBLE: unique symbol = Symbol('impossible');

/** The type of {@link IMPOSSIBLE}. */
export type Impossible = typeof IMPOSSIBLE;

/** The sequential object a history is checked against. */
export interface Model<S, I, O> {
  /** The state before any operation. */
  readonly init: S;
  /**
   * The state after an operation with `input` returned `output` in `state`, or `IMPOSSIBLE` when `output` is
   * impossible there. `output` is `undefined` when unknown (a timed-out operation): any output is allowed,
   * and the effect is the one the operation would have in `state`.
   */
  step(state: S, input: I, output: O | undefined): S | Impossible;
  /** A string equal for equal states. The search interns states by it, once per transition it computes. */
  key(state: S): string;
  /**
   * A string equal exactly when two inputs are equal (optional). With it, timed-out operations with equal
   * inputs are interchangeable, and the search tries them in one order only (see `checker.ts`); a key that
   * calls two different inputs equal makes the search unsound.
   */
  inputKey?(input: I): string;
  /**
   * Split a history into independent sub-histories (for a key-value store, one per key). Linearizability
   * is compositional (Herlihy and Wing), so checking each part alone is exact and far cheaper.
   */
  partition?(ops: readonly Operation<I, O>[]): { readonly name: string; readonly ops: Operation<I, O>[] }[];
  /**
   * True when the operation can never change the state (a read): the explainer may drop it soundly. With an
   * unknown `output` (a timed-out read) the operation constrains nothing, and the search leaves it out.
   */
  readOnly(input: I, output: O | undefined): boolean;
  /** `put(x, 1)`, for explanations. */
  describeInput(input: I): string;
  /** `-> 1`, for explanations. */
  describeOutput(output: O): string;
  /** `x = 1`, for explanations. */
  describeState(state: S): string;
}
