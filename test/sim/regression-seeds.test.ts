/**
 * The regression seeds (src/sim/regressions.ts): each fixed schedule passes with the real core and still
 * reaches the bug it was kept for, caught by the check it names.
 */
import { describe, expect, it } from 'vitest';
import { DEFECTS } from '../../src/raft/index.js';
import { PROFILE_NAMES, PROFILES, replayCommand, scenarioAt, simulate } from '../../src/sim/index.js';
import { REGRESSION_SEEDS } from '../../src/sim/regressions.js';

describe('regression seeds', () => {
  it('every new defect class has one', () => {
    expect(REGRESSION_SEEDS.map((r) => r.defect).sort()).toEqual(
      ['commit-by-log-length', 'restart-clears-vote', 'restart-term-from-log', 'term-persisted-with-vote-only', 'vote-not-persisted'].sort(),
    );
    for (const r of REGRESSION_SEEDS) expect(PROFILE_NAMES).toContain(r.profile);
  });

  it.each(REGRESSION_SEEDS.map((r) => [`${r.defect} (profile ${r.profile}, seed ${r.seed})`, r] as const))('%s', (_, r) => {
    const scenario = scenarioAt(PROFILES[r.profile], r.seed);
    const replay = replayCommand({ profile: r.profile, seed: r.seed, path: '0', defect: r.defect });
    const real = simulate(scenario);
    expect(real.violation, `the real core fails the regression seed: ${replayCommand({ profile: r.profile, seed: r.seed, path: '0' })}`).toBeNull();
    const broken = simulate(scenario, { stepFn: DEFECTS[r.defect].step });
    expect(broken.violation?.message, `the seed no longer reaches ${r.defect} (${r.reaches}): ${replay}`).toMatch(new RegExp(`^${r.caughtBy} violated: `));
  });
});
