import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FrameResult, refused as refusedResult, ok } from '../../src/node/frames.js';
import { type Frame, decodeFrame, encodeFrame, frameBody, frameFromJson, clusterIdentity, nodeIdProblem } from '../../src/node/wire.js';
import { type AppendEntriesRequest, toSpecMessage } from '../../src/raft/index.js';
import { aeReq } from '../support/raft-samples.js';
import { FC_SEED } from '../support/arbitraries.js';
import { CLUSTER, MEMBERS, frame } from './helpers/wire-arbitraries.js';

const context = { members: MEMBERS };
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Decoder = (body: Uint8Array) => FrameResult<Frame>;
const realDecoder: Decoder = (body) => decodeFrame(body, context);

function bodyOf(json: unknown): Buffer {
  return Buffer.from(JSON.stringify(json), 'utf8');
}

function decodeJson(json: unknown): FrameResult<Frame> {
  return decodeFrame(bodyOf(json), context);
}

function reasonOf(r: FrameResult<Frame>): string {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value)}`);
  return `${r.error.code}: ${r.error.reason}`;
}

/** Paths to every primitive inside `json`, and to every object (for adding or removing fields). */
function places(json: Json, path: (string | number)[] = []): { leaves: (string | number)[][]; objects: (string | number)[][] } {
  if (json === null || typeof json !== 'object') return { leaves: [path], objects: [] };
  const out = { leaves: [] as (string | number)[][], objects: Array.isArray(json) ? [] : [path] };
  const entries: [string | number, Json][] = Array.isArray(json) ? json.map((v, i) => [i, v]) : Object.entries(json);
  for (const [k, v] of entries) {
    const inner = places(v, [...path, k]);
    out.leaves.push(...inner.leaves);
    out.objects.push(...inner.objects);
  }
  return out;
}

function edit(json: Json, path: readonly (string | number)[], change: (parent: Record<string | number, Json>, key: string | number) => void): Json {
  const copy = structuredClone(json) as Json;
  let parent = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  change(parent, path[path.length - 1] as string | number);
  return copy;
}

/** A frame spoiled one way: a primitive field turned into an object or list, a field removed, a field added. */
const spoiled = fc
  .tuple(frame, fc.nat(), fc.constantFrom('retype', 'remove', 'add'), fc.constantFrom<Json>({}, [], { x: 1 }, [1, 'a']))
  .map(([f, pick, how, replacement]) => {
    const json = JSON.parse(frameBody(f).toString('utf8')) as Json;
    const { leaves, objects } = places(json);
    if (how === 'retype') {
      const path = leaves[pick % leaves.length] as (string | number)[];
      return { how, path, json: edit(json, path, (p, k) => (p[k] = replacement)) };
    }
    const path = objects[pick % objects.length] as (string | number)[];
    const target = path.length === 0 ? (json as Record<string, Json>) : (path.reduce<Json>((j, k) => (j as Record<string | number, Json>)[k] as Json, json) as Record<string, Json>);
    const keys = Object.keys(target);
    if (how === 'remove') {
      const key = keys[pick % keys.length] as string;
      return { how, path: [...path, key], json: edit(json, [...path, key], (p, k) => delete p[k]) };
    }
    return { how, path: [...path, 'extra'], json: edit(json, [...path, 'extra'], (p, k) => (p[k] = 1)) };
  });

/** Whether `decoder` refuses every spoiled frame (undefined) or the first one it accepts. */
function spoiledFramesAreRefused(decoder: Decoder): fc.RunDetails<[{ how: string; path: (string | number)[]; json: Json }]> {
  return fc.check(
    fc.property(spoiled, (s) => {
      const r = decoder(bodyOf(s.json));
      return !r.ok;
    }),
    { seed: FC_SEED, numRuns: 600 },
  );
}

describe('frames on the wire', () => {
  it('round-trip: every valid frame decodes to itself', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const bytes = encodeFrame(f);
        expect(bytes.ok).toBe(true);
        expect(decodeFrame(frameBody(f), context)).toEqual(ok(f));
      }),
      { seed: FC_SEED, numRuns: 1000 },
    );
  });

  it('carries a Raft message as the spec record that implementation traces record', () => {
    const json = JSON.parse(frameBody({ kind: 'raft', message: aeReq }).toString('utf8')) as unknown;
    expect(json).toEqual({ kind: 'raft', message: toSpecMessage(aeReq) });
    expect(json).toMatchObject({ message: { mtype: 'AppendEntriesRequest', msource: aeReq.from, mdest: aeReq.to } });
  });

  it('never throws on random bytes, and refuses them with a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = decodeFrame(bytes, context);
        if (!r.ok) expect(['not-utf8', 'not-json', 'bad-frame', 'unsupported-version']).toContain(r.error.code);
      }),
      { seed: FC_SEED, numRuns: 1000 },
    );
  });

  it('never throws on random JSON, nor on JSON that looks like a frame', () => {
    const kinds = fc.constantFrom('hello', 'raft', 'request', 'response', 'refused', 'status', 'status-reply', 'other');
    const lookalike = fc.record({ kind: kinds }).chain((head) => fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }).map((rest) => ({ ...rest, ...head })));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), lookalike), (json) => {
        const r = frameFromJson(json as Json, context);
        if (!r.ok) expect(['bad-frame', 'unsupported-version']).toContain(r.error.code);
      }),
      { seed: FC_SEED, numRuns: 1500 },
    );
  });

  it('refuses every frame with a field of the wrong type, missing or unexpected', () => {
    const run = spoiledFramesAreRefused(realDecoder);
    expect(run.failed ? `${run.counterexample?.[0]?.how} at ${JSON.stringify(run.counterexample?.[0]?.path)}` : null).toBeNull();
  });

  it('negative control: a decoder that only parses JSON is caught by that property', () => {
    const lax: Decoder = (body) => {
      try {
        return ok(JSON.parse(Buffer.from(body).toString('utf8')) as Frame);
      } catch {
        return refusedResult('not-json', 'not JSON');
      }
    };
    expect(spoiledFramesAreRefused(lax).failed).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    ['a frame without a kind', { from: 's1' }, /bad-frame: frame.kind: expected one of hello, refused, raft, request, response, status, status-reply, got nothing/],
    ['an unknown kind', { kind: 'gossip' }, /frame.kind: expected one of .*, got "gossip"/],
    ['a list', [1, 2], /expected an object with a kind, got a list of 2/],
    ['a hello of another version', { kind: 'hello', version: 2, whatever: true }, /unsupported-version: the hello speaks wire version 2; this node speaks version 1/],
    ['a hello with a bad node id', { kind: 'hello', version: 1, from: 's 1', to: 's2', cluster: CLUSTER }, /hello.from: "s 1" is not a node id/],
    ['a hello naming a node id every object has', { kind: 'hello', version: 1, from: 'constructor', to: 's2', cluster: CLUSTER }, /cannot be a node id/],
    ['a hello listing a member twice', { kind: 'hello', version: 1, from: 's1', to: 's2', cluster: { clusterId: 'demo', members: ['s1', 's1'] } }, /member s1 is listed twice/],
    ['a Raft message from a stranger', { kind: 'raft', message: { ...toSpecMessage(aeReq), msource: 's9' } }, /a Raft message is malformed: raft.message.msource: s9 is not a server/],
    ['a Raft message with a negative term', { kind: 'raft', message: { ...toSpecMessage(aeReq), mterm: -1 } }, /raft.message.mterm: expected a natural number, got -1/],
    ['a Raft message of an unknown type', { kind: 'raft', message: { ...toSpecMessage(aeReq), mtype: 'Gossip' } }, /raft.message.mtype: expected one of/],
    ['a request whose key has a space', { kind: 'request', client: 'c1', seq: 1, attempt: 1, op: { type: 'get', key: 'k 0' } }, /bad-frame: request: key "k 0" must match/],
    ['a request of attempt 0', { kind: 'request', client: 'c1', seq: 1, attempt: 0, op: { type: 'get', key: 'k0' } }, /request.attempt: expected an integer >= 1, got 0/],
    ['a request with a fractional seq', { kind: 'request', client: 'c1', seq: 1.5, attempt: 1, op: { type: 'get', key: 'k0' } }, /request.seq: expected an integer >= 0, got 1.5/],
    ['an op of an unknown type', { kind: 'request', client: 'c1', seq: 1, attempt: 1, op: { type: 'delete', key: 'k0' } }, /request.op.type: expected one of put, get, cas, got "delete"/],
    ['a redirect to a stranger', { kind: 'response', client: 'c1', seq: 1, outcome: { type: 'redirect', leader: 's9', address: null } }, /response.outcome.leader: s9 is not a member of this cluster \(s1, s2, s3\)/],
    ['a result of the wrong shape', { kind: 'response', client: 'c1', seq: 1, outcome: { type: 'ok', result: { type: 'cas', ok: 'yes' } } }, /response.outcome.result.ok: expected true or false, got "yes"/],
    ['an overlong reason', { kind: 'refused', reason: 'x'.repeat(1001) }, /refused.reason: a reason of 1001 characters is longer than 1000/],
  ])('refuses %s, saying where and why', (_name, json, reason) => {
    expect(reasonOf(decodeJson(json))).toMatch(reason);
  });

  it('refuses bytes that are not UTF-8 or not JSON', () => {
    expect(reasonOf(decodeFrame(Uint8Array.of(0x7b, 0xff, 0x7d)))).toMatch(/not-utf8: a frame of 3 bytes is not valid UTF-8/);
    expect(reasonOf(decodeFrame(Buffer.from('{"kind":')))).toMatch(/^not-json: a frame is not JSON/);
    expect(reasonOf(decodeFrame(Buffer.alloc(0)))).toMatch(/^not-json/);
  });

  it('survives hostile nesting and prototype names without throwing or polluting', () => {
    const deep = `{"kind":"hello","version":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(reasonOf(decodeFrame(Buffer.from(deep)))).toMatch(/unsupported-version: .* version a list of 1/);
    const deepMessage = `{"kind":"raft","message":{"mtype":"AppendEntriesRequest","mentries":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    expect(reasonOf(decodeFrame(Buffer.from(deepMessage), context))).toMatch(/bad-frame/);
    const proto = '{"kind":"request","client":"c1","seq":1,"attempt":1,"op":{"type":"get","key":"k0"},"__proto__":{"polluted":true}}';
    expect(reasonOf(decodeFrame(Buffer.from(proto)))).toMatch(/unexpected field "__proto__"/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('clips the reason when a field holds a huge value', () => {
    const r = decodeJson({ kind: 'request', client: 'c1', seq: 1, attempt: 1, op: { type: 'put', key: 'k0', value: `${'x'.repeat(500_000)} y` } });
    expect(reasonOf(r).length).toBeLessThanOrEqual(1100);
  });

  it('refuses to encode a frame over the maximum size', () => {
    const big: Frame = { kind: 'raft', message: { ...(aeReq as AppendEntriesRequest), entries: [{ term: 1, value: 'v'.repeat(2000) }] } };
    const r = encodeFrame(big, 1024);
    expect(r.ok ? null : r.error.reason).toMatch(/larger than the 1024-byte maximum/);
  });

  it('builds cluster identities with sorted members and refuses bad ones', () => {
    expect(clusterIdentity('demo', ['s3', 's1', 's2'])).toEqual(CLUSTER);
    expect(() => clusterIdentity('demo', [])).toThrow(/at least one member/);
    expect(() => clusterIdentity('de mo', ['s1'])).toThrow(/is not a cluster id/);
    expect(() => clusterIdentity('demo', ['s1', '1s'])).toThrow(/"1s" is not a node id/);
    expect(nodeIdProblem('s1')).toBeNull();
  });
});
