import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  ])('%s: the model carries one clear message with file and line, and does not stop discovery', async (dir, message) => {
    const [model] = await discoverModels(join(BAD, dir));
    expect(model?.name).toBe(dir);
    expect(model?.problem).toMatch(message);
    // The bad model fails; a model beside it is still discovered whole.
    expect(meetsExpectation(model!, { outcome: 'ok', diagnostics: [], errors: [] })).toBe(false);
  });

  it('one bad config does not hide the good ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    cpSync(join(BAD, 'BadExpect', 'BadExpect.cfg'), join(dir, 'BadExpect.cfg'));
    cpSync(join(FIXTURE_SPECS, 'Counter.tla'), join(dir, 'Counter.tla'));
    cpSync(join(FIXTURE_SPECS, 'CounterOk.cfg'), join(dir, 'CounterOk.cfg'));
    const models = await discoverModels(dir);
    expect(models.map((m) => [m.name, m.problem === undefined])).toEqual([
      ['BadExpect', false],
      ['CounterOk', true],
    ]);
  });

  it('@module names a module in the same folder, nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    writeFileSync(join(dir, 'Escape.cfg'), '\\* @module ../elsewhere/Spec\nINIT Init\n');
    const [model] = await discoverModels(dir);
    expect(model?.problem).toMatch(/Escape\.cfg:1: @module takes a module name in the same folder .* not "\.\.\/elsewhere\/Spec"/);
  });

  it('refuses a folder with class or jar files (TLC would run their code) unless allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    cpSync(join(FIXTURE_SPECS, 'Counter.tla'), join(dir, 'Counter.tla'));
    cpSync(join(FIXTURE_SPECS, 'CounterOk.cfg'), join(dir, 'CounterOk.cfg'));
    writeFileSync(join(dir, 'Counter.class'), 'not really a class');
    const error = await discoverModels(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).exitCode).toBe(ExitCode.USAGE);
    expect((error as WorkbenchError).message).toMatch(/holds compiled code \(Counter\.class\): TLC would load it as operator overrides and run it/);
    expect((error as WorkbenchError).hint).toContain('--allow-class-files');
    expect((await discoverModels(dir, { allowCode: true })).map((m) => m.name)).toEqual(['CounterOk']);
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

  it('an expected violation must be the named one, in a clean run', () => {
    const clean = { diagnostics: [], errors: [] };
    const model = { expect: { outcome: 'invariant-violated', name: 'A' }, properties: [] } as const;
    expect(meetsExpectation(model, { outcome: 'invariant-violated', violation: { kind: 'invariant', name: 'A' }, ...clean })).toBe(true);
    expect(meetsExpectation(model, { outcome: 'invariant-violated', violation: { kind: 'invariant', name: 'B' }, ...clean })).toBe(false);
    expect(meetsExpectation(model, { outcome: 'ok', ...clean })).toBe(false);
    expect(meetsExpectation({ expect: { outcome: 'ok' }, properties: [] }, { outcome: 'ok', ...clean })).toBe(true);
    // The violation alone is not enough when TLC also reported an error or a parse problem.
    const error = { kind: 'general', code: 1000, text: 'something else went wrong' } as const;
    expect(meetsExpectation(model, { outcome: 'invariant-violated', violation: { kind: 'invariant', name: 'A' }, diagnostics: [], errors: [error] })).toBe(false);
    const diagnostic = { severity: 'error', kind: 'parse', module: 'M', message: 'Was expecting A' } as const;
    expect(meetsExpectation(model, { outcome: 'invariant-violated', violation: { kind: 'invariant', name: 'A' }, diagnostics: [diagnostic], errors: [] })).toBe(false);
  });

  it('an unnamed (temporal) property violation passes only when the config checks that property alone', () => {
    const clean = { diagnostics: [], errors: [] };
    const violated = { outcome: 'property-violated', violation: { kind: 'property', propertyKind: 'temporal' }, ...clean } as const;
    const expectReaches = { outcome: 'property-violated', name: 'Reaches' } as const;
    expect(meetsExpectation({ expect: expectReaches, properties: ['Reaches'] }, violated)).toBe(true);
    expect(meetsExpectation({ expect: expectReaches, properties: ['Reaches', 'Other'] }, violated)).toBe(false);
    expect(meetsExpectation({ expect: expectReaches, properties: ['Other'] }, violated)).toBe(false);
  });
});
