/**
 * The network as the spec models it: a bag (multiset) of messages in flight. Loss and duplication are one
 * operation each, and delivering consumes one copy. Immutable, like node states, so a driver can keep the
 * bag of every step it has taken.
 *
 * @module
 */
import { compareText } from './canonical.js';
import { unreachable } from '../exhaustive.js';
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

/**
 * Equal messages (field by field) get equal keys, and different messages different keys. Each type has
 * its own tag and lists its fields in a fixed order, so the key does not depend on the order an object's
 * fields were written in. Numbers end with `,`, strings carry their length in front (`2:s1`), and the
 * entries come last after their count, so the text reads back one way only and no two messages share
 * it. (Plain concatenation is a few times cheaper than JSON, and this runs for every message sent.)
 */
export function messageKey(m: Message): string {
  switch (m.type) {
    case 'RequestVoteRequest':
      return `Q${m.term},${text(m.from)}${text(m.to)}${m.lastLogTerm},${m.lastLogIndex},`;
    case 'RequestVoteResponse':
      return `q${m.term},${text(m.from)}${text(m.to)}${m.voteGranted ? 'T' : 'F'}`;
    case 'AppendEntriesRequest': {
      let key = `A${m.term},${text(m.from)}${text(m.to)}${m.prevLogIndex},${m.prevLogTerm},${m.commitIndex},${m.entries.length},`;
      for (const e of m.entries) key += `${e.term},${text(e.value)}`;
      return key;
    }
    case 'AppendEntriesResponse':
      return `a${m.term},${text(m.from)}${text(m.to)}${m.success ? 'T' : 'F'}${m.matchIndex},`;
    default:
      return unreachable(m, 'message');
  }
}

function text(s: string): string {
  return `${s.length}:${s}`;
}

/** Copies of `message` in flight (0 when none). */
export function bagCount(bag: MessageBag, message: Message): number {
  return bag.get(messageKey(message))?.count ?? 0;
}

function addKeyed(next: Map<string, BagEntry>, key: string, message: Message, copies: number): void {
  const known = next.get(key);
  next.set(key, known === undefined ? { message, count: copies } : { message: known.message, count: known.count + copies });
}

/** The spec's `Send`: one more copy of `message` in flight. */
export function bagAdd(bag: MessageBag, message: Message, copies = 1): MessageBag {
  const next = new Map(bag);
  addKeyed(next, messageKey(message), message, copies);
  return next;
}

/** Put every message of a step's outputs in flight, in order (one copy of the bag, however many messages). */
export function bagAddAll(bag: MessageBag, messages: readonly Message[]): MessageBag {
  if (messages.length === 0) return bag;
  const next = new Map(bag);
  for (const m of messages) addKeyed(next, messageKey(m), m, 1);
  return next;
}

/**
 * The spec's `Discard`: one copy fewer; the entry disappears at zero. Throws when there is no copy, because
 * the callers (`clusterStep`) check first and anything else is a driver bug.
 */
export function bagRemove(bag: MessageBag, message: Message): MessageBag {
  return bagRemoveKeyed(bag, messageKey(message));
}

/** `bagRemove` for a caller that already has the message's key. */
export function bagRemoveKeyed(bag: MessageBag, key: string): MessageBag {
  const entry = bag.get(key);
  if (entry === undefined) throw new RangeError(`no copy of ${key} is in flight`);
  const next = new Map(bag);
  if (entry.count > 1) next.set(key, { message: entry.message, count: entry.count - 1 });
  else next.delete(key);
  return next;
}

/** The distinct messages in flight with their counts, in a deterministic order (by `messageKey`). */
export function bagEntries(bag: MessageBag): BagEntry[] {
  const keys = [...bag.keys()].sort(compareText);
  return keys.map((k) => bag.get(k) as BagEntry);
}

/** Total number of copies in flight. */
export function bagSize(bag: MessageBag): number {
  let n = 0;
  for (const e of bag.values()) n += e.count;
  return n;
}
