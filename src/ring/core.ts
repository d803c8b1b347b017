/**
 * The ring as the protocol pipeline steps it (`src/definitions/hash-ring/`): the membership step and
 * the two lookups its spec's variables are read from, as one object so a defective core can replace any
 * of them.
 *
 * @module
 */
import { type MovedRange, type Ring, type RingInput, type RingStep, ownerAt, stepRing, walkAt } from './ring.js';
import { RING_POSITIONS } from './hash.js';

/** What the pipeline steps and reads. */
export interface RingCore {
  step(ring: Ring, input: RingInput): RingStep;
  ownerAt(ring: Ring, position: number): string | null;
  walkAt(ring: Ring, position: number, count?: number): string[];
}

/** The ring of `src/ring/ring.ts`. */
export const RING_CORE: RingCore = { step: stepRing, ownerAt, walkAt };

/** A deliberately broken ring, for negative controls. */
export interface RingDefect {
  /** The rule the defect breaks, in one sentence. */
  readonly breaks: string;
  readonly core: RingCore;
}

// A key hashing exactly onto a vnode goes to the next vnode instead (the classic `>` for `>=`).
function ownerStrictlyAfter(ring: Ring, position: number): string | null {
  if (ring.positions.length === 0) return null;
  const index = ring.positions.findIndex((p) => p > position);
  return ring.members[ring.vnodeMembers[index < 0 ? 0 : index]!]!;
}

// The walk takes each vnode's member, the same member again at its next vnode.
function walkKeepingOwnVnodes(ring: Ring, position: number, count = ring.members.length): string[] {
  const out: string[] = [];
  const vnodes = ring.positions.length;
  let start = ring.positions.findIndex((p) => p >= position);
  if (start < 0) start = 0;
  for (let k = 0; k < vnodes && out.length < Math.min(count, ring.members.length); k++) out.push(ring.members[ring.vnodeMembers[(start + k) % vnodes]!]!);
  return out;
}

// A leaving member hands each of its ranges to the member of the next vnode clockwise, even when that
// vnode is the leaver's own.
function leaveHandingOffToNextVnode(ring: Ring, input: RingInput): RingStep {
  const result = stepRing(ring, input);
  if (result.refused !== undefined || input.type !== 'Leave') return result;
  const vnodes = ring.positions.length;
  const moved: MovedRange[] = [];
  for (let i = 0; i < vnodes; i++) {
    if (ring.members[ring.vnodeMembers[i]!] !== input.node) continue;
    const to = vnodes === 1 ? null : ring.members[ring.vnodeMembers[(i + 1) % vnodes]!]!;
    const last = ring.positions[i]!;
    if (i > 0) moved.push({ first: ring.positions[i - 1]! + 1, last, from: input.node, to });
    else {
      moved.push({ first: 0, last, from: input.node, to });
      if (ring.positions[vnodes - 1]! < RING_POSITIONS - 1) moved.push({ first: ring.positions[vnodes - 1]! + 1, last: RING_POSITIONS - 1, from: input.node, to });
    }
  }
  return { ring: result.ring, moved };
}

/** The defective rings, by name (`npm run conformance -- --protocol hash-ring --defect NAME`). */
export const RING_DEFECTS: Readonly<Record<string, RingDefect>> = {
  'owner-strictly-after': {
    breaks: 'a key hashing onto a vnode belongs to that vnode (the first vnode at or after it, not after it)',
    core: { ...RING_CORE, ownerAt: ownerStrictlyAfter },
  },
  'walk-keeps-own-vnodes': {
    breaks: "a preference list skips a member's other vnodes, so its replicas are distinct members",
    core: { ...RING_CORE, walkAt: walkKeepingOwnVnodes },
  },
  'handoff-to-next-vnode': {
    breaks: "a leaving member's keys go to the next member clockwise, past the leaver's own vnodes",
    core: { ...RING_CORE, step: leaveHandingOffToNextVnode },
  },
};
