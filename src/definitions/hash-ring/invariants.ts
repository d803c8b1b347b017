/**
 * TypeScript mirrors of `specs/HashRing.tla`'s invariants and action properties, with the spec's
 * operator names, over the spec state read off a ring ({@link "definitions/hash-ring/state"}). Each
 * returns `null` when it holds, else a sentence naming the position and members involved.
 *
 * @module
 */
import type { RingLabel, RingSpecState } from './state.js';

const show = (member: string | null): string => member ?? 'None';

/** A non-empty ring places every key on a member. */
export function EveryKeyHasOwner(state: RingSpecState): string | null {
  if (state.tokens.length === 0) return null;
  const members = new Set(state.tokens.map(([m]) => m));
  const p = state.owner.findIndex((o) => o === null || !members.has(o));
  return p < 0 ? null : `position ${p} is owned by ${show(state.owner[p]!)}, not a member`;
}

/** A key's owner comes first in its preference list. */
export function OwnerLeadsPreference(state: RingSpecState): string | null {
  if (state.tokens.length === 0) return null;
  const p = state.owner.findIndex((o, i) => state.preference[i]?.[0] !== o);
  return p < 0 ? null : `position ${p} is owned by ${show(state.owner[p]!)} but its preference list starts with ${state.preference[p]?.[0] ?? 'nothing'}`;
}

/** The first `replicas` of every preference list (all of it by default) are distinct members. */
export function PreferenceListsDistinct(state: RingSpecState, replicas = state.tokens.length): string | null {
  const members = new Set(state.tokens.map(([m]) => m));
  const wanted = Math.min(replicas, members.size);
  for (const [p, list] of state.preference.entries()) {
    const head = list.slice(0, wanted);
    if (head.length < wanted) return `position ${p} has ${head.length} replicas, not ${wanted}`;
    const stranger = head.find((m) => !members.has(m));
    if (stranger !== undefined) return `position ${p}'s preference list names ${stranger}, not a member`;
    const twice = head.find((m, i) => head.indexOf(m) !== i);
    if (twice !== undefined) return `position ${p}'s replicas [${head.join(', ')}] name ${twice} twice`;
  }
  return null;
}

/** A preference list is every member, each once. */
export function PreferenceCoversMembers(state: RingSpecState): string | null {
  const members = state.tokens.map(([m]) => m);
  for (const [p, list] of state.preference.entries()) {
    if (list.length !== members.length || [...list].sort().join() !== members.join()) return `position ${p}'s preference list [${list.join(', ')}] is not every member once`;
  }
  return null;
}

/** A join moves keys only to the joining node. */
export function JoinMovesOnlyToJoiner(after: RingSpecState, label: RingLabel): string | null {
  if (label.type !== 'Join') return null;
  const wrong = after.moved.find((m) => m.to !== label.node);
  return wrong === undefined ? null : `${label.node} joined, but position ${wrong.position} moved from ${show(wrong.from)} to ${show(wrong.to)}`;
}

/** A leave moves only the leaving node's keys. */
export function LeaveMovesOnlyLeaversKeys(after: RingSpecState, label: RingLabel): string | null {
  if (label.type !== 'Leave') return null;
  const wrong = after.moved.find((m) => m.from !== label.node);
  return wrong === undefined ? null : `${label.node} left, but position ${wrong.position} moved from ${show(wrong.from)} to ${show(wrong.to)}`;
}

/** A join or leave changes no key's order of the other members. */
export function MembershipChangeKeepsOthersOrder(before: RingSpecState, after: RingSpecState, label: RingLabel): string | null {
  if (label.type === 'Init') return null;
  const without = (list: readonly string[]) => list.filter((m) => m !== label.node).join(', ');
  const p = after.preference.findIndex((list, i) => without(list) !== without(before.preference[i] ?? []));
  return p < 0 ? null : `after ${label.type}(${label.node}) the others' order at position ${p} changed from [${without(before.preference[p] ?? [])}] to [${without(after.preference[p]!)}]`;
}
