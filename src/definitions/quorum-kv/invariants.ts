/**
 * TypeScript mirrors of `specs/QuorumKV.tla`'s invariants, with the spec's operator names, over the
 * spec state read off a cluster ({@link "definitions/quorum-kv/state"}). Each returns `null` when it
 * holds, else a sentence naming the values and nodes involved.
 *
 * @module
 */
import type { Version } from '../../quorum-kv/index.js';
import type { KVSpecState } from './state.js';

const home = (s: KVSpecState) => s.config.walk.slice(0, s.config.n);

/** Value `v`, or a write that had seen it, is among `versions` (the spec's `Covers`). */
function covers(s: KVSpecState, versions: readonly Version[], v: string): boolean {
  return versions.some((x) => x.value === v || (s.seen[x.value] ?? []).includes(v));
}

/** Every acknowledged write is kept, or a write that had seen it, in some store or hint. */
export function NoLostAckedWrite(s: KVSpecState): string | null {
  for (const v of s.values) {
    if (s.writes[v]?.status !== 'acked') continue;
    const kept = s.config.walk.some((n) => covers(s, s.store[n] ?? [], v) || covers(s, (s.hints[n] ?? []).map((h) => h.version), v));
    if (!kept) return `${v} was acknowledged but no store or hint keeps it or a write that had seen it`;
  }
  return null;
}

/** A finished read returns every write acknowledged before it began, or a write that had seen it. */
export function NoStaleRead(s: KVSpecState): string | null {
  for (const i of s.readIds) {
    const r = s.reads[i]!;
    if (r.status !== 'done') continue;
    const missed = r.ackedBefore.find((v) => !covers(s, r.result, v));
    if (missed !== undefined) return `read ${i} returned [${r.result.map((x) => x.value).join(', ')}], missing ${missed}, acknowledged before it began`;
  }
  return null;
}

/** Every home replica holds the same versions. */
export function HomeReplicasAgree(s: KVSpecState): string | null {
  const [first, ...rest] = home(s);
  if (first === undefined) return null;
  const show = (n: string) => (s.store[n] ?? []).map((x) => x.value).join(', ');
  const other = rest.find((n) => show(n) !== show(first));
  return other === undefined ? null : `${first} holds [${show(first)}] but ${other} holds [${show(other)}]`;
}

/** The records' statuses and the counters are in their ranges (clocks are bounded by the model, not here). */
export function TypeOK(s: KVSpecState): string | null {
  const writeStatus = ['unwritten', 'pending', 'acked', 'unavailable', 'unknown'];
  const readStatus = ['idle', 'pending', 'done', 'unavailable', 'unknown'];
  for (const n of s.config.walk) {
    if (s.side[n] !== 0 && s.side[n] !== 1) return `${n} is on side ${s.side[n]}`;
    if (!Number.isInteger(s.clock[n]) || (s.clock[n] ?? -1) < 0) return `${n}'s clock is ${s.clock[n]}`;
  }
  const w = s.values.find((v) => !writeStatus.includes(s.writes[v]?.status ?? ''));
  if (w !== undefined) return `write ${w} has status ${s.writes[w]?.status}`;
  const r = s.readIds.find((i) => !readStatus.includes(s.reads[i]?.status ?? ''));
  if (r !== undefined) return `read ${r} has status ${s.reads[r]?.status}`;
  return null;
}
