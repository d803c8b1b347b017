/**
 * Shared settings for the simulation property tests. `SIM_PROPERTY_SEED` overrides the fast-check seed, so a
 * CI failure can be reproduced locally; every failure message also carries `npm run sim -- ...` to replay
 * the shrunk scenario with its event log.
 */
import { expect } from 'vitest';
import { checkScenarios, type PropertyRun, type PropertyTotals } from '../../src/sim/index.js';

/** The fast-check seed of every simulation property (override with SIM_PROPERTY_SEED). */
export const SIM_SEED = Number(process.env['SIM_PROPERTY_SEED'] ?? 20261124);

/** Schedules per fast-check batch; the test yields to the event loop between batches. */
const BATCH = 250;

/**
 * Run a property that must hold over `runs` schedules, in batches of 250 with seeds `SIM_SEED`,
 * `SIM_SEED + 1`, ... (so vitest's worker is never blocked for long); fail with the full report (seed,
 * path, shrunk schedule, replay command).
 */
export async function expectNoViolation(run: Omit<PropertyRun, 'seed'>): Promise<PropertyTotals> {
  let totals: PropertyTotals | null = null;
  for (let done = 0, batch = 0; done < run.runs; batch++) {
    const runs = Math.min(BATCH, run.runs - done);
    const seed = SIM_SEED + batch;
    const outcome = checkScenarios({ ...run, runs, seed });
    if (outcome.failure !== null) {
      throw new Error(`${outcome.failure.report}\n(this batch reruns with SIM_PROPERTY_SEED=${SIM_SEED} or alone with the replay command above)`);
    }
    totals = totals === null ? outcome.totals : sum(totals, outcome.totals);
    done += runs;
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(totals?.runs).toBe(run.runs);
  return totals!;
}

function sum(a: PropertyTotals, b: PropertyTotals): PropertyTotals {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof PropertyTotals)[]) out[k] = a[k] + b[k];
  return out;
}
