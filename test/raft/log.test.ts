import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyLogWrite, diffLog, RaftLog, type LogEntry, type LogWrite } from '../../src/raft/index.js';
import { FC_SEED } from '../support/arbitraries.js';

const e = (term: number, value: string): LogEntry => ({ term, value });
const terms = (log: RaftLog): number[] => Array.from(log, (x) => x.term);

/** The write `diffLog` should find, computed the obvious way on plain arrays. */
function naiveDiff(before: readonly LogEntry[], after: readonly LogEntry[]): LogWrite | null {
  let first = 0;
  while (first < before.length && first < after.length && before[first]!.term === after[first]!.term && before[first]!.value === after[first]!.value) {
    first++;
  }
  if (first === before.length && first === after.length) return null;
  return { fromIndex: first + 1, entries: after.slice(first) };
}

describe('RaftLog', () => {
  it('reads 1-based, like the spec', () => {
    const log = RaftLog.from([e(1, 'a'), e(2, 'b')]);
    expect([log.length, log.lastTerm, log.termAt(0), log.termAt(1), log.termAt(3)]).toEqual([2, 2, 0, 1, 0]);
    expect([log.entry(0), log.entry(2), log.entry(3)]).toEqual([undefined, e(2, 'b'), undefined]);
    expect(RaftLog.from([]).lastTerm).toBe(0);
    expect(log.entriesFrom(2)).toEqual([e(2, 'b')]);
    expect(log.entriesFrom(3)).toEqual([]);
    expect(JSON.stringify({ log })).toBe('{"log":[{"term":1,"value":"a"},{"term":2,"value":"b"}]}');
  });

  it('never lets one version see another version\'s appends', () => {
    const base = RaftLog.from([e(1, 'a')]);
    const newer = base.append(e(1, 'b'));
    const sibling = base.append(e(2, 'c'));
    const older = newer.truncate(1).append(e(3, 'd'));
    expect([terms(base), terms(newer), terms(sibling), terms(older)]).toEqual([[1], [1, 1], [1, 2], [1, 3]]);
    expect(newer.append(e(4, 'e')).toArray()).toEqual([e(1, 'a'), e(1, 'b'), e(4, 'e')]);
    expect(sibling.toArray()).toEqual([e(1, 'a'), e(2, 'c')]);
  });

  it('truncates in place and copies only when a truncated version grows again', () => {
    const full = RaftLog.from([e(1, 'a'), e(1, 'b'), e(1, 'c')]);
    const cut = full.truncate(1);
    expect(cut.toArray()).toEqual([e(1, 'a')]);
    expect(cut.append(e(2, 'x')).toArray()).toEqual([e(1, 'a'), e(2, 'x')]);
    expect(full.toArray()).toEqual([e(1, 'a'), e(1, 'b'), e(1, 'c')]);
    expect(full.truncate(3)).toBe(full);
    expect(() => full.truncate(4)).toThrow(RangeError);
    expect(() => full.truncate(-1)).toThrow(RangeError);
  });

  it('still works when deep-frozen', () => {
    const frozen = Object.freeze(RaftLog.from([e(1, 'a')]));
    for (const v of Object.values(frozen)) Object.freeze(v);
    expect(frozen.append(e(1, 'b')).append(e(1, 'c')).toArray()).toEqual([e(1, 'a'), e(1, 'b'), e(1, 'c')]);
    expect(frozen.toArray()).toEqual([e(1, 'a')]);
  });

  it('compares equal exactly when the entries are equal', () => {
    const a = RaftLog.from([e(1, 'a'), e(1, 'b')]);
    expect(a).toEqual(RaftLog.from([e(1, 'a')]).append(e(1, 'b')));
    expect(a).toEqual([e(1, 'a'), e(1, 'b')]);
    expect(a).not.toEqual(RaftLog.from([e(1, 'a'), e(2, 'b')]));
    expect(a).not.toEqual(RaftLog.from([e(1, 'a'), e(1, 'c')]));
    expect(a).not.toEqual(a.truncate(1));
    expect({ log: a }).not.toEqual({ log: RaftLog.from([e(9, 'z'), e(9, 'z')]) });
    expect(a.equals(a.truncate(1))).toBe(false);
  });

  it('diffs versions of one log without scanning, and agrees with a naive diff on any pair', () => {
    const entry = fc.record({ term: fc.integer({ min: 1, max: 3 }), value: fc.constantFrom('a', 'b') });
    // A log built by a random history of appends and truncations, sharing storage with its ancestors.
    const history = fc.array(fc.oneof(entry, fc.nat({ max: 6 })), { maxLength: 20 });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), history, history, fc.boolean(), (start, left, right, related) => {
        const grow = (from: RaftLog, steps: readonly (LogEntry | number)[]): RaftLog =>
          steps.reduce<RaftLog>((log, s) => (typeof s === 'number' ? log.truncate(Math.min(s, log.length)) : log.append(s)), from);
        const root = RaftLog.from(start);
        const before = grow(root, left);
        const after = grow(related ? before : RaftLog.from(start), right);
        const expected = naiveDiff(before.toArray(), after.toArray());
        expect(diffLog(before, after)).toEqual(expected);
        expect(before.equals(after)).toBe(expected === null);
        if (expected !== null) expect(applyLogWrite(before, expected).toArray()).toEqual(after.toArray());
        // Growing `after` afterwards must not change what `before` holds.
        const snapshot = before.toArray();
        after.append({ term: 9, value: 'z' });
        expect(before.toArray()).toEqual(snapshot);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  it('replays the same entries onto a truncated version as the same log', () => {
    const node = RaftLog.from([]).append(e(1, 'a')).append(e(1, 'b'));
    const disk = applyLogWrite(node.truncate(0), { fromIndex: 1, entries: node.toArray() });
    expect(disk).toEqual(node);
    expect(diffLog(disk, node)).toBeNull();
  });
});
