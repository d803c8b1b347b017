/**
 * The abstraction function: a cluster snapshot as the spec's variables (ARCHITECTURE.md section 3), plus the
 * message and action-label mappings between readable TS names and the spec's `m*` records.
 *
 * The output is plain, deterministic JS: functions over `Server` are records keyed by node id (keys inserted
 * in sorted order), sets are sorted arrays, sequences are arrays, `Nil` is the string `"Nil"`, and the
 * message bag is a list of `{message, count}` sorted by the `messageKey` of the message. A separate
 * module turns this into the TLA+ value model; nothing here knows about ITF.
 *
 * @module
 */
import { bagEntries, messageKey } from './bag.js';
import { compareText } from './canonical.js';
import type { ClusterSnapshot } from './cluster.js';
import { unreachable } from './exhaustive.js';
import type { ActionLabel } from './labels.js';
import type { Message } from './messages.js';
import type { LogEntry, NodeId, NodeState, Role } from './types.js';

/** The spec's `Nil` model value as `toSpecState` writes it. */
export const NIL = 'Nil';

/** A log entry in the spec: `[term |-> t, value |-> v]`. */
export interface SpecLogEntry {
  readonly term: number;
  readonly value: string;
}

/** The spec's `RequestVoteRequest` record. */
export interface SpecRequestVoteRequest {
  readonly mtype: 'RequestVoteRequest';
  readonly mterm: number;
  readonly mlastLogTerm: number;
  readonly mlastLogIndex: number;
  readonly msource: NodeId;
  readonly mdest: NodeId;
}
/** The spec's `RequestVoteResponse` record. */
export interface SpecRequestVoteResponse {
  readonly mtype: 'RequestVoteResponse';
  readonly mterm: number;
  readonly mvoteGranted: boolean;
  readonly msource: NodeId;
  readonly mdest: NodeId;
}
/** The spec's `AppendEntriesRequest` record. */
export interface SpecAppendEntriesRequest {
  readonly mtype: 'AppendEntriesRequest';
  readonly mterm: number;
  readonly mprevLogIndex: number;
  readonly mprevLogTerm: number;
  readonly mentries: readonly SpecLogEntry[];
  readonly mcommitIndex: number;
  readonly msource: NodeId;
  readonly mdest: NodeId;
}
/** The spec's `AppendEntriesResponse` record. */
export interface SpecAppendEntriesResponse {
  readonly mtype: 'AppendEntriesResponse';
  readonly mterm: number;
  readonly msuccess: boolean;
  readonly mmatchIndex: number;
  readonly msource: NodeId;
  readonly mdest: NodeId;
}
/** Any spec message record. */
export type SpecMessage =
  | SpecRequestVoteRequest
  | SpecRequestVoteResponse
  | SpecAppendEntriesRequest
  | SpecAppendEntriesResponse;

/** One element of the spec's message bag. */
export interface SpecBagEntry {
  readonly message: SpecMessage;
  readonly count: number;
}

/** The spec's variables (all but the `action` label and history variables). */
export interface SpecState {
  readonly currentTerm: Readonly<Record<NodeId, number>>;
  readonly role: Readonly<Record<NodeId, Role>>;
  readonly votedFor: Readonly<Record<NodeId, string>>;
  readonly log: Readonly<Record<NodeId, readonly SpecLogEntry[]>>;
  readonly commitIndex: Readonly<Record<NodeId, number>>;
  readonly votesGranted: Readonly<Record<NodeId, readonly NodeId[]>>;
  readonly nextIndex: Readonly<Record<NodeId, Readonly<Record<NodeId, number>>>>;
  readonly matchIndex: Readonly<Record<NodeId, Readonly<Record<NodeId, number>>>>;
  readonly messages: readonly SpecBagEntry[];
}

/** The names of the compared spec variables, in the vocabulary's order. */
export const SPEC_VARIABLES: readonly (keyof SpecState)[] = [
  'currentTerm',
  'role',
  'votedFor',
  'log',
  'commitIndex',
  'votesGranted',
  'nextIndex',
  'matchIndex',
  'messages',
];

function entry(e: LogEntry): SpecLogEntry {
  return { term: e.term, value: e.value };
}

/** A TS message as the spec's record. */
export function toSpecMessage(m: Message): SpecMessage {
  // A switch, not ts-pattern: `toSpecState` calls this for every message of every replayed state.
  switch (m.type) {
    case 'RequestVoteRequest':
      return {
        mtype: m.type,
        mterm: m.term,
        mlastLogTerm: m.lastLogTerm,
        mlastLogIndex: m.lastLogIndex,
        msource: m.from,
        mdest: m.to,
      };
    case 'RequestVoteResponse':
      return { mtype: m.type, mterm: m.term, mvoteGranted: m.voteGranted, msource: m.from, mdest: m.to };
    case 'AppendEntriesRequest':
      return {
        mtype: m.type,
        mterm: m.term,
        mprevLogIndex: m.prevLogIndex,
        mprevLogTerm: m.prevLogTerm,
        mentries: m.entries.map(entry),
        mcommitIndex: m.commitIndex,
        msource: m.from,
        mdest: m.to,
      };
    case 'AppendEntriesResponse':
      return { mtype: m.type, mterm: m.term, msuccess: m.success, mmatchIndex: m.matchIndex, msource: m.from, mdest: m.to };
    default:
      return unreachable(m, 'message');
  }
}

/**
 * Orders a spec bag the way `toSpecState` writes it: by the `messageKey` of each message. For a bag read
 * from elsewhere (a trace), so that two equal bags are also equal as lists.
 */
export function sortSpecBag(bag: readonly SpecBagEntry[]): SpecBagEntry[] {
  return bag
    .map((e) => ({ key: messageKey(fromSpecMessage(e.message)), e }))
    .sort((a, b) => compareText(a.key, b.key))
    .map(({ e }) => e);
}

/** Thrown by `fromSpecMessage` / `fromSpecActionLabel` when a value does not have the spec's shape. */
export class SpecShapeError extends Error {
  /** @param what where the bad value was found and what was wrong with it. */
  constructor(what: string) {
    super(what);
    this.name = 'SpecShapeError';
  }
}

// Own properties only: a record read from a file must not supply a field through its prototype.
function field(record: Record<string, unknown>, name: string, where: string): unknown {
  if (!Object.hasOwn(record, name)) throw new SpecShapeError(`${where}: field "${name}" is missing`);
  return record[name];
}

function nat(record: Record<string, unknown>, name: string, where: string): number {
  const v = field(record, name, where);
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new SpecShapeError(`${where}: field "${name}" should be a natural number, got ${String(v)}`);
  }
  return n;
}

function str(record: Record<string, unknown>, name: string, where: string): string {
  const v = field(record, name, where);
  if (typeof v !== 'string') throw new SpecShapeError(`${where}: field "${name}" should be a string, got ${String(v)}`);
  return v;
}

function bool(record: Record<string, unknown>, name: string, where: string): boolean {
  const v = field(record, name, where);
  if (typeof v !== 'boolean') throw new SpecShapeError(`${where}: field "${name}" should be a boolean, got ${String(v)}`);
  return v;
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SpecShapeError(`${where}: expected a record, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * A spec message record (plain JS, integers as numbers or bigints) as a TS message. The inverse of
 * `toSpecMessage`; throws `SpecShapeError` naming the bad field, for trace files that do not fit the spec.
 */
export function fromSpecMessage(value: unknown, where = 'message'): Message {
  const r = asRecord(value, where);
  const mtype = str(r, 'mtype', where);
  const common = { term: nat(r, 'mterm', where), from: str(r, 'msource', where), to: str(r, 'mdest', where) };
  switch (mtype) {
    case 'RequestVoteRequest':
      return {
        type: mtype,
        ...common,
        lastLogTerm: nat(r, 'mlastLogTerm', where),
        lastLogIndex: nat(r, 'mlastLogIndex', where),
      };
    case 'RequestVoteResponse':
      return { type: mtype, ...common, voteGranted: bool(r, 'mvoteGranted', where) };
    case 'AppendEntriesRequest': {
      const raw = field(r, 'mentries', where);
      if (!Array.isArray(raw)) throw new SpecShapeError(`${where}: field "mentries" should be a sequence`);
      const entries = raw.map((e: unknown, i) => {
        const er = asRecord(e, `${where}.mentries[${i}]`);
        return { term: nat(er, 'term', `${where}.mentries[${i}]`), value: str(er, 'value', `${where}.mentries[${i}]`) };
      });
      return {
        type: mtype,
        ...common,
        prevLogIndex: nat(r, 'mprevLogIndex', where),
        prevLogTerm: nat(r, 'mprevLogTerm', where),
        entries,
        commitIndex: nat(r, 'mcommitIndex', where),
      };
    }
    case 'AppendEntriesResponse':
      return {
        type: mtype,
        ...common,
        success: bool(r, 'msuccess', where),
        matchIndex: nat(r, 'mmatchIndex', where),
      };
    default:
      throw new SpecShapeError(`${where}: unknown mtype "${mtype}"`);
  }
}

function perNode<T>(servers: readonly NodeId[], nodes: ClusterSnapshot['nodes'], f: (s: NodeState) => T): Record<NodeId, T> {
  const out: Record<NodeId, T> = {};
  for (const id of servers) {
    const s = Object.hasOwn(nodes, id) ? nodes[id] : undefined;
    if (s === undefined) throw new RangeError(`cluster snapshot has no state for member ${id}`);
    out[id] = f(s);
  }
  return out;
}

function perServer(servers: readonly NodeId[], rec: Readonly<Record<NodeId, number>>): Record<NodeId, number> {
  const out: Record<NodeId, number> = {};
  for (const id of servers) out[id] = Object.hasOwn(rec, id) ? (rec[id] as number) : 0;
  return out;
}

/** Whether ids are in ascending order without repeats: the form the spec's sets take in a `SpecState`. */
export function isStrictlySorted(ids: readonly NodeId[]): boolean {
  for (let i = 1; i < ids.length; i++) if ((ids[i - 1] as NodeId) >= (ids[i] as NodeId)) return false;
  return true;
}

/** The cluster's state as the spec's variables (see the module comment for the value conventions). */
export function toSpecState(cluster: ClusterSnapshot): SpecState {
  const servers = [...cluster.servers].sort();
  const nodes = cluster.nodes;
  // bagEntries is already in messageKey order, the order sortSpecBag gives a trace's bag.
  const messages = bagEntries(cluster.messages).map((e) => ({ message: toSpecMessage(e.message), count: e.count }));
  return {
    currentTerm: perNode(servers, nodes, (s) => s.currentTerm),
    role: perNode(servers, nodes, (s) => s.role),
    votedFor: perNode(servers, nodes, (s) => s.votedFor ?? NIL),
    log: perNode(servers, nodes, (s) => s.log.toArray().map(entry)),
    commitIndex: perNode(servers, nodes, (s) => s.commitIndex),
    votesGranted: perNode(servers, nodes, (s) => (isStrictlySorted(s.votesGranted) ? s.votesGranted : [...s.votesGranted].sort())),
    nextIndex: perNode(servers, nodes, (s) => perServer(servers, s.nextIndex)),
    matchIndex: perNode(servers, nodes, (s) => perServer(servers, s.matchIndex)),
    messages,
  };
}

/** The spec's `action` record: `name` plus whichever of `node`, `peer`, `value`, `message` it has. */
export interface SpecActionLabel {
  readonly name: string;
  readonly node?: NodeId;
  readonly peer?: NodeId;
  readonly value?: string;
  readonly message?: SpecMessage;
}

/** A label as the spec writes it (message as an `m*` record). */
export function toSpecActionLabel(label: ActionLabel): SpecActionLabel {
  const out: Record<string, unknown> = { name: label.name };
  if ('node' in label) out['node'] = label.node;
  if ('peer' in label) out['peer'] = label.peer;
  if ('value' in label) out['value'] = label.value;
  if ('message' in label) out['message'] = toSpecMessage(label.message);
  return out as unknown as SpecActionLabel;
}

const NODE_ONLY = new Set(['Timeout', 'Restart', 'BecomeLeader', 'AdvanceCommitIndex']);
const HANDLE_TYPES: Readonly<Record<string, Message['type']>> = {
  HandleRequestVoteRequest: 'RequestVoteRequest',
  HandleRequestVoteResponse: 'RequestVoteResponse',
  HandleAppendEntriesRequest: 'AppendEntriesRequest',
  HandleAppendEntriesResponse: 'AppendEntriesResponse',
};

/**
 * A spec `action` record (plain JS) as an `ActionLabel`. Throws `SpecShapeError` for an unknown action name
 * or a missing/ill-typed parameter, so the replay harness can report "unknown action label" precisely.
 */
export function fromSpecActionLabel(value: unknown, where = 'action'): ActionLabel {
  const r = asRecord(value, where);
  const name = str(r, 'name', where);
  if (name === 'Init') return { name };
  if (NODE_ONLY.has(name)) return { name, node: str(r, 'node', where) } as ActionLabel;
  if (name === 'ClientRequest') return { name, node: str(r, 'node', where), value: str(r, 'value', where) };
  if (name === 'AppendEntries') return { name, node: str(r, 'node', where), peer: str(r, 'peer', where) };
  const message = (): Message => fromSpecMessage(field(r, 'message', where), `${where}.message`);
  if (name === 'DropMessage' || name === 'DuplicateMessage') return { name, message: message() };
  const expected = Object.hasOwn(HANDLE_TYPES, name) ? HANDLE_TYPES[name] : undefined;
  if (expected !== undefined) {
    const m = message();
    if (m.type !== expected) throw new SpecShapeError(`${where}: ${name} carries a ${m.type}, expected ${expected}`);
    return { name, node: str(r, 'node', where), peer: str(r, 'peer', where), message: m } as ActionLabel;
  }
  throw new SpecShapeError(`${where}: unknown action name "${name}"`);
}
