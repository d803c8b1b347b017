/**
 * How evenly a ring spreads keys, and how many move on a membership change: the figures of `npm run
 * ring` and `npm run bench -- ring`.
 *
 * @module
 */
import { RING_POSITIONS, ringPosition } from './hash.js';
import { type MovedRange, type Ring, ownerAt } from './ring.js';

/** Each member's share of the ring's positions: the fraction of uniformly hashed keys it owns. */
export function ownershipShares(ring: Ring): Map<string, number> {
  const shares = new Map<string, number>(ring.members.map((m) => [m, 0]));
  const n = ring.positions.length;
  for (let i = 0; i < n; i++) {
    // Vnode i owns (previous vnode, this vnode]; the first also owns the wrap above the last.
    const from = i === 0 ? ring.positions[n - 1]! - RING_POSITIONS : ring.positions[i - 1]!;
    const member = ring.members[ring.vnodeMembers[i]!]!;
    shares.set(member, shares.get(member)! + (ring.positions[i]! - from) / RING_POSITIONS);
  }
  return shares;
}

/** The share of the ring's positions the ranges cover. */
export function movedShare(ranges: readonly MovedRange[]): number {
  return ranges.reduce((sum, r) => sum + (r.last - r.first + 1), 0) / RING_POSITIONS;
}

/** The ring positions of `keys`, hashed once for every ring they are placed on. */
export function keyPositions(keys: readonly string[]): Uint32Array {
  return Uint32Array.from(keys, (key) => ringPosition(key));
}

/** How many of the keys at `positions` each member owns. */
export function keyCounts(ring: Ring, positions: ArrayLike<number>): Map<string, number> {
  const counts = new Map<string, number>(ring.members.map((m) => [m, 0]));
  for (let i = 0; i < positions.length; i++) {
    const owner = ownerAt(ring, positions[i]!);
    if (owner !== null) counts.set(owner, counts.get(owner)! + 1);
  }
  return counts;
}

/** Summary of a load per member: the largest over the mean (1 is perfect balance), and the spread. */
export interface Balance {
  readonly members: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** max / mean. */
  readonly imbalance: number;
  /** Standard deviation over the mean. */
  readonly relativeSpread: number;
}

export function balanceOf(loads: Iterable<number>): Balance {
  const values = [...loads];
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(values.length, 1);
  const max = Math.max(...values);
  return {
    members: values.length,
    mean,
    min: Math.min(...values),
    max,
    imbalance: mean === 0 ? 0 : max / mean,
    relativeSpread: mean === 0 ? 0 : Math.sqrt(variance) / mean,
  };
}

/** The keys at `positions` whose owner differs between two rings, and whether each moved as a join or leave of `node` allows. */
export function keyMovement(before: Ring, after: Ring, positions: ArrayLike<number>, node: string, kind: 'join' | 'leave'): { readonly moved: number; readonly misplaced: number } {
  let moved = 0;
  let misplaced = 0;
  for (let i = 0; i < positions.length; i++) {
    const [was, now] = [ownerAt(before, positions[i]!), ownerAt(after, positions[i]!)];
    if (was === now) continue;
    moved++;
    if ((kind === 'join' ? now : was) !== node) misplaced++;
  }
  return { moved, misplaced };
}
