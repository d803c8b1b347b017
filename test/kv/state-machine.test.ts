import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand, KvStateMachine, NOOP, type KvCommand } from '../../src/kv/index.js';

const cmd = (client: string, seq: number, op: KvCommand['op']): string => encodeCommand({ client, seq, op });

describe('command encoding', () => {
  it('round-trips every operation and the no-op', () => {
    const cs: KvCommand[] = [
      { client: 'c1', seq: 3, op: { type: 'put', key: 'k0', value: 'c1.3' } },
      { client: 'c2', seq: 1, op: { type: 'get', key: 'k1' } },
      { client: 'c1', seq: 4, op: { type: 'cas', key: 'k0', expected: null, value: 'c1.4' } },
      { client: 'c1', seq: 5, op: { type: 'cas', key: 'k0', expected: 'c2.1', value: 'c1.5' } },
    ];
    for (const c of cs) expect(decodeCommand(encodeCommand(c))).toEqual(c);
    expect(encodeCommand(cs[0]!)).toBe('c1#3 put k0 c1.3');
    expect(decodeCommand(NOOP)).toBeNull();
    expect(decodeCommand('v1')).toBeUndefined();
  });

  it('refuses tokens that would break the encoding', () => {
    expect(() => encodeCommand({ client: 'c 1', seq: 1, op: { type: 'get', key: 'k' } })).toThrow(RangeError);
    expect(() => encodeCommand({ client: 'c1', seq: 1, op: { type: 'put', key: 'k', value: '_' } })).toThrow(RangeError);
  });
});

describe('KvStateMachine', () => {
  it('applies put, get and compare-and-set in log order', () => {
    const kv = new KvStateMachine();
    expect(kv.apply(1, NOOP)).toEqual({ kind: 'noop' });
    kv.apply(2, cmd('a', 1, { type: 'put', key: 'x', value: '1' }));
    expect(kv.apply(3, cmd('b', 1, { type: 'get', key: 'x' }))).toMatchObject({ kind: 'applied', result: { type: 'get', value: '1' } });
    expect(kv.apply(4, cmd('b', 2, { type: 'cas', key: 'x', expected: '1', value: '2' }))).toMatchObject({ result: { type: 'cas', ok: true } });
    expect(kv.apply(5, cmd('a', 2, { type: 'cas', key: 'x', expected: '1', value: '3' }))).toMatchObject({ result: { type: 'cas', ok: false } });
    expect(kv.read('x')).toBe('2');
    expect(() => kv.apply(7, NOOP)).toThrow(/in order/);
  });

  it('applies a retried request once and answers the retry with the first result', () => {
    const kv = new KvStateMachine();
    const write = cmd('a', 1, { type: 'cas', key: 'x', expected: null, value: '1' });
    expect(kv.apply(1, write)).toMatchObject({ kind: 'applied', result: { ok: true } });
    kv.apply(2, cmd('b', 1, { type: 'put', key: 'x', value: '9' }));
    expect(kv.apply(3, write)).toMatchObject({ kind: 'duplicate', result: { ok: true } });
    expect(kv.read('x')).toBe('9');
    kv.apply(4, cmd('a', 2, { type: 'get', key: 'x' }));
    expect(kv.apply(5, write)).toMatchObject({ kind: 'stale' });
    expect(kv.read('x')).toBe('9');
  });

  it('negative control: the apply-retries-twice defect applies the retry again', () => {
    const kv = new KvStateMachine('apply-retries-twice');
    const write = cmd('a', 1, { type: 'put', key: 'x', value: '1' });
    kv.apply(1, write);
    kv.apply(2, cmd('b', 1, { type: 'put', key: 'x', value: '9' }));
    expect(kv.apply(3, write)).toMatchObject({ kind: 'applied' });
    expect(kv.read('x')).toBe('1');
  });
});
