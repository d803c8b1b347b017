/**
 * A ring as a deployment describes it: members with weights, vnodes per unit of weight, and the hash.
 * A layout is plain JSON; every process that builds the ring of the same layout gets the same token
 * table, so they agree on every key's owner and preference list without exchanging the table.
 *
 * @module
 */
import { RING_HASH, ringPosition, vnodeName } from './hash.js';
import { type Ring, type RingStep, ringOf, stepRing, walkAt, ownerAt } from './ring.js';

/** A member of a layout: its name and weight (1 unless it should own more or less than its share). */
export interface LayoutMember {
  readonly node: string;
  readonly weight: number;
}

/** The serialisable description of a ring. */
export interface RingLayout {
  readonly format: 'hash-ring/1';
  readonly hash: typeof RING_HASH;
  /** Vnodes of a member of weight 1. */
  readonly vnodes: number;
  readonly members: readonly LayoutMember[];
}

/** How many vnodes a member of `weight` holds: at least one. */
export function vnodeCount(vnodes: number, weight: number): number {
  return Math.max(1, Math.round(vnodes * weight));
}

/** The positions of a member's vnodes: the hashes of `node#0`, `node#1`, ... */
export function vnodeTokens(node: string, count: number): number[] {
  return Array.from({ length: count }, (_, i) => ringPosition(vnodeName(node, i)));
}

/** A layout of `vnodes` vnodes per member, every member of weight 1. */
export function layoutOf(members: readonly string[], vnodes: number): RingLayout {
  return { format: 'hash-ring/1', hash: RING_HASH, vnodes, members: members.map((node) => ({ node, weight: 1 })) };
}

/** The ring of a layout. Throws a `RangeError` naming what is wrong with it. */
export function ringOfLayout(layout: RingLayout): Ring {
  checkLayout(layout);
  return ringOf(layout.members.map((m) => [m.node, vnodeTokens(m.node, vnodeCount(layout.vnodes, m.weight))] as const));
}

/** A layout read from JSON (checked); throws a `RangeError` naming the first problem. */
export function parseLayout(value: unknown): RingLayout {
  const shown = (x: unknown) => (x === undefined ? 'nothing' : JSON.stringify(x));
  const layout = value as Partial<RingLayout> | null;
  if (typeof layout !== 'object' || layout === null) throw new RangeError('a ring layout is a JSON object');
  if (layout.format !== 'hash-ring/1') throw new RangeError(`format: expected "hash-ring/1", got ${shown(layout.format)}`);
  if (layout.hash !== RING_HASH) throw new RangeError(`hash: this ring places keys with ${RING_HASH}, not ${shown(layout.hash)}`);
  if (!Array.isArray(layout.members)) throw new RangeError('members: expected an array of {node, weight}');
  const members = layout.members.map((m: unknown, i) => {
    const member = m as Partial<LayoutMember> | null;
    if (typeof member?.node !== 'string' || typeof member.weight !== 'number') throw new RangeError(`members[${i}]: expected {node: string, weight: number}`);
    return { node: member.node, weight: member.weight };
  });
  const parsed: RingLayout = { format: 'hash-ring/1', hash: RING_HASH, vnodes: layout.vnodes as number, members };
  checkLayout(parsed);
  return parsed;
}

function checkLayout(layout: RingLayout): void {
  if (!Number.isInteger(layout.vnodes) || layout.vnodes < 1) throw new RangeError(`vnodes: expected a positive integer, got ${JSON.stringify(layout.vnodes)}`);
  const seen = new Set<string>();
  for (const m of layout.members) {
    if (m.node.length === 0) throw new RangeError('a member has an empty name');
    if (seen.has(m.node)) throw new RangeError(`member ${m.node} is listed twice`);
    if (!(m.weight > 0) || !Number.isFinite(m.weight)) throw new RangeError(`member ${m.node} has weight ${m.weight}; a weight is a positive number`);
    seen.add(m.node);
  }
}

/** `node` joins the ring of `layout` with its weight's vnodes. */
export function joinLayout(ring: Ring, layout: RingLayout, node: string, weight = 1): RingStep {
  return stepRing(ring, { type: 'Join', node, tokens: vnodeTokens(node, vnodeCount(layout.vnodes, weight)) });
}

/** The member owning `key`; null for an empty ring. */
export function ownerOf(ring: Ring, key: string): string | null {
  return ownerAt(ring, ringPosition(key));
}

/** The first `count` distinct members clockwise from `key`: where its `count` replicas live. */
export function preferenceList(ring: Ring, key: string, count: number): string[] {
  return walkAt(ring, ringPosition(key), count);
}
