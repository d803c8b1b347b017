/**
 * A KV client history as a {@link HistoryView}: each client's operations on a timeline, with the
 * linearizability verdict of src/lin, a linearization of each key when there is one, and the minimal
 * non-linearizable witness (with the longest valid order of it the search found) when there is not.
 *
 * @module
 */
import { formatOp, formatResult } from '../kv/command.js';
import type { KvOp, KvResult } from '../kv/command.js';
import { kvModel } from '../kv/lin-model.js';
import { checkLinearizable, searchLinearization } from '../lin/index.js';
import type { Operation } from '../lin/index.js';
import type { HistoryOp, HistoryView } from './model.js';

/** Operations of the history, as `npm run sim -- --json` prints them (`ret: null` for one that never returned). */
export type KvOperation = Operation<KvOp, KvResult>;

/** Budgets small enough that a page is written in seconds even for a hard history (the verdict may then be unknown). */
const MAX_EXPLORED = 500_000;

export function buildHistoryView(title: string, facts: readonly (readonly [string, string])[], history: readonly KvOperation[]): HistoryView {
  const result = checkLinearizable(kvModel, history, { maxExplored: MAX_EXPLORED, explainMaxExplored: MAX_EXPLORED });
  const parts = kvModel.partition?.(history) ?? [{ name: 'history', ops: [...history] }];
  const partOf = new Map<number, string>();
  for (const part of parts) for (const op of part.ops) partOf.set(op.id, part.name);

  const orders: Record<string, readonly number[]> = {};
  let core: readonly number[] = [];
  let verdict: HistoryView['verdict'];
  if (result.outcome === 'not-linearizable') {
    core = result.explanation.ops.map((o) => o.id);
    orders[result.part] = result.explanation.longestOrder;
    verdict = { outcome: 'not-linearizable', text: result.explanation.text };
  } else {
    // The verdict does not carry an order; search each part once more for it (parts are small).
    for (const part of parts) {
      const search = searchLinearization(kvModel, part.ops, MAX_EXPLORED);
      if (search.linearizable === true) orders[part.name] = search.deepest.map((i) => part.ops[i]!.id);
    }
    verdict =
      result.outcome === 'linearizable'
        ? { outcome: 'linearizable', text: `linearizable: every key has an order of its operations that respects real time (${parts.length} key${parts.length === 1 ? '' : 's'}, ${history.length} operations)` }
        : { outcome: 'unknown', text: `undecided: ${result.part} ran out of its ${result.reason === 'time-budget' ? 'time' : 'state'} budget` };
  }

  const ops: HistoryOp[] = history.map((o) => ({
    id: o.id,
    process: o.process,
    part: partOf.get(o.id) ?? 'history',
    text: formatOp(o.input),
    result: o.status === 'ok' && o.output !== undefined ? formatResult(o.output) : o.status,
    status: o.status,
    call: o.call,
    ret: o.status === 'timeout' || !Number.isFinite(o.ret) ? null : o.ret,
  }));
  const processes = [...new Set(history.map((o) => o.process))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return { kind: 'history', title, facts, processes, ops, verdict, orders, core };
}
