/**
 * Linearizability checking in the style of Wing and Gong, with Lowe's memoisation, as in Porcupine and
 * Knossos: a depth-first search for an order of the operations that respects real time (an operation that
 * returned before another was invoked comes first) and the model. Calls and returns sit in one doubly
 * linked list sorted by time; linearizing an operation lifts its call and return out of the list, undoing
 * puts them back (dancing links). A set of (linearized operations, model state) pairs already explored
 * cuts the search from factorial to, in practice, roughly linear in the history length.
 *
 * @module
 */
import type { Operation } from './history.js';
import { IMPOSSIBLE, type Model } from './model.js';

interface Entry {
  readonly op: number;
  readonly isCall: boolean;
  readonly time: number;
  prev: Entry | null;
  next: Entry | null;
  match: Entry | null;
}

/** The outcome of searching one (sub-)history. */
export interface SearchResult {
  readonly linearizable: boolean | 'unknown';
  /** The longest linearizable prefix the search found, as positions in the searched list. */
  readonly deepest: readonly number[];
  /** Distinct (set, state) pairs visited. */
  readonly explored: number;
}

/** Default cap on explored configurations per sub-history; beyond it the answer is `unknown`. */
export const DEFAULT_MAX_EXPLORED = 2_000_000;

/**
 * Search one history (no partitioning). `fail` operations are left out (they did not happen); `timeout`
 * operations may be linearized anywhere after their call, including after everything else, which is the
 * same as never taking effect.
 */
export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  maxExplored = DEFAULT_MAX_EXPLORED,
): SearchResult {
  const ops = history.filter((o) => o.status !== 'fail');
  if (ops.length === 0) return { linearizable: true, deepest: [], explored: 0 };
  const entries: Entry[] = [];
  ops.forEach((o, i) => {
    const call: Entry = { op: i, isCall: true, time: o.call, prev: null, next: null, match: null };
    const ret: Entry = { op: i, isCall: false, time: o.status === 'timeout' ? Infinity : o.ret, prev: null, next: null, match: null };
    call.match = ret;
    entries.push(call, ret);
  });
  // Equal times: calls first, so touching intervals count as concurrent (never a false alarm from a tie).
  // (Compare with < and >: two timeouts both end at Infinity, and Infinity - Infinity is NaN.)
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
  let deepest: number[] = [];
  let state = model.init;
  let entry: Entry | null = head.next;

  while (head.next !== null) {
    // The list always ends with a return, and a return stops the scan, so this cannot happen.
    if (entry === null) throw new Error('linearizability search ran off the end of the history');
    if (entry.isCall) {
      const op = ops[entry.op]!;
      const next = model.step(state, op.input, op.status === 'ok' ? op.output : undefined);
      if (next !== IMPOSSIBLE) {
        flip(entry.op);
        const key = `${words.join(',')}|${model.key(next)}`;
        if (!seen.has(key)) {
          seen.add(key);
          if (seen.size > maxExplored) return { linearizable: 'unknown', deepest, explored: seen.size };
          stack.push({ entry, state });
          state = next;
          lift(entry);
          if (stack.length > deepest.length) deepest = stack.map((s) => s.entry.op);
          entry = head.next;
          continue;
        }
        flip(entry.op);
      }
      entry = entry.next;
    } else {
      // A return whose call is still in the list: that operation must come before everything after here.
      const top = stack.pop();
      if (top === undefined) return { linearizable: false, deepest, explored: seen.size };
      flip(top.entry.op);
      state = top.state;
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return { linearizable: true, deepest, explored: seen.size };
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
