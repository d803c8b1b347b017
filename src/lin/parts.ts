/**
 * Checking a history part by part (for a key-value store, key by key). Linearizability is compositional
 * (Herlihy and Wing): the history is linearizable exactly when every part is. So one failing part decides
 * "not linearizable" whatever the others say, and a part that cannot be decided must not hide one that can.
 *
 * - Parts are checked smallest first: small parts are cheap, and most failures are found in a moment.
 * - A part that exhausts its budget is recorded as unknown and the next part is checked.
 * - Under a time budget each part gets a fair share of the time left (the time left divided by the parts
 *   left), so a hard part cannot starve the rest. A part that runs out of its share is paused, not
 *   dropped; once every part had its turn, the time left goes to the paused ones, which continue where
 *   they stopped.
 *
 * @module
 */
import type { Operation } from './history.js';
import type { Model } from './model.js';
import { LinearizationSearch, systemClock, type Clock, type GiveUpReason } from './checker.js';

/** One independent sub-history. */
export interface Part<I, O> {
  readonly name: string;
  readonly ops: readonly Operation<I, O>[];
}

/** What the check found about one part. `not-checked`: a failure elsewhere decided first. */
export type PartOutcome = 'linearizable' | 'not-linearizable' | 'unknown' | 'not-checked';

/** One part's verdict. */
export interface PartVerdict {
  readonly name: string;
  /** The part's operations (failed ones included). */
  readonly ops: number;
  readonly outcome: PartOutcome;
  /** Why the part is unknown (absent otherwise). */
  readonly reason?: GiveUpReason;
  /** Distinct configurations its search visited. */
  readonly explored: number;
}

/** Budgets of {@link checkParts}. */
export interface PartsOptions {
  /** Cap on explored configurations per part. */
  readonly maxExplored: number;
  /** Time for all parts together, in ms (none when absent). */
  readonly timeBudgetMs?: number;
  readonly clock?: Clock;
  /** See `SearchOptions.reductions`. */
  readonly reductions?: boolean;
}

/** The parts' verdicts, in the order they were checked, and the first failing part if any. */
export interface PartsResult<I, O> {
  readonly verdicts: readonly PartVerdict[];
  readonly failing: Part<I, O> | null;
  readonly explored: number;
}

interface Pending<S, I, O> {
  readonly part: Part<I, O>;
  /** Kept only while the part is paused (a finished search's memo is let go). */
  search: LinearizationSearch<S, I, O> | null;
  outcome: PartOutcome;
  reason?: GiveUpReason;
  explored: number;
}

/** Check `parts` within the budgets; stops at the first failing part. */
export function checkParts<S, I, O>(model: Model<S, I, O>, parts: readonly Part<I, O>[], options: PartsOptions): PartsResult<I, O> {
  const clock = options.clock ?? systemClock;
  const deadline = options.timeBudgetMs === undefined ? undefined : clock() + options.timeBudgetMs;
  const order: Pending<S, I, O>[] = parts
    .map((part, index) => ({ part, index }))
    .sort((a, b) => a.part.ops.length - b.part.ops.length || a.index - b.index)
    .map(({ part }) => ({ part, search: null, outcome: 'not-checked', explored: 0 }));

  // Run one part until it is decided, out of states, or out of its share of the time (then it is paused).
  const turn = (p: Pending<S, I, O>, sharers: number): void => {
    p.search ??= new LinearizationSearch(model, p.part.ops, { reductions: options.reductions ?? true });
    const now = deadline === undefined ? 0 : clock();
    const share = deadline === undefined ? undefined : now + Math.max(0, deadline - now) / sharers;
    const outcome = p.search.run(share === undefined ? { maxExplored: options.maxExplored } : { maxExplored: options.maxExplored, deadline: share, clock });
    p.explored = p.search.explored;
    if (outcome !== 'time-budget') p.search = null;
    if (outcome === 'linearizable' || outcome === 'not-linearizable') {
      p.outcome = outcome;
      delete p.reason;
    } else {
      p.outcome = 'unknown';
      p.reason = outcome;
    }
  };

  let failing: Part<I, O> | null = null;
  const paused: Pending<S, I, O>[] = [];
  for (let i = 0; i < order.length && failing === null; i++) {
    const p = order[i]!;
    turn(p, order.length - i);
    if (p.outcome === 'not-linearizable') failing = p.part;
    if (p.reason === 'time-budget') paused.push(p);
  }
  for (let i = 0; i < paused.length && failing === null; i++) {
    if (deadline !== undefined && clock() >= deadline) break;
    const p = paused[i]!;
    turn(p, paused.length - i);
    if (p.outcome === 'not-linearizable') failing = p.part;
  }

  const verdicts = order.map((p): PartVerdict => ({
    name: p.part.name,
    ops: p.part.ops.length,
    outcome: p.outcome,
    ...(p.reason === undefined ? {} : { reason: p.reason }),
    explored: p.explored,
  }));
  return { verdicts, failing, explored: verdicts.reduce((sum, v) => sum + v.explored, 0) };
}
