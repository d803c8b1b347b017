/**
 * Checking a whole history and, when it is not linearizable, cutting it down to a small witness a person
 * can read. The verdict comes first (`parts.ts`: every part is checked, smallest first, and one failing
 * part decides), under its own state and time budgets; the explanation then runs under a budget of its
 * own, so a hard reduction never delays or hides the verdict. Every reduction is sound: if the original
 * history were linearizable, so would be the witness, so a non-linearizable witness proves the original is
 * not linearizable either. The witness in hand is always one whose failure was proved, so when the
 * explanation's budget runs out the result is the last (less reduced) witness, marked as not minimal.
 *
 * 1. **One part.** The first failing part found is kept.
 * 2. **Shortest failing prefix.** For a time `T`, the prefix keeps the operations invoked before `T`; those
 *    that completed after `T` are turned into timeouts (outcome unknown). Any linearization of the full
 *    history restricted to the prefix is one of the prefix, so a failing prefix is a witness; the earliest
 *    failing `T` (binary search over completion times) names the operation whose completion broke it.
 * 3. **Drop reads.** An operation that never changes the state (a get, a failed compare-and-set) can be
 *    removed: removing it only removes a constraint.
 * 4. **Forget write outcomes.** Turning a completed write into a timeout only relaxes it.
 *
 * Steps 3 and 4 try whole chunks of operations first and split a chunk only when it cannot go as a whole
 * (delta debugging), so a witness of a few operations in a long part costs a few dozen searches, not one
 * per operation. Both are monotone (dropping or relaxing more never brings a failure back), so the result
 * is 1-minimal: no single further drop or relaxation leaves it failing. Except for one thing: removing
 * constraints also removes the search's pruning (relaxing a dozen writes leaves a dozen operations that
 * may or may not have happened, anywhere), so each trial may explore a bounded multiple of what proving
 * the prefix took; a trial past that is abandoned, a chunk split, and a single operation kept and counted
 * as `inconclusive` (the witness stays proved; it is then not called minimal).
 *
 * @module
 */
import type { Operation } from './history.js';
import { IMPOSSIBLE, type Model } from './model.js';
import { DEFAULT_MAX_EXPLORED, LinearizationSearch, systemClock, type Clock, type GiveUpReason } from './checker.js';
import { checkParts, type Part, type PartVerdict } from './parts.js';

/** A readable account of why a history is not linearizable. */
export interface Explanation<I, O> {
  /** The independent part (e.g. the key) that fails. */
  readonly part: string;
  /** The witness: operations that cannot be ordered, sorted by invocation time. */
  readonly ops: readonly Operation<I, O>[];
  /** The longest valid order of a prefix of the witness the search found, as operation ids. */
  readonly longestOrder: readonly number[];
  /** Multi-line text for people. */
  readonly text: string;
  /** True when every drop and relaxation was tried to the end (the witness is 1-minimal). */
  readonly minimal: boolean;
  /** What cut the reduction short, when the budget ran out or no explanation was asked for. */
  readonly stoppedBy?: GiveUpReason | 'not-asked';
  /** Operations kept because the trial without them was abandoned at its cap (see `explainFailure`). */
  readonly inconclusive: number;
  /** Distinct configurations the explanation's searches visited. */
  readonly explored: number;
}

/** The result of checking a history. `parts` lists every part's verdict, in the order they were checked. */
export type LinearizabilityResult<I, O> =
  | { readonly outcome: 'linearizable'; readonly explored: number; readonly parts: readonly PartVerdict[] }
  | {
      readonly outcome: 'unknown';
      /** The first part (in checking order) that could not be decided. */
      readonly part: string;
      readonly reason: GiveUpReason;
      readonly explored: number;
      readonly parts: readonly PartVerdict[];
    }
  | {
      readonly outcome: 'not-linearizable';
      readonly part: string;
      readonly explanation: Explanation<I, O>;
      readonly explored: number;
      readonly parts: readonly PartVerdict[];
    };

/** Default cap on the configurations all of one explanation's searches visit together. */
export const DEFAULT_EXPLAIN_MAX_EXPLORED = 2_000_000;

// A trial drop or relaxation may explore this many configurations, or this many times what proving the
// shortest failing prefix took, whichever is more; past it the trial is abandoned.
const MIN_TRIAL_CAP = 20_000;
const TRIAL_CAP_FACTOR = 4;

/** Options for {@link checkLinearizable}. */
export interface CheckOptions {
  /** Cap on explored configurations per part (default {@link DEFAULT_MAX_EXPLORED}). */
  readonly maxExplored?: number;
  /** Time for the verdict on all parts, in ms (default: none). */
  readonly timeBudgetMs?: number;
  /** The clock of both time budgets (default `performance.now`). */
  readonly clock?: Clock;
  /** Cut a failing part down to a minimal witness (default true; false gives the verdict alone). */
  readonly explain?: boolean;
  /** Cap on the explanation's explored configurations, all its searches together (default {@link DEFAULT_EXPLAIN_MAX_EXPLORED}). */
  readonly explainMaxExplored?: number;
  /** Time for the explanation, in ms, on top of the verdict's (default: none). */
  readonly explainTimeBudgetMs?: number;
  /** See `SearchOptions.reductions`. */
  readonly reductions?: boolean;
}

/** Check `history` against `model`; a non-linearizable history comes with a minimal explanation. */
export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  options: CheckOptions = {},
): LinearizabilityResult<I, O> {
  const parts: Part<I, O>[] = model.partition ? model.partition(history) : [{ name: 'history', ops: [...history] }];
  const verdict = checkParts(model, parts, {
    maxExplored: options.maxExplored ?? DEFAULT_MAX_EXPLORED,
    ...(options.timeBudgetMs === undefined ? {} : { timeBudgetMs: options.timeBudgetMs }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.reductions === undefined ? {} : { reductions: options.reductions }),
  });
  const { verdicts, failing, explored } = verdict;
  if (failing !== null) {
    const explanation =
      options.explain === false
        ? unexplained(failing)
        : explainFailure(model, failing, {
            maxExplored: options.explainMaxExplored ?? DEFAULT_EXPLAIN_MAX_EXPLORED,
            ...(options.explainTimeBudgetMs === undefined ? {} : { timeBudgetMs: options.explainTimeBudgetMs }),
            ...(options.clock === undefined ? {} : { clock: options.clock }),
            ...(options.reductions === undefined ? {} : { reductions: options.reductions }),
          });
    return { outcome: 'not-linearizable', part: failing.name, explanation, explored, parts: verdicts };
  }
  const unknown = verdicts.find((v) => v.outcome === 'unknown');
  if (unknown !== undefined) return { outcome: 'unknown', part: unknown.name, reason: unknown.reason ?? 'state-budget', explored, parts: verdicts };
  return { outcome: 'linearizable', explored, parts: verdicts };
}

function unexplained<I, O>(part: Part<I, O>): Explanation<I, O> {
  return { part: part.name, ops: part.ops, longestOrder: [], text: `${part.name} is not linearizable`, minimal: false, stoppedBy: 'not-asked', inconclusive: 0, explored: 0 };
}

/** Budgets of {@link explainFailure}. */
export interface ExplainOptions {
  /** Cap on explored configurations, all the explanation's searches together (default {@link DEFAULT_EXPLAIN_MAX_EXPLORED}). */
  readonly maxExplored?: number;
  /** Time in ms (default: none). */
  readonly timeBudgetMs?: number;
  /** Default `performance.now`. */
  readonly clock?: Clock;
  /** See `SearchOptions.reductions`. */
  readonly reductions?: boolean;
}

/** The searches of one explanation, drawing on one budget. */
class ExplainBudget<S, I, O> {
  spent = 0;
  stoppedBy: GiveUpReason | undefined;
  /** Configurations the last proof that a witness fails took. */
  private proofCost = 0;
  private readonly deadline: number | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly model: Model<S, I, O>,
    private readonly options: ExplainOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.deadline = options.timeBudgetMs === undefined ? undefined : this.clock() + options.timeBudgetMs;
  }

  private get limit(): number {
    return this.options.maxExplored ?? DEFAULT_EXPLAIN_MAX_EXPLORED;
  }

  /**
   * Whether `ops` is proved not linearizable; `unknown` once the budget is spent. With a `cap`, a search
   * that explores more than that many configurations is abandoned: `costly` (no verdict either way).
   */
  fails(ops: readonly Operation<I, O>[], cap = Infinity): boolean | 'unknown' | 'costly' {
    if (this.stoppedBy === undefined && this.deadline !== undefined && this.clock() >= this.deadline) this.stoppedBy = 'time-budget';
    if (this.stoppedBy !== undefined) return 'unknown';
    const search = this.search(ops);
    const left = this.limit - this.spent;
    const outcome = search.run(this.budget(Math.min(left, cap)));
    this.spent += search.explored;
    if (outcome === 'state-budget' && cap < left) return 'costly';
    if (outcome === 'state-budget' || outcome === 'time-budget') {
      this.stoppedBy = outcome;
      return 'unknown';
    }
    if (outcome === 'not-linearizable') this.proofCost = search.explored;
    return outcome === 'not-linearizable';
  }

  /** What the last proof of a failure cost (0 before the first). */
  get lastProofCost(): number {
    return this.proofCost;
  }

  /** The longest valid order of the witness, with at least a small allowance when the budget is spent. */
  longestOrder(ops: readonly Operation<I, O>[]): { readonly order: number[]; readonly complete: boolean } {
    const search = this.search(ops);
    const outcome = search.run(this.budget(Math.max(this.limit - this.spent, 10_000)));
    this.spent += search.explored;
    return { order: search.deepest().map((i) => ops[i]!.id), complete: outcome === 'not-linearizable' };
  }

  private search(ops: readonly Operation<I, O>[]): LinearizationSearch<S, I, O> {
    return new LinearizationSearch(this.model, ops, { reductions: this.options.reductions ?? true });
  }

  private budget(maxExplored: number) {
    return this.deadline === undefined ? { maxExplored } : { maxExplored, deadline: this.deadline, clock: this.clock };
  }
}

/**
 * Cut a failing part (one whose failure was proved) down to a witness within the budget. When the budget
 * runs out the witness is the smallest proved so far and `minimal` is false.
 */
export function explainFailure<S, I, O>(model: Model<S, I, O>, part: Part<I, O>, options: ExplainOptions = {}): Explanation<I, O> {
  const budget = new ExplainBudget(model, options);
  const all = part.ops;

  // Step 2: earliest failing completion time. fails(prefixAt(t)) is monotone in t, and holds at the last
  // one (after it come only timeouts, which may never take effect), so `hi` always indexes a failing prefix.
  const times = [...new Set(all.filter((o) => o.status === 'ok').map((o) => o.ret))].sort((a, b) => a - b);
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = budget.fails(prefixAt(all, times[mid]!));
    if (r === 'unknown' || r === 'costly') break;
    if (r) hi = mid;
    else lo = mid + 1;
  }
  let ops = times.length > 0 ? prefixAt(all, times[hi]!) : all.filter((o) => o.status !== 'fail');
  const culprit = lo === hi ? ops.find((o) => o.status === 'ok' && o.ret === times[hi]) : undefined;

  // The cap of a trial in steps 3 and 4 (see the module comment), from what proving the prefix took.
  if (budget.lastProofCost === 0 && budget.fails(ops) === false) throw new Error(`explainFailure: ${part.name} is linearizable`);
  const trial = { cap: Math.max(MIN_TRIAL_CAP, TRIAL_CAP_FACTOR * budget.lastProofCost), inconclusive: 0 };

  // Step 3: drop operations that cannot change the state (and timeouts of them, which say nothing at all).
  ops = shrink(
    ops,
    ops.filter((o) => o !== culprit && model.readOnly(o.input, o.status === 'ok' ? o.output : undefined)),
    (current, chunk) => current.filter((x) => !chunk.has(x)),
    budget,
    trial,
  );
  // Step 4: forget the outcome of writes. (A read that survived step 3 is needed; relaxing it would drop it.)
  ops = shrink(
    ops,
    ops.filter((o) => o !== culprit && o.status === 'ok' && !model.readOnly(o.input, o.output)),
    (current, chunk) => current.map((x) => (chunk.has(x) ? relax(x) : x)),
    budget,
    trial,
  );
  ops = [...ops].sort((a, b) => (a.call < b.call ? -1 : a.call > b.call ? 1 : a.id - b.id));
  const stoppedBy = budget.stoppedBy;
  const longest = budget.longestOrder(ops);
  const text = render(model, part.name, ops, longest, culprit, { stoppedBy, inconclusive: trial.inconclusive, explored: budget.spent });
  return {
    part: part.name,
    ops,
    longestOrder: longest.order,
    text,
    minimal: stoppedBy === undefined && trial.inconclusive === 0,
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
    inconclusive: trial.inconclusive,
    explored: budget.spent,
  };
}

/**
 * Apply `change` to as many of `candidates` as possible while `ops` keeps failing: the candidates in two
 * chunks, then each chunk that could not change as a whole in halves, down to single operations. A single
 * operation whose trial hits the cap is kept and counted as inconclusive.
 */
function shrink<S, I, O>(
  ops: Operation<I, O>[],
  candidates: readonly Operation<I, O>[],
  change: (current: Operation<I, O>[], chunk: ReadonlySet<Operation<I, O>>) => Operation<I, O>[],
  budget: ExplainBudget<S, I, O>,
  trial: { readonly cap: number; inconclusive: number },
): Operation<I, O>[] {
  let current = ops;
  let pending = candidates;
  let size = Math.ceil(pending.length / 2);
  while (pending.length > 0) {
    const kept: Operation<I, O>[] = [];
    for (let i = 0; i < pending.length; i += size) {
      const chunk = pending.slice(i, i + size);
      const candidate = change(current, new Set(chunk));
      const r = budget.fails(candidate, trial.cap);
      if (r === 'unknown') return current;
      if (r === true) current = candidate;
      else {
        if (r === 'costly' && size === 1) trial.inconclusive++;
        kept.push(...chunk);
      }
    }
    if (size === 1) break;
    pending = kept;
    size = Math.ceil(size / 2);
  }
  return current;
}

/** The operations invoked before `t`, with those completing after `t` turned into timeouts. */
function prefixAt<I, O>(ops: readonly Operation<I, O>[], t: number): Operation<I, O>[] {
  return ops
    .filter((o) => o.call <= t && o.status !== 'fail')
    .map((o) => (o.status === 'ok' && o.ret <= t ? o : relax(o)));
}

function relax<I, O>(o: Operation<I, O>): Operation<I, O> {
  return o.status === 'timeout' ? o : { ...o, status: 'timeout', output: undefined, ret: Infinity };
}

function fmtTime(t: number): string {
  return Number.isFinite(t) ? t.toFixed(3) : '...';
}

function render<S, I, O>(
  model: Model<S, I, O>,
  part: string,
  ops: readonly Operation<I, O>[],
  longest: { readonly order: readonly number[]; readonly complete: boolean },
  culprit: Operation<I, O> | undefined,
  cut: { readonly stoppedBy: GiveUpReason | undefined; readonly inconclusive: number; readonly explored: number },
): string {
  const order = longest.order;
  const byId = new Map(ops.map((o) => [o.id, o]));
  const line = (o: Operation<I, O>): string => {
    const outcome =
      o.status === 'ok' && o.output !== undefined ? model.describeOutput(o.output) : o.status === 'timeout' ? '(timed out / outcome not used: may take effect any time after its call)' : 'failed';
    return `  [${fmtTime(o.call)} .. ${fmtTime(o.status === 'ok' ? o.ret : Infinity)}] ${o.process}: ${model.describeInput(o.input)} ${outcome}`;
  };
  let state = model.init;
  for (const id of order) {
    const o = byId.get(id)!;
    const next = model.step(state, o.input, o.status === 'ok' ? o.output : undefined);
    if (next !== IMPOSSIBLE) state = next;
  }
  const placed = order.map((id) => model.describeInput(byId.get(id)!.input)).join(', ');
  const inOrder = new Set(order);
  const stuck = ops.filter((o) => !inOrder.has(o.id) && o.status === 'ok');
  const lines = [
    `${part}: these ${ops.length} operations cannot be put in any order that respects real time and the sequential specification:`,
    ...ops.map(line),
  ];
  if (!longest.complete) lines.push(`The longest valid order found within the explanation's budget is ${placed || 'empty'}.`);
  else if (order.length > 0) {
    lines.push(
      `The longest valid order found is ${placed}, leaving ${model.describeState(state)}; from there none of ${stuck.map((o) => `${model.describeInput(o.input)} ${model.describeOutput(o.output!)}`).join(', ') || 'the rest'} can come next.`,
    );
  } else lines.push(`Not even the first operation can be placed: from ${model.describeState(model.init)} none of them is possible.`);
  if (culprit !== undefined) lines.push(`The history is fine until ${culprit.process}'s ${model.describeInput(culprit.input)} completes at ${fmtTime(culprit.ret)}.`);
  if (cut.stoppedBy !== undefined) {
    const what = cut.stoppedBy === 'time-budget' ? 'time budget' : 'state budget';
    lines.push(`(The explanation's ${what} ran out after ${cut.explored} configurations: this witness is proved not linearizable but not reduced to a minimum.)`);
  } else if (cut.inconclusive > 0) {
    lines.push(`(${cut.inconclusive} of these operations were kept because proving the witness without them would have been too costly: it is proved not linearizable but may not be minimal.)`);
  }
  return lines.join('\n');
}
