/**
 * `npm run soak` plans: the nightly plan rotates through every profile from a fresh seed it prints, and a
 * soak reports how many schedules each profile ran.
 */
import { describe, expect, it } from 'vitest';
import { runSoakCli } from '../../src/cli/soak.js';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { PROFILE_NAMES } from '../../src/sim/index.js';
import { SOAK_PLANS } from '../../src/sim/soak.js';

async function soak(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runSoakCli(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('soak plans', () => {
  it('the nightly plan covers every profile, from a fresh seed', () => {
    expect([...SOAK_PLANS.nightly.profiles].sort()).toEqual([...PROFILE_NAMES].sort());
    expect(SOAK_PLANS.nightly.freshSeed).toBe(true);
    expect([...SOAK_PLANS.quick.profiles].sort()).toEqual([...PROFILE_NAMES].sort());
  });

  it('--plan nightly prints the seed it drew and runs schedules of every profile', async () => {
    const r = await soak(['--plan', 'nightly', '--steps', '20000', '--json']);
    expect(r.code).toBe(ExitCode.OK);
    const seed = Number(/^soak: seed (\d+) \(repeat with --seed \1\)$/m.exec(r.err)?.[1]);
    const figures = JSON.parse(r.out) as { seed: number; schedules: number; schedulesByProfile: Record<string, number> };
    expect(figures.seed).toBe(seed);
    expect(Object.keys(figures.schedulesByProfile).sort()).toEqual([...PROFILE_NAMES].sort());
    expect(Object.values(figures.schedulesByProfile).reduce((a, b) => a + b, 0)).toBe(figures.schedules);
  });

  it('a given seed is used as it is, and the summary names each profile with its schedules', async () => {
    const r = await soak(['--seed', '7', '--steps', '5000', '--profile', 'stale-suffix', '--profile', 'elections']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.err).not.toMatch(/soak: seed/);
    expect(r.out).toMatch(/over (\d+) schedules \(seeds 7\.\.\d+\)/);
    expect(r.out).toMatch(/^soak: schedules per profile: stale-suffix \d+, elections \d+$/m);
  });

  it('an unknown plan is a usage error that lists the plans', async () => {
    const error = await soak(['--plan', 'weekly']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).exitCode).toBe(ExitCode.USAGE);
    expect((error as WorkbenchError).message).toBe('Unknown plan weekly.');
  });
});
