/**
 * The hash ring's spec state (`specs/HashRing.tla`), as the definition reads it from a trace and as it
 * reads it off a ring of `src/ring`: the abstraction function of the ring.
 *
 * @module
 */
import { type MovedRange, type Ring, type RingCore } from '../../ring/index.js';

/** One key (a position) whose owner a step changed. */
export interface MovedKey {
  readonly position: number;
  /** null: the spec's `None`, the owner of every key of an empty ring. */
  readonly from: string | null;
  readonly to: string | null;
}

/** `specs/HashRing.tla`'s variables but the action label. */
export interface RingSpecState {
  /** Each member's vnode positions, ascending; members sorted by name. */
  readonly tokens: ReadonlyArray<readonly [string, readonly number[]]>;
  /** The owner of each position 0 .. RingSize - 1 (null: None). */
  readonly owner: readonly (string | null)[];
  /** The preference walk from each position. */
  readonly preference: readonly (readonly string[])[];
  /** The keys the last step moved, by position. */
  readonly moved: readonly MovedKey[];
}

/** A spec step: a membership change of the ring, or the label of the initial state. */
export type RingLabel =
  | { readonly type: 'Init' }
  | { readonly type: 'Join'; readonly node: string; readonly tokens: readonly number[] }
  | { readonly type: 'Leave'; readonly node: string };

/** The moved ranges of a step, as the spec's keys: the positions below `ringSize` they cover. */
export function movedKeys(ranges: readonly MovedRange[], ringSize: number): MovedKey[] {
  const out: MovedKey[] = [];
  for (const r of ranges) {
    for (let p = r.first; p <= Math.min(r.last, ringSize - 1); p++) out.push({ position: p, from: r.from, to: r.to });
  }
  return out.sort((a, b) => a.position - b.position);
}

/** The abstraction function: what the spec's variables are for `ring` on a ring of `ringSize` positions. */
export function observeRing(ring: Ring, moved: readonly MovedRange[], ringSize: number, core: RingCore): RingSpecState {
  const positions = Array.from({ length: ringSize }, (_, p) => p);
  return {
    tokens: ring.members.map((m) => [m, ring.tokens.get(m)!] as const),
    owner: positions.map((p) => core.ownerAt(ring, p)),
    preference: positions.map((p) => core.walkAt(ring, p)),
    moved: movedKeys(moved, ringSize),
  };
}

/** Equal for states equal in every variable. */
export function ringStateKey(state: RingSpecState): string {
  return JSON.stringify([state.tokens, state.owner, state.preference, state.moved]);
}
