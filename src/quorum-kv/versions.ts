/**
 * Versions and their reconciliation, exactly as `specs/QuorumKV.tla` states them (`Descends`,
 * `NewerLWW`, `Reconcile`, `Covering`).
 *
 * @module
 */
import type { Hint, KVConfig, NodeId, Version } from './types.js';

/** Equal for equal versions (the vector's counters in walk order). */
export function versionKey(v: Version, walk: readonly NodeId[]): string {
  return JSON.stringify([v.value, v.ts, v.by, walk.map((n) => v.vv[n] ?? 0)]);
}

export const byValue = (a: Version, b: Version): number => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
export const byHint = (a: Hint, b: Hint): number => byValue(a.version, b.version) || (a.for < b.for ? -1 : a.for > b.for ? 1 : 0);

/** The versions of `xs`, each once, sorted by value. */
export function versionSet(xs: readonly Version[], walk: readonly NodeId[]): Version[] {
  const unique = new Map<string, Version>();
  for (const x of xs) unique.set(versionKey(x, walk), x);
  return [...unique.values()].sort(byValue);
}

export function sameVersions(a: readonly Version[], b: readonly Version[], walk: readonly NodeId[]): boolean {
  const keys = (xs: readonly Version[]) => versionSet(xs, walk).map((x) => versionKey(x, walk)).join('|');
  return keys(a) === keys(b);
}

/** `a` descends from `b`: its vector is at least `b`'s at every node. */
export function descends(a: Version, b: Version, walk: readonly NodeId[]): boolean {
  return walk.every((n) => (a.vv[n] ?? 0) >= (b.vv[n] ?? 0));
}

/** LWW's order: the later clock, then the writer later in the walk. */
export function newerLWW(a: Version, b: Version, walk: readonly NodeId[]): boolean {
  return a.ts > b.ts || (a.ts === b.ts && walk.indexOf(a.by) > walk.indexOf(b.by));
}

/** What a replica keeps of `xs`: the newest by LWW, or every version no other one descends from (VV). */
export function reconcile(config: KVConfig, xs: readonly Version[]): Version[] {
  return config.resolution === 'LWW' ? newestLWW(config.walk, xs) : maximalVV(config.walk, xs);
}

export function newestLWW(walk: readonly NodeId[], xs: readonly Version[]): Version[] {
  const set = versionSet(xs, walk);
  const newest = set.find((x) => set.every((y) => y === x || newerLWW(x, y, walk)));
  // Two versions of one writer at one clock cannot arise (a writer's clock is durable); the spec's CHOOSE would fail.
  if (set.length > 0 && newest === undefined) throw new Error(`no newest version among ${set.map((x) => x.value).join(', ')}`);
  return newest === undefined ? [] : [newest];
}

export function maximalVV(walk: readonly NodeId[], xs: readonly Version[]): Version[] {
  const set = versionSet(xs, walk);
  return set.filter((x) => !set.some((y) => y !== x && descends(y, x, walk)));
}

/** The vector covering every version of `xs`: the largest counter per node (0 for none). */
export function covering(walk: readonly NodeId[], xs: readonly Version[]): Record<NodeId, number> {
  return Object.fromEntries(walk.map((n) => [n, xs.reduce((m, x) => Math.max(m, x.vv[n] ?? 0), 0)]));
}
