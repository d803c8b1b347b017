/**
 * Consistent hashing with virtual nodes (`specs/HashRing.tla`): the ring, its layouts, the rendezvous
 * and jump-hash baselines, and the core the protocol pipeline replays TLC's traces against.
 *
 * @module
 */
export { RING_HASH, RING_POSITIONS, ringPosition } from './hash.js';
export { EMPTY_RING, type MovedRange, type Ring, type RingInput, type RingStep, movedAt, movedRanges, ownerAt, ringOf, stepRing, walkAt } from './ring.js';
export { type LayoutMember, type RingLayout, joinLayout, layoutOf, ownerOf, parseLayout, preferenceList, ringOfLayout, vnodeCount, vnodeTokens } from './layout.js';
export { Rendezvous, jumpBucket, jumpOwner } from './baselines.js';
export { RING_CORE, RING_DEFECTS, type RingCore, type RingDefect } from './core.js';
export { type Balance, balanceOf, keyCounts, keyMovement, keyPositions, movedShare, ownershipShares } from './balance.js';
