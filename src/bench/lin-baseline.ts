/**
 * The linearizability search as it was before issue 13 (the baseline of `npm run bench -- lin`), kept
 * only here so the benchmark can measure the new checker against it in the same run. The memo key is a
 * string built per step (the bitset's words joined, then the model's key), and a history's parts are
 * checked in key order, stopping at the first that exhausts the budget.
 *
 * @module
 */
import type { Operation } from '../lin/history.js';
import { IMPOSSIBLE, type Model } from '../lin/model.js';

interface Entry {
  readonly op: number;
  readonly isCall: boolean;
  readonly time: number;
  prev: Entry | null;
  next: Entry | null;
  match: Entry | null;
}

/** The baseline's verdict on a whole history. */
export interface BaselineResult {
  readonly outcome: 'linearizable' | 'not-linearizable' | 'unknown';
  readonly explored: number;
}

/** The baseline's search of one part: `true`, `false` or `'unknown'` past `maxExplored` configurations. */
export function baselineSearch<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  maxExplored: number,
): { readonly linearizable: boolean | 'unknown'; readonly explored: number } {
  const ops = history.filter((o) => o.status !== 'fail');
  if (ops.length === 0) return { linearizable: true, explored: 0 };
  const entries: Entry[] = [];
  ops.forEach((o, i) => {
    const call: Entry = { op: i, isCall: true, time: o.call, prev: null, next: null, match: null };
    const ret: Entry = { op: i, isCall: false, time: o.status === 'timeout' ? Infinity : o.ret, prev: null, next: null, match: null };
    call.match = ret;
    entries.push(call, ret);
  });
  entries.sort((a, b) =>
    a.time < b.time ? -1 : a.time > b.time ? 1 : a.isCall !== b.isCall ? (a.isCall ? -1 : 1) : a.op - b.op,
  );
  const head: Entry = { op: -1, isCall: false, time: -Infinity, prev: null, next: null, match: null };
  let prev = head;
  for (const e of entries) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  const words = new Uint32Array(Math.ceil(ops.length / 32));
  const flip = (i: number): void => {
    words[i >>> 5]! ^= 1 << (i & 31);
  };
  const seen = new Set<string>();
  const stack: { entry: Entry; state: S }[] = [];
  let state = model.init;
  let entry: Entry | null = head.next;
  while (head.next !== null) {
    if (entry === null) throw new Error('linearizability search ran off the end of the history');
    if (entry.isCall) {
      const op = ops[entry.op]!;
      const next = model.step(state, op.input, op.status === 'ok' ? op.output : undefined);
      if (next !== IMPOSSIBLE) {
        flip(entry.op);
        const key = `${words.join(',')}|${model.key(next)}`;
        if (!seen.has(key)) {
          seen.add(key);
          if (seen.size > maxExplored) return { linearizable: 'unknown', explored: seen.size };
          stack.push({ entry, state });
          state = next;
          lift(entry);
          entry = head.next;
          continue;
        }
        flip(entry.op);
      }
      entry = entry.next;
    } else {
      const top = stack.pop();
      if (top === undefined) return { linearizable: false, explored: seen.size };
      flip(top.entry.op);
      state = top.state;
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return { linearizable: true, explored: seen.size };
}

/** The baseline's whole-history check: parts in the model's order, stopping at the first unknown or failure. */
export function baselineCheck<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[], maxExplored: number): BaselineResult {
  const parts = model.partition ? model.partition(history) : [{ name: 'history', ops: [...history] }];
  let explored = 0;
  for (const part of parts) {
    const r = baselineSearch(model, part.ops, maxExplored);
    explored += r.explored;
    if (r.linearizable === 'unknown') return { outcome: 'unknown', explored };
    if (!r.linearizable) return { outcome: 'not-linearizable', explored };
  }
  return { outcome: 'linearizable', explored };
}

function lift(call: Entry): void {
  call.prev!.next = call.next;
  if (call.next !== null) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next !== null) call.next.prev = call;
}
