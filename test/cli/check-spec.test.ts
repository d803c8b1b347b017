// check-spec end to end on fixture models, with the real TLC.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CheckSpecSummary, checkSpec } from '../../src/cli/check-spec.js';
import { ExitCode } from '../../src/errors.js';
import { FIXTURE_SPECS } from '../support/tlc.js';

async function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  let stdout = '';
  let stderr = '';
  const summaryFile = join(await mkdtemp(join(tmpdir(), 'check-spec-')), 'summary.json');
  const code = await checkSpec(['--specs', FIXTURE_SPECS, '--workers', '1', '--summary', summaryFile, ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    interactive: false,
    env,
    cwd: process.cwd(),
  });
  return { code, stdout, stderr, summaryFile };
}

describe('check-spec', () => {
  it('passes when every model ends as expected, negative controls included, and prints the table and counterexample', async () => {
    const r = await run(['CounterOk', 'CounterViolated', 'CounterDeadlock', 'CounterActionViolated', 'CounterLiveness']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/CounterViolated\s+invariant-violated BelowThree\s+invariant-violated BelowThree\s+[\d,]+\s+\d+\s+[\d.]+\s+pass/);
    expect(r.stdout).toContain('CounterViolated: negative control refuted as expected (invariant-violated BelowThree)');
    expect(r.stdout).toMatch(/ 2 {2}Inc\(node: (s[12])\)\n\s+seen: \+ \1\n\s+x = 1\n\s+info\.fn = \(s1 :> \d @@ s2 :> \d\)/);
    expect(r.stdout).toContain('5 of 5 models as expected (exit 0)');
  });

  it('--json: per-model outcome and distinct states on stdout, same summary in the summary file', async () => {
    const r = await run(['--json', '--quiet', 'CounterOk', 'CounterViolated']);
    const summary = JSON.parse(r.stdout) as CheckSpecSummary;
    expect(summary).toMatchObject({ tool: 'check-spec', passed: true, exitCode: 0, tlc: { version: 'TLC2 Version 2.18 of 20 March 2023' } });
    expect(summary.models.map((m) => [m.name, m.outcome, m.distinctStates])).toEqual([
      ['CounterOk', 'ok', 13],
      ['CounterViolated', 'invariant-violated', expect.any(Number)],
    ]);
    expect(summary.models[1]?.counterexample?.[1]).toMatchObject({ step: expect.stringMatching(/^Inc\(node: s[12]\)$/), vars: { x: { '#bigint': '1' } } });
    expect(JSON.parse(await readFile(r.summaryFile, 'utf8'))).toEqual(summary);
  });

  it('fails a model expected to hold that TLC refutes (exit 1), showing the counterexample', async () => {
    const r = await run(['CounterWronglyTrusted']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.stdout).toContain('CounterWronglyTrusted: expected ok, but TLC says invariant-violated BelowThree.');
    expect(r.stdout).toContain('Counterexample:');
  });

  it('fails a negative control whose violation TLC does not find (exit 1)', async () => {
    const r = await run(['CounterControlMissed']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.stdout).toContain('CounterControlMissed: expected invariant-violated BelowThree, but TLC says ok.');
  });

  it('a syntax error: exit 4 with file:line:col', async () => {
    const r = await run(['SyntaxError']);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stdout).toMatch(/test\/fixtures\/specs\/SyntaxError\.tla:5:20: parse error: .*Encountered "1"/);
  });

  it('a config naming a missing operator: exit 4 with TLC\'s message', async () => {
    const r = await run(['CounterUnknownOp']);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stdout).toContain('\n  The invariant NoSuchInvariant specified in the configuration file\n  is not defined in the specification.');
  });

  it('an evaluation error: exit 5', async () => {
    expect((await run(['EvalError'])).code).toBe(ExitCode.TLC_FAILURE);
  });

  it('a timeout: exit 6', async () => {
    const r = await run(['--timeout', '2', 'Big']);
    expect(r.code).toBe(ExitCode.TIMEOUT);
    expect(r.stdout).toContain('did not finish within 2.0 s');
  });

  it('usage errors: exit 2 with one clear message', async () => {
    const unknown = await run(['NoSuchModel']);
    expect(unknown.code).toBe(ExitCode.USAGE);
    expect(unknown.stderr).toMatch(/^check-spec: No model named "NoSuchModel"\.\n {2}Known models: .*CounterOk/);
    expect((await run(['--workers', 'many'])).stderr).toContain('--workers must be a positive integer or auto');
    expect((await run(['--frobnicate'])).code).toBe(ExitCode.USAGE);
  });

  it('environment errors: exit 3 before running anything', async () => {
    const r = await run(['CounterOk'], { ...process.env, TLA2TOOLS_JAR: '/nope/tla2tools.jar' });
    expect(r.code).toBe(ExitCode.ENVIRONMENT);
    expect(r.stderr).toContain('TLA2TOOLS_JAR points at /nope/tla2tools.jar');
  });

  it('--help and --list', async () => {
    expect((await run(['--help'])).stdout).toContain('Usage: npm run check-spec');
    const list = await run(['--list']);
    expect(list.stdout).toMatch(/CounterViolated\s+ci\s+invariant-violated BelowThree/);
  });
});
