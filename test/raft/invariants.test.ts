import { describe, expect, it } from 'vitest';
import {
  bagAdd,
  checkStateInvariants,
  CommitIndexMonotonic,
  ElectionSafety,
  EMPTY_BAG,
  EMPTY_HISTORY,
  initialCluster,
  LeaderAppendOnly,
  LeaderCompleteness,
  LogMatching,
  RaftLog,
  recordCommits,
  StateMachineSafety,
  TypeOK,
  violations,
  type ClusterSnapshot,
  type InvariantResult,
  type LogEntry,
  type Message,
  type NodeState,
} from '../../src/raft/index.js';
import { Story } from './helpers/story.js';

const e = (term: number, value: string): LogEntry => ({ term, value });

/** Hand-set node fields; a log is given as a plain array of entries. */
type NodePatch = Partial<Omit<NodeState, 'log'>> & { readonly log?: readonly LogEntry[] };

/** A three-node snapshot with hand-set node fields. */
function cluster(patch: Partial<Record<'s1' | 's2' | 's3', NodePatch>>): ClusterSnapshot {
  const base = initialCluster(['s1', 's2', 's3']);
  const nodes = { ...base.nodes };
  for (const [id, { log, ...p }] of Object.entries(patch)) {
    nodes[id] = { ...nodes[id]!, ...p, ...(log === undefined ? {} : { log: RaftLog.from(log) }) };
  }
  return { ...base, nodes };
}

function expectViolation(r: InvariantResult, text: RegExp): void {
  expect(r.holds).toBe(false);
  if (!r.holds) expect(r.violation).toMatch(text);
}

function expectHolds(r: InvariantResult): void {
  expect(r).toEqual({ name: r.name, holds: true });
}

describe('TypeOK', () => {
  it('holds for a well-typed cluster', () => expectHolds(TypeOK(initialCluster(['s1', 's2']))));
  it.each([
    [{ s1: { currentTerm: -1 } }, /s1.currentTerm is -1/],
    [{ s1: { role: 'King' as never } }, /s1.role is King/],
    [{ s2: { votedFor: 's9' } }, /s2.votedFor is s9/],
    [{ s2: { commitIndex: 1.5 } }, /s2.commitIndex is 1.5/],
    [{ s3: { log: [e(-2, 'x')] } }, /s3.log\[1\]/],
    [{ s3: { votesGranted: ['s7'] } }, /votesGranted contains s7/],
    [{ s1: { nextIndex: { s1: 1, s2: 0, s3: 1 } } }, /s1.nextIndex\[s2\] is 0/],
    [{ s1: { matchIndex: { s1: 0, s2: 0 } } }, /s1.matchIndex\[s3\] is undefined/],
  ])('catches a badly typed variable %#', (patch, text) => {
    expectViolation(TypeOK(cluster(patch as never)), text);
  });
  it('catches malformed messages in flight and a missing member', () => {
    const c = cluster({});
    const bad: Message = { type: 'AppendEntriesRequest', term: 1, from: 's1', to: 's2', prevLogIndex: 0, prevLogTerm: 0, entries: [e(1, 'a'), e(1, 'b')], commitIndex: 0 };
    expectViolation(TypeOK({ ...c, messages: bagAdd(EMPTY_BAG, bad) }), /carries 2 entries/);
    expectViolation(TypeOK({ ...c, messages: bagAdd(EMPTY_BAG, { ...bad, entries: [], to: 's9' }) }), /not between members/);
    expectViolation(TypeOK({ ...c, messages: bagAdd(EMPTY_BAG, { ...bad, entries: [], term: -1 }) }), /has term -1/);
    expectViolation(TypeOK({ ...c, messages: bagAdd(EMPTY_BAG, { ...bad, entries: [], to: 's1' }) }), /from a server to itself/);
    expectViolation(TypeOK({ ...c, messages: bagAdd(EMPTY_BAG, { ...bad, entries: [] }, 0) }), /in flight 0 times/);
    expectViolation(TypeOK({ ...c, servers: ['s1', 's2', 's3', 's4'] }), /member s4 has no state/);
  });
});

describe('ElectionSafety', () => {
  it('holds with leaders of different terms', () => {
    expectHolds(ElectionSafety(cluster({ s1: { role: 'Leader', currentTerm: 1 }, s2: { role: 'Leader', currentTerm: 2 } })));
  });
  it('catches two leaders in one term', () => {
    expectViolation(
      ElectionSafety(cluster({ s1: { role: 'Leader', currentTerm: 2 }, s3: { role: 'Leader', currentTerm: 2 } })),
      /s1 and s3 are both Leader in term 2/,
    );
  });
});

describe('LogMatching', () => {
  it('holds when logs agree up to their last common term', () => {
    expectHolds(LogMatching(cluster({ s1: { log: [e(1, 'a'), e(2, 'b')] }, s2: { log: [e(1, 'a'), e(3, 'c')] }, s3: { log: [e(1, 'a')] } })));
  });
  it('catches an equal index and term over different prefixes', () => {
    expectViolation(
      LogMatching(cluster({ s1: { log: [e(1, 'a'), e(2, 'b')] }, s2: { log: [e(1, 'z'), e(2, 'b')] } })),
      /s1 and s2 both hold a term-2 entry at index 2, but differ at index 1 \(s1: t1:a, s2: t1:z\)/,
    );
  });
});

describe('StateMachineSafety', () => {
  it('holds when committed prefixes agree', () => {
    expectHolds(StateMachineSafety(cluster({ s1: { log: [e(1, 'a'), e(1, 'b')], commitIndex: 2 }, s2: { log: [e(1, 'a'), e(2, 'x')], commitIndex: 1 } })));
  });
  it('catches two servers that committed different entries at one index', () => {
    expectViolation(
      StateMachineSafety(cluster({ s1: { log: [e(1, 'a')], commitIndex: 1 }, s2: { log: [e(2, 'b')], commitIndex: 1 } })),
      /s1 and s2 both committed index 1 with different entries \(s1: t1:a, s2: t2:b\)/,
    );
  });
  it('catches a commitIndex past the end of the log', () => {
    expectViolation(StateMachineSafety(cluster({ s3: { log: [], commitIndex: 1 } })), /s3 has commitIndex 1 but only 0 entries/);
  });
});

describe('LeaderCompleteness', () => {
  const before = cluster({ s1: { role: 'Leader', currentTerm: 1, log: [e(1, 'a')] } });
  const after = cluster({ s1: { role: 'Leader', currentTerm: 1, log: [e(1, 'a')], commitIndex: 1 } });
  const history = recordCommits(EMPTY_HISTORY, before, after, { name: 'AdvanceCommitIndex', node: 's1' });

  it('records what a leader commits, with its term, as the spec does', () => {
    expect(history).toEqual([{ index: 1, entry: e(1, 'a'), commitTerm: 1 }]);
    // Only AdvanceCommitIndex adds records: a follower learning a commit adds nothing.
    const learned = cluster({ s2: { currentTerm: 3, log: [e(1, 'a')], commitIndex: 1 } });
    const label = { name: 'HandleAppendEntriesRequest', node: 's2', peer: 's1' } as never;
    expect(recordCommits(history, cluster({ s2: { currentTerm: 3, log: [e(1, 'a')] } }), learned, label)).toBe(history);
    // Recording the same commit again changes nothing; a re-commit in a later term is a new record.
    expect(recordCommits(history, before, after, { name: 'AdvanceCommitIndex', node: 's1' })).toBe(history);
    const again = recordCommits(
      history,
      cluster({ s2: { role: 'Leader', currentTerm: 3, log: [e(1, 'a'), e(3, 'c')] } }),
      cluster({ s2: { role: 'Leader', currentTerm: 3, log: [e(1, 'a'), e(3, 'c')], commitIndex: 2 } }),
      { name: 'AdvanceCommitIndex', node: 's2' },
    );
    expect(again.map((r) => `${r.index}:t${r.entry.term}:${r.entry.value}@${r.commitTerm}`)).toEqual(['1:t1:a@1', '1:t1:a@3', '2:t3:c@3']);
  });
  it('holds for a later leader that has the committed entry', () => {
    expectHolds(LeaderCompleteness(cluster({ s2: { role: 'Leader', currentTerm: 2, log: [e(1, 'a'), e(2, 'b')] } }), history));
  });
  it('does not constrain the leader of the commit term itself or earlier', () => {
    expectHolds(LeaderCompleteness(cluster({ s2: { role: 'Leader', currentTerm: 1, log: [] } }), history));
  });
  it('catches a later leader missing a committed entry', () => {
    expectViolation(
      LeaderCompleteness(cluster({ s2: { role: 'Leader', currentTerm: 2, log: [e(2, 'b')] } }), history),
      /t1:a at index 1 was committed in term 1, but s2, Leader of term 2, has t2:b there/,
    );
    expectViolation(LeaderCompleteness(cluster({ s3: { role: 'Leader', currentTerm: 5, log: [] } }), history), /s3, Leader of term 5, has no entry there/);
  });
  it('sorts records of one index by commit term, then entry', () => {
    const two = recordCommits(
      history,
      cluster({ s2: { role: 'Leader', currentTerm: 1, log: [e(1, 'b')] } }),
      cluster({ s2: { role: 'Leader', currentTerm: 1, log: [e(1, 'b')], commitIndex: 1 } }),
      { name: 'AdvanceCommitIndex', node: 's2' },
    );
    expect(two.map((r) => r.entry.value)).toEqual(['a', 'b']);
  });
});

describe('CommitIndexMonotonic', () => {
  const high = cluster({ s1: { log: [e(1, 'a')], commitIndex: 1 } });
  const low = cluster({ s1: { log: [e(1, 'a')], commitIndex: 0 } });
  it('holds when commitIndex rises or stays', () => {
    expectHolds(CommitIndexMonotonic(low, high, { name: 'AdvanceCommitIndex', node: 's1' }));
  });
  it('exempts the restarting node', () => {
    expectHolds(CommitIndexMonotonic(high, low, { name: 'Restart', node: 's1' }));
  });
  it('catches commitIndex going down in any other step', () => {
    expectViolation(CommitIndexMonotonic(high, low, { name: 'Restart', node: 's2' }), /s1.commitIndex went from 1 to 0 in a Restart step/);
    expectViolation(CommitIndexMonotonic(high, low, { name: 'Timeout', node: 's1' }), /in a Timeout step/);
  });
});

describe('LeaderAppendOnly', () => {
  const leader = (log: LogEntry[]) => cluster({ s1: { role: 'Leader', currentTerm: 2, log } });
  it('holds when a leader appends', () => {
    expectHolds(LeaderAppendOnly(leader([e(1, 'a')]), leader([e(1, 'a'), e(2, 'b')]), { name: 'ClientRequest', node: 's1', value: 'b' }));
  });
  it('does not apply to a server that stopped leading', () => {
    expectHolds(LeaderAppendOnly(leader([e(1, 'a')]), cluster({ s1: { log: [] } }), { name: 'Restart', node: 's1' }));
  });
  it('catches a leader overwriting or truncating its log', () => {
    const label = { name: 'HandleAppendEntriesRequest', node: 's1', peer: 's2' } as never;
    expectViolation(LeaderAppendOnly(leader([e(1, 'a')]), leader([e(2, 'x')]), label), /Leader s1 changed its log at index 1 \(t1:a -> t2:x\)/);
    expectViolation(LeaderAppendOnly(leader([e(1, 'a'), e(1, 'b')]), leader([e(1, 'a')]), label), /at index 2 \(t1:b -> no entry\)/);
  });
});

describe('all invariants over a real run', () => {
  it('hold throughout a story (the Story driver checks after every step) and report together', () => {
    const story = Story.of('s1', 's2', 's3');
    story.elect('s1', ['s2', 's3']);
    expect(violations(checkStateInvariants(story.cluster, story.history))).toEqual([]);
    const broken = cluster({ s1: { role: 'Leader', currentTerm: 1 }, s2: { role: 'Leader', currentTerm: 1 } });
    expect(violations(checkStateInvariants(broken, EMPTY_HISTORY)).map((v) => v.name)).toEqual(['ElectionSafety']);
    // Two invariants broken at once are both reported, each with its own message.
    const twice = cluster({ s1: { role: 'Leader', currentTerm: 1 }, s2: { role: 'Leader', currentTerm: 1 }, s3: { log: [], commitIndex: 1 } });
    expect(violations(checkStateInvariants(twice, EMPTY_HISTORY)).map((v) => `${v.name}: ${v.violation}`)).toEqual([
      expect.stringMatching(/^ElectionSafety: .*s1 and s2 are both Leader in term 1/),
      expect.stringMatching(/^StateMachineSafety: .*s3 has commitIndex 1 but only 0 entries/),
    ]);
  });
});
