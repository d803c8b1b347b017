/**
 * The network as the spec models it: a bag (multiset) of messages in flight. Loss and duplication are one
 * operation each, and delivering consumes one copy. Immutable, like node states, so a driver can keep the
 * bag of every step it has taken.
 *
 * @module
 */
import { canonicalJson, compareText } from './canonical.js';
import type { Message } from './messages.js';

/** One distinct message and how many copies of it are in flight (always >= 1 inside a bag). */
export interface BagEntry {
  readonly message: Message;
  readonly count: number;
}

/** Messages in flight, keyed by `messageKey`. Use the functions below rather than the map directly. */
export type MessageBag = ReadonlyMap<string, BagEntry>;

/** The bag with nothing in flight. */
export const EMPTY_BAG: MessageBag = new Map();

/** Equal messages (field by field) get equal keys, whatever order their fields were written in. */
export function messageKey(message: Message): string {
  return canonicalJson(message);
}

/** Copies of `message` in flight (0 when none). */
export function bagCount(bag: MessageBag, message: Message): number {
  return bag.get(messageKey(message))?.count ?? 0;
}

/** The spec's `Send`: one more copy of `message` in flight. */
export function bagAdd(bag: MessageBag, message: Message, copies = 1): MessageBag {
  const key = messageKey(message);
  const next = new Map(bag);
  next.set(key, { message: bag.get(key)?.message ?? message, count: (bag.get(key)?.count ?? 0) + copies });
  return next;
}

/** Put every message of a step's outputs in flight, in order. */
export function bagAddAll(bag: MessageBag, messages: readonly Message[]): MessageBag {
  return messages.reduce((b, m) => bagAdd(b, m), bag);
}

/**
 * The spec's `Discard`: one copy fewer; the entry disappears at zero. Throws when there is no copy, because
 * the callers (`clusterStep`) check first and anything else is a driver bug.
 */
export function bagRemove(bag: MessageBag, message: Message): MessageBag {
  const key = messageKey(message);
  const entry = bag.get(key);
  if (entry === undefined) throw new RangeError(`no copy of ${key} is in flight`);
  const next = new Map(bag);
  if (entry.count > 1) next.set(key, { message: entry.message, count: entry.count - 1 });
  else next.delete(key);
  return next;
}

/** The distinct messages in flight with their counts, in a deterministic order (by key). */
export function bagEntries(bag: MessageBag): BagEntry[] {
  return [...bag.entries()].sort(([a], [b]) => compareText(a, b)).map(([, e]) => e);
}

/** Total number of copies in flight. */
export function bagSize(bag: MessageBag): number {
  let n = 0;
  for (const e of bag.values()) n += e.count;
  return n;
}
