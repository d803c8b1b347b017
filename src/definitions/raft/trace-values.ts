/**
 * A Raft trace's values in the core's terms: a state (TLA+ values) as the core's `SpecState` (what
 * `toSpecState` produces), checked against the vocabulary of `specs/RAFT_VOCABULARY.md`; an action
 * label as the core's `ActionLabel`; and a `SpecState` as a cluster the core can step.
 *
 * Everything a trace may get wrong is one {@link SpecValueError} naming the path (`log[s2][1].term`).
 *
 * @module
 */
import {
  type ActionLabel,
  bagAdd,
  type ClusterSnapshot,
  EMPTY_BAG,
  MESSAGE_TYPE_OF_HANDLE_INPUT,
  type Message,
  type MessageBag,
  messageFromSpec,
  NIL,
  type NodeId,
  type NodeState,
  RaftLog,
  type Role,
  type SpecBagEntry,
  type SpecLogEntry,
  type SpecMessage,
  type SpecState,
  sortSpecBag,
} from '../../raft/index.js';
import {
  SpecValueError,
  bool,
  domainOf,
  functionEntries,
  functionOver,
  nameOf,
  nat,
  oneOf,
  param,
  recordFields,
  sequence,
  setElements,
  variable,
  vocabularyLabel,
} from '../../protocol/values.js';
import type { TlaValue } from '../../tla/value.js';

const ROLES: readonly Role[] = ['Follower', 'Candidate', 'Leader'];

const MESSAGE_FIELDS: Readonly<Record<SpecMessage['mtype'], readonly string[]>> = {
  RequestVoteRequest: ['mtype', 'mterm', 'mlastLogTerm', 'mlastLogIndex', 'msource', 'mdest'],
  RequestVoteResponse: ['mtype', 'mterm', 'mvoteGranted', 'msource', 'mdest'],
  AppendEntriesRequest: ['mtype', 'mterm', 'mprevLogIndex', 'mprevLogTerm', 'mentries', 'mcommitIndex', 'msource', 'mdest'],
  AppendEntriesResponse: ['mtype', 'mterm', 'msuccess', 'mmatchIndex', 'msource', 'mdest'],
};
const MESSAGE_TYPES = Object.keys(MESSAGE_FIELDS) as SpecMessage['mtype'][];

function logEntry(value: TlaValue, path: string): SpecLogEntry {
  const r = recordFields(value, path, ['term', 'value']);
  return { term: nat(r.get('term') as TlaValue, `${path}.term`), value: nameOf(r.get('value') as TlaValue, `${path}.value`) };
}

/** Reads server names, each checked to be one of `servers` (unless the check is left out: labels). */
function serverReader(servers: readonly NodeId[] | undefined) {
  const known = servers === undefined ? undefined : new Set(servers);
  return (value: TlaValue, path: string): NodeId => {
    const id = nameOf(value, path, 'a server');
    if (known !== undefined && !known.has(id)) throw new SpecValueError(path, `${id} is not a server`);
    return id;
  };
}

/** A message record of the trace, checked field by field; `servers` undefined skips the membership check. */
export function specMessageFromTla(value: TlaValue, servers: readonly NodeId[] | undefined, path: string): SpecMessage {
  if (value.kind !== 'record') throw new SpecValueError(path, `expected a message record, got a ${value.kind}`);
  const type = value.fields.get('mtype');
  if (type === undefined) throw new SpecValueError(`${path}.mtype`, `expected one of ${MESSAGE_TYPES.join(', ')}, got nothing`);
  const mtype = oneOf(type, MESSAGE_TYPES, `${path}.mtype`);
  const r = recordFields(value, path, MESSAGE_FIELDS[mtype]);
  const get = (f: string) => r.get(f) as TlaValue;
  const server = serverReader(servers);
  const common = { mterm: nat(get('mterm'), `${path}.mterm`), msource: server(get('msource'), `${path}.msource`), mdest: server(get('mdest'), `${path}.mdest`) };
  switch (mtype) {
    case 'RequestVoteRequest':
      return { mtype, ...common, mlastLogTerm: nat(get('mlastLogTerm'), `${path}.mlastLogTerm`), mlastLogIndex: nat(get('mlastLogIndex'), `${path}.mlastLogIndex`) };
    case 'RequestVoteResponse':
      return { mtype, ...common, mvoteGranted: bool(get('mvoteGranted'), `${path}.mvoteGranted`) };
    case 'AppendEntriesRequest':
      return {
        mtype,
        ...common,
        mprevLogIndex: nat(get('mprevLogIndex'), `${path}.mprevLogIndex`),
        mprevLogTerm: nat(get('mprevLogTerm'), `${path}.mprevLogTerm`),
        mentries: sequence(get('mentries'), `${path}.mentries`).map((e, i) => logEntry(e, `${path}.mentries[${i + 1}]`)),
        mcommitIndex: nat(get('mcommitIndex'), `${path}.mcommitIndex`),
      };
    case 'AppendEntriesResponse':
      return { mtype, ...common, msuccess: bool(get('msuccess'), `${path}.msuccess`), mmatchIndex: nat(get('mmatchIndex'), `${path}.mmatchIndex`) };
  }
}

/**
 * A trace state's spec variables as the core's `SpecState`, checked against the vocabulary. `Server`
 * is the domain of `currentTerm`; every other per-server function must have the same domain.
 */
export function specStateFromTla(vars: Readonly<Record<string, TlaValue>>): SpecState {
  const v = (name: keyof SpecState) => variable(vars, name);
  const servers = domainOf(v('currentTerm'), 'currentTerm');
  if (servers.length === 0) throw new SpecValueError('currentTerm', 'has an empty domain: there must be at least one server');
  const server = serverReader(servers);
  const perServer = <T>(name: keyof SpecState, read: (x: TlaValue, path: string) => T) => functionOver(v(name), servers, name, read);
  const messages: SpecBagEntry[] = functionEntries(v('messages'), 'messages').map(([m, count], i) => {
    const message = specMessageFromTla(m, servers, `messages (message ${i + 1})`);
    const where = `messages[${message.mtype} ${message.msource}->${message.mdest}]`;
    const n = nat(count, where);
    if (n < 1) throw new SpecValueError(where, 'a message in the bag has at least one copy');
    return { message, count: n };
  });
  return {
    currentTerm: perServer('currentTerm', nat),
    role: perServer('role', (x, p) => oneOf(x, ROLES, p)),
    votedFor: perServer('votedFor', (x, p) => {
      const id = nameOf(x, p);
      if (id !== NIL && !servers.includes(id)) throw new SpecValueError(p, `expected a server or ${NIL}, got ${id}`);
      return id;
    }),
    log: perServer('log', (x, p) => sequence(x, p).map((e, i) => logEntry(e, `${p}[${i + 1}]`))),
    commitIndex: perServer('commitIndex', nat),
    votesGranted: perServer('votesGranted', (x, p) => setElements(x, p).map((e, i) => server(e, `${p} (element ${i + 1})`)).sort()),
    nextIndex: perServer('nextIndex', (x, p) => functionOver(x, servers, p, nat)),
    matchIndex: perServer('matchIndex', (x, p) => functionOver(x, servers, p, nat)),
    messages: sortSpecBag(messages),
  };
}

/** The servers of a spec state (sorted). */
export function serversOf(state: SpecState): NodeId[] {
  return Object.keys(state.currentTerm).sort();
}

// The parameters each action's label carries (besides its name), as specs/RAFT_VOCABULARY.md lists them.
const PARAMETERS: Readonly<Record<ActionLabel['name'], readonly string[]>> = {
  Init: [],
  Timeout: ['node'],
  Restart: ['node'],
  BecomeLeader: ['node'],
  AdvanceCommitIndex: ['node'],
  ClientRequest: ['node', 'value'],
  AppendEntries: ['node', 'peer'],
  HandleRequestVoteRequest: ['node', 'peer', 'message'],
  HandleRequestVoteResponse: ['node', 'peer', 'message'],
  HandleAppendEntriesRequest: ['node', 'peer', 'message'],
  HandleAppendEntriesResponse: ['node', 'peer', 'message'],
  DropMessage: ['message'],
  DuplicateMessage: ['message'],
};

/**
 * A trace's action label as the core's `ActionLabel`. An action name outside the vocabulary is a
 * {@link SpecValueError} with code `unknown-action`; a missing, extra or ill-typed parameter, a `shape` one.
 */
export function actionLabelFromTla(value: TlaValue): ActionLabel {
  const label = vocabularyLabel(value, PARAMETERS);
  const name = label.name;
  const str = (field: string) => nameOf(param(label, field), `action.${field}`, 'a name');
  const message = (): Message => messageFromSpec(specMessageFromTla(param(label, 'message'), undefined, 'action.message'));
  switch (name) {
    case 'Init':
      return { name };
    case 'Timeout':
    case 'Restart':
    case 'BecomeLeader':
    case 'AdvanceCommitIndex':
      return { name, node: str('node') };
    case 'ClientRequest':
      return { name, node: str('node'), value: str('value') };
    case 'AppendEntries':
      return { name, node: str('node'), peer: str('peer') };
    case 'DropMessage':
    case 'DuplicateMessage':
      return { name, message: message() };
    default: {
      const m = message();
      const expected = MESSAGE_TYPE_OF_HANDLE_INPUT[name];
      if (m.type !== expected) throw new SpecValueError('action', `${name} carries a ${m.type}, expected ${expected}`);
      return { name, node: str('node'), peer: str('peer'), message: m } as ActionLabel;
    }
  }
}

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
  for (const { message, count } of state.messages) messages = bagAdd(messages, messageFromSpec(message), count);
  return { servers, nodes, messages };
}
