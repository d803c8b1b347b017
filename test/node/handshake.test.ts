import { describe, expect, it } from 'vitest';
import { InboundSession, checkHello, helloFrom, type LocalNode } from '../../src/node/handshake.js';
import type { Frame } from '../../src/node/wire.js';
import { aeReq, rvReq } from '../support/raft-samples.js';
import { CLUSTER } from './helpers/wire-arbitraries.js';

const s2: LocalNode = { nodeId: 's2', cluster: CLUSTER };
const s1: LocalNode = { nodeId: 's1', cluster: CLUSTER };
const request: Frame = { kind: 'request', client: 'c1', seq: 1, attempt: 1, op: { type: 'get', key: 'k0' } };

describe('the handshake', () => {
  it('accepts a member of the same cluster that meant to reach this node', () => {
    expect(checkHello(helloFrom(s1, 's2'), s2)).toBeNull();
  });

  it.each<[string, Parameters<typeof checkHello>[0], RegExp]>([
    ['a node of another cluster', { ...helloFrom(s1, 's2'), cluster: { clusterId: 'other', members: ['s1', 's2', 's3'] } }, /s1 belongs to cluster other \(s1, s2, s3\), this is s2 of cluster demo \(s1, s2, s3\)/],
    ['a node not in the configuration', { ...helloFrom(s1, 's2'), from: 's4', cluster: { clusterId: 'demo', members: ['s1', 's2', 's3', 's4'] } }, /s4 is not a member of cluster demo \(s1, s2, s3\)/],
    ['a member configured with other members', { ...helloFrom(s1, 's2'), cluster: { clusterId: 'demo', members: ['s1', 's2'] } }, /s1 is configured with members s1, s2, s2 with s1, s2, s3; every node needs the same membership/],
    ['a node dialing itself', { ...helloFrom(s2, 's2') }, /s2 dialed itself/],
    ['a hello meant for another node', helloFrom(s1, 's3'), /s1 meant to reach s3 but reached s2: check the addresses/],
  ])('refuses %s with a clear reason', (_name, hello, reason) => {
    expect(checkHello(hello, s2)).toMatch(reason);
  });
});

describe('an accepted connection', () => {
  it('becomes a peer link after a hello, then takes Raft messages from that peer to this node', () => {
    const session = new InboundSession(s2);
    expect(session.receive(helloFrom(s1, 's2'))).toEqual({ type: 'peer', peer: 's1' });
    expect(session.peer).toBe('s1');
    const fromS1 = { ...rvReq, from: 's1', to: 's2' } as const;
    expect(session.receive({ kind: 'raft', message: fromS1 })).toEqual({ type: 'raft', message: fromS1 });
  });

  it.each<[string, Frame[], RegExp]>([
    ['a Raft message before any hello', [{ kind: 'raft', message: rvReq }], /a Raft message came before a hello \(on a new connection\)/],
    ['a spoofed sender', [helloFrom(s1, 's2'), { kind: 'raft', message: { ...aeReq, from: 's3', to: 's2' } }], /s1 sent a AppendEntriesRequest claiming to come from s3/],
    ['a message for another node', [helloFrom(s1, 's2'), { kind: 'raft', message: { ...rvReq, from: 's1', to: 's3' } }], /s1 sent s2 a RequestVoteRequest addressed to s3/],
    ['a second hello', [helloFrom(s1, 's2'), helloFrom(s1, 's2')], /a hello came after the connection had started/],
    ['a request on a peer link', [helloFrom(s1, 's2'), request], /s1 sent a client request on a link between nodes/],
    ['a Raft message on a client connection', [request, { kind: 'raft', message: rvReq }], /before a hello \(on a client connection\)/],
    ['a response', [{ kind: 'response', client: 'c1', seq: 1, outcome: { type: 'redirect', leader: null, address: null } }], /a node does not take responses/],
    ['a status question on a peer link', [helloFrom(s1, 's2'), { kind: 'status' }], /s1 asked for a status on a link between nodes/],
    ['a status reply', [{ kind: 'status-reply', status: { id: 's1', pid: 1, role: 'Leader', term: 1, leader: 's1', votedFor: 's1', commitIndex: 0, lastApplied: 0, logLength: 0, electionsStarted: 1, leaderships: 1, clockRate: 1 } }], /a node does not take status replies/],
  ])('refuses %s', (_name, frames, reason) => {
    const session = new InboundSession(s2);
    const events = frames.map((f) => session.receive(f));
    const last = events[events.length - 1];
    expect(last?.type).toBe('refuse');
    expect(last?.type === 'refuse' ? last.reason : '').toMatch(reason);
    // Once refused, it stays refused.
    expect(session.receive(helloFrom(s1, 's2'))).toEqual({ type: 'refuse', reason: 'the connection was already refused' });
  });

  it('serves a client connection that sends only requests, and reports a remote refusal', () => {
    const session = new InboundSession(s2);
    expect(session.receive(request)).toEqual({ type: 'request', request });
    expect(session.receive(request)).toEqual({ type: 'request', request });
    expect(session.peer).toBeNull();
    expect(session.receive({ kind: 'refused', reason: 'bye' })).toEqual({ type: 'refused-by-remote', reason: 'bye' });
  });

  it('answers status questions on a client connection, before or between requests', () => {
    const session = new InboundSession(s2);
    expect(session.receive({ kind: 'status' })).toEqual({ type: 'status' });
    expect(session.receive(request)).toEqual({ type: 'request', request });
    expect(session.receive({ kind: 'status' })).toEqual({ type: 'status' });
    expect(session.receive(helloFrom(s1, 's2')).type).toBe('refuse');
  });
});
