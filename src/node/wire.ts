/**
 * The frames nodes and clients exchange over TCP, and their validation. A frame's body is UTF-8 JSON with
 * a `kind`:
 *
 * ```
 * {"kind":"hello","version":1,"from":"s1","to":"s2","cluster":{"clusterId":"demo","members":["s1","s2","s3"]}}
 * {"kind":"raft","message":{"mtype":"RequestVoteRequest","mterm":2,"mlastLogTerm":1,"mlastLogIndex":3,"msource":"s1","mdest":"s2"}}
 * {"kind":"request","client":"c1","seq":4,"attempt":1,"op":{"type":"cas","key":"k0","expected":null,"value":"c1.4"}}
 * {"kind":"response","client":"c1","seq":4,"outcome":{"type":"redirect","leader":"s3","address":"127.0.0.1:7103"}}
 * {"kind":"refused","reason":"s4 is not a member of cluster demo (s1, s2, s3)"}
 * {"kind":"status"}
 * {"kind":"status-reply","status":{"id":"s1","pid":4242,"role":"Leader","term":3,"leader":"s1",...}}
 * ```
 *
 * A Raft message travels as the spec's message record, exactly as implementation traces record it
 * (`toSpecMessage`), and is read back with the trace reader's own checks (`specMessageFromTla`), so a
 * frame the core receives has passed the same validation as a message of a TLC trace.
 *
 * Everything from the network is untrusted: {@link decodeFrame} returns a frame or a {@link FrameError},
 * and never throws on any input.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { specMessageFromTla } from '../definitions/raft/trace-values.js';
import { encodeCommand, type KvOp, type KvResult } from '../kv/command.js';
import type { KvRequest } from '../kv/client.js';
import { SpecValueError } from '../protocol/values.js';
import { type Message, type NodeId, messageFromSpec, toSpecMessage } from '../raft/index.js';
import { isInheritedName } from '../tla/value.js';
import { type ItfJson, ItfValueError, fromItf } from '../trace/itf-value.js';
import { DEFAULT_MAX_FRAME_BYTES, type FrameResult, ok, prefixFrame, refused } from './frames.js';

/** The wire version this build speaks; a hello of another version is refused. */
export const WIRE_VERSION = 1;

/** Who a cluster is: its name and its members (sorted, no repeats). Both ends of every link must agree on it. */
export interface ClusterIdentity {
  readonly clusterId: string;
  readonly members: readonly NodeId[];
}

/** The first frame on a connection between nodes: who dials whom, in which cluster. */
export interface HelloFrame {
  readonly kind: 'hello';
  readonly version: typeof WIRE_VERSION;
  readonly from: NodeId;
  /** The node the sender meant to reach: catches a wrong port in a configuration. */
  readonly to: NodeId;
  readonly cluster: ClusterIdentity;
}

/** Sent (best effort) just before a connection is closed for a protocol fault, so the other end can log why. */
export interface RefusedFrame {
  readonly kind: 'refused';
  readonly reason: string;
}

/** A Raft message between nodes. */
export interface RaftFrame {
  readonly kind: 'raft';
  readonly message: Message;
}

/** A client's KV request; `(client, seq)` is its id, kept by every retry. */
export interface RequestFrame extends KvRequest {
  readonly kind: 'request';
}

/** How a node answered a request. */
export type KvOutcome =
  /** Committed and applied: the operation's result. */
  | { readonly type: 'ok'; readonly result: KvResult }
  /**
   * This node does not lead and did not take the request; `leader` is the node it believes leads (`null`
   * when it knows of none), `address` that node's client address in this node's configuration.
   */
  | { readonly type: 'redirect'; readonly leader: NodeId | null; readonly address: string | null }
  /** This node cannot serve the request now (no quorum, shutting down, ...); the outcome of earlier attempts is unknown. */
  | { readonly type: 'unavailable'; readonly reason: string };

/** A node's answer to the request `(client, seq)`. */
export interface ResponseFrame {
  readonly kind: 'response';
  readonly client: string;
  readonly seq: number;
  readonly outcome: KvOutcome;
}

/** A client asks a node how it is (on the client port). */
export interface StatusFrame {
  readonly kind: 'status';
}

/** A node's roles, as the core names them. */
export type NodeRole = 'Follower' | 'Candidate' | 'Leader';

/** What a node says about itself. */
export interface NodeStatus {
  readonly id: NodeId;
  readonly pid: number;
  readonly role: NodeRole;
  readonly term: number;
  /** The node it believes leads (itself when leader), or `null`. */
  readonly leader: NodeId | null;
  readonly votedFor: NodeId | null;
  readonly commitIndex: number;
  /** The index of the last entry applied to its KV replica. */
  readonly lastApplied: number;
  readonly logLength: number;
  /** Elections this process started (Timeout steps). */
  readonly electionsStarted: number;
  /** Times this process became leader. */
  readonly leaderships: number;
  /** The rate its timers run at (1: real time). */
  readonly clockRate: number;
}

/** A node's answer to a {@link StatusFrame}. */
export interface StatusReplyFrame {
  readonly kind: 'status-reply';
  readonly status: NodeStatus;
}

/** Every frame. */
export type Frame = HelloFrame | RefusedFrame | RaftFrame | RequestFrame | ResponseFrame | StatusFrame | StatusReplyFrame;

/** The frame kinds. */
export type FrameKind = Frame['kind'];

/** The longest reason a `refused` frame or an `unavailable` outcome may carry. */
export const MAX_REASON_CHARS = 1000;

const NODE_ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const CLUSTER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Why `id` cannot be a node id, or `null` when it can. Node ids are TLA+ identifiers (they become model
 * values in recorded traces) of at most 64 characters, and never a name every JS object inherits (they key
 * per-node records in the core).
 */
export function nodeIdProblem(id: string): string | null {
  if (!NODE_ID.test(id)) return `${clip(JSON.stringify(id), 70)} is not a node id (a letter, then up to 63 letters, digits or _)`;
  if (isInheritedName(id)) return `${JSON.stringify(id)} cannot be a node id: every JavaScript object has a property of that name`;
  return null;
}

/** Why `id` cannot be a cluster id, or `null`. */
export function clusterIdProblem(id: string): string | null {
  return CLUSTER_ID.test(id) ? null : `${clip(JSON.stringify(id), 70)} is not a cluster id (a letter or digit, then up to 63 letters, digits, '.', '_' or '-')`;
}

/**
 * A cluster identity with its members sorted; throws `RangeError` for a bad id, a repeated member or no
 * members (a configuration error, for the caller to report).
 */
export function clusterIdentity(clusterId: string, members: readonly string[]): ClusterIdentity {
  const problem = clusterIdProblem(clusterId) ?? identityMembersProblem(members);
  if (problem !== null) throw new RangeError(problem);
  return { clusterId, members: [...members].sort() };
}

function identityMembersProblem(members: readonly string[]): string | null {
  if (members.length === 0) return 'a cluster has at least one member';
  for (const m of members) {
    const p = nodeIdProblem(m);
    if (p !== null) return p;
  }
  const repeated = members.filter((m, i) => members.indexOf(m) !== i);
  if (repeated.length > 0) return `member ${repeated[0]} is listed twice`;
  return null;
}

/** Whether two identities name the same cluster with the same members. */
export function sameIdentity(a: ClusterIdentity, b: ClusterIdentity): boolean {
  const am = [...a.members].sort();
  const bm = [...b.members].sort();
  return a.clusterId === b.clusterId && am.length === bm.length && am.every((m, i) => m === bm[i]);
}

/** `demo (s1, s2, s3)`. */
export function formatIdentity(c: ClusterIdentity): string {
  return `${c.clusterId} (${c.members.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------------------
// Encoding

function wireJson(frame: Frame): ItfJson {
  return match(frame)
    .with({ kind: 'hello' }, (f): ItfJson => ({ kind: f.kind, version: f.version, from: f.from, to: f.to, cluster: { clusterId: f.cluster.clusterId, members: [...f.cluster.members] } }))
    .with({ kind: 'refused' }, (f): ItfJson => ({ kind: f.kind, reason: f.reason }))
    // The spec's record is plain JSON (numbers, strings, booleans, arrays for the entries sequence).
    .with({ kind: 'raft' }, (f): ItfJson => ({ kind: f.kind, message: toSpecMessage(f.message) as unknown as ItfJson }))
    .with({ kind: 'request' }, (f): ItfJson => ({ kind: f.kind, client: f.client, seq: f.seq, attempt: f.attempt, op: opJson(f.op) }))
    .with({ kind: 'response' }, (f): ItfJson => ({ kind: f.kind, client: f.client, seq: f.seq, outcome: outcomeJson(f.outcome) }))
    .with({ kind: 'status' }, (f): ItfJson => ({ kind: f.kind }))
    .with({ kind: 'status-reply' }, (f): ItfJson => ({ kind: f.kind, status: statusJson(f.status) }))
    .exhaustive();
}

function opJson(op: KvOp): ItfJson {
  return match(op)
    .with({ type: 'put' }, (o): ItfJson => ({ type: o.type, key: o.key, value: o.value }))
    .with({ type: 'get' }, (o): ItfJson => ({ type: o.type, key: o.key }))
    .with({ type: 'cas' }, (o): ItfJson => ({ type: o.type, key: o.key, expected: o.expected, value: o.value }))
    .exhaustive();
}

function outcomeJson(outcome: KvOutcome): ItfJson {
  return match(outcome)
    .with({ type: 'ok' }, (o): ItfJson => ({ type: o.type, result: resultJson(o.result) }))
    .with({ type: 'redirect' }, (o): ItfJson => ({ type: o.type, leader: o.leader, address: o.address }))
    .with({ type: 'unavailable' }, (o): ItfJson => ({ type: o.type, reason: o.reason }))
    .exhaustive();
}

/** The status fields, in a fixed order. */
const STATUS_FIELDS = ['id', 'pid', 'role', 'term', 'leader', 'votedFor', 'commitIndex', 'lastApplied', 'logLength', 'electionsStarted', 'leaderships', 'clockRate'] as const;

function statusJson(status: NodeStatus): ItfJson {
  const out: { [key: string]: ItfJson } = {};
  for (const name of STATUS_FIELDS) out[name] = status[name];
  return out;
}

function resultJson(result: KvResult): ItfJson {
  return match(result)
    .with({ type: 'put' }, (r): ItfJson => ({ type: r.type }))
    .with({ type: 'get' }, (r): ItfJson => ({ type: r.type, value: r.value }))
    .with({ type: 'cas' }, (r): ItfJson => ({ type: r.type, ok: r.ok }))
    .exhaustive();
}

/** A frame's body: its UTF-8 JSON (only the fields of its kind, in a fixed order). */
export function frameBody(frame: Frame): Buffer {
  return Buffer.from(JSON.stringify(wireJson(frame)), 'utf8');
}

/**
 * A frame as bytes for the socket (length prefix and body). Refused as `oversized` when its body exceeds
 * `maxFrameBytes` (a log entry too large to ship); the caller decides what to drop.
 */
export function encodeFrame(frame: Frame, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): FrameResult<Buffer> {
  return prefixFrame(frameBody(frame), maxFrameBytes);
}

// ---------------------------------------------------------------------------------------------------------
// Decoding

/** What the receiver knows that the frame is checked against. */
export interface DecodeContext {
  /** The cluster's members: Raft messages, hellos' `from`/`to` and redirects must name only these. Unchecked when absent. */
  readonly members?: readonly NodeId[];
}

/** A problem found inside a body; caught at the {@link decodeFrame} boundary, never thrown past it. */
class BadFrame extends Error {
  constructor(
    readonly at: string,
    readonly problem: string,
  ) {
    super(`${at}: ${problem}`);
  }
}

type Json = ItfJson;
type JsonObject = { readonly [key: string]: Json };

/** A received value in a reason: short, and never recursive (a hostile body may nest thousands deep). */
function show(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return clip(JSON.stringify(value), 60);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object with exactly `fields` (own keys: JSON.parse makes even `__proto__` an own key). */
function exactly(value: Json | undefined, at: string, fields: readonly string[]): JsonObject {
  if (!isObject(value)) throw new BadFrame(at, `expected an object, got ${show(value)}`);
  const keys = Object.keys(value);
  const missing = fields.filter((f) => !Object.hasOwn(value, f));
  const extra = keys.filter((k) => !fields.includes(k));
  if (missing.length > 0) throw new BadFrame(at, `missing ${missing.join(', ')}`);
  if (extra.length > 0) throw new BadFrame(at, `unexpected field ${extra.slice(0, 3).map((e) => show(e)).join(', ')}`);
  return value;
}

/** A field `exactly` has checked is present. */
function field(o: JsonObject, name: string): Json {
  return o[name] as Json;
}

/** An object whose `type` is one of `choices`. */
function tagged<S extends string>(value: Json, at: string, choices: readonly S[]): S {
  if (!isObject(value)) throw new BadFrame(at, `expected an object with a type, got ${show(value)}`);
  return oneOf(value['type'], choices, `${at}.type`);
}

function str(value: Json, at: string): string {
  if (typeof value !== 'string') throw new BadFrame(at, `expected a string, got ${show(value)}`);
  return value;
}

function nat(value: Json, at: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new BadFrame(at, `expected an integer >= ${min}, got ${show(value)}`);
  }
  return value;
}

function boolean(value: Json, at: string): boolean {
  if (typeof value !== 'boolean') throw new BadFrame(at, `expected true or false, got ${show(value)}`);
  return value;
}

function reason(value: Json, at: string): string {
  const s = str(value, at);
  if (s.length > MAX_REASON_CHARS) throw new BadFrame(at, `a reason of ${s.length} characters is longer than ${MAX_REASON_CHARS}`);
  return s;
}

function oneOf<S extends string>(value: Json | undefined, choices: readonly S[], at: string): S {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new BadFrame(at, `expected one of ${choices.join(', ')}, got ${show(value)}`);
  }
  return value as S;
}

function nodeId(value: Json, at: string, context: DecodeContext): NodeId {
  const id = str(value, at);
  const problem = nodeIdProblem(id);
  if (problem !== null) throw new BadFrame(at, problem);
  if (context.members !== undefined && !context.members.includes(id)) {
    throw new BadFrame(at, `${id} is not a member of this cluster (${context.members.join(', ')})`);
  }
  return id;
}

function identity(value: Json, at: string): ClusterIdentity {
  const o = exactly(value, at, ['clusterId', 'members']);
  const clusterId = str(field(o, 'clusterId'), `${at}.clusterId`);
  const idProblem = clusterIdProblem(clusterId);
  if (idProblem !== null) throw new BadFrame(`${at}.clusterId`, idProblem);
  const rawMembers = field(o, 'members');
  if (!Array.isArray(rawMembers)) throw new BadFrame(`${at}.members`, `expected a list of node ids, got ${show(rawMembers)}`);
  // Members are checked for form only: whether they match ours is the handshake's question, with its own message.
  const members = rawMembers.map((m, i) => nodeId(m, `${at}.members[${i}]`, {}));
  const problem = identityMembersProblem(members);
  if (problem !== null) throw new BadFrame(`${at}.members`, problem);
  return { clusterId, members: [...members].sort() };
}

const FRAME_KINDS: readonly FrameKind[] = ['hello', 'refused', 'raft', 'request', 'response', 'status', 'status-reply'];

/** One decoder per kind; the mapped type makes a missing kind a compile error. */
const DECODERS: { readonly [K in FrameKind]: (o: JsonObject, context: DecodeContext) => Extract<Frame, { kind: K }> } = {
  // A hello naming a stranger is decoded all the same: refusing it is the handshake's job, with a clearer reason.
  hello(o) {
    // The version first: a later version's hello may have other fields, and deserves its own message.
    const version = isObject(o) ? o['version'] : undefined;
    if (version !== WIRE_VERSION) throw new UnsupportedVersion(version);
    const f = exactly(o, 'hello', ['kind', 'version', 'from', 'to', 'cluster']);
    return {
      kind: 'hello',
      version: WIRE_VERSION,
      from: nodeId(field(f, 'from'), 'hello.from', {}),
      to: nodeId(field(f, 'to'), 'hello.to', {}),
      cluster: identity(field(f, 'cluster'), 'hello.cluster'),
    };
  },
  refused(o) {
    const f = exactly(o, 'refused', ['kind', 'reason']);
    return { kind: 'refused', reason: reason(field(f, 'reason'), 'refused.reason') };
  },
  raft(o, context) {
    const f = exactly(o, 'raft', ['kind', 'message']);
    const message = messageFromSpec(specMessageFromTla(fromItf(field(f, 'message'), {}, 'raft.message'), context.members, 'raft.message'));
    return { kind: 'raft', message };
  },
  request(o) {
    const f = exactly(o, 'request', ['kind', 'client', 'seq', 'attempt', 'op']);
    const client = str(field(f, 'client'), 'request.client');
    const seq = nat(field(f, 'seq'), 'request.seq');
    const attempt = nat(field(f, 'attempt'), 'request.attempt', 1);
    const op = kvOp(field(f, 'op'), 'request.op');
    try {
      // The log's own encoding checks that ids, keys and values are plain tokens: a request that passes here
      // can be proposed without the node ever meeting that RangeError.
      encodeCommand({ client, seq, op });
    } catch (e) {
      if (e instanceof RangeError) throw new BadFrame('request', e.message);
      throw e;
    }
    return { kind: 'request', client, seq, attempt, op };
  },
  response(o, context) {
    const f = exactly(o, 'response', ['kind', 'client', 'seq', 'outcome']);
    return {
      kind: 'response',
      client: str(field(f, 'client'), 'response.client'),
      seq: nat(field(f, 'seq'), 'response.seq'),
      outcome: outcome(field(f, 'outcome'), 'response.outcome', context),
    };
  },
  status(o) {
    exactly(o, 'status', ['kind']);
    return { kind: 'status' };
  },
  'status-reply'(o, context) {
    const f = exactly(o, 'status-reply', ['kind', 'status']);
    return { kind: 'status-reply', status: nodeStatus(field(f, 'status'), 'status-reply.status', context) };
  },
};

function nodeStatus(value: Json, at: string, context: DecodeContext): NodeStatus {
  const o = exactly(value, at, STATUS_FIELDS);
  const optionalNode = (name: string): NodeId | null => {
    const v = field(o, name);
    return v === null ? null : nodeId(v, `${at}.${name}`, context);
  };
  const clockRate = field(o, 'clockRate');
  if (typeof clockRate !== 'number' || !Number.isFinite(clockRate) || clockRate <= 0) throw new BadFrame(`${at}.clockRate`, `expected a positive number, got ${show(clockRate)}`);
  return {
    id: nodeId(field(o, 'id'), `${at}.id`, context),
    pid: nat(field(o, 'pid'), `${at}.pid`),
    role: oneOf(field(o, 'role'), ['Follower', 'Candidate', 'Leader'] as const, `${at}.role`),
    term: nat(field(o, 'term'), `${at}.term`),
    leader: optionalNode('leader'),
    votedFor: optionalNode('votedFor'),
    commitIndex: nat(field(o, 'commitIndex'), `${at}.commitIndex`),
    lastApplied: nat(field(o, 'lastApplied'), `${at}.lastApplied`),
    logLength: nat(field(o, 'logLength'), `${at}.logLength`),
    electionsStarted: nat(field(o, 'electionsStarted'), `${at}.electionsStarted`),
    leaderships: nat(field(o, 'leaderships'), `${at}.leaderships`),
    clockRate,
  };
}

class UnsupportedVersion extends Error {
  constructor(readonly version: Json | undefined) {
    super(`unsupported wire version ${show(version)}`);
  }
}

function kvOp(value: Json, at: string): KvOp {
  const type = tagged(value, at, ['put', 'get', 'cas'] as const);
  switch (type) {
    case 'put': {
      const o = exactly(value, at, ['type', 'key', 'value']);
      return { type, key: str(field(o, 'key'), `${at}.key`), value: str(field(o, 'value'), `${at}.value`) };
    }
    case 'get': {
      const o = exactly(value, at, ['type', 'key']);
      return { type, key: str(field(o, 'key'), `${at}.key`) };
    }
    case 'cas': {
      const o = exactly(value, at, ['type', 'key', 'expected', 'value']);
      const expected = field(o, 'expected');
      return {
        type,
        key: str(field(o, 'key'), `${at}.key`),
        expected: expected === null ? null : str(expected, `${at}.expected`),
        value: str(field(o, 'value'), `${at}.value`),
      };
    }
  }
}

function outcome(value: Json, at: string, context: DecodeContext): KvOutcome {
  const type = tagged(value, at, ['ok', 'redirect', 'unavailable'] as const);
  switch (type) {
    case 'ok': {
      const o = exactly(value, at, ['type', 'result']);
      return { type, result: kvResult(field(o, 'result'), `${at}.result`) };
    }
    case 'redirect': {
      const o = exactly(value, at, ['type', 'leader', 'address']);
      const leader = field(o, 'leader');
      const address = field(o, 'address');
      if (address !== null && (typeof address !== 'string' || address.length > 300)) throw new BadFrame(`${at}.address`, `expected a host:port string or null, got ${show(address)}`);
      return { type, leader: leader === null ? null : nodeId(leader, `${at}.leader`, context), address };
    }
    case 'unavailable': {
      const o = exactly(value, at, ['type', 'reason']);
      return { type, reason: reason(field(o, 'reason'), `${at}.reason`) };
    }
  }
}

function kvResult(value: Json, at: string): KvResult {
  const type = tagged(value, at, ['put', 'get', 'cas'] as const);
  switch (type) {
    case 'put':
      exactly(value, at, ['type']);
      return { type };
    case 'get': {
      const o = exactly(value, at, ['type', 'value']);
      const v = field(o, 'value');
      return { type, value: v === null ? null : str(v, `${at}.value`) };
    }
    case 'cas': {
      const o = exactly(value, at, ['type', 'ok']);
      return { type, ok: boolean(field(o, 'ok'), `${at}.ok`) };
    }
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A frame from its body, fully validated (see {@link DecodeContext}). Never throws: a body that is not
 * UTF-8, not JSON, or not a frame is a {@link FrameError} whose reason names the offending field.
 */
export function decodeFrame(body: Uint8Array, context: DecodeContext = {}): FrameResult<Frame> {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return refused('not-utf8', `a frame of ${body.length} bytes is not valid UTF-8`);
  }
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (e) {
    return refused('not-json', `a frame is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return frameFromJson(json, context);
}

/** A frame from parsed JSON (see {@link decodeFrame}). */
export function frameFromJson(json: Json, context: DecodeContext = {}): FrameResult<Frame> {
  try {
    if (!isObject(json)) throw new BadFrame('frame', `expected an object with a kind, got ${show(json)}`);
    const kind = oneOf(json['kind'], FRAME_KINDS, 'frame.kind');
    return ok(DECODERS[kind](json, context));
  } catch (e) {
    // Clipped: a reason goes to a log and into a `refused` frame, and may quote a megabyte-long token.
    if (e instanceof BadFrame) return refused('bad-frame', clip(e.message, MAX_REASON_CHARS));
    if (e instanceof SpecValueError || e instanceof ItfValueError) return refused('bad-frame', clip(`a Raft message is malformed: ${e.message}`, MAX_REASON_CHARS));
    if (e instanceof UnsupportedVersion) {
      return refused('unsupported-version', `the hello speaks wire version ${show(e.version)}; this node speaks version ${WIRE_VERSION}`);
    }
    throw e;
  }
}
