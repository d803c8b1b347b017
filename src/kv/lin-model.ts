/**
 * The sequential specification of the replicated KV service, for the (generic) linearizability checker of `src/lin/`: a map of
 * independent registers. The history is partitioned by key, and each key is a register supporting put, get
 * and compare-and-set.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { formatOp, formatResult, type KvOp, type KvResult } from './command.js';
import type { Operation } from '../lin/history.js';
import { IMPOSSIBLE, type Model } from '../lin/model.js';

/** One key's value, `null` when absent. */
export type RegisterState = string | null;

/** The KV service as a model: per-key registers. */
export const kvModel: Model<RegisterState, KvOp, KvResult> = {
  init: null,
  step(state, input, output) {
    return match(input)
      .with({ type: 'put' }, (o) => (output === undefined || output.type === 'put' ? o.value : IMPOSSIBLE))
      .with({ type: 'get' }, () => {
        if (output === undefined) return state;
        return output.type === 'get' && output.value === state ? state : IMPOSSIBLE;
      })
      .with({ type: 'cas' }, (o) => {
        const applies = state === o.expected;
        if (output !== undefined && (output.type !== 'cas' || output.ok !== applies)) return IMPOSSIBLE;
        return applies ? o.value : state;
      })
      .exhaustive();
  },
  key: (state) => (state === null ? '\u0000' : state),
  inputKey: (input) => JSON.stringify(input.type === 'cas' ? [input.type, input.key, input.expected, input.value] : input.type === 'put' ? [input.type, input.key, input.value] : [input.type, input.key]),
  partition(ops: readonly Operation<KvOp, KvResult>[]) {
    const byKey = new Map<string, Operation<KvOp, KvResult>[]>();
    for (const o of ops) {
      const list = byKey.get(o.input.key) ?? [];
      list.push(o);
      byKey.set(o.input.key, list);
    }
    return [...byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, list]) => ({ name: `key ${key}`, ops: pruneUnobservedWrites(list) }));
  },
  readOnly: (input, output) => input.type === 'get' || (input.type === 'cas' && output !== undefined && output.type === 'cas' && !output.ok),
  describeInput: formatOp,
  describeOutput: formatResult,
  describeState: (s) => (s === null ? 'the key absent' : `the value ${s}`),
};

/**
 * Drop timed-out puts whose value nobody observed, which would otherwise make the search exponential in
 * their number (each may or may not have happened, at any point). Sound when the key has no compare-and-set
 * that failed or timed out: take any linearization with such a put `w` of value `v`; between `w` and the
 * next write every operation saw `v`, and with `v` unobserved that can only be another write or a failed
 * or timed-out compare-and-set (a read or a successful one would have observed `v`), so with none of the
 * latter `w` is immediately overwritten and removing it changes no observation. Conversely a linearization
 * without `w` extends to one with `w` placed last. So the key's history is linearizable with `w` iff without.
 */
export function pruneUnobservedWrites(ops: readonly Operation<KvOp, KvResult>[]): Operation<KvOp, KvResult>[] {
  const risky = ops.some((o) => o.input.type === 'cas' && !(o.status === 'ok' && o.output?.type === 'cas' && o.output.ok));
  if (risky) return [...ops];
  const observed = new Set<string>();
  for (const o of ops) {
    if (o.status === 'ok' && o.output?.type === 'get' && o.output.value !== null) observed.add(o.output.value);
    if (o.input.type === 'cas' && o.input.expected !== null) observed.add(o.input.expected);
  }
  return ops.filter((o) => !(o.status === 'timeout' && o.input.type === 'put' && !observed.has(o.input.value)));
}
