import { describe, expect, it } from 'vitest';
import {
  bagAdd,
  bagCount,
  bagRemove,
  bagSize,
  clusterStep,
  EMPTY_BAG,
  enabledActions,
  fromSpecActionLabel,
  fromSpecMessage,
  initialCluster,
  Inputs,
  labelOf,
  SPEC_VARIABLES,
  SpecShapeError,
  targetOf,
  toSpecActionLabel,
  toSpecMessage,
  toSpecState,
  type ActionLabel,
  type ClusterSnapshot,
  type Message,
} from '../../src/raft/index.js';
import { Story } from './helpers/story.js';

const rvReq: Message = { type: 'RequestVoteRequest', term: 2, from: 's1', to: 's2', lastLogTerm: 1, lastLogIndex: 3 };
const rvResp: Message = { type: 'RequestVoteResponse', term: 2, from: 's2', to: 's1', voteGranted: true };
const aeReq: Message = {
  type: 'AppendEntriesRequest',
  term: 2,
  from: 's1',
  to: 's3',
  prevLogIndex: 1,
  prevLogTerm: 1,
  entries: [{ term: 2, value: 'v2' }],
  commitIndex: 1,
};
const aeResp: Message = { type: 'AppendEntriesResponse', term: 2, from: 's3', to: 's1', success: false, matchIndex: 0 };

describe('toSpecState', () => {
  it('maps the initial cluster to the spec Init', () => {
    const spec = toSpecState(initialCluster(['s2', 's1']));
    expect(spec).toEqual({
      currentTerm: { s1: 0, s2: 0 },
      role: { s1: 'Follower', s2: 'Follower' },
      votedFor: { s1: 'Nil', s2: 'Nil' },
      log: { s1: [], s2: [] },
      commitIndex: { s1: 0, s2: 0 },
      votesGranted: { s1: [], s2: [] },
      nextIndex: { s1: { s1: 1, s2: 1 }, s2: { s1: 1, s2: 1 } },
      matchIndex: { s1: { s1: 0, s2: 0 }, s2: { s1: 0, s2: 0 } },
      messages: [],
    });
    expect(Object.keys(spec)).toEqual(SPEC_VARIABLES);
  });

  it('maps a cluster mid-election with the spec names, Nil, sorted sets and a counted bag', () => {
    const story = Story.of('s1', 's2', 's3');
    story.act('s2', Inputs.Timeout());
    story.deliver({ to: 's3' });
    story.duplicate({ from: 's3' });
    story.deliver({ from: 's3' });
    const spec = toSpecState(story.cluster);
    expect(spec.role).toEqual({ s1: 'Follower', s2: 'Candidate', s3: 'Follower' });
    expect(spec.votedFor).toEqual({ s1: 'Nil', s2: 's2', s3: 's2' });
    expect(spec.votesGranted).toEqual({ s1: [], s2: ['s2', 's3'], s3: [] });
    expect(spec.messages).toEqual([
      {
        message: { mtype: 'RequestVoteRequest', mterm: 1, mlastLogTerm: 0, mlastLogIndex: 0, msource: 's2', mdest: 's1' },
        count: 1,
      },
      { message: { mtype: 'RequestVoteResponse', mterm: 1, mvoteGranted: true, msource: 's3', mdest: 's2' }, count: 1 },
    ]);
    // Plain data only: a JSON round trip changes nothing.
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('is deterministic whatever order messages entered the bag', () => {
    const base = initialCluster(['s1', 's2', 's3']);
    const one: ClusterSnapshot = { ...base, messages: [rvReq, aeReq, aeResp, rvResp, aeReq].reduce((b, m) => bagAdd(b, m), EMPTY_BAG) };
    const two: ClusterSnapshot = { ...base, messages: [aeReq, rvResp, aeReq, aeResp, rvReq].reduce((b, m) => bagAdd(b, m), EMPTY_BAG) };
    expect(JSON.stringify(toSpecState(one))).toBe(JSON.stringify(toSpecState(two)));
    expect(toSpecState(one).messages.find((e) => e.message.mtype === 'AppendEntriesRequest')?.count).toBe(2);
  });

  it('fails loudly when a member has no state', () => {
    const base = initialCluster(['s1', 's2']);
    expect(() => toSpecState({ ...base, servers: ['s1', 's2', 's3'] })).toThrow(/no state for member s3/);
  });
});

describe('spec messages', () => {
  it.each([rvReq, rvResp, aeReq, aeResp])('round-trips a $type', (m) => {
    expect(fromSpecMessage(toSpecMessage(m))).toEqual(m);
  });

  it('maps every readable field to its m* name', () => {
    expect(toSpecMessage(aeReq)).toEqual({
      mtype: 'AppendEntriesRequest',
      mterm: 2,
      mprevLogIndex: 1,
      mprevLogTerm: 1,
      mentries: [{ term: 2, value: 'v2' }],
      mcommitIndex: 1,
      msource: 's1',
      mdest: 's3',
    });
    expect(toSpecMessage(aeResp)).toEqual({ mtype: 'AppendEntriesResponse', mterm: 2, msuccess: false, mmatchIndex: 0, msource: 's3', mdest: 's1' });
  });

  it('accepts bigints for integers (as a TLA+ value codec may produce)', () => {
    expect(fromSpecMessage({ ...toSpecMessage(rvResp), mterm: 2n })).toEqual(rvResp);
  });

  it.each([
    [null, /expected a record/],
    [{ mtype: 'Gossip', mterm: 1, msource: 's1', mdest: 's2' }, /unknown mtype "Gossip"/],
    [{ mtype: 'RequestVoteResponse', mterm: 1, msource: 's1', mdest: 's2' }, /"mvoteGranted" is missing/],
    [{ mtype: 'RequestVoteResponse', mterm: -1, msource: 's1', mdest: 's2', mvoteGranted: true }, /"mterm" should be a natural/],
    [{ mtype: 'RequestVoteResponse', mterm: 1, msource: 1, mdest: 's2', mvoteGranted: true }, /"msource" should be a string/],
    [{ mtype: 'RequestVoteResponse', mterm: 1, msource: 's1', mdest: 's2', mvoteGranted: 'yes' }, /"mvoteGranted" should be a boolean/],
    [{ ...toSpecMessage(aeReq), mentries: 'x' }, /"mentries" should be a sequence/],
    [{ ...toSpecMessage(aeReq), mentries: [{ term: 1 }] }, /mentries\[0\]: field "value" is missing/],
  ])('rejects a malformed record %#', (value, message) => {
    expect(() => fromSpecMessage(value)).toThrow(SpecShapeError);
    expect(() => fromSpecMessage(value)).toThrow(message);
  });

  it('reads only own fields: a field a record inherits is missing', () => {
    const { mvoteGranted, ...rest } = toSpecMessage(rvResp) as { mvoteGranted: boolean };
    const inherits = Object.assign(Object.create({ mvoteGranted }), rest);
    expect(() => fromSpecMessage(inherits)).toThrow('message: field "mvoteGranted" is missing');
  });
});

describe('action labels', () => {
  const labels: ActionLabel[] = [
    { name: 'Init' },
    { name: 'Timeout', node: 's1' },
    { name: 'Restart', node: 's1' },
    { name: 'BecomeLeader', node: 's1' },
    { name: 'AdvanceCommitIndex', node: 's1' },
    { name: 'ClientRequest', node: 's1', value: 'v1' },
    { name: 'AppendEntries', node: 's1', peer: 's2' },
    { name: 'HandleRequestVoteRequest', node: 's2', peer: 's1', message: rvReq as never },
    { name: 'HandleRequestVoteResponse', node: 's1', peer: 's2', message: rvResp as never },
    { name: 'HandleAppendEntriesRequest', node: 's3', peer: 's1', message: aeReq as never },
    { name: 'HandleAppendEntriesResponse', node: 's1', peer: 's3', message: aeResp as never },
    { name: 'DropMessage', message: rvReq },
    { name: 'DuplicateMessage', message: aeReq },
  ];

  it.each(labels)('round-trips $name through the spec form', (label) => {
    expect(fromSpecActionLabel(JSON.parse(JSON.stringify(toSpecActionLabel(label))))).toEqual(label);
    const target = targetOf(label);
    if (target.kind === 'node') expect(labelOf(target.node, target.input)).toEqual(label);
  });

  it('writes messages inside labels as spec records', () => {
    expect(toSpecActionLabel(labels[7]!)).toEqual({ name: 'HandleRequestVoteRequest', node: 's2', peer: 's1', message: toSpecMessage(rvReq) });
  });

  it.each([
    [{ name: 'Elect', node: 's1' }, /unknown action name "Elect"/],
    [{ name: 'Timeout' }, /field "node" is missing/],
    [{ name: 'HandleRequestVoteRequest', node: 's2', peer: 's1', message: toSpecMessage(aeReq) }, /carries a AppendEntriesRequest, expected RequestVoteRequest/],
  ])('rejects a bad label %#', (value, message) => {
    expect(() => fromSpecActionLabel(value)).toThrow(message);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('an action named %j (inherited by every JS object) is an unknown action', (name) => {
    const value = { name, node: 's2', peer: 's1', message: toSpecMessage(rvReq) };
    expect(() => fromSpecActionLabel(value)).toThrow(SpecShapeError);
    expect(() => fromSpecActionLabel(value)).toThrow(`action: unknown action name ${JSON.stringify(name)}`);
  });
});

describe('the message bag and cluster steps', () => {
  it('counts copies and removes one at a time', () => {
    let bag = bagAdd(bagAdd(EMPTY_BAG, rvReq), { ...rvReq });
    expect(bagCount(bag, rvReq)).toBe(2);
    bag = bagRemove(bag, rvReq);
    expect(bagCount(bag, rvReq)).toBe(1);
    bag = bagRemove(bag, rvReq);
    expect(bagSize(bag)).toBe(0);
    expect(() => bagRemove(bag, rvReq)).toThrow(/no copy/);
  });

  it('refuses labels the cluster cannot take, leaving it unchanged', () => {
    const c = initialCluster(['s1', 's2']);
    const cases: [ActionLabel, string][] = [
      [{ name: 'Init' }, 'NotAStep'],
      [{ name: 'Timeout', node: 's9' }, 'UnknownNode'],
      [{ name: 'DropMessage', message: rvReq }, 'MessageNotInFlight'],
      [{ name: 'HandleRequestVoteRequest', node: 's2', peer: 's1', message: rvReq as never }, 'MessageNotInFlight'],
      [{ name: 'HandleRequestVoteRequest', node: 's2', peer: 's3', message: rvReq as never }, 'PeerMismatch'],
      [{ name: 'BecomeLeader', node: 's1' }, 'NotCandidate'],
    ];
    for (const [label, code] of cases) {
      const r = clusterStep(c, label);
      expect(r.notEnabled?.code).toBe(code);
      expect(r.cluster).toBe(c);
    }
  });

  it('enumerates the enabled actions like the spec Next', () => {
    let c = initialCluster(['s1', 's2']);
    expect(enabledActions(c, ['v1']).map((l) => `${l.name}`)).toEqual(['Timeout', 'Restart', 'Timeout', 'Restart']);
    c = clusterStep(c, { name: 'Timeout', node: 's1' }).cluster;
    const names = enabledActions(c, ['v1']).map((l) => l.name);
    expect(names).toEqual(['Timeout', 'Restart', 'Timeout', 'Restart', 'HandleRequestVoteRequest', 'DropMessage', 'DuplicateMessage']);
    expect(enabledActions(c, ['v1'], { duplicates: false }).map((l) => l.name)).not.toContain('DuplicateMessage');
  });
});
