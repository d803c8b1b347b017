import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TlaValueSyntaxError, parseTlaValue } from '../../src/tla/parse-value.js';
import { type TlaValue, canonicalize, printTla, tla, tlaEquals } from '../../src/tla/value.js';
import { ItfValueError, fromItf, toItf } from '../../src/trace/itf-value.js';
import { FC_SEED, tlaValue } from '../support/arbitraries.js';

describe('parseTlaValue', () => {
  it('reads every kind of value TLC prints, nested', () => {
    const v = parseTlaValue(
      '[pair |-> <<1, "q">>, flag |-> TRUE, fn |-> (s1 :> 0 @@ s2 :> -3), set |-> {s1, {}}, range |-> 1..3, empty |-> <<>>]',
    );
    expect(
      tlaEquals(
        v,
        tla.record({
          pair: tla.seq(tla.int(1), tla.str('q')),
          flag: tla.bool(true),
          fn: tla.fn([
            [tla.modelValue('s1'), tla.int(0)],
            [tla.modelValue('s2'), tla.int(-3)],
          ]),
          set: tla.set(tla.modelValue('s1'), tla.set()),
          range: tla.set(tla.int(1), tla.int(2), tla.int(3)),
          empty: tla.seq(),
        }),
      ),
    ).toBe(true);
  });

  it('reads a bag of records keyed by records, spread over lines as TLC wraps long values', () => {
    const v = parseTlaValue('( [mtype |-> "RequestVoteRequest",\n   mterm |-> 1] :> 2 @@\n  [mtype |-> "AppendEntriesRequest", mterm |-> 1] :> 1 )');
    expect(v.kind).toBe('fn');
    expect(v.kind === 'fn' && v.entries.map(([, c]) => printTla(c))).toEqual(['2', '1']);
  });

  it('unescapes strings', () => {
    expect(parseTlaValue('"a\\"b\\\\c\\nd"')).toEqual(tla.str('a"b\\c\nd'));
  });

  it.each([
    ['{1, 2', 'expected "}"'],
    ['[a |-> ]', 'unexpected'],
    ['<<1>> 2', 'trailing'],
    ['"open', 'unterminated string'],
    ['{1} @@ 2', '"@@" needs functions'],
    ['#', 'unexpected character'],
  ])('rejects %j with a located message', (input, message) => {
    expect(() => parseTlaValue(input)).toThrow(TlaValueSyntaxError);
    expect(() => parseTlaValue(input)).toThrow(message);
  });

  it('round-trips: parse(print(v)) equals v for any value (fast-check)', () => {
    fc.assert(
      fc.property(tlaValue, (v) => tlaEquals(parseTlaValue(printTla(v)), v)),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});

describe('TLA+ equality', () => {
  it('ignores set order and duplicates', () => {
    expect(tlaEquals(tla.set(tla.int(2), tla.int(1), tla.int(2)), tla.set(tla.int(1), tla.int(2)))).toBe(true);
  });
  it('treats a function on 1..n as a sequence and a string-keyed function as a record', () => {
    expect(tlaEquals(tla.fn([[tla.int(2), tla.str('b')], [tla.int(1), tla.str('a')]]), tla.seq(tla.str('a'), tla.str('b')))).toBe(true);
    expect(tlaEquals(tla.fn([[tla.str('x'), tla.int(1)]]), tla.record({ x: tla.int(1) }))).toBe(true);
    expect(tlaEquals(tla.seq(), tla.record({}))).toBe(true);
  });
  it('tells different values apart', () => {
    expect(tlaEquals(tla.str('s1'), tla.modelValue('s1'))).toBe(false);
    expect(tlaEquals(tla.seq(tla.int(1), tla.int(2)), tla.seq(tla.int(2), tla.int(1)))).toBe(false);
    expect(tlaEquals(tla.set(tla.int(1)), tla.seq(tla.int(1)))).toBe(false);
  });
  it('canonicalize is idempotent (fast-check)', () => {
    fc.assert(
      fc.property(tlaValue, (v) => {
        const once = canonicalize(v);
        return printTla(canonicalize(once)) === printTla(once);
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});

describe('ITF value codec', () => {
  const modelValuesOf = (v: TlaValue, into = new Set<string>()): Set<string> => {
    if (v.kind === 'modelValue') into.add(v.name);
    if (v.kind === 'set' || v.kind === 'seq') v.elements.forEach((e) => modelValuesOf(e, into));
    if (v.kind === 'record') v.fields.forEach((e) => modelValuesOf(e, into));
    if (v.kind === 'fn') v.entries.forEach(([k, e]) => (modelValuesOf(k, into), modelValuesOf(e, into)));
    return into;
  };

  it('encodes as ARCHITECTURE.md section 4 says', () => {
    expect(toItf(tla.record({ n: tla.int(42), s: tla.set(tla.modelValue('s1')), q: tla.seq(tla.bool(true)) }))).toEqual({
      n: { '#bigint': '42' },
      s: { '#set': ['s1'] },
      q: [true],
    });
    expect(toItf(tla.fn([[tla.modelValue('s1'), tla.int(0)]]))).toEqual({ '#map': [['s1', { '#bigint': '0' }]] });
  });

  it('round-trips through JSON text for any value whose strings are not model-value names (fast-check)', () => {
    fc.assert(
      fc.property(tlaValue, (v) => {
        const json = JSON.parse(JSON.stringify(toItf(v)));
        const back = fromItf(json, { modelValues: modelValuesOf(v) });
        // A string spelled like a model value in the same value is ambiguous in ITF by design.
        return [...modelValuesOf(v)].some((m) => printTla(v).includes(`"${m}"`)) || tlaEquals(back, v);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  it('accepts plain JSON numbers and #tup', () => {
    expect(tlaEquals(fromItf({ '#tup': [1, 'x'] }), tla.seq(tla.int(1), tla.str('x')))).toBe(true);
  });

  it('names the path of a bad value', () => {
    expect(() => fromItf({ a: [1, null] })).toThrow(new ItfValueError('null is not a TLA+ value', '/a/1'));
    expect(() => fromItf({ '#bigint': 'x' })).toThrow('#bigint needs a decimal string');
    expect(() => fromItf({ '#weird': 1 })).toThrow('unsupported ITF marker');
    expect(() => fromItf(1.5)).toThrow('not a safe integer');
  });
});

describe('parseTlaValue: identifiers that start with a digit, and hostile input', () => {
  it('TLA+ identifiers may start with a digit (letters, digits and _ with at least one letter)', () => {
    expect(parseTlaValue('1st')).toEqual(tla.modelValue('1st'));
    expect(parseTlaValue('[1st |-> 3, 2_b |-> {1a, _x9}]')).toEqual(
      tla.record({ '1st': tla.int(3), '2_b': tla.set(tla.modelValue('1a'), tla.modelValue('_x9')) }),
    );
    expect(parseTlaValue('(1st :> 2 @@ 2nd :> 1..2)')).toEqual(
      tla.fn([
        [tla.modelValue('1st'), tla.int(2)],
        [tla.modelValue('2nd'), tla.set(tla.int(1), tla.int(2))],
      ]),
    );
    // Digits alone are still numbers, and an interval still parses.
    expect(parseTlaValue('<<12, -3, 1..3>>')).toEqual(tla.seq(tla.int(12), tla.int(-3), tla.set(tla.int(1), tla.int(2), tla.int(3))));
  });

  it('wide values parse (no argument spreading that overflows the stack)', () => {
    const items = Array.from({ length: 300_000 }, (_, i) => String(i)).join(', ');
    expect(parseTlaValue(`{${items}}`)).toMatchObject({ kind: 'set', elements: { length: 300_000 } });
    expect(parseTlaValue(`<<${items}>>`)).toMatchObject({ kind: 'seq', elements: { length: 300_000 } });
    expect(parseTlaValue('1..300000')).toMatchObject({ kind: 'set', elements: { length: 300_000 } });
  });

  it('nesting deeper than the cap is a TlaValueSyntaxError, not a stack overflow', () => {
    for (const open of ['{', '<<', '(', '[a |-> ']) {
      const text = open.repeat(100_000);
      expect(() => parseTlaValue(text)).toThrow(TlaValueSyntaxError);
      expect(() => parseTlaValue(text)).toThrow(/nested deeper than 100 levels/);
    }
    expect(() => parseTlaValue(`${'{'.repeat(100)}${'}'.repeat(100)}`)).not.toThrow();
  });
});
