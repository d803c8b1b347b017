/**
 * Checking a whole history and, when it is not linearizable, cutting it down to a small witness a person
 * can read. Every reduction is sound: if the original history were linearizable, so would be the witness,
 * so a non-linearizable witness proves the original is not linearizable either.
 *
 * 1. **One part.** The model's partition (per key) is checked part by part; the first failing part is kept.
 * 2. **Shortest failing prefix.** For a time `T`, the prefix keeps the operations invoked before `T`; those
 *    that completed after `T` are turned into timeouts (outcome unknown). Any linearization of the full
 *    history restricted to the prefix is one of the prefix, so a failing prefix is a witness; the earliest
 *    failing `T` (binary search over completion times) names the operation whose completion broke it.
 * 3. **Drop reads.** An operation that never changes the state (a get, a failed compare-and-set) can be
 *    removed: removing it only removes a constraint. Drop each one whose removal keeps the failure.
 * 4. **Forget write outcomes.** Turning a completed write into a timeout only relaxes it. Relax each one
 *    whose relaxation keeps the failure.
 *
 * The result is 1-minimal for steps 3 and 4: no single further drop or relaxation leaves it failing.
 *
 * @module
 */
import type { Operation } from './history.js';
import { IMPOSSIBLE, type Model } from './model.js';
import { DEFAULT_MAX_EXPLORED, searchLinearization } from './checker.js';

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
}

/** The result of checking a history. */
export type LinearizabilityResult<I, O> =
  | { readonly outcome: 'linearizable'; readonly explored: number }
  | { readonly outcome: 'unknown'; readonly part: string; readonly explored: number }
  | { readonly outcome: 'not-linearizable'; readonly explanation: Explanation<I, O>; readonly explored: number };

/** Options for {@link checkLinearizable}. */
export interface CheckOptions {
  /** Cap on explored configurations per part (default {@link DEFAULT_MAX_EXPLORED}). */
  readonly maxExplored?: number;
  /** Skip the minimisation (faster when only a yes/no is needed). */
  readonly explain?: boolean;
}

/** Check `history` against `model`; a non-linearizable history comes with a minimal explanation. */
export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  options: CheckOptions = {},
): LinearizabilityResult<I, O> {
  const max = options.maxExplored ?? DEFAULT_MAX_EXPLORED;
  const parts = model.partition ? model.partition(history) : [{ name: 'history', ops: [...history] }];
  let explored = 0;
  for (const part of parts) {
    const r = searchLinearization(model, part.ops, max);
    explored += r.explored;
    if (r.linearizable === 'unknown') return { outcome: 'unknown', part: part.name, explored };
    if (r.linearizable) continue;
    if (options.explain === false) {
      return { outcome: 'not-linearizable', explanation: { part: part.name, ops: part.ops, longestOrder: [], text: `${part.name} is not linearizable` }, explored };
    }
    return { outcome: 'not-linearizable', explanation: explain(model, part.name, part.ops, max), explored };
  }
  return { outcome: 'linearizable', explored };
}

function fails<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], max: number): boolean {
  return searchLinearization(model, ops, max).linearizable === false;
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

function explain<S, I, O>(model: Model<S, I, O>, part: string, all: readonly Operation<I, O>[], max: number): Explanation<I, O> {
  // Step 2: earliest failing completion time. fails(prefixAt(t)) is monotone in t, and holds at the last one.
  const times = [...new Set(all.filter((o) => o.status === 'ok').map((o) => o.ret))].sort((a, b) => a - b);
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fails(model, prefixAt(all, times[mid]!), max)) hi = mid;
    else lo = mid + 1;
  }
  const cut = times[lo] ?? Infinity;
  let ops = times.length > 0 && fails(model, prefixAt(all, cut), max) ? prefixAt(all, cut) : all.filter((o) => o.status !== 'fail');
  const culprit = ops.find((o) => o.status === 'ok' && o.ret === cut);

  // Step 3: drop operations that cannot change the state (and timeouts of them, which say nothing at all).
  for (const o of [...ops]) {
    if (o === culprit || !model.readOnly(o.input, o.status === 'ok' ? o.output : undefined)) continue;
    const without = ops.filter((x) => x !== o);
    if (fails(model, without, max)) ops = without;
  }
  // Step 4: forget the outcome of writes.
  for (const o of [...ops]) {
    if (o === culprit || o.status !== 'ok') continue;
    const relaxed = ops.map((x) => (x === o ? relax(x) : x));
    if (fails(model, relaxed, max)) ops = relaxed;
  }
  ops = [...ops].sort((a, b) => (a.call < b.call ? -1 : a.call > b.call ? 1 : a.id - b.id));
  const search = searchLinearization(model, ops, max);
  const longestOrder = search.deepest.map((i) => ops[i]!.id);
  return { part, ops, longestOrder, text: render(model, part, ops, longestOrder, culprit) };
}

function fmtTime(t: number): string {
  return Number.isFinite(t) ? t.toFixed(3) : '...';
}

function render<S, I, O>(
  model: Model<S, I, O>,
  part: string,
  ops: readonly Operation<I, O>[],
  order: readonly number[],
  culprit: Operation<I, O> | undefined,
): string {
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
  const stuck = ops.filter((o) => !order.includes(o.id) && o.status === 'ok');
  const lines = [
    `${part}: these ${ops.length} operations cannot be put in any order that respects real time and the sequential specification:`,
    ...ops.map(line),
    order.length > 0
      ? `The longest valid order found is ${placed}, leaving ${model.describeState(state)}; from there none of ${stuck.map((o) => `${model.describeInput(o.input)} ${model.describeOutput(o.output!)}`).join(', ') || 'the rest'} can come next.`
      : `Not even the first operation can be placed: from ${model.describeState(model.init)} none of them is possible.`,
  ];
  if (culprit !== undefined) lines.push(`The history is fine until ${culprit.process}'s ${model.describeInput(culprit.input)} completes at ${fmtTime(culprit.ret)}.`);
  return lines.join('\n');
}
