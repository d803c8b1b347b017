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
import { unreachable } from '../exhaustive.js';
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
    .map((e) => ({ key: messageKey(messageFromSpec(e.message)), e }))
    .sort((a, b) => compareText(a.key, b.key))
    .map(({ e }) => e);
}

/** A spec message record as a TS message: the inverse of `toSpecMessage`. */
export function messageFromSpec(m: SpecMessage): Message {
  // A switch, not ts-pattern: a trace's every message goes through here when it is loaded.
  switch (m.mtype) {
    case 'RequestVoteRequest':
      return { type: m.mtype, term: m.mterm, from: m.msource, to: m.mdest, lastLogTerm: m.mlastLogTerm, lastLogIndex: m.mlastLogIndex };
    case 'RequestVoteResponse':
      return { type: m.mtype, term: m.mterm, from: m.msource, to: m.mdest, voteGranted: m.mvoteGranted };
    case 'AppendEntriesRequest':
      return {
        type: m.mtype,
        term: m.mterm,
        from: m.msource,
        to: m.mdest,
        prevLogIndex: m.mprevLogIndex,
        prevLogTerm: m.mprevLogTerm,
        entries: m.mentries.map(entry),
        commitIndex: m.mcommitIndex,
      };
    case 'AppendEntriesResponse':
      return { type: m.mtype, term: m.mterm, from: m.msource, to: m.mdest, success: m.msuccess, matchIndex: m.mmatchIndex };
    default:
      return unreachable(m, 'spec message');
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

/** One node's slice of the spec's variables: `currentTerm[i]`, `role[i]`, ... (`messages` is the network's). */
export type SpecNodeState = { readonly [V in Exclude<keyof SpecState, 'messages'>]: SpecState[V][NodeId] };

/** Node `s`'s spec variables, with `servers` (sorted) the cluster's members. */
export function toSpecNode(servers: readonly NodeId[], s: NodeState): SpecNodeState {
  return {
    currentTerm: s.currentTerm,
    role: s.role,
    votedFor: s.votedFor ?? NIL,
    log: s.log.toArray().map(entry),
    commitIndex: s.commitIndex,
    votesGranted: isStrictlySorted(s.votesGranted) ? s.votesGranted : [...s.votesGranted].sort(),
    nextIndex: perServer(servers, s.nextIndex),
    matchIndex: perServer(servers, s.matchIndex),
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
