/** The replication policy, case by case: which AppendEntries a node sends after a step. */
import { describe, expect, it } from 'vitest';
import { appendEntriesTargets } from '../../src/host/replication.js';
import { initialNodeState, RaftLog, type AppendEntriesResponse, type NodeState } from '../../src/raft/index.js';

const SERVERS = ['s1', 's2', 's3', 's4'];
const LOG = RaftLog.from([
  { term: 1, value: 'a' },
  { term: 2, value: 'b' },
  { term: 2, value: 'c' },
]);

/** s1 leading term 2 with three entries: s2 caught up to 3, s3 at 2 and s4 at 1 (both behind). */
const leader: NodeState = {
  ...initialNodeState('s1', SERVERS),
  role: 'Leader',
  currentTerm: 2,
  votedFor: 's1',
  log: LOG,
  nextIndex: { s1: 4, s2: 4, s3: 3, s4: 2 },
  matchIndex: { s1: 0, s2: 3, s3: 2, s4: 1 },
};
const follower: NodeState = { ...leader, role: 'Follower' };

function response(from: string, success: boolean, term = 2): AppendEntriesResponse {
  return { type: 'AppendEntriesResponse', term, from, to: 's1', success, matchIndex: 0 };
}

/** `leader` after it handled a response from `peer`: its match and next index moved to the given values. */
function after(peer: string, matchIndex: number, nextIndex: number): NodeState {
  return { ...leader, matchIndex: { ...leader.matchIndex, [peer]: matchIndex }, nextIndex: { ...leader.nextIndex, [peer]: nextIndex } };
}

describe('appendEntriesTargets', () => {
  it('a new leader and a heartbeat send to every peer, in member order', () => {
    expect(appendEntriesTargets({ kind: 'became-leader' }, leader, leader)).toEqual(['s2', 's3', 's4']);
    expect(appendEntriesTargets({ kind: 'heartbeat' }, leader, leader)).toEqual(['s2', 's3', 's4']);
  });

  it('a new entry goes only to the peers that were caught up (their next index is the new entry)', () => {
    // Entry 4 is new: s2 had everything before it; s3 and s4 are behind, each with a request in flight.
    const appended: NodeState = { ...leader, log: LOG.append({ term: 2, value: 'd' }), nextIndex: { ...leader.nextIndex, s1: 5 } };
    expect(appendEntriesTargets({ kind: 'new-entry' }, leader, appended)).toEqual(['s2']);
    const allCaughtUp: NodeState = { ...appended, nextIndex: { s1: 5, s2: 4, s3: 4, s4: 4 } };
    expect(appendEntriesTargets({ kind: 'new-entry' }, leader, allCaughtUp)).toEqual(['s2', 's3', 's4']);
  });

  it('a success that advances a peer still behind sends its next entry; one that leaves it caught up sends nothing', () => {
    expect(appendEntriesTargets({ kind: 'append-entries-response', response: response('s4', true) }, leader, after('s4', 2, 3))).toEqual(['s4']);
    expect(appendEntriesTargets({ kind: 'append-entries-response', response: response('s3', true) }, leader, after('s3', 3, 4))).toEqual([]);
  });

  it('a success that advances nothing (a duplicate or a late answer) sends nothing: one request in flight per peer', () => {
    expect(appendEntriesTargets({ kind: 'append-entries-response', response: response('s4', true) }, leader, leader)).toEqual([]);
  });

  it('a failure sends the probe at the backed-off next index at once', () => {
    expect(appendEntriesTargets({ kind: 'append-entries-response', response: response('s4', false) }, leader, after('s4', 1, 1))).toEqual(['s4']);
  });

  it('a response of another term, or to a node that no longer leads, sends nothing', () => {
    expect(appendEntriesTargets({ kind: 'append-entries-response', response: response('s4', false, 1) }, leader, after('s4', 1, 1))).toEqual([]);
    const steppedDown: NodeState = { ...after('s4', 1, 1), role: 'Follower' };
    expect(appendEntriesTargets({ kind: 'append-entries-response', response: response('s4', false) }, leader, steppedDown)).toEqual([]);
  });

  it('a node that does not lead sends nothing, whatever happened', () => {
    for (const kind of ['became-leader', 'heartbeat', 'new-entry'] as const) expect(appendEntriesTargets({ kind }, follower, follower)).toEqual([]);
  });
});
