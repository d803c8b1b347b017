// ITF trace documents: round trips through the file format, and one clear error per bad input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type TlaValue, tla, tlaEquals } from '../../src/tla/value.js';
import {
  ACTION_TAKEN,
  NONDET_PICKS,
  type Trace,
  TraceError,
  collectModelValues,
  parseTrace,
  serializeTrace,
  splitActionLabel,
} from '../../src/trace/itf-trace.js';
import { ExitCode } from '../../src/errors.js';
import { FC_SEED, tlaValue } from '../support/arbitraries.js';

const meta = {
  format: 'ITF' as const,
  'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
  spec: 'Raft',
  source: 'specs/MCRaftTrace.tla',
  model: 'MCRaftTraceSim',
  config: 'specs/traces/MCRaftTraceSim.cfg',
  tlcVersion: '2.18 of 20 March 2023',
  mode: 'simulation' as const,
  seed: '7',
  index: 1,
  modelValues: ['s1', 's2'],
  description: 'a test trace',
  regenerate: 'npm run traces -- --mode simulation --seed 7',
};

function trace(values: readonly TlaValue[]): Trace {
  return {
    meta,
    vars: ['x'],
    states: values.map((x, index) => ({
      index,
      vars: { x },
      actionTaken: index === 0 ? 'Init' : 'Step',
      nondetPicks: index === 0 ? ({} as Record<string, TlaValue>) : { node: tla.modelValue('s1') },
    })),
  };
}

describe('ITF trace documents', () => {
  it('round-trip any TLA+ values through the file format (model values via #meta.modelValues)', () => {
    fc.assert(
      fc.property(fc.array(tlaValue, { minLength: 1, maxLength: 4 }), (values) => {
        const original = trace(values);
        const withNames = { ...original, meta: { ...meta, modelValues: collectModelValues([...values, tla.modelValue('s1')]) } };
        const read = parseTrace(serializeTrace(withNames), 'mem.itf.json');
        expect(read.meta).toEqual(withNames.meta);
        expect(read.vars).toEqual(['x']);
        read.states.forEach((s, i) => {
          expect(tlaEquals(s.vars['x'] as TlaValue, values[i] as TlaValue)).toBe(true);
          expect(s.actionTaken).toBe(original.states[i]?.actionTaken);
        });
        expect(read.states[1]?.nondetPicks ?? { node: tla.modelValue('s1') }).toEqual({ node: tla.modelValue('s1') });
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('writes #meta, vars with the mbt keys, and one state per line with #meta.index', () => {
    const text = serializeTrace(trace([tla.int(1), tla.set(tla.modelValue('s2'))]));
    const json = JSON.parse(text);
    expect(json.vars).toEqual(['x', ACTION_TAKEN, NONDET_PICKS]);
    expect(json.states[0]).toEqual({ '#meta': { index: 0 }, x: { '#bigint': '1' }, [ACTION_TAKEN]: 'Init', [NONDET_PICKS]: {} });
    expect(json.states[1].x).toEqual({ '#set': ['s2'] });
    expect(json.states[1][NONDET_PICKS]).toEqual({ node: 's1' });
    expect(text.split('\n').filter((l) => l.includes('"#meta":{"index"')).length).toBe(2);
  });

  it('splits an action label into mbt::actionTaken and mbt::nondetPicks', () => {
    expect(splitActionLabel(tla.record({ name: tla.str('Timeout'), node: tla.modelValue('s1') }))).toEqual({
      actionTaken: 'Timeout',
      nondetPicks: { node: tla.modelValue('s1') },
    });
    expect(splitActionLabel(tla.int(3))).toBeUndefined();
  });

  it('reads plain JSON numbers as integers', () => {
    const json = JSON.parse(serializeTrace(trace([tla.int(5)])));
    json.states[0].x = 5;
    expect(parseTrace(JSON.stringify(json), 'n.itf.json').states[0]?.vars['x']).toEqual(tla.int(5));
  });
});

describe('bad trace files: one clear error naming the file and the state', () => {
  const good = () => JSON.parse(serializeTrace(trace([tla.int(1), tla.int(2)])));
  const error = (text: string): TraceError => {
    try {
      parseTrace(text, 'bad.itf.json');
    } catch (e) {
      expect(e).toBeInstanceOf(TraceError);
      return e as TraceError;
    }
    throw new Error('expected a TraceError');
  };

  it('malformed JSON', () => {
    const e = error('{"#meta": {');
    expect(e.message).toMatch(/^bad\.itf\.json: malformed JSON/);
    expect(e.exitCode).toBe(ExitCode.SPEC_ERROR);
    expect(e.hint).toMatch(/npm run traces/);
  });

  it('not an object, no #meta, wrong format, no modelValues', () => {
    expect(error('[1, 2]').message).toMatch(/JSON object with "#meta", "vars" and "states"/);
    const noMeta = good();
    delete noMeta['#meta'];
    expect(error(JSON.stringify(noMeta)).message).toMatch(/"#meta" is missing/);
    const wrongFormat = good();
    wrongFormat['#meta'].format = 'TLC';
    expect(error(JSON.stringify(wrongFormat)).message).toMatch(/#meta.format is "TLC", not "ITF"/);
    const noValues = good();
    delete noValues['#meta'].modelValues;
    expect(error(JSON.stringify(noValues)).message).toMatch(/modelValues must be an array/);
    const badMode = good();
    badMode['#meta'].mode = 'random';
    expect(error(JSON.stringify(badMode)).message).toMatch(/#meta.mode is "random"/);
  });

  it('a missing or unlisted variable, a bad value, a missing mbt key: the state is named', () => {
    const missing = good();
    delete missing.states[1].x;
    expect(error(JSON.stringify(missing)).message).toBe('bad.itf.json, state 1: variable x is missing (the trace\'s "vars" lists it)');
    const extra = good();
    extra.states[1].y = 3;
    expect(error(JSON.stringify(extra)).message).toMatch(/state 1: variable y is not in the trace's "vars"/);
    const badValue = good();
    badValue.states[1].x = { '#bigint': 'twelve' };
    expect(error(JSON.stringify(badValue)).message).toMatch(/state 1: not an ITF value: #bigint needs a decimal string at \/x/);
    const noLabel = good();
    delete noLabel.states[0][ACTION_TAKEN];
    expect(error(JSON.stringify(noLabel)).message).toMatch(/state 0: mbt::actionTaken must be the action's name/);
    const wrongIndex = good();
    wrongIndex.states[1]['#meta'].index = 5;
    expect(error(JSON.stringify(wrongIndex)).message).toMatch(/state 1: #meta.index of the state is 5, expected 1/);
  });
});
