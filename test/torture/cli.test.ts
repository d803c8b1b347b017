import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tortureOptions } from '../../src/cli/torture.js';
import { WorkbenchError } from '../../src/errors.js';

function usage(argv: string[]): string {
  try {
    tortureOptions(argv, '/');
  } catch (error) {
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).exitCode).toBe(2);
    return (error as WorkbenchError).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('npm run torture: the command line', () => {
  it('reads the options and builds the command that repeats the run', () => {
    const parsed = tortureOptions(['--nodes', '3', '--time', '30', '--nemesis', 'kill,partition,kill', '--clients', '2', '--seed', '-4', '--defect', 'skip-log-check'], '/');
    if (parsed === 'help') throw new Error('help');
    expect(parsed.nodes).toBe(3);
    expect(parsed.run).toMatchObject({ seed: -4, runMs: 30_000, kinds: ['kill', 'partition'], workload: { clients: 2, keys: 3, opTimeoutMs: 2000 }, defect: 'skip-log-check' });
    expect(parsed.run.command).toBe('npm run torture -- --nodes 3 --time 30 --nemesis kill,partition --clients 2 --keys 3 --seed -4 --defect skip-log-check');
    expect(tortureOptions(['--help'], '/')).toBe('help');
    const none = tortureOptions(['--nemesis', 'none', '--time', '2'], '/');
    expect(none !== 'help' && none.run.kinds).toEqual([]);
  });

  it('refuses bad values with one message each (exit 2)', async () => {
    expect(usage(['--nodes', '0'])).toBe('--nodes must be an integer in 1..15, not "0".');
    expect(usage(['--nemesis', 'kill,flood'])).toMatch(/^--nemesis: no fault kind "flood" \(known: kill, pause, partition, skew, or none\)\.$/);
    expect(usage(['--defect', 'nope'])).toMatch(/^--defect: no defective core named "nope" \(known: .*skip-log-check/);
    expect(usage(['--time', '4'])).toMatch(/^--time 4 is too short for this nemesis: a run of 4000 ms leaves/);
    expect(usage(['--bogus'])).toMatch(/bogus/);
    const dir = await mkdtemp(join(tmpdir(), 'torture-cli-'));
    try {
      await writeFile(join(dir, 'x'), 'x');
      expect(usage(['--dir', dir])).toMatch(/is not empty/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
