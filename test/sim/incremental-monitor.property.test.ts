/**
 * The simulator's two invariant checks agree: on generated fault schedules, a run with the incremental check
 * (the default) and the same run with the full check (every mirror over the whole cluster after each step,
 * the reference) end the same way, with the same violation in the same words at the same event, and the
 * same statistics. Runs of the real core, of every defective core of src/raft/defects.ts and of the
 * checker-only cores (test/raft/helpers/checker-cores.ts), so that between them every invariant is broken
 * and both checks are compared on every kind of violation, not only on runs where nothing breaks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFECTS, step, type StepFn } from '../../src/raft/index.js';
import { PROFILES, replayCommand, scenario, simulate, type ProfileName, type Scenario, type SimResult } from '../../src/sim/index.js';
import { CHECKER_CORES } from '../raft/helpers/checker-cores.js';
import { SIM_SEED } from './helpers.js';

interface Core {
  readonly name: string;
  readonly stepFn: StepFn;
  /** The name `npm run sim -- --defect` knows it by (registry defects only). */
  readonly defect: string | null;
  readonly profiles: readonly ProfileName[];
  readonly runs: number;
}

// The small profiles reach each defect's violation often; the real core runs every profile.
const BROKEN_PROFILES: readonly ProfileName[] = ['crashes', 'partitions', 'figure8', 'elections'];
const CORES: readonly Core[] = [
  { name: 'the real core', stepFn: step, defect: null, profiles: Object.keys(PROFILES) as ProfileName[], runs: 60 },
  ...Object.values(DEFECTS).map((d) => ({ name: d.name, stepFn: d.step, defect: d.name, profiles: BROKEN_PROFILES, runs: 30 })),
  ...Object.entries(CHECKER_CORES).map(([name, stepFn]) => ({ name, stepFn, defect: null, profiles: BROKEN_PROFILES, runs: 30 })),
];

function run(sc: Scenario, stepFn: StepFn, invariantCheck: 'incremental' | 'full'): Pick<SimResult, 'violation' | 'stats'> {
  const { violation, stats } = simulate(sc, { stepFn, invariantCheck, checkLinearizability: false });
  return { violation, stats };
}

describe('the incremental and the full invariant check agree on simulated runs', () => {
  const broken = new Map<string, number>();

  for (const core of CORES) {
    it(`${core.name} (${core.profiles.join(', ')}; ${core.runs} schedules each)`, () => {
      for (const profile of core.profiles) {
        const result = fc.check(
          fc.property(scenario(PROFILES[profile]), (sc) => {
            const incremental = run(sc, core.stepFn, 'incremental');
            expect(incremental).toEqual(run(sc, core.stepFn, 'full'));
            const v = incremental.violation;
            if (v?.kind === 'invariant') broken.set(v.name, (broken.get(v.name) ?? 0) + 1);
          }),
          { seed: SIM_SEED, numRuns: core.runs },
        );
        if (result.failed) {
          const replay = replayCommand({ profile, seed: SIM_SEED, path: result.counterexamplePath ?? '0', defect: core.defect });
          throw new Error(
            `${core.name}, profile ${profile}: the checks disagree (fast-check seed ${SIM_SEED}, path ${result.counterexamplePath}); ` +
              `${core.defect === null && core.stepFn !== step ? 'the core is a checker core, not available to npm run sim' : `replay: ${replay}`}\n` +
              `shrunk scenario: ${JSON.stringify(result.counterexample?.[0])}\n${String(result.errorInstance)}`,
          );
        }
      }
    });
  }

  it('between them, the runs above broke every invariant', () => {
    expect([...broken.keys()].sort()).toEqual(
      ['CommitIndexMonotonic', 'ElectionSafety', 'LeaderAppendOnly', 'LeaderCompleteness', 'LogMatching', 'StateMachineSafety', 'TypeOK'].sort(),
    );
  });
});
