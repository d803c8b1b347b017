/**
 * A key's replication config in a real deployment: its preference walk comes from the hash ring.
 *
 * @module
 */
import { preferenceList, ringOfLayout, type RingLayout } from '../ring/index.js';
import type { KVConfig, Mode, Resolution } from './types.js';

export interface Quorums {
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly mode: Mode;
  readonly resolution: Resolution;
}

/** The config of `key` on the ring of `layout`: its walk over every member, and the quorums. Throws a `RangeError` for impossible quorums. */
export function configForKey(layout: RingLayout, key: string, quorums: Quorums): KVConfig {
  const ring = ringOfLayout(layout);
  const walk = preferenceList(ring, key, ring.members.length);
  const { n, r, w } = quorums;
  if (!(Number.isInteger(n) && n >= 1 && n <= walk.length)) throw new RangeError(`N = ${n}: expected 1 .. ${walk.length} (the ring's members)`);
  if (!(Number.isInteger(r) && r >= 1 && r <= n) || !(Number.isInteger(w) && w >= 1 && w <= n)) throw new RangeError(`R = ${r}, W = ${w}: each must be in 1 .. N = ${n}`);
  return { walk, ...quorums };
}
