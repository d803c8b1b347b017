// The message bag keys messages by messageKey: equal messages must share a key and different messages
// must not, whatever characters ids and values hold, or the bag would merge or split copies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bagAdd, bagCount, bagEntries, bagRemove, bagSize, EMPTY_BAG, messageKey } from '../../src/raft/bag.js';
import type { Message } from '../../src/raft/messages.js';
import { FC_SEED } from '../support/arbitraries.js';

// Short strings from an alphabet rich in the key's own punctuation, so that collisions would show.
const name = fc.string({ unit: fc.constantFrom('s', '1', '2', ',', ':', 'T', 'F', ' '), maxLength: 4 });
const small = fc.nat({ max: 3 });

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('RequestVoteRequest' as const), term: small, from: name, to: name, lastLogTerm: small, lastLogIndex: small }),
  fc.record({ type: fc.constant('RequestVoteResponse' as const), term: small, from: name, to: name, voteGranted: fc.boolean() }),
  fc.record({
    type: fc.constant('AppendEntriesRequest' as const),
    term: small,
    from: name,
    to: name,
    prevLogIndex: small,
    prevLogTerm: small,
    entries: fc.array(fc.record({ term: small, value: name }), { maxLength: 2 }),
    commitIndex: small,
  }),
  fc.record({ type: fc.constant('AppendEntriesResponse' as const), term: small, from: name, to: name, success: fc.boolean(), matchIndex: small }),
);

describe('messageKey', () => {
  it('gives two messages the same key exactly when they are equal', () => {
    fc.assert(
      fc.property(message, message, (a, b) => {
        expect(messageKey(a) === messageKey(b)).toBe(JSON.stringify(sorted(a)) === JSON.stringify(sorted(b)));
      }),
      { seed: FC_SEED, numRuns: 20_000 },
    );
  });

  it('does not depend on the order the fields were written in', () => {
    fc.assert(
      fc.property(message, (m) => {
        const reversed = Object.fromEntries(Object.entries(m).reverse()) as Message;
        expect(messageKey(reversed)).toBe(messageKey(m));
      }),
      { seed: FC_SEED },
    );
  });

  it('tells apart messages whose ids split the same text differently', () => {
    // Without a length prefix, from "s1" + to "1s2" and from "s11" + to "s2" would read the same.
    fc.assert(
      fc.property(message, name, (m, extra) => {
        fc.pre(m.to.length > 0 || extra.length > 0);
        const shifted: Message = { ...m, from: m.from + m.to.slice(0, 1) + extra, to: m.to.slice(1) };
        expect(messageKey(shifted)).not.toBe(messageKey(m));
      }),
      { seed: FC_SEED },
    );
    const entry = (value: string): Message => ({ type: 'AppendEntriesRequest', term: 1, from: 's1', to: 's2', prevLogIndex: 0, prevLogTerm: 0, entries: [{ term: 1, value }], commitIndex: 0 });
    expect(messageKey(entry('v1'))).not.toBe(messageKey(entry('v2')));
  });
});

describe('the bag', () => {
  it('counts copies, and a removed last copy leaves no entry', () => {
    const m: Message = { type: 'RequestVoteRequest', term: 1, from: 's1', to: 's2', lastLogTerm: 0, lastLogIndex: 0 };
    const two = bagAdd(bagAdd(EMPTY_BAG, m), { ...m });
    expect(bagCount(two, m)).toBe(2);
    expect(bagSize(two)).toBe(2);
    expect(bagEntries(bagRemove(bagRemove(two, m), m))).toEqual([]);
    expect(() => bagRemove(EMPTY_BAG, m)).toThrow(RangeError);
  });
});

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
  }
  return value;
}
