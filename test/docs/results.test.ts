import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelReport } from '../../src/cli/check-spec.js';
import { describeVerdict } from '../../src/docs/render.js';
import { modelResult, readSummary, verdictFor } from '../../src/docs/results.js';
import type { ModelSpec } from '../../src/tlc/models.js';

const report = (over: Partial<ModelReport>): ModelReport => ({
  name: 'M',
  module: 'specs/M.tla',
  config: 'specs/M.cfg',
  tier: 'ci',
  expected: 'ok',
  outcome: 'ok',
  passed: true,
  seconds: 1,
  ...over,
});
const inv = (name: string) => ({ kind: 'invariant' as const, name });

describe('what a model outcome says about one invariant', () => {
  it('ok: every checked invariant holds', () => {
    expect(verdictFor(report({}), inv('A'))).toEqual({ kind: 'holds' });
  });

  it('ok from a simulation is evidence, not proof: the page says how many behaviours', () => {
    const simulated = report({ mode: 'simulate', simulation: { behaviours: 1234, statesGenerated: 9000, seconds: 60, budgetSeconds: 60, seed: 7, depth: 100, rounds: 3 } });
    expect(verdictFor(simulated, inv('A'))).toEqual({ kind: 'held-in-simulation', behaviours: 1234 });
    expect(describeVerdict(verdictFor(simulated, inv('A')))).toBe('held in 1,234 simulated behaviours (random simulation: not every reachable state)');
  });

  it('a violation counts against the named invariant only; a negative control\'s is expected', () => {
    const control = report({ outcome: 'invariant-violated', passed: true, violation: { kind: 'invariant', name: 'A' } });
    expect(verdictFor(control, inv('A'))).toEqual({ kind: 'violated', expected: true, named: true });
    expect(verdictFor(control, inv('B'))).toEqual({ kind: 'not-reached', stoppedBy: 'a violation of A' });
    const bug = report({ outcome: 'invariant-violated', passed: false, violation: { kind: 'invariant', name: 'A' } });
    expect(describeVerdict(verdictFor(bug, inv('A')))).toBe('❌ violated');
  });

  it('TLC does not name violated temporal properties: every property of the model may be it', () => {
    const r = report({ outcome: 'property-violated', passed: false, violation: { kind: 'property' } });
    expect(verdictFor(r, { kind: 'property', name: 'P' })).toEqual({ kind: 'violated', expected: false, named: false });
    expect(verdictFor(r, inv('A'))).toEqual({ kind: 'not-reached', stoppedBy: 'a property violation' });
  });

  it.each([
    ['deadlock', 'not refuted: TLC stopped at a deadlock first'],
    ['timeout', 'unfinished: timed out'],
    ['cancelled', 'unfinished: cancelled'],
    ['parse-error', '❌ not checked: parse error'],
    ['tlc-error', '❌ not checked: tlc error'],
    ['not-run', 'not yet checked (the last run stopped before this model)'],
  ] as const)('%s', (outcome, text) => {
    expect(describeVerdict(verdictFor(report({ outcome, passed: false }), inv('A')))).toBe(text);
  });
});

describe('reading the check-spec summary', () => {
  it('missing, malformed and wrong-format summaries are reported, not thrown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'docs-summary-'));
    expect(await readSummary(join(dir, 'none.json'))).toMatchObject({ status: 'missing' });
    await writeFile(join(dir, 'bad.json'), '{ nope');
    expect(await readSummary(join(dir, 'bad.json'))).toMatchObject({ status: 'unreadable', problem: expect.stringMatching(/invalid JSON/) });
    await writeFile(join(dir, 'other.json'), JSON.stringify({ tool: 'check-spec', formatVersion: 2 }));
    expect(await readSummary(join(dir, 'other.json'))).toMatchObject({ status: 'unreadable', problem: 'formatVersion 2 is not 1' });
    await writeFile(join(dir, 'outcome.json'), JSON.stringify({ tool: 'check-spec', formatVersion: 1, startedAt: '2030-01-01T00:00:00Z', models: [{ name: 'M', config: 'M.cfg', outcome: 'maybe', passed: true }] }));
    expect(await readSummary(join(dir, 'outcome.json'))).toMatchObject({ status: 'unreadable', problem: 'models[0].outcome "maybe" is unknown' });
  });
});

describe('a model\'s latest result', () => {
  it('is matched by config path, and marked as possibly stale when a source changed after the run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'docs-stale-'));
    const config = join(dir, 'M.cfg');
    await writeFile(config, 'INVARIANT A\n');
    const model: ModelSpec = { name: 'M', config, module: join(dir, 'M.tla'), expect: { outcome: 'ok' }, tier: 'ci', properties: [] };
    const at = (startedAt: string) => ({
      status: 'found' as const,
      file: join(dir, 'summary.json'),
      summary: { tool: 'check-spec' as const, formatVersion: 1 as const, startedAt, tlc: { jar: 'j', jarSource: 'pinned', sha256: 's' }, java: 'j', workers: 1, passed: true, exitCode: 0 as const, models: [report({ config: 'M.cfg', distinctStates: 9 })] },
    });
    const old = await modelResult(at('2000-01-01T00:00:00Z'), model, inv('A'), [config], dir);
    expect(old).toMatchObject({ verdict: { kind: 'holds' }, report: { distinctStates: 9 }, changedSince: true });
    expect(await modelResult(at('2999-01-01T00:00:00Z'), model, inv('A'), [config], dir)).toMatchObject({ changedSince: false });
    expect(await modelResult(at('2999-01-01T00:00:00Z'), { ...model, name: 'N', config: join(dir, 'N.cfg') }, inv('A'), [config], dir)).toEqual({
      verdict: { kind: 'not-checked', reason: 'not-in-summary' },
    });
  });
});

describe('the counterexample page of a violation', () => {
  it('is linked when the model violated this operator and check-spec wrote the page in that run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'docs-page-'));
    const config = join(dir, 'M.cfg');
    await writeFile(config, 'INVARIANT A\n');
    const page = join(dir, 'M.html');
    await writeFile(page, '<html></html>');
    const model: ModelSpec = { name: 'M', config, module: join(dir, 'M.tla'), expect: { outcome: 'ok' }, tier: 'ci', properties: [] };
    const summaryOf = (over: Partial<ModelReport>, startedAt: string) => ({
      status: 'found' as const,
      file: join(dir, 'summary.json'),
      summary: { tool: 'check-spec' as const, formatVersion: 1 as const, startedAt, tlc: { jar: 'j', jarSource: 'pinned', sha256: 's' }, java: 'j', workers: 1, passed: false, exitCode: 1 as const, models: [report({ config: 'M.cfg', ...over })] },
    });
    const violated = { outcome: 'invariant-violated' as const, passed: false, violation: { kind: 'invariant' as const, name: 'A' }, counterexampleFile: 'M.itf.json' };
    const before = new Date(Date.now() - 60_000).toISOString();
    expect(await modelResult(summaryOf(violated, before), model, inv('A'), [], dir)).toMatchObject({ verdict: { kind: 'violated' }, counterexamplePage: page });
    // Another invariant of the model was not violated: no page for it.
    expect((await modelResult(summaryOf(violated, before), model, inv('B'), [], dir)).counterexamplePage).toBeUndefined();
    // No saved counterexample, or a page left from an earlier run (older than this one): no link.
    expect((await modelResult(summaryOf({ ...violated, counterexampleFile: undefined }, before), model, inv('A'), [], dir)).counterexamplePage).toBeUndefined();
    await utimes(page, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect((await modelResult(summaryOf(violated, before), model, inv('A'), [], dir)).counterexamplePage).toBeUndefined();
  });
});
