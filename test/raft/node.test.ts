import { describe, expect, it } from 'vitest';
import {
  applyLogWrite,
  defaultConfig,
  diffLog,
  enabledInternalInputs,
  heartbeatInputs,
  initialNodeState,
  Inputs,
  mergeOutputs,
  NO_OUTPUTS,
  RaftConfigError,
  RaftLog,
  receive,
  restoreNodeState,
  step,
  validateConfig,
  whyNotEnabled,
  type Input,
  type Message,
  type NodeState,
} from '../../src/raft/index.js';
import { Story } from './helpers/story.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const servers = ['s1', 's2', 's3'];

describe('restart', () => {
  it('keeps term, vote and log, and resets everything volatile', async () => {
    const story = Story.of(...servers);
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.ClientRequest('v1'));
    story.replicate('s1', 's2');
    story.act('s1', Inputs.AdvanceCommitIndex());
    const before = story.node('s1');
    const out = story.act('s1', Inputs.Restart());
    expect(story.node('s1')).toEqual({
      ...before,
      role: 'Follower',
      commitIndex: 0,
      votesGranted: [],
      nextIndex: { s1: 1, s2: 1, s3: 1 },
      matchIndex: { s1: 0, s2: 0, s3: 0 },
      leaderHint: null,
    });
    story.note('Nothing durable changed, nothing is sent, and the timer starts afresh.');
    expect(out).toEqual({ ...NO_OUTPUTS, resetElectionTimer: true });
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/restart-keeps-durable-state.txt');
  });

  it('leaves messages in flight untouched', async () => {
    const story = Story.of(...servers);
    story.act('s1', Inputs.Timeout());
    const inFlight = story.inFlight();
    story.act('s1', Inputs.Restart());
    expect(story.inFlight()).toEqual(inFlight);
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/restart-leaves-messages.txt');
  });

  it('restores a node from storage the same way', () => {
    const restored = restoreNodeState('s2', ['s3', 's2', 's1'], { currentTerm: 4, votedFor: 's3' }, RaftLog.from([{ term: 2, value: 'v' }]));
    expect(restored).toMatchObject({ servers, currentTerm: 4, votedFor: 's3', role: 'Follower', commitIndex: 0 });
    expect(() => initialNodeState('s9', servers)).toThrow(/s9 is not one of the cluster members/);
  });
});

describe('stale and duplicated messages', () => {
  it('ignores responses from an older term', async () => {
    const story = Story.of(...servers);
    story.act('s1', Inputs.Timeout());
    story.deliver({ to: 's2' });
    story.note('The vote from term 1 is delayed; s1 times out again and is now in term 2.');
    story.act('s1', Inputs.Timeout());
    const before = story.node('s1');
    const out = story.act('s1', Inputs.HandleRequestVoteResponse({ ...story.inFlight({ to: 's1' })[0]! } as never));
    expect(story.node('s1')).toEqual(before);
    expect(out).toEqual(NO_OUTPUTS);
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/stale-vote-response.txt');
  });

  it('answers a stale leader with its own newer term and keeps its log', async () => {
    const story = Story.of(...servers);
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.AppendEntries('s2'));
    const stale = story.inFlight({ to: 's2' })[0]!;
    story.elect('s3', ['s2']);
    const before = story.node('s2');
    const out = story.act('s2', Inputs.HandleAppendEntriesRequest(stale as never));
    expect(story.node('s2')).toEqual(before);
    expect(out.messages).toEqual([{ type: 'AppendEntriesResponse', term: 2, from: 's2', to: 's1', success: false, matchIndex: 0 }]);
    expect(out.resetElectionTimer).toBe(false);
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/stale-leader-answered.txt');
  });

  it('ignores an AppendEntriesResponse of an older term, and one arriving at a non-leader', async () => {
    const story = Story.of(...servers);
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.ClientRequest('v1'));
    story.act('s1', Inputs.AppendEntries('s2'));
    story.deliver({ to: 's2' });
    story.duplicate({ to: 's1' });
    story.note('Restarted, s1 is a follower: the success is just consumed.');
    story.act('s1', Inputs.Restart());
    let before = story.node('s1');
    story.deliver({ to: 's1' });
    expect(story.node('s1')).toEqual(before);
    story.note('s1 is re-elected in term 2; the remaining term-1 copy must not count as term-2 progress.');
    story.elect('s1', ['s3']);
    before = story.node('s1');
    story.deliver({ from: 's2', to: 's1', type: 'AppendEntriesResponse' });
    expect(story.node('s1')).toEqual(before);
    expect(before.matchIndex['s2']).toBe(0);
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/stale-append-response.txt');
  });

  it('handles a duplicated vote, request and response harmlessly', async () => {
    const story = Story.of(...servers);
    story.act('s1', Inputs.Timeout());
    story.duplicate();
    story.deliverAll();
    expect(story.node('s1').votesGranted).toEqual(['s1', 's2', 's3']);
    story.act('s1', Inputs.BecomeLeader());
    story.act('s1', Inputs.ClientRequest('v1'));
    story.act('s1', Inputs.AppendEntries('s2'));
    story.duplicate();
    story.duplicate();
    expect(story.copies({ to: 's2' })).toBe(3);
    story.deliverAll();
    expect(story.logOf('s2')).toEqual(['t1:v1']);
    expect(story.node('s1').matchIndex['s2']).toBe(1);
    expect(story.copies()).toBe(0);
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/duplicated-messages.txt');
  });

  it('backs nextIndex off no further than 1', () => {
    const story = Story.of(...servers);
    story.elect('s1', ['s2', 's3']);
    const fail: Message = { type: 'AppendEntriesResponse', term: 1, from: 's2', to: 's1', success: false, matchIndex: 0 };
    const r = receive(story.node('s1'), fail);
    expect(r.state.nextIndex['s2']).toBe(1);
  });
});

describe('inputs that are not enabled are refused with a reason', () => {
  const follower = initialNodeState('s1', servers);
  const candidate = step(follower, Inputs.Timeout()).state;
  const leader = step(step(candidate, Inputs.HandleRequestVoteResponse({ type: 'RequestVoteResponse', term: 1, from: 's2', to: 's1', voteGranted: true })).state, Inputs.BecomeLeader()).state;
  const rv: Message = { type: 'RequestVoteRequest', term: 1, from: 's2', to: 's1', lastLogTerm: 0, lastLogIndex: 0 };

  const cases: [string, NodeState, Input, string, RegExp][] = [
    ['Timeout on a leader', leader, Inputs.Timeout(), 'NotFollowerOrCandidate', /only a Follower or Candidate/],
    ['BecomeLeader on a follower', follower, Inputs.BecomeLeader(), 'NotCandidate', /s1 is Follower, not Candidate/],
    ['BecomeLeader without a majority', candidate, Inputs.BecomeLeader(), 'NoMajority', /1 of 3, a strict majority needs 2/],
    ['ClientRequest on a follower', follower, Inputs.ClientRequest('v'), 'NotLeader', /not Leader/],
    ['AppendEntries on a candidate', candidate, Inputs.AppendEntries('s2'), 'NotLeader', /Candidate of term 1, not Leader/],
    ['AppendEntries to itself', leader, Inputs.AppendEntries('s1'), 'UnknownPeer', /not another member/],
    ['AppendEntries to a stranger', leader, Inputs.AppendEntries('s9'), 'UnknownPeer', /s9 is not another member/],
    ['AdvanceCommitIndex on a follower', follower, Inputs.AdvanceCommitIndex(), 'NotLeader', /not Leader/],
    ['AdvanceCommitIndex with nothing new', leader, Inputs.AdvanceCommitIndex(), 'NothingToCommit', /largest index held by a majority is 0/],
    ['a message for another node', follower, Inputs.HandleRequestVoteRequest({ ...rv, to: 's3' } as never), 'WrongDestination', /addressed to s3/],
    ['a message from a stranger', follower, Inputs.HandleRequestVoteRequest({ ...rv, from: 's9' } as never), 'UnknownPeer', /s9 is not another member/],
    ['a message of the wrong type', follower, { type: 'HandleAppendEntriesRequest', message: rv } as never, 'MessageTypeMismatch', /carries a RequestVoteRequest, not a AppendEntriesRequest/],
  ];
  it.each(cases)('%s', (_name, state, input, code, reason) => {
    const r = step(state, input);
    expect(r.state).toBe(state);
    expect(r.outputs.notEnabled).toMatchObject({ code, input: input.type, node: 's1' });
    expect(r.outputs.notEnabled?.reason).toMatch(reason);
    expect(r.outputs.messages).toEqual([]);
    expect(whyNotEnabled(state, input)).toEqual(r.outputs.notEnabled);
  });

  it('answers a client at a follower with NotLeader and the leader it knows', () => {
    const story = Story.of(...servers);
    expect(step(story.node('s2'), Inputs.ClientRequest('v1')).outputs.replies).toEqual([
      { type: 'NotLeader', value: 'v1', leaderHint: null },
    ]);
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.AppendEntries('s2'));
    story.deliverAll();
    expect(step(story.node('s2'), Inputs.ClientRequest('v1')).outputs.replies).toEqual([
      { type: 'NotLeader', value: 'v1', leaderHint: 's1' },
    ]);
  });

  it('lists the enabled internal inputs and heartbeats', () => {
    expect(enabledInternalInputs(follower)).toEqual([]);
    expect(heartbeatInputs(follower)).toEqual([]);
    expect(heartbeatInputs(leader)).toEqual([Inputs.AppendEntries('s2'), Inputs.AppendEntries('s3')]);
  });
});

describe('purity of step', () => {
  it('never mutates its input state and is deterministic', () => {
    const story = Story.of(...servers);
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.ClientRequest('v1'));
    const leader = deepFreeze(story.node('s1'));
    const inputs: Input[] = [
      Inputs.ClientRequest('v2'),
      Inputs.AppendEntries('s2'),
      Inputs.Restart(),
      Inputs.HandleAppendEntriesResponse({ type: 'AppendEntriesResponse', term: 1, from: 's2', to: 's1', success: true, matchIndex: 1 }),
      Inputs.HandleAppendEntriesResponse({ type: 'AppendEntriesResponse', term: 1, from: 's2', to: 's1', success: false, matchIndex: 0 }),
      Inputs.HandleRequestVoteRequest({ type: 'RequestVoteRequest', term: 5, from: 's2', to: 's1', lastLogTerm: 9, lastLogIndex: 9 }),
      Inputs.HandleAppendEntriesRequest({ type: 'AppendEntriesRequest', term: 5, from: 's2', to: 's1', prevLogIndex: 0, prevLogTerm: 0, entries: [{ term: 5, value: 'x' }], commitIndex: 1 }),
    ];
    for (const input of inputs) {
      const a = step(leader, input);
      const b = step(leader, input);
      expect(a).toEqual(b);
    }
  });

  it('receive dispatches on the message type', () => {
    const s = initialNodeState('s1', servers);
    const rv: Message = { type: 'RequestVoteRequest', term: 1, from: 's2', to: 's1', lastLogTerm: 0, lastLogIndex: 0 };
    expect(receive(s, rv)).toEqual(step(s, Inputs.HandleRequestVoteRequest(rv)));
  });
});

describe('outputs and logs', () => {
  it('merges consecutive outputs, composing log writes', () => {
    const a = { ...NO_OUTPUTS, persist: { hardState: { currentTerm: 1, votedFor: 's1' }, logWrite: { fromIndex: 1, entries: [{ term: 1, value: 'a' }, { term: 1, value: 'b' }] } } };
    const b = { ...NO_OUTPUTS, persist: { hardState: null, logWrite: { fromIndex: 2, entries: [{ term: 2, value: 'c' }] } } };
    const c = { ...NO_OUTPUTS, persist: { hardState: { currentTerm: 3, votedFor: null }, logWrite: { fromIndex: 1, entries: [] } } };
    expect(mergeOutputs(a, b).persist).toEqual({
      hardState: { currentTerm: 1, votedFor: 's1' },
      logWrite: { fromIndex: 1, entries: [{ term: 1, value: 'a' }, { term: 2, value: 'c' }] },
    });
    expect(mergeOutputs(a, c).persist).toEqual(c.persist);
    expect(mergeOutputs(NO_OUTPUTS, a).persist).toEqual(a.persist);
    expect(mergeOutputs(a, NO_OUTPUTS).persist).toEqual(a.persist);
    const hardOnly = { ...NO_OUTPUTS, persist: { hardState: { currentTerm: 4, votedFor: null }, logWrite: null } };
    expect(mergeOutputs(a, hardOnly).persist).toEqual({ hardState: { currentTerm: 4, votedFor: null }, logWrite: a.persist.logWrite });
    // Applying the merged write equals applying both in turn.
    const merged = mergeOutputs(a, b).persist!.logWrite!;
    const empty = RaftLog.from([]);
    expect(applyLogWrite(empty, merged)).toEqual(applyLogWrite(applyLogWrite(empty, a.persist.logWrite), b.persist.logWrite));
  });

  it('diffs and applies log writes', () => {
    const x = { term: 1, value: 'x' };
    const y = { term: 2, value: 'y' };
    const log = (...entries: { term: number; value: string }[]): RaftLog => RaftLog.from(entries);
    expect([log().length, log().lastTerm, log(x, y).length, log(x, y).lastTerm]).toEqual([0, 0, 2, 2]);
    expect(diffLog(log(x), log(x))).toBeNull();
    expect(diffLog(log(x, y), log(x))).toEqual({ fromIndex: 2, entries: [] });
    expect(diffLog(log(x), log(y))).toEqual({ fromIndex: 1, entries: [y] });
    expect(() => applyLogWrite(log(x), { fromIndex: 3, entries: [] })).toThrow(/outside 1..2/);
    expect(() => applyLogWrite(log(x), { fromIndex: 0, entries: [] })).toThrow(RangeError);
  });
});

describe('config (for drivers)', () => {
  it('defaults to 150–300 ms elections and 50 ms heartbeats', () => {
    expect(defaultConfig(['s2', 's1'])).toEqual({
      servers: ['s1', 's2'],
      electionTimeoutMs: { min: 150, max: 300 },
      heartbeatIntervalMs: 50,
    });
  });

  it.each([
    [{ servers: [] }, /servers is empty/],
    [{ servers: ['a', 'a'] }, /has duplicates/],
    [{ servers: [''] }, /empty id/],
    [{ electionTimeoutMs: { min: 300, max: 150 } }, /need 0 < min < max/],
    [{ heartbeatIntervalMs: 200 }, /heartbeat < electionTimeoutMs.min \(150\)/],
  ])('rejects %j', (patch, message) => {
    const config = { ...defaultConfig(['s1']), ...patch };
    expect(() => validateConfig(config)).toThrow(RaftConfigError);
    expect(() => validateConfig(config)).toThrow(message);
  });
});
