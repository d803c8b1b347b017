/**
 * A fresh seed every run. The fixed seeds of safety.property.test.ts replay the same schedules on every CI
 * run (regressions stay caught); this test draws a new seed each run and prints it, so CI keeps exploring
 * schedules no run has tried. A failure prints the seed, the shrunk schedule and the command that replays it
 * with its event log; `SIM_FRESH_SEED=<seed>` reruns the whole test with that seed.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkScenarios, PROFILE_NAMES, PROFILES } from '../../src/sim/index.js';

/** Schedules per profile with the fresh seed: a few seconds in all. */
const RUNS_PER_PROFILE = 200;

function freshSeed(): number {
  const given = process.env['SIM_FRESH_SEED'];
  if (given === undefined || given === '') return randomInt(2 ** 31);
  const seed = Number(given);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`SIM_FRESH_SEED must be a non-negative integer, not "${given}"`);
  return seed;
}

const SEED = freshSeed();
// Printed whether the run passes or not, so any run can be repeated.
console.log(`fresh simulation seed ${SEED}: rerun with SIM_FRESH_SEED=${SEED} npx vitest run test/sim/fresh-seed.property.test.ts`);

describe(`a fresh simulation seed: ${SEED} (rerun with SIM_FRESH_SEED=${SEED})`, () => {
  it.each(PROFILE_NAMES)('profile %s: safe, durable, linearizable and live', (name) => {
    const outcome = checkScenarios({ profile: PROFILES[name], seed: SEED, runs: RUNS_PER_PROFILE });
    if (outcome.failure !== null) {
      throw new Error(`${outcome.failure.report}\n(the whole test reruns with SIM_FRESH_SEED=${SEED})`);
    }
    expect(outcome.totals.runs).toBe(RUNS_PER_PROFILE);
  });
});
