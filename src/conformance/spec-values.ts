/**
 * Trace values to the Raft core's terms and back: a trace state (TLA+ values) as the core's
 * `SpecState` (what `toSpecState` produces), checked against the vocabulary's shapes; an action
 * label as the core's `ActionLabel`; and a `SpecState` as a cluster the core can step.
 *
 * Everything a trace may get wrong is reported as a {@link StateShapeError} naming the variable
 * path (`log[s2][1].term`), so a hand-edited or foreign trace fails with one precise message.
 *
 * Server ids and record fields become keys of plain objects here (the core's per-server records), so
 * a name every JavaScript object inherits (`__proto__`, `constructor`, `hasOwnProperty`, ...) is
 * refused with a StateShapeError rather than used; everything is looked up as an own property.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { bagAdd, EMPTY_BAG, type MessageBag } from '../raft/bag.js';
import type { ClusterSnapshot } from '../raft/cluster.js';
import type { ActionLabel } from '../raft/labels.js';
import { RaftLog } from '../raft/log.js';
import {
  fromSpecActionLabel,
  fromSpecMessage,
  NIL,
  type SpecBagEntry,
  type SpecLogEntry,
  type SpecMessage,
  type SpecState,
  SpecShapeError,
  sortSpecBag,
} from '../raft/spec-state.js';
import type { NodeId, NodeState, Role } from '../raft/types.js';
import { INHERITED_NAME, type TlaValue, canonicalize, isInheritedName } from '../tla/value.js';

/** A trace value does not have the shape the vocabulary gives its variable. */
export class StateShapeError extends Error {
  constructor(
    /** Where in the state, e.g. `votedFor[s2]`. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'StateShapeError';
  }
}

/** A value as plain JSON-like data: integers as numbers, model values and strings as strings. */
export type Plain = boolean | number | string | readonly Plain[] | { readonly [key: string]: Plain };

/** A name that is about to key a plain object; refused when every JS object inherits it. */
function key(name: string, path: string, what: string): string {
  if (isInheritedName(name)) throw new StateShapeError(path, `${what} ${JSON.stringify(name)} is ${INHERITED_NAME}`);
  return name;
}

/**
 * Converts a value to plain data (sets become arrays, functions become objects keyed by name). A
 * record field or function key named like an inherited property (`__proto__`) is a StateShapeError.
 */
export function toPlain(value: TlaValue, path = 'value'): Plain {
  return match(value)
    .with({ kind: 'bool' }, (v): Plain => v.value)
    .with({ kind: 'int' }, (v): Plain => {
      const n = Number(v.value);
      if (!Number.isSafeInteger(n)) throw new StateShapeError(path, `integer ${v.value} is too large`);
      return n;
    })
    .with({ kind: 'str' }, (v): Plain => v.value)
    .with({ kind: 'modelValue' }, (v): Plain => v.name)
    .with({ kind: 'set' }, { kind: 'seq' }, (v): Plain => v.elements.map((e, i) => toPlain(e, `${path}[${i + 1}]`)))
    .with({ kind: 'record' }, (v): Plain => Object.fromEntries([...v.fields].map(([k, f]) => [key(k, path, 'field'), toPlain(f, `${path}.${k}`)])))
    .with({ kind: 'fn' }, (v): Plain =>
      Object.fromEntries(v.entries.map(([k, e]) => {
        const name = key(nameOf(k, `${path} (a key)`), path, 'key');
        return [name, toPlain(e, `${path}[${name}]`)];
      })),
    )
    .exhaustive();
}

function show(value: TlaValue): string {
  return match(value)
    .with({ kind: 'bool' }, (v) => String(v.value))
    .with({ kind: 'int' }, (v) => v.value.toString())
    .with({ kind: 'str' }, (v) => JSON.stringify(v.value))
    .with({ kind: 'modelValue' }, (v) => v.name)
    .otherwise((v) => `a ${v.kind}`);
}

/** A model value's or string's name (server ids and values may arrive as either). */
function nameOf(value: TlaValue, path: string): string {
  if (value.kind === 'modelValue') return value.name;
  if (value.kind === 'str') return value.value;
  throw new StateShapeError(path, `expected a server or value name, got ${show(value)}`);
}

function nat(value: TlaValue, path: string): number {
  if (value.kind !== 'int' || value.value < 0n) throw new StateShapeError(path, `expected a natural number, got ${show(value)}`);
  const n = Number(value.value);
  if (!Number.isSafeInteger(n)) throw new StateShapeError(path, `${value.value} is too large`);
  return n;
}

function bool(value: TlaValue, path: string): boolean {
  if (value.kind !== 'bool') throw new StateShapeError(path, `expected TRUE or FALSE, got ${show(value)}`);
  return value.value;
}

/** A function's entries, whatever form it was written in (an empty function may look like `<<>>`). */
function entries(value: TlaValue, path: string): (readonly [TlaValue, TlaValue])[] {
  const c = canonicalize(value);
  return match(c)
    .with({ kind: 'fn' }, (f) => [...f.entries])
    .with({ kind: 'record' }, (r) => [...r.fields].map(([k, v]) => [{ kind: 'str', value: k } as TlaValue, v] as const))
    .with({ kind: 'seq' }, (s) => s.elements.map((e, i) => [{ kind: 'int', value: BigInt(i + 1) } as TlaValue, e] as const))
    .otherwise((v) => {
      throw new StateShapeError(path, `expected a function, got ${show(v)}`);
    });
}

/** A function over the servers, each value converted by `f`. */
function perServer<T>(value: TlaValue, servers: readonly NodeId[], path: string, f: (v: TlaValue, path: string) => T): Record<NodeId, T> {
  const out = new Map<NodeId, T>();
  const es = entries(value, path);
  for (const [k, v] of es) {
    const id = nameOf(k, `${path} (a key)`);
    if (!servers.includes(id)) throw new StateShapeError(`${path}[${id}]`, `${id} is not one of the servers ${servers.join(', ')} (the domain of currentTerm)`);
    out.set(id, f(v, `${path}[${id}]`));
  }
  const missing = servers.filter((s) => !out.has(s));
  if (missing.length > 0) throw new StateShapeError(path, `has no entry for ${missing.join(', ')}: its domain must be every server`);
  // Keys inserted in sorted order, as toSpecState does; no server is an inherited name (specStateFromTla).
  return Object.fromEntries(servers.map((s) => [s, out.get(s) as T]));
}

function sequence(value: TlaValue, path: string): TlaValue[] {
  const c = canonicalize(value);
  if (c.kind !== 'seq') throw new StateShapeError(path, `expected a sequence, got ${show(c)}`);
  return [...c.elements];
}

function record(value: TlaValue, path: string, fields: readonly string[]): ReadonlyMap<string, TlaValue> {
  if (value.kind !== 'record') throw new StateShapeError(path, `expected a record, got ${show(value)}`);
  const missing = fields.filter((f) => !value.fields.has(f));
  const extra = [...value.fields.keys()].filter((f) => !fields.includes(f));
  if (missing.length > 0 || extra.length > 0) {
    throw new StateShapeError(path, `expected fields ${fields.join(', ')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''}`);
  }
  return value.fields;
}

function logEntry(value: TlaValue, path: string): SpecLogEntry {
  const r = record(value, path, ['term', 'value']);
  return { term: nat(r.get('term') as TlaValue, `${path}.term`), value: nameOf(r.get('value') as TlaValue, `${path}.value`) };
}

const ROLES: readonly Role[] = ['Follower', 'Candidate', 'Leader'];

const MESSAGE_FIELDS: Readonly<Record<SpecMessage['mtype'], readonly string[]>> = {
  RequestVoteRequest: ['mtype', 'mterm', 'mlastLogTerm', 'mlastLogIndex', 'msource', 'mdest'],
  RequestVoteResponse: ['mtype', 'mterm', 'mvoteGranted', 'msource', 'mdest'],
  AppendEntriesRequest: ['mtype', 'mterm', 'mprevLogIndex', 'mprevLogTerm', 'mentries', 'mcommitIndex', 'msource', 'mdest'],
  AppendEntriesResponse: ['mtype', 'mterm', 'msuccess', 'mmatchIndex', 'msource', 'mdest'],
};

/** A message record of the trace, checked field by field. */
export function specMessageFromTla(value: TlaValue, servers: readonly NodeId[], path: string): SpecMessage {
  if (value.kind !== 'record') throw new StateShapeError(path, `expected a message record, got ${show(value)}`);
  const type = value.fields.get('mtype');
  if (type?.kind !== 'str' || !Object.hasOwn(MESSAGE_FIELDS, type.value)) {
    throw new StateShapeError(`${path}.mtype`, `expected one of ${Object.keys(MESSAGE_FIELDS).join(', ')}, got ${type === undefined ? 'nothing' : show(type)}`);
  }
  const mtype = type.value as SpecMessage['mtype'];
  const r = record(value, path, MESSAGE_FIELDS[mtype]);
  const get = (f: string) => r.get(f) as TlaValue;
  const server = (f: string) => {
    const id = nameOf(get(f), `${path}.${f}`);
    if (!servers.includes(id)) throw new StateShapeError(`${path}.${f}`, `${id} is not a server`);
    return id;
  };
  const common = { mterm: nat(get('mterm'), `${path}.mterm`), msource: server('msource'), mdest: server('mdest') };
  return match(mtype)
    .with('RequestVoteRequest', (t): SpecMessage => ({
      mtype: t,
      ...common,
      mlastLogTerm: nat(get('mlastLogTerm'), `${path}.mlastLogTerm`),
      mlastLogIndex: nat(get('mlastLogIndex'), `${path}.mlastLogIndex`),
    }))
    .with('RequestVoteResponse', (t): SpecMessage => ({ mtype: t, ...common, mvoteGranted: bool(get('mvoteGranted'), `${path}.mvoteGranted`) }))
    .with('AppendEntriesRequest', (t): SpecMessage => ({
      mtype: t,
      ...common,
      mprevLogIndex: nat(get('mprevLogIndex'), `${path}.mprevLogIndex`),
      mprevLogTerm: nat(get('mprevLogTerm'), `${path}.mprevLogTerm`),
      mentries: sequence(get('mentries'), `${path}.mentries`).map((e, i) => logEntry(e, `${path}.mentries[${i + 1}]`)),
      mcommitIndex: nat(get('mcommitIndex'), `${path}.mcommitIndex`),
    }))
    .with('AppendEntriesResponse', (t): SpecMessage => ({
      mtype: t,
      ...common,
      msuccess: bool(get('msuccess'), `${path}.msuccess`),
      mmatchIndex: nat(get('mmatchIndex'), `${path}.mmatchIndex`),
    }))
    .exhaustive();
}

/**
 * A trace state's spec variables as the core's `SpecState`, checked against the vocabulary
 * (specs/RAFT_VOCABULARY.md). `Server` is the domain of `currentTerm`; every other per-server
 * function must have the same domain.
 */
export function specStateFromTla(vars: Readonly<Record<string, TlaValue>>): SpecState {
  const v = (name: keyof SpecState): TlaValue => {
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (value === undefined) throw new StateShapeError(name, 'is missing');
    return value;
  };
  const servers = entries(v('currentTerm'), 'currentTerm')
    .map(([k]) => nameOf(k, 'currentTerm (a key)'))
    .sort();
  // Server ids key the core's per-server records (nodes, nextIndex, ...): refuse what every object has.
  const inherited = servers.find(isInheritedName);
  if (inherited !== undefined) throw new StateShapeError('currentTerm', `server ${JSON.stringify(inherited)} is ${INHERITED_NAME}; rename the model value`);
  if (servers.length === 0) throw new StateShapeError('currentTerm', 'has an empty domain: there must be at least one server');
  const server = (x: TlaValue, path: string) => {
    const id = nameOf(x, path);
    if (!servers.includes(id)) throw new StateShapeError(path, `${id} is not a server`);
    return id;
  };
  const messages: SpecBagEntry[] = entries(v('messages'), 'messages').map(([m, count], i) => {
    const message = specMessageFromTla(m, servers, `messages (message ${i + 1})`);
    const n = nat(count, `messages[${message.mtype} ${message.msource}->${message.mdest}]`);
    if (n < 1) throw new StateShapeError(`messages[${message.mtype} ${message.msource}->${message.mdest}]`, 'a message in the bag has at least one copy');
    return { message, count: n };
  });
  return {
    currentTerm: perServer(v('currentTerm'), servers, 'currentTerm', nat),
    role: perServer(v('role'), servers, 'role', (x, p) => {
      if (x.kind !== 'str' || !(ROLES as readonly string[]).includes(x.value)) throw new StateShapeError(p, `expected one of ${ROLES.join(', ')}, got ${show(x)}`);
      return x.value as Role;
    }),
    votedFor: perServer(v('votedFor'), servers, 'votedFor', (x, p) => {
      const id = nameOf(x, p);
      if (id !== NIL && !servers.includes(id)) throw new StateShapeError(p, `expected a server or ${NIL}, got ${id}`);
      return id;
    }),
    log: perServer(v('log'), servers, 'log', (x, p) => sequence(x, p).map((e, i) => logEntry(e, `${p}[${i + 1}]`))),
    commitIndex: perServer(v('commitIndex'), servers, 'commitIndex', nat),
    votesGranted: perServer(v('votesGranted'), servers, 'votesGranted', (x, p) => {
      const c = canonicalize(x);
      if (c.kind !== 'set') throw new StateShapeError(p, `expected a set of servers, got ${show(c)}`);
      return c.elements.map((e, i) => server(e, `${p} (element ${i + 1})`)).sort();
    }),
    nextIndex: perServer(v('nextIndex'), servers, 'nextIndex', (x, p) => perServer(x, servers, p, nat)),
    matchIndex: perServer(v('matchIndex'), servers, 'matchIndex', (x, p) => perServer(x, servers, p, nat)),
    messages: sortSpecBag(messages),
  };
}

/** The servers of a spec state (sorted). */
export function serversOf(state: SpecState): NodeId[] {
  return Object.keys(state.currentTerm).sort();
}

/** A trace's action label as the core's `ActionLabel`; throws `SpecShapeError` for an unknown action. */
export function actionLabelFromTla(value: TlaValue): ActionLabel {
  return fromSpecActionLabel(toPlain(value, 'action'));
}

/** Re-exported: what {@link actionLabelFromTla} throws for an unknown action or a malformed parameter. */
export { SpecShapeError };

/**
 * A cluster in exactly the given spec state (the replay's starting point, and the state the
 * enabledness check offers inputs in). Fields the spec does not model start empty (`leaderHint`).
 */
export function clusterFromSpecState(state: SpecState): ClusterSnapshot {
  const servers = serversOf(state);
  const nodes: Record<NodeId, NodeState> = {};
  for (const id of servers) {
    const votedFor = state.votedFor[id] as string;
    nodes[id] = {
      id,
      servers,
      currentTerm: state.currentTerm[id] as number,
      role: state.role[id] as Role,
      votedFor: votedFor === NIL ? null : votedFor,
      log: RaftLog.from((state.log[id] as readonly SpecLogEntry[]).map((e) => ({ term: e.term, value: e.value }))),
      commitIndex: state.commitIndex[id] as number,
      votesGranted: [...(state.votesGranted[id] as readonly NodeId[])],
      nextIndex: { ...(state.nextIndex[id] as Record<NodeId, number>) },
      matchIndex: { ...(state.matchIndex[id] as Record<NodeId, number>) },
      leaderHint: null,
    };
  }
  let messages: MessageBag = EMPTY_BAG;
  for (const { message, count } of state.messages) messages = bagAdd(messages, fromSpecMessage(message), count);
  return { servers, nodes, messages };
}
