// Budgets and parts: every part of a history is checked even after one gives up, smallest first; a time
// budget (driven by an injected clock, never the wall clock) is shared among the parts and a paused part
// resumes where it stopped; the explanation has a budget of its own and, when it runs out, returns a
// larger witness that is still proved not linearizable.
import { describe, expect, it } from 'vitest';
import { baselineCheck } from '../../src/bench/lin-baseline.js';
import type { KvOp, KvResult } from '../../src/kv/command.js';
import { kvModel } from '../../src/kv/lin-model.js';
import {
  checkLinearizable,
  explainFailure,
  LinearizationSearch,
  searchLinearization,
  type Clock,
  type Operation,
} from '../../src/lin/index.js';

type Op = Operation<KvOp, KvResult>;
let nextId = 0;
const ok = (key: string, input: KvOp, output: KvResult, call: number, ret: number, process = `c${nextId}`): Op => ({
  id: nextId++,
  process,
  input,
  status: 'ok',
  output,
  call,
  ret,
});
const put = (key: string, value: string, call: number, ret: number) => ok(key, { type: 'put', key, value }, { type: 'put' }, call, ret);
const get = (key: string, value: string | null, call: number, ret: number) => ok(key, { type: 'get', key }, { type: 'get', value }, call, ret);

/**
 * 12 concurrent writes of distinct values, then a read of a value none wrote: not linearizable, but only
 * after trying every subset of the writes (thousands of configurations).
 */
function hardPart(key: string, t0 = 0): Op[] {
  const writes = Array.from({ length: 12 }, (_, i) => put(key, `v${i}`, t0, t0 + 100));
  return [...writes, get(key, 'nobody', t0 + 200, t0 + 210)];
}

/** 20 operations, sequential: writes and reads, and at the end a read of the value before the last write. */
function stalePart(key: string): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < 9; i++) ops.push(put(key, `${i}`, 10 * i, 10 * i + 1), get(key, `${i}`, 10 * i + 2, 10 * i + 3));
  ops.push(put(key, 'last', 100, 101), get(key, '7', 110, 111));
  return ops;
}

/** 30 sequential operations that are fine. */
function finePart(key: string): Op[] {
  return Array.from({ length: 15 }, (_, i) => [put(key, `${i}`, 10 * i, 10 * i + 1), get(key, `${i}`, 10 * i + 2, 10 * i + 3)]).flat();
}

/** A clock that advances by 1 ms each time it is read. */
function tickingClock(): Clock & { reads: () => number } {
  let now = 0;
  const clock = () => ++now;
  return Object.assign(clock, { reads: () => now });
}

describe('every part is checked, smallest first', () => {
  it('a failing part behind one that exhausts the state budget is still reported not linearizable', () => {
    const hard = hardPart('a');
    const stale = stalePart('b');
    expect(hard.length).toBeLessThan(stale.length);
    const r = checkLinearizable(kvModel, [...hard, ...stale], { maxExplored: 200 });
    expect(r.outcome).toBe('not-linearizable');
    if (r.outcome !== 'not-linearizable') return;
    expect(r.part).toBe('key b');
    expect(r.explanation.part).toBe('key b');
    expect(r.parts.map((p) => [p.name, p.outcome, p.reason])).toEqual([
      ['key a', 'unknown', 'state-budget'],
      ['key b', 'not-linearizable', undefined],
    ]);
    // Negative control: the previous checker stopped at the first part it could not finish.
    expect(baselineCheck(kvModel, [...hard, ...stale], 200).outcome).toBe('unknown');
  });

  it('says which part could not be decided, and why, when nothing fails', () => {
    const r = checkLinearizable(kvModel, [...hardPart('a'), ...finePart('b')], { maxExplored: 200 });
    expect(r).toMatchObject({ outcome: 'unknown', part: 'key a', reason: 'state-budget' });
    if (r.outcome !== 'unknown') return;
    expect(r.parts.find((p) => p.name === 'key b')?.outcome).toBe('linearizable');
    // The same hard part decides with the default budget.
    expect(checkLinearizable(kvModel, hardPart('a'), { explain: false }).outcome).toBe('not-linearizable');
  });

  it('checks smaller parts first, and stops at the first failure', () => {
    const r = checkLinearizable(kvModel, [...finePart('a'), ...stalePart('b'), ...finePart('c').slice(0, 4)], { explain: false });
    expect(r.parts.map((p) => [p.name, p.ops, p.outcome])).toEqual([
      ['key c', 4, 'linearizable'],
      ['key b', 20, 'not-linearizable'],
      ['key a', 30, 'not-checked'],
    ]);
  });
});

describe('a time budget, on an injected clock', () => {
  it('a part that runs out of its share of the time does not hide a failing part', () => {
    const clock = tickingClock();
    const r = checkLinearizable(kvModel, [...hardPart('a'), ...stalePart('b')], { timeBudgetMs: 10, clock, explain: false });
    expect(r.outcome).toBe('not-linearizable');
    expect(r.parts.map((p) => [p.name, p.outcome, p.reason])).toEqual([
      ['key a', 'unknown', 'time-budget'],
      ['key b', 'not-linearizable', undefined],
    ]);
  });

  it('answers unknown for lack of time, naming the part', () => {
    const r = checkLinearizable(kvModel, [...hardPart('a'), ...finePart('b')], { timeBudgetMs: 10, clock: tickingClock() });
    expect(r).toMatchObject({ outcome: 'unknown', part: 'key a', reason: 'time-budget' });
  });

  it('a paused part gets the time left once every part had its turn, and continues where it stopped', () => {
    const hard = hardPart('a');
    // How many clock readings the hard part takes alone, and what it explores.
    const alone = new LinearizationSearch(kvModel, hard);
    const counter = tickingClock();
    expect(alone.run({ maxExplored: 1e9, deadline: Infinity, clock: counter })).toBe('not-linearizable');
    const readings = counter.reads();
    expect(readings).toBeGreaterThan(8);
    // Half the budget in the first round is too little; the rest, after the other part, is enough.
    const r = checkLinearizable(kvModel, [...hard, ...finePart('b')], { timeBudgetMs: Math.ceil(readings * 1.5) + 6, clock: tickingClock(), explain: false });
    expect(r.outcome).toBe('not-linearizable');
    expect(r.parts.map((p) => [p.name, p.outcome])).toEqual([
      ['key a', 'not-linearizable'],
      ['key b', 'linearizable'],
    ]);
    expect(r.parts[0]!.explored).toBe(alone.explored);
  });

  it('a search stopped by either budget resumes without losing or repeating work', () => {
    const ops = hardPart('a');
    const whole = new LinearizationSearch(kvModel, ops);
    expect(whole.run({ maxExplored: 1e9 })).toBe('not-linearizable');
    const resumed = new LinearizationSearch(kvModel, ops);
    expect(resumed.run({ maxExplored: 100 })).toBe('state-budget');
    expect(resumed.explored).toBe(100);
    const clock = tickingClock();
    expect(resumed.run({ maxExplored: 1e9, deadline: 3, clock })).toBe('time-budget');
    expect(resumed.run({ maxExplored: 1e9 })).toBe('not-linearizable');
    expect(resumed.explored).toBe(whole.explored);
    // A decided search gives its answer again.
    expect(resumed.run({ maxExplored: 0 })).toBe('not-linearizable');
  });

  it('searchLinearization takes a time budget too', () => {
    const r = searchLinearization(kvModel, hardPart('a'), { timeBudgetMs: 2, clock: tickingClock() });
    expect(r).toMatchObject({ linearizable: 'unknown', reason: 'time-budget' });
  });
});

describe('the explanation has a budget of its own', () => {
  // A failure among noise: the full explanation cuts it down to the two operations that matter.
  function noisy(): { ops: Op[]; culprits: Op[] } {
    const noise = Array.from({ length: 20 }, (_, i) => get('x', null, i * 2, i * 2 + 1));
    const write = put('x', '1', 100, 110);
    const read = get('x', null, 120, 130);
    return { ops: [...noise, write, read, put('x', '9', 200, 210), get('x', '9', 220, 230)], culprits: [write, read] };
  }

  it('reduces to a minimal witness when the budget allows', () => {
    const { ops, culprits } = noisy();
    const r = checkLinearizable(kvModel, ops);
    expect(r.outcome).toBe('not-linearizable');
    if (r.outcome !== 'not-linearizable') return;
    expect(r.explanation).toMatchObject({ minimal: true, inconclusive: 0 });
    expect(r.explanation.stoppedBy).toBeUndefined();
    expect(r.explanation.ops.map((o) => o.id).sort()).toEqual(culprits.map((o) => o.id).sort());
  });

  it('returns a less reduced witness, still proved, when its state budget runs out', () => {
    const { ops, culprits } = noisy();
    const r = checkLinearizable(kvModel, ops, { explainMaxExplored: 30 });
    expect(r.outcome).toBe('not-linearizable');
    if (r.outcome !== 'not-linearizable') return;
    const e = r.explanation;
    expect(e).toMatchObject({ minimal: false, stoppedBy: 'state-budget' });
    expect(e.ops.length).toBeGreaterThan(culprits.length);
    for (const c of culprits) expect(e.ops.map((o) => o.id)).toContain(c.id);
    expect(searchLinearization(kvModel, e.ops).linearizable).toBe(false);
    expect(e.text).toMatch(/state budget ran out after \d+ configurations: this witness is proved not linearizable but not reduced to a minimum/);
  });

  it('and when its time budget runs out (injected clock)', () => {
    const { ops } = noisy();
    const r = checkLinearizable(kvModel, ops, { explainTimeBudgetMs: 1, clock: tickingClock() });
    expect(r.outcome).toBe('not-linearizable');
    if (r.outcome !== 'not-linearizable') return;
    expect(r.explanation).toMatchObject({ minimal: false, stoppedBy: 'time-budget' });
    expect(searchLinearization(kvModel, r.explanation.ops).linearizable).toBe(false);
  });

  it('the verdict comes first; the explanation can be asked for afterwards', () => {
    const { ops } = noisy();
    const verdict = checkLinearizable(kvModel, ops, { explain: false });
    expect(verdict.outcome).toBe('not-linearizable');
    if (verdict.outcome !== 'not-linearizable') return;
    expect(verdict.explanation).toMatchObject({ minimal: false, stoppedBy: 'not-asked', explored: 0 });
    const part = kvModel.partition!(ops).find((p) => p.name === verdict.part)!;
    const later = explainFailure(kvModel, part);
    const together = checkLinearizable(kvModel, ops);
    expect(together.outcome === 'not-linearizable' && together.explanation.text).toBe(later.text);
  });
});

describe('the search result', () => {
  it('names the longest valid order by positions in the history it was given', () => {
    const failed: Op = { ...put('x', 'gone', 0, 1), status: 'fail', output: undefined };
    const ops = [failed, put('x', '1', 2, 3), get('x', '1', 4, 5), get('x', '2', 6, 7)];
    const r = searchLinearization(kvModel, ops);
    expect(r.linearizable).toBe(false);
    expect(r.deepest).toEqual([1, 2]);
  });
});
