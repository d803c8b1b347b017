import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { discoverModels, meetsExpectation, selectModels } from '../../src/tlc/models.js';
import { FIXTURE_SPECS, SPECS } from '../support/tlc.js';

const BAD = join(import.meta.dirname, '..', 'fixtures', 'bad-models');

describe('model discovery', () => {
  it('reads directives: module, expectation, tier, description', async () => {
    const models = await discoverModels(FIXTURE_SPECS);
    const violated = models.find((m) => m.name === 'CounterViolated');
    expect(violated).toMatchObject({ module: join(FIXTURE_SPECS, 'Counter.tla'), expect: { outcome: 'invariant-violated', name: 'BelowThree' }, tier: 'ci' });
    expect(models.find((m) => m.name === 'SyntaxError')).toMatchObject({ module: join(FIXTURE_SPECS, 'SyntaxError.tla'), expect: { outcome: 'ok' } });
  });

  it('every model under specs/ is well-formed, and every negative control names what it expects', async () => {
    const models = await discoverModels(SPECS);
    expect(models.length).toBeGreaterThan(0);
    for (const m of models.filter((m) => m.expect.outcome !== 'ok')) expect(m.description).toMatch(/negative control/i);
  });

  it.each([
    ['BadExpect', /BadExpect\.cfg:1: unknown expected outcome "maybe"/],
    ['UnknownDirective', /UnknownDirective\.cfg:1: unknown directive @colour/],
    ['MissingModule', /the module Nowhere\.tla it checks does not exist/],
  ])('%s: one clear message with file and line', async (dir, message) => {
    const error = await discoverModels(join(BAD, dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).message).toMatch(message);
    expect((error as WorkbenchError).exitCode).toBe(ExitCode.SPEC_ERROR);
  });

  it('selects by name, by glob and by tier; an unknown name lists the known ones', async () => {
    const models = await discoverModels(FIXTURE_SPECS);
    expect(selectModels(models, ['Counter*'], 'ci').map((m) => m.name)).toContain('CounterOk');
    expect(selectModels(models, ['SyntaxError'], 'large').map((m) => m.name)).toEqual(['SyntaxError']);
    expect(() => selectModels(models, ['Nope'], 'ci')).toThrow('No model named "Nope"');
    const large = models.map((m) => (m.name === 'CounterOk' ? { ...m, tier: 'large' as const } : m));
    expect(selectModels(large, ['Counter*'], 'ci').map((m) => m.name)).not.toContain('CounterOk');
    expect(selectModels(large, ['CounterOk'], 'ci').map((m) => m.name)).toEqual(['CounterOk']);
    expect(() => selectModels(large, ['CounterO*'], 'ci')).toThrow('"CounterO*" matches only models outside tier ci: CounterOk (large)');
  });

  it('an expected violation must be the named one', () => {
    const expectation = { outcome: 'invariant-violated', name: 'A' } as const;
    expect(meetsExpectation(expectation, { outcome: 'invariant-violated', violation: { kind: 'invariant', name: 'A' } })).toBe(true);
    expect(meetsExpectation(expectation, { outcome: 'invariant-violated', violation: { kind: 'invariant', name: 'B' } })).toBe(false);
    expect(meetsExpectation(expectation, { outcome: 'ok' })).toBe(false);
    expect(meetsExpectation({ outcome: 'ok' }, { outcome: 'ok' })).toBe(true);
  });
});
