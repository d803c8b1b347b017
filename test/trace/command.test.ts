// `npm run traces` command line: usage errors and listings that need no TLC run.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { tracesCommand } from '../../src/trace/command.js';
import { SCENARIO_GOALS, scenarioConfig } from '../../src/trace/models.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await tracesCommand(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: process.env, cwd: process.cwd() });
  return { code, stdout, stderr };
}

describe('npm run traces', () => {
  it('--help describes the modes and exit codes', async () => {
    const r = await run('--help');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/simulation.*\n.*scenario/s);
    expect(r.stdout).toMatch(/Exit codes:/);
  });

  it('--list-goals lists every scenario goal', async () => {
    const r = await run('--list-goals');
    expect(r.code).toBe(ExitCode.OK);
    for (const g of SCENARIO_GOALS) expect(r.stdout).toContain(g.name);
  });

  it.each([
    [['--mode', 'random'], /--mode must be simulation, scenario, tour or all/],
    [['--count', '0'], /--count must be a positive integer/],
    [['--seed', 'abc'], /--seed must be an integer/],
    [['--goal', 'world-peace'], /Unknown scenario goal world-peace.*\n.*Known goals: leader-elected/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('usage error %j: exit 2 with one message', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('scenario configs', () => {
  const base = 'CONSTANTS\n    MaxTerm = 2\n    DisabledActions = {}\nINIT Init\n';

  it('override the goal\'s constants and add its negation', () => {
    const goal = SCENARIO_GOALS.find((g) => g.name === 'entry-committed')!;
    const text = scenarioConfig(base, goal);
    expect(text).toContain('    DisabledActions = {"Restart", "DropMessage", "DuplicateMessage"}');
    expect(text).toMatch(/INVARIANT Not_EntryCommitted\n$/);
    const prop = SCENARIO_GOALS.find((g) => g.kind === 'property')!;
    expect(scenarioConfig(base, prop)).toMatch(new RegExp(`PROPERTY ${prop.operator}\\n$`));
  });

  it('refuse a base config lacking a constant the goal overrides', () => {
    const goal = SCENARIO_GOALS.find((g) => g.constants !== undefined)!;
    expect(() => scenarioConfig('INIT Init\n', goal)).toThrow(/has no constant DisabledActions/);
  });
});
