import { describe, expect, it } from 'vitest';
import { EventQueue, Rng } from '../../src/sim/index.js';

describe('Rng (xoshiro128**)', () => {
  it('matches the reference implementation for the state {1, 2, 3, 4}', () => {
    const r = new Rng(0, [1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => r.nextU32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is a pure function of the seed, and different seeds differ', () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 5 }, () => r.float());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('draws in range, with roughly the right means', () => {
    const r = new Rng(7);
    let sum = 0;
    let exp = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = r.uniform(150, 300);
      expect(u).toBeGreaterThanOrEqual(150);
      expect(u).toBeLessThan(300);
      sum += u;
      exp += r.exponential(2);
    }
    expect(sum / 20_000).toBeCloseTo(225, 0);
    expect(exp / 20_000).toBeGreaterThan(1.9);
    expect(exp / 20_000).toBeLessThan(2.1);
  });

  it('forks independent streams deterministically', () => {
    const a = new Rng(1).fork();
    const b = new Rng(1).fork();
    expect(a.nextU32()).toBe(b.nextU32());
    const draws = (r: Rng, n = 8) => Array.from({ length: n }, () => r.nextU32());
    // Independent: two forks of one parent, and the parent after forking, give three different streams,
    // and drawing from one fork does not move another.
    const parent = new Rng(1);
    const first = parent.fork();
    const second = parent.fork();
    const secondAlone = (() => {
      const p = new Rng(1);
      p.fork();
      return draws(p.fork());
    })();
    const firstDraws = draws(first, 100);
    expect(draws(second)).toEqual(secondAlone);
    expect(firstDraws.slice(0, 8)).not.toEqual(secondAlone);
    expect(draws(parent)).not.toEqual(firstDraws.slice(0, 8));
    expect(draws(parent)).not.toEqual(secondAlone);
  });
});

describe('EventQueue', () => {
  it('pops by time, and events at the same time in scheduling order', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(3, 'b');
    q.push(5, 'e');
    const out: string[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.item);
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
