/**
 * The main property: across 10,000 generated fault schedules (seven profiles), the TS mirrors of the spec's
 * invariants and the durability checks hold after every simulated step, every client history is
 * linearizable, and after the faults stop a leader is elected and every pending operation completes within
 * the liveness bound. These are the fixed regression seeds (SIM_PROPERTY_SEED); fresh-seed.property.test.ts
 * adds a new seed every run.
 */
import { describe, expect, it } from 'vitest';
import { PROFILES, type ProfileName } from '../../src/sim/index.js';
import { expectNoViolation } from './helpers.js';

/** Schedules per profile; 10,000 in all. */
const RUNS: Record<ProfileName, number> = {
  mixed: 2250,
  crashes: 2000,
  partitions: 1250,
  network: 1500,
  figure8: 1250,
  elections: 1250,
  'stale-suffix': 500,
};

describe('10,000 simulated fault schedules: safe, linearizable, live after healing', () => {
  it('covers 10,000 schedules in all', () => {
    expect(Object.values(RUNS).reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  for (const name of Object.keys(RUNS) as ProfileName[]) {
    it(`profile ${name}: ${PROFILES[name].description}`, async () => {
      const totals = await expectNoViolation({ profile: PROFILES[name], runs: RUNS[name] });
      // The generator must reach the interesting parts of the protocol, or passing proves little.
      expect(totals.runsWithReelection / totals.runs).toBeGreaterThan(0.3);
      expect(totals.opsOk).toBeGreaterThan(totals.runs);
      if (name === 'crashes' || name === 'figure8') expect(totals.crashesMidWrite).toBeGreaterThan(totals.runs / 2);
      if (name !== 'elections') expect(totals.runsWithTruncation).toBeGreaterThan(0);
    });
  }
});
