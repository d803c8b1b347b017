// How the TLC-wrapper bench reads its runs: a robust spread, and a bootstrap interval of the ratio that
// says whether the runs can resolve the 5 % goal at all.
import { describe, expect, it } from 'vitest';
import { overheadVerdict, ratioInterval, spreadPercent } from '../../src/bench/tlc-overhead.js';

describe('the TLC wrapper bench', () => {
  it('the spread is the interquartile range over the median: one disturbed run does not decide it', () => {
    expect(spreadPercent([10, 10, 10, 10, 10])).toBe(0);
    expect(spreadPercent([10, 10, 10, 10, 30])).toBe(0);
    expect(spreadPercent([9, 9.5, 10, 10.5, 11])).toBeCloseTo(10, 5);
  });

  it('tight runs give a narrow interval around the ratio; the verdict follows where it lies', () => {
    const raw = [10.0, 10.1, 9.9, 10.05, 9.95];
    const cheap = raw.map((r) => r * 1.01);
    const dear = raw.map((r) => r * 1.2);
    const [low, high] = ratioInterval(raw, cheap);
    expect(low).toBeGreaterThan(0.98);
    expect(high).toBeLessThan(1.04);
    expect(overheadVerdict(ratioInterval(raw, cheap))).toBe('met');
    expect(overheadVerdict(ratioInterval(raw, dear))).toBe('missed');
  });

  it('noisy runs cannot resolve a 5 % goal (a negative control for the verdict)', () => {
    const raw = [10, 12, 9, 13, 10];
    const wrapped = [11, 9, 12, 10, 13];
    expect(overheadVerdict(ratioInterval(raw, wrapped))).toBe('unresolved');
  });

  it('the interval is fixed by its seed', () => {
    expect(ratioInterval([1, 2, 3], [2, 3, 4])).toEqual(ratioInterval([1, 2, 3], [2, 3, 4]));
  });
});
