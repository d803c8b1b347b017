/**
 * Two other ways to place keys, the ring's baselines in `npm run bench -- ring`:
 *
 * - **Rendezvous (highest random weight) hashing** (Thaler and Ravishankar, 1996): every member scores
 *   the key with its own hash and the highest score wins; the top N scores are the preference list. A
 *   join or leave moves exactly the keys it must, and the balance is that of the hash, with no vnodes,
 *   but a lookup costs one hash per member.
 * - **Jump consistent hash** (Lamping and Veach, 2014): a key's bucket among `n` numbered buckets in
 *   O(log n) steps of a linear congruential generator, no memory at all, perfectly balanced; but buckets
 *   can only be added or removed at the end, so members cannot leave in any order.
 *
 * @module
 */
import { ringPositions } from './hash.js';

/** Rendezvous hashing over fixed members. */
export class Rendezvous {
  private readonly seeds: number[];

  constructor(readonly members: readonly string[]) {
    // A member's score of a key is the key's hash seeded by the member's own hash: one encoding of the
    // key, then one 32-bit hash per member (no string concatenation per lookup).
    this.seeds = members.map((m) => ringPositions(m, [0x9e3779b9])[0]!);
  }

  /** The member with the highest score for `key`; ties go to the member listed first. */
  ownerOf(key: string): string | null {
    const scores = ringPositions(key, this.seeds);
    let best = -1;
    let bestScore = -1;
    scores.forEach((score, i) => {
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    });
    return best < 0 ? null : this.members[best]!;
  }

  /** The `count` members with the highest scores, best first. */
  preferenceList(key: string, count: number): string[] {
    const scores = ringPositions(key, this.seeds);
    return scores
      .map((score, i) => [score, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, count)
      .map(([, i]) => this.members[i]!);
  }
}

// 2862933555777941757, the generator's multiplier, as two 32-bit halves.
const MULTIPLIER_HIGH = 0x27bb2ee6;
const MULTIPLIER_LOW = 0x87b0b0fd;
const TWO_32 = 2 ** 32;

/** The low 64 bits of (high, low) * multiplier + 1, as two 32-bit halves, in doubles (no BigInt). */
function nextState(high: number, low: number): [number, number] {
  // low * MULTIPLIER_LOW exactly, from 16-bit halves (each partial product fits a double's 53 bits).
  const a1 = low >>> 16;
  const a0 = low & 0xffff;
  const b1 = MULTIPLIER_LOW >>> 16;
  const b0 = MULTIPLIER_LOW & 0xffff;
  const middle = a0 * b1 + a1 * b0;
  const lowWide = a0 * b0 + (middle % 65536) * 65536 + 1;
  const carry = Math.floor(lowWide / TWO_32);
  const lowHigh = a1 * b1 + Math.floor(middle / 65536) + carry;
  const nextLow = lowWide % TWO_32;
  const nextHigh = (lowHigh + Math.imul(high, MULTIPLIER_LOW) + Math.imul(low, MULTIPLIER_HIGH)) >>> 0;
  return [nextHigh, nextLow];
}

/**
 * The bucket in [0, buckets) of the 64-bit key (high, low) by jump consistent hash. When `buckets`
 * grows by one, a key moves only to the new bucket, and only with probability 1 / buckets.
 */
export function jumpBucket(high: number, low: number, buckets: number): number {
  let bucket = -1;
  let next = 0;
  let state: [number, number] = [high >>> 0, low >>> 0];
  while (next < buckets) {
    bucket = next;
    state = nextState(state[0], state[1]);
    // (state >>> 33) + 1, a 31-bit number: the generator's top bits drive the jump.
    next = Math.floor((bucket + 1) * (2 ** 31 / ((state[0] >>> 1) + 1)));
  }
  return bucket;
}

/** Jump consistent hash of a string key: its 64-bit hash is two seeded 32-bit hashes. */
export function jumpOwner(key: string, members: readonly string[]): string | null {
  if (members.length === 0) return null;
  const [high, low] = ringPositions(key, [1, 0]);
  return members[jumpBucket(high!, low!, members.length)]!;
}
