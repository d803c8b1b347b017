/**
 * A consistent-hashing ring with virtual nodes, as a pure value (`specs/HashRing.tla` is its spec).
 *
 * Every member holds vnodes at positions on a ring of 2^32 positions; a key belongs to the vnode at or
 * after the key's position, clockwise, wrapping past the top. A key's preference list is the walk
 * clockwise from it that takes each physical member once (Dynamo's walk: a member's other vnodes are
 * skipped), so its first N entries are N distinct members. A join or a leave returns the new ring and
 * exactly which ranges of positions changed owner, from whom to whom.
 *
 * The ring is a function of its token table (member → vnode positions) and nothing else: two
 * processes with the same table (for instance built from the same {@link RingLayout}) place every key
 * alike. When two vnodes share a position, the member whose name sorts first owns it.
 *
 * @module
 */
import { RING_POSITIONS } from './hash.js';

/** A ring: its members, and their vnodes sorted by position. */
export interface Ring {
  /** The members, sorted by name. */
  readonly members: readonly string[];
  /** Each member's vnode positions, ascending. */
  readonly tokens: ReadonlyMap<string, readonly number[]>;
  /** Every vnode's position, ascending (ties: by member name). */
  readonly positions: Uint32Array;
  /** The member (an index into `members`) of each vnode of `positions`. */
  readonly vnodeMembers: Uint32Array;
}

/** Positions whose keys changed owner: every position p with first <= p <= last. */
export interface MovedRange {
  readonly first: number;
  readonly last: number;
  /** The old owner; null when the ring was empty. */
  readonly from: string | null;
  /** The new owner; null when the ring is now empty. */
  readonly to: string | null;
}

/** A membership change the ring can take. */
export type RingInput =
  | { readonly type: 'Join'; readonly node: string; readonly tokens: readonly number[] }
  | { readonly type: 'Leave'; readonly node: string };

/** What a membership change did: the new ring and the ranges that moved; or why it was refused. */
export type RingStep = { readonly ring: Ring; readonly moved: readonly MovedRange[]; readonly refused?: undefined } | { readonly refused: string };

/** The ring with no members: every key's owner is null. */
export const EMPTY_RING: Ring = ringOf([]);

function checkPosition(position: number, what: string): void {
  if (!Number.isInteger(position) || position < 0 || position >= RING_POSITIONS) {
    throw new RangeError(`${what}: ${position} is not a ring position (an integer in [0, 2^32))`);
  }
}

/**
 * The ring of a token table. Throws a `RangeError` for a position outside [0, 2^32), a member with no
 * vnodes, or a member listed twice.
 */
export function ringOf(table: Iterable<readonly [string, readonly number[]]>): Ring {
  const tokens = new Map<string, readonly number[]>();
  for (const [member, positions] of table) {
    if (tokens.has(member)) throw new RangeError(`member ${member} is listed twice`);
    if (positions.length === 0) throw new RangeError(`member ${member} has no vnodes`);
    for (const p of positions) checkPosition(p, `a vnode of ${member}`);
    tokens.set(member, [...positions].sort((a, b) => a - b));
  }
  const members = [...tokens.keys()].sort();
  const vnodes: Array<readonly [number, number]> = [];
  members.forEach((member, index) => {
    for (const p of tokens.get(member)!) vnodes.push([p, index]);
  });
  vnodes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return {
    members,
    tokens: new Map(members.map((m) => [m, tokens.get(m)!])),
    positions: Uint32Array.from(vnodes, (v) => v[0]),
    vnodeMembers: Uint32Array.from(vnodes, (v) => v[1]),
  };
}

/** The index (into `positions`) of the first vnode at or after `position`, clockwise. */
function firstVnodeFrom(positions: Uint32Array, position: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid]! < position) lo = mid + 1;
    else hi = mid;
  }
  return lo === positions.length ? 0 : lo;
}

/** The member owning the keys at `position`; null for an empty ring. */
export function ownerAt(ring: Ring, position: number): string | null {
  if (ring.positions.length === 0) return null;
  return ring.members[ring.vnodeMembers[firstVnodeFrom(ring.positions, position)]!]!;
}

/**
 * The preference list of the keys at `position`: the first `count` distinct members clockwise from it
 * (all of them by default; fewer when the ring has fewer members).
 */
export function walkAt(ring: Ring, position: number, count = ring.members.length): string[] {
  const wanted = Math.min(count, ring.members.length);
  const out: string[] = [];
  if (wanted === 0) return out;
  const seen = new Uint8Array(ring.members.length);
  const vnodes = ring.positions.length;
  for (let i = firstVnodeFrom(ring.positions, position), passed = 0; passed < vnodes && out.length < wanted; i = (i + 1) % vnodes, passed++) {
    const member = ring.vnodeMembers[i]!;
    if (seen[member] === 1) continue;
    seen[member] = 1;
    out.push(ring.members[member]!);
  }
  return out;
}

/**
 * The ring as consecutive pieces of [0, 2^32): piece i covers (end[i-1], end[i]] and its keys belong
 * to owner[i]; the last piece, above the last vnode, wraps to the first vnode's member.
 */
function pieces(ring: Ring): { readonly ends: number[]; readonly owners: Array<string | null> } {
  const top = RING_POSITIONS - 1;
  if (ring.positions.length === 0) return { ends: [top], owners: [null] };
  const ends = [...ring.positions, top];
  const owners = [...ring.vnodeMembers, ring.vnodeMembers[0]!].map((m) => ring.members[m]!);
  return { ends, owners };
}

/**
 * Every range of positions whose owner differs between `before` and `after`, merged where adjacent
 * ranges move between the same two members. Linear in the vnodes of both rings.
 */
export function movedRanges(before: Ring, after: Ring): MovedRange[] {
  const a = pieces(before);
  const b = pieces(after);
  const out: MovedRange[] = [];
  let i = 0;
  let j = 0;
  let low = 0;
  while (i < a.ends.length && j < b.ends.length) {
    const end = Math.min(a.ends[i]!, b.ends[j]!);
    const from = a.owners[i]!;
    const to = b.owners[j]!;
    if (low <= end && from !== to) {
      const last = out[out.length - 1];
      if (last !== undefined && last.last === low - 1 && last.from === from && last.to === to) out[out.length - 1] = { ...last, last: end };
      else out.push({ first: low, last: end, from, to });
    }
    low = Math.max(low, end + 1);
    if (a.ends[i] === end) i++;
    if (b.ends[j] === end) j++;
  }
  return out;
}

/** A join or a leave: the new ring and the ranges that moved; or why the ring refused it. */
export function stepRing(ring: Ring, input: RingInput): RingStep {
  const next = nextTable(ring, input);
  if (typeof next === 'string') return { refused: next };
  const after = ringOf(next);
  return { ring: after, moved: movedRanges(ring, after) };
}

function nextTable(ring: Ring, input: RingInput): Array<readonly [string, readonly number[]]> | string {
  const table = [...ring.tokens];
  if (input.type === 'Leave') {
    if (!ring.tokens.has(input.node)) return `${input.node} is not a member`;
    return table.filter(([member]) => member !== input.node);
  }
  if (ring.tokens.has(input.node)) return `${input.node} is already a member`;
  if (input.tokens.length === 0) return `${input.node} joins with no vnodes`;
  const bad = input.tokens.find((p) => !Number.isInteger(p) || p < 0 || p >= RING_POSITIONS);
  if (bad !== undefined) return `${input.node} joins with a vnode at ${bad}, not a ring position (an integer in [0, 2^32))`;
  return [...table, [input.node, input.tokens]];
}

/** Whether `position` lies in one of `ranges`. */
export function movedAt(ranges: readonly MovedRange[], position: number): MovedRange | undefined {
  return ranges.find((r) => r.first <= position && position <= r.last);
}
