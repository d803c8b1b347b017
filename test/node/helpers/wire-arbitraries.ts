// Arbitrary frames of every kind, valid for the cluster MEMBERS: for round-trip and fuzz properties.
import fc from 'fast-check';
import type { KvOp, KvResult } from '../../../src/kv/command.js';
import type { Message } from '../../../src/raft/index.js';
import type { ClusterIdentity, Frame, KvOutcome } from '../../../src/node/wire.js';

export const MEMBERS = ['s1', 's2', 's3'] as const;
export const CLUSTER: ClusterIdentity = { clusterId: 'demo', members: [...MEMBERS] };

const member = fc.constantFrom(...MEMBERS);
const nat = fc.nat({ max: 2 ** 40 });
const token = fc.stringMatching(/^[A-Za-z0-9.:-]{1,12}$/);
/** Any string: log values and reasons are opaque to the wire. */
const text = fc.string({ maxLength: 20, unit: 'grapheme' });

export const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('RequestVoteRequest' as const), term: nat, from: member, to: member, lastLogTerm: nat, lastLogIndex: nat }),
  fc.record({ type: fc.constant('RequestVoteResponse' as const), term: nat, from: member, to: member, voteGranted: fc.boolean() }),
  fc.record({
    type: fc.constant('AppendEntriesRequest' as const),
    term: nat,
    from: member,
    to: member,
    prevLogIndex: nat,
    prevLogTerm: nat,
    entries: fc.array(fc.record({ term: nat, value: text }), { maxLength: 3 }),
    commitIndex: nat,
  }),
  fc.record({ type: fc.constant('AppendEntriesResponse' as const), term: nat, from: member, to: member, success: fc.boolean(), matchIndex: nat }),
);

const op: fc.Arbitrary<KvOp> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: token, value: token }),
  fc.record({ type: fc.constant('get' as const), key: token }),
  fc.record({ type: fc.constant('cas' as const), key: token, expected: fc.option(token, { nil: null }), value: token }),
);

const result: fc.Arbitrary<KvResult> = fc.oneof(
  fc.constant({ type: 'put' as const }),
  fc.record({ type: fc.constant('get' as const), value: fc.option(text, { nil: null }) }),
  fc.record({ type: fc.constant('cas' as const), ok: fc.boolean() }),
);

const outcome: fc.Arbitrary<KvOutcome> = fc.oneof(
  fc.record({ type: fc.constant('ok' as const), result }),
  fc.record({ type: fc.constant('redirect' as const), leader: fc.option(member, { nil: null }), address: fc.option(fc.constantFrom('127.0.0.1:7101', 'localhost:9'), { nil: null }) }),
  fc.record({ type: fc.constant('unavailable' as const), reason: text }),
);

export const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ kind: fc.constant('hello' as const), version: fc.constant(1 as const), from: member, to: member, cluster: fc.constant(CLUSTER) }),
  fc.record({ kind: fc.constant('refused' as const), reason: text }),
  fc.record({ kind: fc.constant('raft' as const), message }),
  fc.record({ kind: fc.constant('request' as const), client: token, seq: nat, attempt: fc.integer({ min: 1, max: 100 }), op }),
  fc.record({ kind: fc.constant('response' as const), client: text, seq: nat, outcome }),
  fc.constant({ kind: 'status' as const }),
  fc.record({
    kind: fc.constant('status-reply' as const),
    status: fc.record({
      id: member,
      pid: nat,
      role: fc.constantFrom('Follower' as const, 'Candidate' as const, 'Leader' as const),
      term: nat,
      leader: fc.option(member, { nil: null }),
      votedFor: fc.option(member, { nil: null }),
      commitIndex: nat,
      lastApplied: nat,
      logLength: nat,
      electionsStarted: nat,
      leaderships: nat,
      clockRate: fc.double({ min: 0.01, max: 100, noNaN: true }),
    }),
  }),
);

/** Cut `bytes` at the given fractions into consecutive chunks (some may be empty). */
export function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * (bytes.length + 1))))].filter((p) => p <= bytes.length).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

export const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 12 });
