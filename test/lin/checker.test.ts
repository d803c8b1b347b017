import { describe, expect, it } from 'vitest';
import type { KvOp, KvResult } from '../../src/kv/command.js';
import { kvModel, pruneUnobservedWrites } from '../../src/kv/lin-model.js';
import {
  checkLinearizable,
  IMPOSSIBLE,
  operationsFromEvents,
  searchLinearization,
  type HistoryEvent,
  type Model,
  type Operation,
} from '../../src/lin/index.js';

type Op = Operation<KvOp, KvResult>;
let nextId = 0;
const put = (p: string, key: string, value: string, call: number, ret: number, status: Op['status'] = 'ok'): Op => ({
  id: nextId++,
  process: p,
  input: { type: 'put', key, value },
  status,
  output: status === 'ok' ? { type: 'put' } : undefined,
  call,
  ret: status === 'timeout' ? Infinity : ret,
});
const get = (p: string, key: string, value: string | null, call: number, ret: number): Op => ({
  id: nextId++,
  process: p,
  input: { type: 'get', key },
  status: 'ok',
  output: { type: 'get', value },
  call,
  ret,
});
const cas = (p: string, key: string, expected: string | null, value: string, ok: boolean | null, call: number, ret: number): Op => ({
  id: nextId++,
  process: p,
  input: { type: 'cas', key, expected, value },
  status: ok === null ? 'timeout' : 'ok',
  output: ok === null ? undefined : { type: 'cas', ok },
  call,
  ret: ok === null ? Infinity : ret,
});

const verdict = (ops: Op[]) => checkLinearizable(kvModel, ops).outcome;

describe('linearizable histories', () => {
  it('the empty history and a sequential one', () => {
    expect(verdict([])).toBe('linearizable');
    expect(verdict([put('a', 'x', '1', 0, 1), get('a', 'x', '1', 2, 3), cas('a', 'x', '1', '2', true, 4, 5), get('a', 'x', '2', 6, 7)])).toBe('linearizable');
  });

  it('a read concurrent with a write may see either value', () => {
    const w = put('a', 'x', '1', 0, 10);
    expect(verdict([w, get('b', 'x', null, 5, 6)])).toBe('linearizable');
    expect(verdict([w, get('b', 'x', '1', 5, 6)])).toBe('linearizable');
  });

  it('concurrent writes may be ordered either way, as long as every reader agrees', () => {
    const ops = [put('a', 'x', '1', 0, 10), put('b', 'x', '2', 0, 10), get('c', 'x', '1', 11, 12), get('d', 'x', '1', 13, 14)];
    expect(verdict(ops)).toBe('linearizable');
    // The other order.
    const writes = () => [put('a', 'x', '1', 0, 10), put('b', 'x', '2', 0, 10)];
    expect(verdict([...writes(), get('c', 'x', '2', 11, 12), get('d', 'x', '2', 13, 14)])).toBe('linearizable');
    // Readers after both writes that disagree: no order satisfies both.
    expect(verdict([...writes(), get('c', 'x', '1', 11, 12), get('d', 'x', '2', 13, 14)])).toBe('not-linearizable');
  });

  it('a timed-out write may take effect late, or never', () => {
    expect(verdict([put('a', 'x', '1', 0, 0, 'timeout'), get('b', 'x', null, 50, 60)])).toBe('linearizable');
    expect(verdict([put('a', 'x', '1', 0, 0, 'timeout'), get('b', 'x', null, 50, 60), get('b', 'x', '1', 70, 80)])).toBe('linearizable');
  });

  it('a failed operation never happened', () => {
    const failed: Op = { ...put('a', 'x', '1', 0, 5), status: 'fail', output: undefined };
    expect(verdict([failed, get('b', 'x', null, 10, 11)])).toBe('linearizable');
    // Unlike a timed-out write (which may take effect late), it can never be seen.
    const again: Op = { ...put('a', 'x', '1', 0, 5), status: 'fail', output: undefined };
    expect(verdict([again, get('b', 'x', '1', 10, 11)])).toBe('not-linearizable');
  });

  it('keys are independent', () => {
    expect(verdict([put('a', 'x', '1', 0, 1), put('a', 'y', '2', 2, 3), get('b', 'x', '1', 4, 5), get('b', 'y', '2', 4, 5)])).toBe('linearizable');
  });

  it('a timed-out compare-and-set may or may not have applied', () => {
    const base = put('a', 'x', '1', 0, 1);
    expect(verdict([base, cas('b', 'x', '1', '2', null, 2, 0), get('c', 'x', '2', 10, 11)])).toBe('linearizable');
    expect(verdict([base, cas('b', 'x', '1', '2', null, 2, 0), get('c', 'x', '1', 10, 11)])).toBe('linearizable');
  });
});

describe('non-linearizable histories, with minimal explanations', () => {
  it('a stale read after a completed write', () => {
    const ops = [put('a', 'x', '1', 0, 10), get('b', 'x', null, 20, 30)];
    const r = checkLinearizable(kvModel, ops);
    expect(r.outcome).toBe('not-linearizable');
    if (r.outcome !== 'not-linearizable') return;
    expect(r.explanation.part).toBe('key x');
    expect(r.explanation.ops.map((o) => o.id)).toEqual(ops.map((o) => o.id));
    expect(r.explanation.text).toContain('get(x) -> absent');
  });

  it('a lost update: a write overwritten by one that finished before it started', () => {
    const ops = [put('a', 'x', '1', 0, 10), put('b', 'x', '2', 20, 30), get('c', 'x', '1', 40, 50)];
    expect(verdict(ops)).toBe('not-linearizable');
  });

  it('two readers disagree on the order of concurrent writes', () => {
    // Both orders are fine alone; together (sequential readers) they are not.
    const ops = [put('a', 'x', '1', 0, 100), put('b', 'x', '2', 0, 100), get('c', 'x', '1', 10, 20), get('c', 'x', '2', 30, 40), get('d', 'x', '2', 41, 45), get('d', 'x', '1', 50, 60)];
    expect(verdict(ops)).toBe('not-linearizable');
  });

  it('a compare-and-set that succeeded twice (the retried write applied twice)', () => {
    const ops = [
      put('a', 'x', '1', 0, 1),
      cas('b', 'x', '1', '2', true, 2, 3),
      put('c', 'x', '1', 4, 5),
      cas('d', 'x', '1', '3', true, 6, 7),
      get('e', 'x', '2', 8, 9),
    ];
    expect(verdict(ops)).toBe('not-linearizable');
  });

  it('the explanation drops what does not matter: reads of other keys, earlier noise, writes that only add context', () => {
    const noise = Array.from({ length: 20 }, (_, i) => get('n', 'x', null, i * 2, i * 2 + 1));
    const culpritWrite = put('a', 'x', '1', 100, 110);
    const culpritRead = get('b', 'x', null, 120, 130);
    const later = [put('a', 'x', '9', 200, 210), get('b', 'x', '9', 220, 230)];
    const r = checkLinearizable(kvModel, [...noise, culpritWrite, culpritRead, ...later, get('z', 'y', null, 0, 1)]);
    expect(r.outcome).toBe('not-linearizable');
    if (r.outcome !== 'not-linearizable') return;
    expect(r.explanation.ops.map((o) => o.id).sort()).toEqual([culpritWrite.id, culpritRead.id].sort());
    expect(r.explanation.text).toMatch(/fine until b's get\(x\) completes at 130/);
  });
});

describe('the search itself', () => {
  it('stays fast on long concurrent histories thanks to memoisation', () => {
    // 8 clients, 30 rounds of overlapping puts and reads: factorial without the memo.
    const ops: Op[] = [];
    for (let round = 0; round < 30; round++) {
      for (let c = 0; c < 8; c++) ops.push(put(`c${c}`, 'x', `${round}.${c}`, round * 10, round * 10 + 9));
      ops.push(get('r', 'x', `${round}.7`, round * 10 + 9.5, round * 10 + 9.8));
    }
    const r = checkLinearizable(kvModel, ops);
    expect(r.outcome).toBe('linearizable');
    expect(r.explored).toBeLessThan(200_000);
  });

  it('reports unknown instead of running away when the budget is exhausted', () => {
    const ops = Array.from({ length: 14 }, (_, i) => put(`c${i}`, 'x', `${i}`, 0, 0, 'timeout'));
    ops.push(get('r', 'x', 'nope', 1, 2));
    expect(searchLinearization(kvModel, ops, 100).linearizable).toBe('unknown');
  });

  it('prunes timed-out writes nobody observed, which would otherwise make the search exponential', () => {
    const ops = Array.from({ length: 30 }, (_, i) => put(`c${i}`, 'x', `${i}`, i, 0, 'timeout'));
    expect(pruneUnobservedWrites([...ops, get('r', 'x', '7', 40, 41)]).map((o) => o.input.type === 'put' && o.input.value)).toEqual(['7', false]);
    const r = checkLinearizable(kvModel, [...ops, get('r', 'x', null, 40, 41), get('r', 'x', '7', 50, 51)]);
    expect(r.outcome).toBe('linearizable');
    expect(r.explored).toBeLessThan(100);
    // Not applied when a compare-and-set failed: that observation could depend on an unobserved write.
    const failedCas = cas('q', 'x', '3', '9', false, 60, 61);
    expect(pruneUnobservedWrites([...ops, failedCas])).toHaveLength(31);
  });

  it('works for any model: a counter with increments', () => {
    const counter: Model<number, 'inc' | 'read', number> = {
      init: 0,
      step: (s, input, out) => (input === 'inc' ? s + 1 : out === undefined || out === s ? s : IMPOSSIBLE),
      key: String,
      readOnly: (i) => i === 'read',
      describeInput: (i) => i,
      describeOutput: (o) => `-> ${o}`,
      describeState: (s) => `count ${s}`,
    };
    const op = (id: number, input: 'inc' | 'read', output: number, call: number, ret: number): Operation<'inc' | 'read', number> => ({
      id, process: `p${id}`, input, status: 'ok', output, call, ret,
    });
    expect(searchLinearization(counter, [op(0, 'inc', 0, 0, 5), op(1, 'inc', 0, 0, 5), op(2, 'read', 2, 6, 7)]).linearizable).toBe(true);
    expect(searchLinearization(counter, [op(0, 'inc', 0, 0, 5), op(1, 'read', 0, 6, 7)]).linearizable).toBe(false);
  });
});

describe('event histories', () => {
  it('pairs invokes with completions and leaves open operations as timeouts', () => {
    const events: HistoryEvent<KvOp, KvResult>[] = [
      { type: 'invoke', process: 'a', time: 0, input: { type: 'put', key: 'x', value: '1' } },
      { type: 'invoke', process: 'b', time: 1, input: { type: 'get', key: 'x' } },
      { type: 'ok', process: 'a', time: 2, output: { type: 'put' } },
      { type: 'fail', process: 'b', time: 3 },
      { type: 'invoke', process: 'a', time: 4, input: { type: 'get', key: 'x' } },
    ];
    const ops = operationsFromEvents(events);
    expect(ops.map((o) => [o.process, o.status, o.call, o.ret])).toEqual([
      ['a', 'ok', 0, 2],
      ['b', 'fail', 1, 3],
      ['a', 'timeout', 4, Infinity],
    ]);
  });

  it('rejects a history no sequential client could produce', () => {
    expect(() =>
      operationsFromEvents<KvOp, KvResult>([
        { type: 'invoke', process: 'a', time: 0, input: { type: 'get', key: 'x' } },
        { type: 'invoke', process: 'a', time: 1, input: { type: 'get', key: 'x' } },
      ]),
    ).toThrow(/while its previous operation is open/);
  });
});
