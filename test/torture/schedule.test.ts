import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutLinks, DEFAULT_DURATIONS, describePlannedFault, NEMESIS_KINDS, planSchedule, type NemesisKind } from '../../src/torture/schedule.js';

const kindsArb = fc.subarray([...NEMESIS_KINDS], { minLength: 1 });

describe('the nemesis schedule', () => {
  it('is fixed by the seed', () => {
    const a = planSchedule({ seed: 7, nodes: 5, runMs: 60_000, kinds: NEMESIS_KINDS });
    const b = planSchedule({ seed: 7, nodes: 5, runMs: 60_000, kinds: NEMESIS_KINDS });
    const c = planSchedule({ seed: 8, nodes: 5, runMs: 60_000, kinds: NEMESIS_KINDS });
    expect(a).toEqual(b);
    expect(a.faults).not.toEqual(c.faults);
  });

  it('keeps every fault bounded, one at a time, inside the fault window, and leaves the quiet period alone', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10_000, max: 300_000 }), kindsArb, (seed, nodes, runMs, kinds) => {
        const s = planSchedule({ seed, nodes, runMs, kinds: kinds as NemesisKind[] });
        expect(s.faultsUntilMs).toBeLessThan(s.runMs);
        expect(s.faults.length).toBeGreaterThan(0);
        let previousEnd = s.faultsFromMs;
        for (const f of s.faults) {
          expect(kinds).toContain(f.kind);
          expect(f.atMs).toBeGreaterThanOrEqual(previousEnd);
          expect(f.untilMs).toBeLessThanOrEqual(s.faultsUntilMs);
          const [min, max] = DEFAULT_DURATIONS[f.kind];
          expect(f.untilMs - f.atMs).toBeGreaterThanOrEqual(min - 1);
          expect(f.untilMs - f.atMs).toBeLessThanOrEqual(max + 1);
          if (f.kind === 'partition') {
            expect(f.side.length).toBeGreaterThanOrEqual(1);
            // A minority side: the rest can still elect a leader.
            expect(f.side.length).toBeLessThanOrEqual(Math.max(1, Math.floor(nodes / 2)));
            expect(new Set(f.side).size).toBe(f.side.length);
          }
          if (f.kind !== 'partition' && f.target.kind === 'node') expect(f.target.index).toBeLessThan(nodes);
          previousEnd = f.untilMs;
        }
      }),
      { seed: 20_240_519, numRuns: 200 },
    );
  });

  it('refuses a run too short for one fault and the quiet period', () => {
    expect(() => planSchedule({ seed: 1, nodes: 3, runMs: 4000, kinds: ['kill'] })).toThrow(/leaves .* ms for faults/);
    expect(planSchedule({ seed: 1, nodes: 3, runMs: 4000, kinds: [] }).faults).toEqual([]);
  });

  it('cuts both directions across a split, or only from the side for a one-way partition', () => {
    const both = cutLinks({ kind: 'partition', side: [0], shape: 'both-ways', atMs: 0, untilMs: 1 }, 3);
    expect(both.sort()).toEqual([[0, 1], [0, 2], [1, 0], [2, 0]]);
    const oneWay = cutLinks({ kind: 'partition', side: [0, 2], shape: 'one-way', atMs: 0, untilMs: 1 }, 4);
    expect(oneWay.sort()).toEqual([[0, 1], [0, 3], [2, 1], [2, 3]]);
    expect(describePlannedFault({ kind: 'partition', side: [0], shape: 'both-ways', atMs: 0, untilMs: 1 }, ['s1', 's2', 's3'])).toBe('partition {s1} | rest');
  });
});
