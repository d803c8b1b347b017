// Registered for every test file (vitest.config.ts setupFiles). A RaftLog keeps its entries in a private
// field, so vitest's structural equality would see only `length` and call any two logs of one length
// equal. This tester compares entries instead: two logs are equal when they hold the same entries, and a
// log equals a plain array of the same entries (so `toMatchObject({ log: [...] })` reads naturally).
import { expect } from 'vitest';
import { RaftLog } from '../../src/raft/log.js';

type Tester = Parameters<typeof expect.addEqualityTesters>[0][number];

const raftLogEquality: Tester = function (this, a: unknown, b: unknown, customTesters) {
  if (!(a instanceof RaftLog) && !(b instanceof RaftLog)) return undefined;
  if (a instanceof RaftLog && b instanceof RaftLog) return a.equals(b);
  const asArray = (x: unknown): unknown => (x instanceof RaftLog ? x.toArray() : x);
  return this.equals(asArray(a), asArray(b), customTesters);
};

expect.addEqualityTesters([raftLogEquality]);
