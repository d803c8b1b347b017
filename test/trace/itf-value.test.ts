// ITF values from a file someone else wrote: nesting and #bigint sizes are capped with an error
// that names the path, instead of overflowing the stack or building huge numbers.
import { describe, expect, it } from 'vitest';
import { tla } from '../../src/tla/value.js';
import { ItfValueError, MAX_BIGINT_DIGITS, MAX_ITF_DEPTH, type ItfJson, fromItf } from '../../src/trace/itf-value.js';

function nested(depth: number, wrap: (inner: ItfJson) => ItfJson): ItfJson {
  let v: ItfJson = 1;
  for (let i = 0; i < depth; i++) v = wrap(v);
  return v;
}

const itfError = (json: ItfJson, path = ''): ItfValueError => {
  try {
    fromItf(json, {}, path);
  } catch (e) {
    expect(e).toBeInstanceOf(ItfValueError);
    return e as ItfValueError;
  }
  throw new Error('expected an ItfValueError');
};

describe('fromItf on hostile input', () => {
  it('the caps are far above what TLC writes (values here are < 10 deep)', () => {
    expect(MAX_ITF_DEPTH).toBe(100);
    expect(MAX_BIGINT_DIGITS).toBe(1000);
  });

  it('nesting up to the cap decodes; deeper is refused, naming the path, for every kind of nesting', () => {
    expect(() => fromItf(nested(MAX_ITF_DEPTH, (v) => [v]))).not.toThrow();
    const e = itfError(nested(MAX_ITF_DEPTH + 1, (v) => [v]), '/log');
    expect(e.message).toBe(`values nested deeper than ${MAX_ITF_DEPTH} levels at /log${'/0'.repeat(MAX_ITF_DEPTH)}`);
    expect(e.path).toBe(`/log${'/0'.repeat(MAX_ITF_DEPTH)}`);
    expect(itfError(nested(500, (v) => ({ '#set': [v] }))).message).toMatch(/^values nested deeper than 100 levels at \/#set\/0\/#set\/0/);
    expect(itfError(nested(500, (v) => ({ '#map': [[v, 1]] }))).message).toMatch(/^values nested deeper than 100 levels at \/#map\/0\/0\/#map/);
    expect(itfError(nested(500, (v) => ({ f: v }))).message).toMatch(/^values nested deeper than 100 levels at \/f\/f\/f/);
  });

  it('a nesting far deeper than the stack allows is an ItfValueError, not a RangeError', () => {
    const deep = nested(200_000, (v) => [v]);
    expect(itfError(deep).message).toMatch(/^values nested deeper than 100 levels at \/0\/0/);
  });

  it('a #bigint is a number, not a container: it may sit at the deepest level', () => {
    expect(() => fromItf(nested(MAX_ITF_DEPTH, (v) => [v === 1 ? { '#bigint': '1' } : v]))).not.toThrow();
  });

  it('wide values decode (no argument spreading that overflows the stack)', () => {
    const wide = new Array(300_000).fill(1) as ItfJson[];
    expect(fromItf(wide)).toMatchObject({ kind: 'seq', elements: { length: 300_000 } });
    expect(fromItf({ '#set': wide })).toMatchObject({ kind: 'set', elements: { length: 300_000 } });
    expect(fromItf({ '#tup': wide })).toMatchObject({ kind: 'seq', elements: { length: 300_000 } });
  });

  it('#bigint digit strings are capped', () => {
    const ok = `-${'9'.repeat(MAX_BIGINT_DIGITS)}`;
    expect(fromItf({ '#bigint': ok })).toEqual(tla.int(BigInt(ok)));
    const e = itfError({ '#set': [{ '#bigint': '1'.repeat(MAX_BIGINT_DIGITS + 1) }] });
    expect(e.message).toBe(`#bigint has ${MAX_BIGINT_DIGITS + 1} digits, more than the ${MAX_BIGINT_DIGITS} allowed at /#set/0`);
  });
});
