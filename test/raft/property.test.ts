import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFECTS, type InvariantName, type StepFn } from '../../src/raft/index.js';
import { faultSchedule, runSchedule, type RunStats } from './helpers/simulate.js';

/** Override with RAFT_PROPERTY_SEED to replay a failure reported by CI. */
const SEED = Number(process.env['RAFT_PROPERTY_SEED'] ?? 20240611);

/** `fc.assert`, with the seed and the replay command in the failure message. */
function assertWithSeed<T>(property: fc.IProperty<T>, numRuns: number): void {
  try {
    fc.assert(property, { seed: SEED, numRuns });
  } catch (e) {
    throw new Error(`property failed with seed ${SEED} (rerun with RAFT_PROPERTY_SEED=${SEED}):\n${(e as Error).message}`);
  }
}

function checkEveryStep(maxLength: number, numRuns: number): RunStats[] {
  const seen: RunStats[] = [];
  assertWithSeed(
    fc.property(faultSchedule(maxLength), (schedule) => {
      const r = runSchedule(schedule);
      seen.push(r.stats);
      if (r.violation !== null) throw new Error(`${r.violation}\nafter:\n  ${r.transcript.join('\n  ')}`);
    }),
    numRuns,
  );
  return seen;
}

const share = (runs: RunStats[], p: (s: RunStats) => boolean): number => runs.filter(p).length / runs.length;

describe('random schedules on a 3-node cluster', () => {
  it('never violate an invariant mirror, whatever the network does', () => {
    const runs = checkEveryStep(150, 400);
    expect(runs).toHaveLength(400);
    // The generator must reach the interesting parts of the protocol, or passing proves little.
    expect(share(runs, (s) => s.leadersElected > 0)).toBeGreaterThan(0.5);
    expect(share(runs, (s) => s.maxTerm >= 3 && s.leadersElected >= 2)).toBeGreaterThan(0.25);
    expect(share(runs, (s) => s.maxCommit >= 1)).toBeGreaterThan(0.1);
    expect(share(runs, (s) => s.maxCommit >= 2)).toBeGreaterThan(0.02);
    expect(runs.some((s) => s.truncations > 0)).toBe(true);
  });

  it('stay safe over long schedules with many elections and log repairs', () => {
    const runs = checkEveryStep(500, 40);
    expect(share(runs, (s) => s.leadersElected >= 3)).toBeGreaterThan(0.3);
    expect(runs.some((s) => s.truncations > 0)).toBe(true);
    expect(runs.some((s) => s.maxCommit >= 3)).toBe(true);
  });
});

describe('negative controls: the same harness catches a broken core', () => {
  /** Some schedule makes `stepFn` break `invariant` (the one each test names, not just any). */
  function findsViolation(stepFn: StepFn, invariant: InvariantName): void {
    const breaks = (violation: string | null): boolean => violation !== null && new RegExp(`(^|\\n)${invariant} violated: `).test(violation);
    // No shrinking: these runs only have to show that a violation is found, quickly.
    const result = fc.check(
      fc.property(faultSchedule(150), (schedule) => !breaks(runSchedule(schedule, { stepFn }).violation)),
      { seed: SEED, numRuns: 2000, endOnFailure: true },
    );
    expect(result.failed, `no schedule of ${result.numRuns} broke ${invariant}`).toBe(true);
    const counterexample = result.counterexample?.[0];
    expect(counterexample).toBeDefined();
    expect(breaks(runSchedule(counterexample!, { stepFn }).violation)).toBe(true);
  }

  // The defects of src/raft/defects.ts, each against the invariant that names what it breaks.
  it.each([
    ['double-vote', 'ElectionSafety'],
    ['skip-consistency-check', 'LogMatching'],
    ['overcount-match', 'LeaderCompleteness'],
  ] as const)('%s breaks %s', (defect, invariant) => {
    findsViolation(DEFECTS[defect].step, invariant);
  });
});
