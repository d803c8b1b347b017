// The ring's baselines: jump consistent hash against a BigInt transcription of its published loop, and
// the movement both promise (only the keys that must move do).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rendezvous, jumpBucket, jumpOwner } from '../../src/ring/index.js';

// The published algorithm, in 64-bit BigInt arithmetic: the reference the double-based version must equal.
function jumpReference(key: bigint, buckets: number): number {
  let bucket = -1n;
  let next = 0n;
  while (next < BigInt(buckets)) {
    bucket = next;
    key = BigInt.asUintN(64, key * 2862933555777941757n + 1n);
    next = BigInt(Math.floor(Number(bucket + 1n) * (2 ** 31 / Number((key >> 33n) + 1n))));
  }
  return Number(bucket);
}

const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const members = (n: number) => Array.from({ length: n }, (_, i) => `node-${i}`);
const keys = Array.from({ length: 4000 }, (_, i) => `key-${i}`);

describe('jump consistent hash', () => {
  it('equals the 64-bit reference', () => {
    fc.assert(
      fc.property(u32, u32, fc.integer({ min: 1, max: 5000 }), (high, low, buckets) => {
        expect(jumpBucket(high, low, buckets)).toBe(jumpReference((BigInt(high) << 32n) | BigInt(low), buckets));
      }),
      { seed: 20261130, numRuns: 2000 },
    );
  });

  it('a new bucket takes keys only for itself, about 1/n of them', () => {
    const before = keys.map((k) => jumpOwner(k, members(10)));
    const after = keys.map((k) => jumpOwner(k, members(11)));
    const moved = keys.filter((_, i) => before[i] !== after[i]);
    for (const i of keys.keys()) if (before[i] !== after[i]) expect(after[i]).toBe('node-10');
    expect(moved.length / keys.length).toBeGreaterThan(0.06);
    expect(moved.length / keys.length).toBeLessThan(0.12);
  });
});

describe('rendezvous hashing', () => {
  it("a leave moves only the leaver's keys, a join only to the joiner", () => {
    const all = new Rendezvous(members(8));
    const without = new Rendezvous(members(8).filter((m) => m !== 'node-3'));
    for (const k of keys) {
      const [was, now] = [all.ownerOf(k), without.ownerOf(k)];
      if (was !== now) expect(was).toBe('node-3');
    }
  });

  it('preference lists are distinct and led by the owner', () => {
    const r = new Rendezvous(members(5));
    for (const k of keys.slice(0, 200)) {
      const list = r.preferenceList(k, 3);
      expect(new Set(list).size).toBe(3);
      expect(list[0]).toBe(r.ownerOf(k));
    }
  });
});
