// What the quorum store's tests import: the core, and the ring's walk to compare a key's config with.
import { preferenceList, ringOfLayout, type RingLayout } from '../../src/ring/index.js';

export * from '../../src/quorum-kv/index.js';

export function preferenceListOf(layout: RingLayout, key: string): string[] {
  const ring = ringOfLayout(layout);
  return preferenceList(ring, key, ring.members.length);
}
