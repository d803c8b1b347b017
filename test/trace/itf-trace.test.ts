// ITF trace documents: round trips through the file format, and one clear error per bad input.
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  readTrace,
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

/** A trace file that parses, to be broken by a test. */
const good = () => JSON.parse(serializeTrace(trace([tla.int(1), tla.int(2)])));

/** The one TraceError (exit 4) a bad trace text gives. */
function error(text: string): TraceError {
  try {
    parseTrace(text, 'bad.itf.json');
  } catch (e) {
    expect(e).toBeInstanceOf(TraceError);
    expect((e as TraceError).exitCode).toBe(ExitCode.SPEC_ERROR);
    return e as TraceError;
  }
  throw new Error('expected a TraceError');
}

describe('bad trace files: one clear error naming the file and the state', () => {

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

describe('trace files from someone else: refused with a clear error, never echoed', () => {

  it('a file that is not JSON: what and where, not its content', () => {
    const e = error('root:x:0:0:root:/root:/bin/bash\n');
    expect(e.message).toBe('bad.itf.json: malformed JSON at line 1, column 1: a value cannot start with this character');
    expect(e.message).not.toMatch(/root/);
    expect(error('{"#meta": {"spec": "SECRET" "x"}}').message).toBe('bad.itf.json: malformed JSON at line 1, column 29: expected "," or "}" after a property value');
  });

  it('values nested past the cap name the state and the path instead of overflowing the stack', () => {
    const json = good();
    json.states[1].x = 'DEEP';
    const n = 100_000;
    const e = error(JSON.stringify(json).replace('"DEEP"', `${'['.repeat(n)}1${']'.repeat(n)}`));
    expect(e.message).toMatch(/^bad\.itf\.json, state 1: not an ITF value: values nested deeper than 100 levels at \/x\/0\/0\/0/);
  });

  it('a #bigint of more than 1000 digits is refused', () => {
    const json = good();
    json.states[1].x = { '#bigint': '7'.repeat(5000) };
    expect(error(JSON.stringify(json)).message).toBe('bad.itf.json, state 1: not an ITF value: #bigint has 5000 digits, more than the 1000 allowed at /x');
  });

  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString'])('a variable named %j is refused (an inherited name of every JS object)', (name) => {
    const json = good();
    json.vars = ['x', name, ACTION_TAKEN, NONDET_PICKS];
    for (const s of json.states) Object.defineProperty(s, name, { value: { '#bigint': '1' }, enumerable: true, writable: true, configurable: true });
    expect(JSON.stringify(json)).toContain(`"${name}":{"#bigint":"1"}`);
    expect(error(JSON.stringify(json)).message).toBe(
      `bad.itf.json: "vars" lists ${JSON.stringify(name)}, a name every JavaScript object inherits (Object.prototype); rename the variable`,
    );
  });

  it.each(['__proto__', 'constructor'])('an action parameter named %j is refused', (name) => {
    const json = good();
    json.states[1][NONDET_PICKS] = { node: 's1', [name]: 's2' };
    expect(error(JSON.stringify(json)).message).toBe(
      `bad.itf.json, state 1: mbt::nondetPicks has a parameter named ${JSON.stringify(name)}, a name every JavaScript object inherits (Object.prototype); rename it`,
    );
  });
});

describe('readTrace: files are checked before they are read', () => {
  const readError = async (file: string): Promise<TraceError> => {
    try {
      await readTrace(file, 'shown.itf.json');
    } catch (e) {
      expect(e).toBeInstanceOf(TraceError);
      expect((e as TraceError).exitCode).toBe(ExitCode.SPEC_ERROR);
      return e as TraceError;
    }
    throw new Error('expected a TraceError');
  };

  it('a missing file, a folder, a file over 64 MiB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-trace-'));
    expect((await readError(join(dir, 'nope.itf.json'))).message).toBe('shown.itf.json: does not exist');
    mkdirSync(join(dir, 'folder.itf.json'));
    expect((await readError(join(dir, 'folder.itf.json'))).message).toBe('shown.itf.json: is a folder, not a file');
    const big = join(dir, 'big.itf.json');
    writeFileSync(big, '');
    truncateSync(big, 64 * 1024 * 1024 + 1);
    expect((await readError(big)).message).toBe('shown.itf.json: is 67,108,865 bytes, more than the limit of 64 MiB');
  });

  it('a readable trace reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-trace-'));
    writeFileSync(join(dir, 't.itf.json'), serializeTrace(trace([tla.int(1)])));
    expect((await readTrace(join(dir, 't.itf.json'))).states).toHaveLength(1);
  });
});
