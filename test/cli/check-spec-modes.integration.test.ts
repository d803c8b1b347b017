// check-spec for models too large for one run, with the real TLC: budgeted simulation, TLC's distributed
// mode on loopback (server and two local workers), and a checkpointed run interrupted and resumed.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CheckSpecSummary, checkSpec } from '../../src/cli/check-spec.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/paths.js';
import { latestCheckpoint, stateDirOf } from '../../src/tlc/checkpoints.js';
import { SPECS } from '../support/tlc.js';

async function run(args: string[], specs = SPECS, signal?: AbortSignal) {
  let stdout = '';
  let stderr = '';
  const summaryFile = join(await mkdtemp(join(tmpdir(), 'check-spec-modes-')), 'summary.json');
  const code = await checkSpec(['--specs', specs, '--summary', summaryFile, ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    interactive: false,
    env: process.env,
    cwd: process.cwd(),
    ...(signal ? { signal } : {}),
  });
  const summary = existsSync(summaryFile) ? (JSON.parse(await readFile(summaryFile, 'utf8')) as CheckSpecSummary) : undefined;
  return { code, stdout, stderr, summary };
}

// A port of its own per run, so that a server still closing (or another test run) does not hold it.
const port = () => String(20_000 + Math.floor(Math.random() * 20_000));

describe('--simulate: TLC\'s random simulation for a time budget', () => {
  it('finds a negative control\'s violation, and reports behaviours and states', async () => {
    const r = await run(['MCQuorumSplitBrain', '--simulate', '--budget', '20s', '--seed', '3']);
    expect(r.code).toBe(ExitCode.OK);
    const model = r.summary?.models.find((m) => m.name === 'MCQuorumSplitBrain');
    expect(model).toMatchObject({ outcome: 'invariant-violated', passed: true, mode: 'simulate', violation: { name: 'NoSplitBrain' } });
    expect(r.stdout).toMatch(/negative control refuted as expected \(invariant-violated NoSplitBrain/);
  });

  it('a simulate-tier model runs for the budget given: no violation, its figures and how to repeat it', async () => {
    const r = await run(['--tier', 'simulate', '--budget', '8s', '--seed', '11']);
    expect(r.code).toBe(ExitCode.OK);
    const model = r.summary?.models.find((m) => m.name === 'MCRaftDeep');
    expect(model).toMatchObject({ outcome: 'ok', passed: true, mode: 'simulate', simulation: { seed: 11, depth: 100, budgetSeconds: 8 } });
    expect(model?.simulation?.behaviours).toBeGreaterThan(0);
    expect(model?.simulation?.statesGenerated).toBeGreaterThan(model?.simulation?.behaviours ?? 0);
    expect(r.stderr).toMatch(/MCRaftDeep: simulated [\d,]+ behaviours of up to 100 steps \([\d,]+ states, [\d,]+ states\/s\) in \d+ round\(s\), seed 11; repeat: npm run check-spec -- MCRaftDeep --simulate --budget 8s --depth 100 --seed 11/);
  });

  it('refuses options that do not go together', async () => {
    for (const [args, message] of [
      [['MCQuorum3', '--budget', '5s'], /--budget is an option of --simulate/],
      [['MCQuorum3', '--simulate', '--budget', 'soon'], /--budget takes a duration such as 90s/],
      [['MCQuorum3', '--simulate', '--resume'], /--resume is for exhaustive runs/],
      [['MCQuorum3', '--distributed', '--simulate'], /does not combine with --simulate/],
      [['MCQuorum3', '--local-workers', '2'], /--local-workers is an option of --distributed/],
      [['MCQuorum3', '--distributed', '--port', '70000'], /--port must be a TCP port/],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(ExitCode.USAGE);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('--distributed: TLC\'s server with two workers on this machine', () => {
  it('checks a model to the same distinct-state count as a local run, and names a negative control\'s violation', async () => {
    const local = await run(['MCQuorum3', '--workers', '1']);
    const distributed = await run(['MCQuorum3', 'MCQuorumSplitBrain', '--distributed', '--local-workers', '2', '--port', port()]);
    expect(distributed.code).toBe(ExitCode.OK);
    const byName = (r: typeof local, name: string) => r.summary?.models.find((m) => m.name === name);
    expect(byName(distributed, 'MCQuorum3')).toMatchObject({ outcome: 'ok', mode: 'distributed', localWorkers: { started: 2, endedEarly: 0 } });
    expect(byName(distributed, 'MCQuorum3')?.distinctStates).toBe(byName(local, 'MCQuorum3')?.distinctStates);
    // The server prints the behaviour but not what it violates; check-spec names it.
    expect(byName(distributed, 'MCQuorumSplitBrain')).toMatchObject({ outcome: 'invariant-violated', violation: { name: 'NoSplitBrain' }, passed: true });
    expect(distributed.stderr).toMatch(/A worker machine joins with:\n {4}java -Dtlc2\.tool\.distributed\.TLCServer\.port=\d+ .* tlc2\.tool\.distributed\.TLCWorker \S+/);
  });
});

describe('--checkpoint-minutes and --resume', () => {
  const specs = join(REPO_ROOT, 'test', 'fixtures', 'specs-checkpoint');
  it('a run interrupted after its first checkpoint resumes to the same final count', async () => {
    const stateDir = stateDirOf('SlowCounter');
    const controller = new AbortController();
    // Interrupt as soon as TLC has written its first checkpoint (one minute in).
    const poll = setInterval(() => {
      void latestCheckpoint(stateDir).then((c) => {
        if (c !== null) controller.abort();
      });
    }, 1000);
    const first = await run(['SlowCounter', '--workers', '1', '--checkpoint-minutes', '1'], specs, controller.signal).finally(() => clearInterval(poll));
    expect(first.code, 'the run finished before its first checkpoint: make SlowCounter larger').toBe(ExitCode.INTERRUPTED);
    expect(first.stderr).toMatch(/SlowCounter: stopped; its checkpoint of .* is kept\. Resume with: npm run check-spec -- SlowCounter --resume --checkpoint-minutes 1/);
    const resumed = await run(['SlowCounter', '--workers', '1', '--resume', '--checkpoint-minutes', '1'], specs);
    expect(resumed.code).toBe(ExitCode.OK);
    const model = resumed.summary?.models.find((m) => m.name === 'SlowCounter');
    expect(model).toMatchObject({ outcome: 'ok', passed: true, distinctStates: 1_210_000 });
    expect(model?.message).toMatch(/^resumed from the checkpoint of /);
    // A run that finished leaves nothing to resume.
    expect(await latestCheckpoint(stateDir)).toBeNull();
    const again = await run(['SlowCounter', '--resume'], specs);
    expect(again.code).toBe(ExitCode.USAGE);
    expect(again.stderr).toMatch(/There is no checkpoint of SlowCounter to resume/);
  }, 900_000);
});
