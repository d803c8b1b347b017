// `npm run traces` command line: usage errors and listings that need no TLC run.
import { describe, expect, it } from 'vitest';
import { tracesCommand } from '../../src/cli/traces.js';
import { SCENARIO_GOALS } from '../../src/definitions/raft/trace-models.js';
import { ExitCode } from '../../src/errors.js';
import { scenarioConfig } from '../../src/trace/models.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await tracesCommand(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: process.env, cwd: process.cwd() });
  return { code, stdout, stderr };
}

describe('npm run traces', () => {
  it('--help describes the modes, every protocol\'s models and the exit codes', async () => {
    const r = await run('--help');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/simulation.*\n.*scenario/s);
    expect(r.stdout).toMatch(/^ {2}raft +tour +MCRaftTraceTour \(the whole state graph\)$/m);
    expect(r.stdout).toMatch(/^ {2}quorum-safety +simulation +MCQuorumTraceSim \(5 walks by default\)$/m);
    expect(r.stdout).toMatch(/Exit codes:/);
  });

  it('--list-goals lists every scenario goal, by protocol', async () => {
    const r = await run('--list-goals');
    expect(r.code).toBe(ExitCode.OK);
    for (const g of SCENARIO_GOALS) expect(r.stdout).toMatch(new RegExp(`^raft +${g.name} `, 'm'));
  });

  it('a protocol without a model of the mode asked for: exit 2, saying so', async () => {
    const r = await run('--protocol', 'quorum-safety', '--mode', 'scenario');
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/^traces: quorum-safety has no scenario model\./);
  });

  it.each([
    [['--mode', 'random'], /--mode must be simulation, scenario, tour or all/],
    [['--count', '0'], /--count must be a positive integer/],
    [['--seed', 'abc'], /--seed must be an integer/],
    [['--goal', 'world-peace'], /Unknown scenario goal world-peace.*\n.*Known goals: leader-elected/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--protocol', 'paxos'], /No protocol named "paxos"\.\n {2}Known protocols: raft, quorum-safety/],
    [['--count', '100000000'], /--count is at most 10,000, not 100000000/],
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
