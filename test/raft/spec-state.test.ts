import { describe, expect, it } from 'vitest';
import {
  bagAdd,
  bagCount,
  bagRemove,
  bagSize,
  clusterStep,
  EMPTY_BAG,
  enabledActions,
  initialCluster,
  Inputs,
  labelOf,
  messageFromSpec,
  SPEC_VARIABLES,
  targetOf,
  toSpecActionLabel,
  toSpecMessage,
  toSpecState,
  type ActionLabel,
  type ClusterSnapshot,
} from '../../src/raft/index.js';
import { SAMPLE_LABELS, aeReq, aeResp, rvReq, rvResp } from '../support/raft-samples.js';
import { Story } from './helpers/story.js';

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
    expect(messageFromSpec(toSpecMessage(m))).toEqual(m);
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
});

describe('action labels', () => {
  const labels = SAMPLE_LABELS;

  it.each(labels)('$name: labelOf undoes targetOf', (label) => {
    const target = targetOf(label);
    if (target.kind === 'node') expect(labelOf(target.node, target.input)).toEqual(label);
  });

  it('writes messages inside labels as spec records', () => {
    expect(toSpecActionLabel(labels[7]!)).toEqual({ name: 'HandleRequestVoteRequest', node: 's2', peer: 's1', message: toSpecMessage(rvReq) });
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
