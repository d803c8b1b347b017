// The search's reductions (interchangeable timeouts, dead configurations, forced reads, the transition
// cache, the memo's hashing) must never change a verdict. Checked against a brute-force search with none
// of them, on random small histories over few values (so that timeouts with equal inputs are common),
// and against the previous implementation (the bench's baseline) on generated histories of corpus shape.
// Negative controls: a model whose inputKey calls different inputs equal, or whose readOnly calls a write
// a read, breaks the search's assumptions, and the same property finds a history it gets wrong.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baselineSearch } from '../../src/bench/lin-baseline.js';
import { generateHistory } from '../../src/bench/lin-corpus.js';
import type { KvOp, KvResult } from '../../src/kv/command.js';
import { kvModel } from '../../src/kv/lin-model.js';
import { checkLinearizable, IMPOSSIBLE, searchLinearization, type Model, type Operation } from '../../src/lin/index.js';
import { FC_SEED } from '../support/arbitraries.js';

type Op = Operation<KvOp, KvResult>;

/** Every order that respects real time, each timeout either placed or left out; no memo, no pruning. */
function bruteForce(model: Model<string | null, KvOp, KvResult>, history: readonly Op[]): boolean {
  const ops = history.filter((o) => o.status !== 'fail');
  const placed = new Array<boolean>(ops.length).fill(false);
  const go = (state: string | null, left: number): boolean => {
    if (ops.every((o, i) => placed[i] || o.status === 'timeout')) return true;
    if (left === 0) return false;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i]) continue;
      const o = ops[i]!;
      // Real time: nothing still unplaced returned before this one was invoked.
      if (ops.some((p, j) => !placed[j] && p.status === 'ok' && p.ret < o.call)) continue;
      const next = model.step(state, o.input, o.status === 'ok' ? o.output : undefined);
      if (next === IMPOSSIBLE) continue;
      placed[i] = true;
      const found = go(next, left - 1);
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return go(model.init, ops.length);
}

const VALUES = ['0', '1'];
const value = fc.constantFrom(...VALUES);
const maybeValue = fc.constantFrom(null, ...VALUES);

/** A random history of one key: up to 3 sequential clients, outputs drawn at random (so often wrong). */
const history = fc
  .array(
    fc.record({
      client: fc.integer({ min: 0, max: 2 }),
      gap: fc.integer({ min: 0, max: 3 }),
      length: fc.integer({ min: 1, max: 6 }),
      status: fc.constantFrom('ok', 'ok', 'ok', 'timeout', 'fail'),
      op: fc.oneof(
        fc.record({ type: fc.constant('get' as const), seen: maybeValue }),
        fc.record({ type: fc.constant('put' as const), value }),
        fc.record({ type: fc.constant('cas' as const), expected: maybeValue, value, ok: fc.boolean() }),
      ),
    }),
    { maxLength: 8 },
  )
  .map((specs) => {
    const clock = [0, 0, 0];
    return specs.map((s, id): Op => {
      const call = clock[s.client]! + s.gap;
      const ret = call + s.length;
      // A timed-out client never comes back: its next operations start after "forever" in practice.
      clock[s.client] = s.status === 'timeout' ? 1e6 * (id + 1) : ret;
      const input: KvOp = s.op.type === 'get' ? { type: 'get', key: 'x' } : s.op.type === 'put' ? { type: 'put', key: 'x', value: s.op.value } : { type: 'cas', key: 'x', expected: s.op.expected, value: s.op.value };
      const output: KvResult = s.op.type === 'get' ? { type: 'get', value: s.op.seen } : s.op.type === 'put' ? { type: 'put' } : { type: 'cas', ok: s.op.ok };
      const base = { id, process: `c${s.client}`, input, call };
      if (s.status === 'ok') return { ...base, status: 'ok', output, ret };
      if (s.status === 'fail') return { ...base, status: 'fail', output: undefined, ret };
      return { ...base, status: 'timeout', output: undefined, ret: Infinity };
    });
  });

const agrees = (model: Model<string | null, KvOp, KvResult>, reductions = true) =>
  fc.property(history, (ops) => {
    const expected = bruteForce(kvModel, ops);
    expect(searchLinearization(model, ops, { reductions }).linearizable).toBe(expected);
  });

describe('the search agrees with a brute-force search', () => {
  it('on random small histories (fast-check)', () => {
    fc.assert(agrees(kvModel), { seed: FC_SEED, numRuns: 3000 });
  });

  it('and so does the plain search, without the reductions (fast-check)', () => {
    fc.assert(agrees(kvModel, false), { seed: FC_SEED, numRuns: 1000 });
  });

  it('negative control: an inputKey that calls different writes equal is caught', () => {
    const sloppy: Model<string | null, KvOp, KvResult> = { ...kvModel, inputKey: (input) => input.type };
    expect(() => fc.assert(agrees(sloppy), { seed: FC_SEED, numRuns: 3000 })).toThrow(/Counterexample/);
  });

  it('negative control: a readOnly that calls a write a read is caught', () => {
    const sloppy: Model<string | null, KvOp, KvResult> = { ...kvModel, readOnly: (input) => input.type !== 'cas' };
    expect(() => fc.assert(agrees(sloppy), { seed: FC_SEED, numRuns: 3000 })).toThrow(/Counterexample/);
  });
});

describe('the search agrees with the previous implementation', () => {
  it('on generated register and KV histories, with and without anomalies', () => {
    for (let seed = 1; seed <= 24; seed++) {
      const g = generateHistory({
        kind: seed % 2 === 0 ? 'register' : 'kv',
        seed,
        clients: 4 + (seed % 6),
        ops: 40 + 3 * seed,
        keys: seed % 2 === 0 ? 1 : 3,
        values: 3,
        crashRate: [0.1, 0.2, 0.3][seed % 3]!,
        skew: 1,
        mix: [1, 1, 1],
        anomaly: null,
      });
      // Perturb one read so that about half the histories fail.
      const reads = g.ops.filter((o) => o.status === 'ok' && o.input.type === 'get');
      const victim = seed % 4 < 2 ? reads[(seed * 7) % Math.max(1, reads.length)] : undefined;
      const ops = g.ops.map((o) => (o === victim ? { ...o, output: { type: 'get' as const, value: String(seed % 3) } } : o));
      for (const part of kvModel.partition!(ops)) {
        const old = baselineSearch(kvModel, part.ops, 5_000_000).linearizable;
        expect(old, `seed ${seed} ${part.name}: the baseline decides`).not.toBe('unknown');
        expect(searchLinearization(kvModel, part.ops).linearizable, `seed ${seed} ${part.name}`).toBe(old);
      }
      expect(checkLinearizable(kvModel, ops, { explain: false }).outcome).not.toBe('unknown');
    }
  });
});
