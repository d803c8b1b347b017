// The bench command's own behaviour: usage errors, and each suite measured in a child process whose
// figures come back to the parent (or whose failure ends the command with the child's exit code).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bench, renderSuite, type BenchChild, type SuiteFigures } from '../../src/cli/bench.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/tlc/toolchain.js';

// The children run the TypeScript entry point through tsx (npm run bench runs the tsc build instead).
const CHILD: BenchChild = { script: join(REPO_ROOT, 'scripts', 'bench.ts'), execArgv: ['--import', 'tsx'] };

async function runBench(argv: string[], child: BenchChild = CHILD) {
  let stdout = '';
  let stderr = '';
  const code = await bench(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, child);
  return { code, stdout, stderr };
}

describe('npm run bench', () => {
  it('--help lists the suites and exits 0', async () => {
    const r = await runBench(['--help']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/^Usage: npm run bench/);
    for (const suite of ['tlc', 'replay', 'sim', 'ring', 'lin', 'quorum']) expect(r.stdout).toMatch(new RegExp(`^  ${suite} `, 'm'));
  });

  it('bad input is one message and exit 2', async () => {
    expect(await runBench(['--reps', '0'])).toEqual({
      code: ExitCode.USAGE,
      stdout: '',
      stderr: 'bench: --reps must be a positive integer, not "0".\n  See `npm run bench -- --help`.\n',
    });
    expect(await runBench(['speed'])).toEqual({
      code: ExitCode.USAGE,
      stdout: '',
      stderr: 'bench: Unknown bench suite speed.\n  Known suites: tlc, replay, sim, ring, lin, quorum, validate, cluster.\n',
    });
    expect((await runBench(['--frob'])).stderr).toMatch(/^bench: Unknown option '--frob'/);
  });

  it('measures a suite in a child process and prints its figures', async () => {
    const r = await runBench(['replay', '--reps', '1', '--json']);
    expect(r.code).toBe(ExitCode.OK);
    const figures = JSON.parse(r.stdout) as { replay: { traces: number; steps: number; replay: { stepsPerSecond: number } } };
    expect(Object.keys(figures)).toEqual(['replay']);
    expect(figures.replay.traces).toBeGreaterThan(0);
    expect(figures.replay.replay.stepsPerSecond).toBeGreaterThan(0);
    const text = renderSuite({ suite: 'replay', figures: figures.replay } as SuiteFigures, 1);
    expect(text).toMatch(/replay \(the protocol registry, generic loop\) +[\d,]+/);
    expect(text).toMatch(/Raft-specific replay \(the baseline\) +[\d,]+/);
    expect(text).toMatch(/generic \/ Raft-specific: \d\.\d{3} \(goal >= 0\.90\)/);
  });

  it('a failing child ends the command with its exit code and its message', async () => {
    const r = await runBench(['tlc', '--reps', '1'], { ...CHILD, env: { ...process.env, TLA2TOOLS_JAR: join(REPO_ROOT, 'no-such.jar') } });
    expect(r.code).toBe(ExitCode.ENVIRONMENT);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^bench: .*no-such\.jar/);
  });

  it('a child killed by a signal is reported, since it could not say so itself', async () => {
    const script = join(mkdtempSync(join(tmpdir(), 'bench-child-')), 'killed.mjs');
    writeFileSync(script, "process.kill(process.pid, 'SIGTERM');\n");
    const r = await runBench(['sim'], { script, execArgv: [] });
    expect(r.code).toBe(ExitCode.INTERRUPTED);
    expect(r.stderr).toBe('bench: the sim suite ended with signal SIGTERM\n');
  });
});
