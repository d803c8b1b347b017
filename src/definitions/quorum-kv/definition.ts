/**
 * The quorum store's protocol definition: `specs/QuorumKV.tla`'s traces replayed against the core of
 * `src/quorum-kv` through its cluster driver. Each spec action is performed as the core's inputs
 * (`src/quorum-kv/cluster.ts`); the compared variables are read off the cluster by the abstraction
 * function (`state.ts`). A state does not carry the model's constants (N, R, W, mode, resolution, the
 * walk), so they come from the protocol's own model whose nodes, values and reads the state has (`models.ts`).
 *
 * @module
 */
import { match } from 'ts-pattern';
import { type Difference, type ProtocolDefinition, brokenInvariants } from '../../protocol/definition.js';
import { defineProtocol } from '../../protocol/protocol.js';
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
  setElements,
  variable,
  vocabularyLabel,
} from '../../protocol/values.js';
import {
  type Cluster,
  type Hint,
  type InFlight,
  type KVAction,
  type KVCore,
  KV_CORE,
  KV_DEFECTS,
  type NodeId,
  type ReadRecord,
  type ReadStatus,
  type Version,
  type WriteRecord,
  type WriteStatus,
  byHint,
  byValue,
  messageKey,
  perform,
} from '../../quorum-kv/index.js';
import { naturalConstant } from '../../tlc/config-constants.js';
import type { TlaValue } from '../../tla/value.js';
import type { ScenarioGoal } from '../../trace/models.js';
import { NoLostAckedWrite, NoStaleRead, TypeOK } from './invariants.js';
import { constantsFor, kvModel } from './models.js';
import { COMPARED, type KVLabel, type KVSpecState, clusterOf, kvStateKey, observeCluster, variableTexts } from './state.js';
import { QUORUM_KV_VALIDATION } from './validation.js';

const NONE = 'None';

/** The cluster, and the domains its spec state is read over. */
export interface KVRun {
  readonly cluster: Cluster;
  readonly values: readonly string[];
  readonly readIds: readonly number[];
}

export interface QuorumKVTypes {
  readonly state: KVSpecState;
  readonly label: KVLabel;
  readonly impl: KVRun;
  readonly prepared: string;
  readonly bounds: { readonly maxClock: number; readonly maxSplits: number; readonly maxCrashes: number };
  readonly core: KVCore;
  readonly history: undefined;
}

const TRACE_MODELS = [{ ...kvModel('MCQuorumKVTraceSim', 'simulation'), walks: 20 }, kvModel('MCQuorumKVTraceScenario', 'scenario'), kvModel('MCQuorumKVTraceTour', 'tour')];

/** Situations each of the spec's properties is about, one targeted trace each (operators of specs/MCQuorumKV.tla). */
const SCENARIO_GOALS: readonly ScenarioGoal[] = [
  { name: 'write-acknowledged', description: 'a write reaches W replicas and is acknowledged to its client', operator: 'Not_WriteAcknowledged', kind: 'invariant' },
  { name: 'siblings-read', description: 'two concurrent writes, and a read that returns both as siblings', operator: 'Not_SiblingsRead', kind: 'invariant' },
  { name: 'sloppy-write-acknowledged', description: 'during a split a fallback keeps a hint and the write is acknowledged', operator: 'Not_SloppyWriteAcknowledged', kind: 'invariant' },
  { name: 'hint-handed-off', description: 'a fallback hands a version over to the home replica it stood in for', operator: 'Not_HintHandedOff', kind: 'invariant' },
  { name: 'read-repaired', description: 'read repair brings a replica that answered with less up to date', operator: 'Not_ReadRepaired', kind: 'invariant' },
  { name: 'converged-after-heal', description: 'after a split heals, every home replica holds the same two concurrent writes', operator: 'Not_ConvergedAfterHeal', kind: 'invariant' },
  { name: 'read-drops-superseded', description: "a replica's answer supersedes a version the read held, and the read drops the older one", operator: 'Never_ReadDropsSuperseded', kind: 'property' },
  { name: 'write-outcome-unknown', description: 'a coordinator crashes before its write is acknowledged', operator: 'Not_WriteOutcomeUnknown', kind: 'invariant' },
];

const node = (x: TlaValue, path: string): NodeId => nameOf(x, path, 'a node');
const orNone = (x: TlaValue, path: string): NodeId | null => {
  const n = nameOf(x, path, 'a node or None');
  return n === NONE ? null : n;
};
const names = (x: TlaValue, path: string, what: string): string[] => setElements(x, path).map((e, i) => nameOf(e, `${path} (element ${i + 1})`, what)).sort();

function version(x: TlaValue, path: string, nodes: readonly string[]): Version {
  const f = recordFields(x, path, ['val', 'ts', 'by', 'vv']);
  return { value: nameOf(f.get('val')!, `${path}.val`, 'a value'), ts: nat(f.get('ts')!, `${path}.ts`), by: node(f.get('by')!, `${path}.by`), vv: functionOver(f.get('vv')!, nodes, `${path}.vv`, nat) };
}
const versions = (x: TlaValue, path: string, nodes: readonly string[]): Version[] => setElements(x, path).map((e, i) => version(e, `${path} (element ${i + 1})`, nodes)).sort(byValue);

function message(x: TlaValue, path: string, nodes: readonly string[]): InFlight {
  if (x.kind !== 'record') throw new SpecValueError(path, 'expected a message record');
  const type = oneOf(x.fields.get('type') ?? { kind: 'str', value: '' }, ['Put', 'Get'] as const, `${path}.type`);
  if (type === 'Put') {
    const f = recordFields(x, path, ['type', 'from', 'to', 'ver', 'hint', 'repair']);
    return { type, from: node(f.get('from')!, `${path}.from`), to: node(f.get('to')!, `${path}.to`), version: version(f.get('ver')!, `${path}.ver`, nodes), hint: orNone(f.get('hint')!, `${path}.hint`), repair: bool(f.get('repair')!, `${path}.repair`) };
  }
  const f = recordFields(x, path, ['type', 'from', 'to', 'read']);
  return { type, from: node(f.get('from')!, `${path}.from`), to: node(f.get('to')!, `${path}.to`), read: nat(f.get('read')!, `${path}.read`) };
}

/** A trace state's variables, checked against the spec's types, with its model's constants. */
export function kvStateFromTla(vars: Readonly<Record<string, TlaValue>>): KVSpecState {
  const v = (name: string) => variable(vars, name);
  const nodes = domainOf(v('store'), 'store', 'node');
  const values = domainOf(v('writes'), 'writes', 'value');
  const readIds = functionEntries(v('reads'), 'reads').map(([k]) => nat(k, 'reads (a key)')).sort((a, b) => a - b);
  const constants = constantsFor(TRACE_MODELS, nodes, values, readIds);
  if (constants === undefined) {
    throw new SpecValueError('store', `no trace model of quorum-kv has nodes {${nodes.join(', ')}}, values {${values.join(', ')}} and reads {${readIds.join(', ')}}: the state's constants are unknown`);
  }
  const walk = constants.config.walk;
  const over = <T>(name: string, read: (x: TlaValue, path: string) => T) => functionOver(v(name), walk, name, read, 'the nodes');
  const writes: Record<string, WriteRecord> = functionOver(v('writes'), values, 'writes', (x, path) => {
    const f = recordFields(x, path, ['status', 'coord', 'acks']);
    return { status: oneOf(f.get('status')!, ['unwritten', 'pending', 'acked', 'unavailable', 'unknown'] satisfies WriteStatus[], `${path}.status`), coord: orNone(f.get('coord')!, `${path}.coord`), acks: names(f.get('acks')!, `${path}.acks`, 'a node') };
  }, 'the values');
  const reads: Record<number, ReadRecord> = {};
  for (const [k, x] of functionEntries(v('reads'), 'reads')) {
    const i = nat(k, 'reads (a key)');
    const path = `reads[${i}]`;
    const f = recordFields(x, path, ['status', 'coord', 'from', 'result', 'ackedBefore']);
    reads[i] = {
      status: oneOf(f.get('status')!, ['idle', 'pending', 'done', 'unavailable', 'unknown'] satisfies ReadStatus[], `${path}.status`),
      coord: orNone(f.get('coord')!, `${path}.coord`),
      from: names(f.get('from')!, `${path}.from`, 'a node'),
      result: versions(f.get('result')!, `${path}.result`, walk),
      ackedBefore: names(f.get('ackedBefore')!, `${path}.ackedBefore`, 'a value'),
    };
  }
  const msgs = setElements(v('msgs'), 'msgs')
    .map((m, i) => message(m, `msgs (message ${i + 1})`, walk))
    .sort((a, b) => (messageKey(a, walk) < messageKey(b, walk) ? -1 : 1));
  return {
    config: constants.config,
    values,
    readIds,
    store: over('store', (x, path) => versions(x, path, walk)),
    hints: over('hints', (x, path) =>
      setElements(x, path)
        .map((h, i): Hint => {
          const f = recordFields(h, `${path} (element ${i + 1})`, ['for', 'ver']);
          return { for: node(f.get('for')!, `${path} (element ${i + 1}).for`), version: version(f.get('ver')!, `${path} (element ${i + 1}).ver`, walk) };
        })
        .sort(byHint),
    ),
    clock: over('clock', nat),
    up: over('up', bool),
    side: over('side', (x, path) => {
      const s = nat(x, path);
      if (s > 1) throw new SpecValueError(path, `expected side 0 or 1, got ${s}`);
      return s as 0 | 1;
    }),
    splits: nat(v('splits'), 'splits'),
    crashes: nat(v('crashes'), 'crashes'),
    msgs,
    writes,
    reads,
    seen: functionOver(v('seen'), values, 'seen', (x, path) => names(x, path, 'a value'), 'the values'),
  };
}

const PARAMETERS: Readonly<Record<KVLabel['type'] | 'Init', readonly string[]>> = {
  Init: [],
  Write: ['node', 'value'],
  Read: ['node', 'read'],
  Replicate: ['node', 'peer', 'value', 'repair', 'answered'],
  Answer: ['node', 'peer', 'read', 'answered'],
  DropMessage: ['node', 'peer', 'message'],
  HandOff: ['node', 'peer', 'value'],
  AntiEntropy: ['node', 'peer'],
  Split: ['nodes'],
  Heal: [],
  Crash: ['node'],
  Restart: ['node'],
  Tick: ['node'],
};

/** A trace's action label; an action outside the spec's vocabulary is an `unknown-action` error. */
export function kvLabelFromTla(value: TlaValue): KVLabel {
  const label = vocabularyLabel(value, PARAMETERS);
  const p = (name: string) => param(label, name);
  const nodeOf = () => node(p('node'), 'action.node');
  const peer = () => node(p('peer'), 'action.peer');
  const val = () => nameOf(p('value'), 'action.value', 'a value');
  return match(label.name)
    .with('Init', (): KVLabel => ({ type: 'Init' }))
    .with('Write', (): KVLabel => ({ type: 'Write', node: nodeOf(), value: val() }))
    .with('Read', (): KVLabel => ({ type: 'Read', node: nodeOf(), read: nat(p('read'), 'action.read') }))
    .with('Replicate', (): KVLabel => ({ type: 'Replicate', node: nodeOf(), peer: peer(), value: val(), repair: bool(p('repair'), 'action.repair'), answered: bool(p('answered'), 'action.answered') }))
    .with('Answer', (): KVLabel => ({ type: 'Answer', node: nodeOf(), peer: peer(), read: nat(p('read'), 'action.read'), answered: bool(p('answered'), 'action.answered') }))
    .with('DropMessage', (): KVLabel => {
      // The message's vectors are read over the nodes it names; the state's walk is not at hand here.
      const m = p('message');
      const vvNodes = m.kind === 'record' && m.fields.get('ver')?.kind === 'record' ? domainOf((m.fields.get('ver') as Extract<TlaValue, { kind: 'record' }>).fields.get('vv')!, 'action.message.ver.vv', 'node') : [];
      const msg = message(m, 'action.message', vvNodes);
      if (msg.to !== nodeOf() || msg.from !== peer()) throw new SpecValueError('action', 'node and peer must be the message\'s to and from');
      return { type: 'DropMessage', message: msg };
    })
    .with('HandOff', (): KVLabel => ({ type: 'HandOff', node: nodeOf(), peer: peer(), value: val() }))
    .with('AntiEntropy', (): KVLabel => ({ type: 'AntiEntropy', node: nodeOf(), peer: peer() }))
    .with('Split', (): KVLabel => ({ type: 'Split', nodes: names(p('nodes'), 'action.nodes', 'a node') }))
    .with('Heal', (): KVLabel => ({ type: 'Heal' }))
    .with('Crash', (): KVLabel => ({ type: 'Crash', node: nodeOf() }))
    .with('Restart', (): KVLabel => ({ type: 'Restart', node: nodeOf() }))
    .with('Tick', (): KVLabel => ({ type: 'Tick', node: nodeOf() }))
    .exhaustive();
}

const showMessage = (m: InFlight): string =>
  m.type === 'Put' ? `Put ${m.from}->${m.to} ${m.version.value}${m.hint === null ? '' : ` hint for ${m.hint}`}${m.repair ? ' repair' : ''}` : `Get ${m.from}->${m.to} read ${m.read}`;

export function formatKVLabel(label: KVLabel): string {
  const answered = (a: boolean) => (a ? 'answered' : 'answer lost');
  return match(label)
    .with({ type: 'Init' }, () => 'Init')
    .with({ type: 'Write' }, (l) => `Write(${l.node}, ${l.value})`)
    .with({ type: 'Read' }, (l) => `Read(${l.node}, ${l.read})`)
    .with({ type: 'Replicate' }, (l) => `Replicate(${l.node}, ${l.peer}, ${l.value}${l.repair ? ', repair' : ''}, ${answered(l.answered)})`)
    .with({ type: 'Answer' }, (l) => `Answer(${l.node}, ${l.peer}, read ${l.read}, ${answered(l.answered)})`)
    .with({ type: 'DropMessage' }, (l) => `DropMessage(${showMessage(l.message)})`)
    .with({ type: 'HandOff' }, (l) => `HandOff(${l.node}, ${l.peer}, ${l.value})`)
    .with({ type: 'AntiEntropy' }, (l) => `AntiEntropy(${l.node}, ${l.peer})`)
    .with({ type: 'Split' }, (l) => `Split({${l.nodes.join(', ')}})`)
    .with({ type: 'Heal' }, () => 'Heal')
    .with({ type: 'Crash' }, (l) => `Crash(${l.node})`)
    .with({ type: 'Restart' }, (l) => `Restart(${l.node})`)
    .with({ type: 'Tick' }, (l) => `Tick(${l.node})`)
    .exhaustive();
}

/** A label as text that is equal for equal labels (vectors in sorted node order). */
function kvLabelKey(label: KVLabel): string {
  if (label.type !== 'DropMessage') return JSON.stringify(label);
  const walk = label.message.type === 'Put' ? Object.keys(label.message.version.vv).sort() : [];
  return JSON.stringify(['DropMessage', messageKey(label.message, walk)]);
}

const observe = (run: KVRun): KVSpecState => observeCluster(run.cluster, run.values, run.readIds);

function kvDifferences(expected: KVSpecState, actual: KVSpecState): Difference[] {
  const [e, a] = [variableTexts(expected), variableTexts(actual)];
  const out: Difference[] = [];
  for (const name of COMPARED) {
    if (e[name] === a[name]) continue;
    if (name === 'msgs') {
      const keyed = (st: KVSpecState) => new Map(st.msgs.map((m) => [messageKey(m, st.config.walk), showMessage(m)]));
      const [em, am] = [keyed(expected), keyed(actual)];
      for (const [k, shown] of em) if (!am.has(k)) out.push({ path: `msgs[${shown}]`, expected: 'in flight', actual: 'not in flight' });
      for (const [k, shown] of am) if (!em.has(k)) out.push({ path: `msgs[${shown}]`, expected: 'not in flight', actual: 'in flight' });
      continue;
    }
    // Per node (or value, read) where the variable is a function; whole otherwise.
    const ej = JSON.parse(e[name]) as unknown;
    const aj = JSON.parse(a[name]) as unknown;
    if (Array.isArray(ej) && Array.isArray(aj) && ej.every((x) => Array.isArray(x)) && aj.every((x) => Array.isArray(x))) {
      const entries = (xs: unknown[][]) => new Map(xs.map((x) => [String(x[0]), JSON.stringify(x.slice(1))]));
      const [em, am] = [entries(ej as unknown[][]), entries(aj as unknown[][])];
      for (const k of new Set([...em.keys(), ...am.keys()])) {
        if (em.get(k) !== am.get(k)) out.push({ path: `${name}[${k}]`, expected: em.get(k) ?? '(none)', actual: am.get(k) ?? '(none)' });
      }
    } else {
      out.push({ path: name, expected: e[name], actual: a[name] });
    }
  }
  return out;
}

/** The subsets of `xs`, but the empty one. */
function subsets(xs: readonly string[]): string[][] {
  return xs.reduce<string[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]).filter((s) => s.length > 0);
}

/** The quorum store's definition, typed (the registry holds it as {@link QUORUM_KV}). */
export const QUORUM_KV_DEFINITION: ProtocolDefinition<QuorumKVTypes> = {
  name: 'quorum-kv',
  spec: 'QuorumKV',
  title: 'specs/QuorumKV.tla against the quorum store core of src/quorum-kv',
  specModules: ['QuorumKV'],
  traceModels: TRACE_MODELS,
  scenarioGoals: SCENARIO_GOALS,
  labelVariable: 'action',
  comparedVariables: COMPARED,
  uncomparedVariables: ['action'],
  actions: ['Write', 'Read', 'Replicate', 'Answer', 'DropMessage', 'HandOff', 'AntiEntropy', 'Split', 'Heal', 'Crash', 'Tick', 'Restart'],
  mirrors: 'src/definitions/quorum-kv/invariants.ts',
  validation: QUORUM_KV_VALIDATION,
  invariants: {
    initialHistory: undefined,
    check(history, _before, after) {
      const now = observe(after);
      const broken = brokenInvariants([
        { name: 'TypeOK', message: TypeOK(now) },
        { name: 'NoLostAckedWrite', message: NoLostAckedWrite(now) },
        { name: 'NoStaleRead', message: NoStaleRead(now) },
      ]);
      return { history, broken };
    },
  },
  core: KV_CORE,
  defects: KV_DEFECTS,

  parseState: kvStateFromTla,
  parseLabel: kvLabelFromTla,
  labelName: (label) => label.type,
  formatLabel: formatKVLabel,
  labelKey: kvLabelKey,
  stateKey: kvStateKey,

  implementation: (state) => ({ cluster: clusterOf(state, KV_CORE), values: state.values, readIds: state.readIds }),
  step(run, label, core) {
    if (label.type === 'Init') return { refused: 'Init labels the initial state; it is not a step' };
    const result = perform(run.cluster, label satisfies KVAction, core);
    if (result.refused !== undefined) return { refused: result.refused };
    return { impl: { ...run, cluster: result.cluster } };
  },
  prepare: kvStateKey,
  matches: (expected, run) => kvStateKey(observe(run)) === expected,
  differences: (expected, run) => kvDifferences(expected, observe(run)),

  readBounds: (text, file) => ({ maxClock: naturalConstant(text, 'MaxClock', file), maxSplits: naturalConstant(text, 'MaxSplits', file), maxCrashes: naturalConstant(text, 'MaxCrashes', file) }),
  candidates(run) {
    const c = run.cluster;
    const nodes = c.config.walk;
    const out: KVLabel[] = [];
    for (const n of nodes) {
      for (const value of run.values) out.push({ type: 'Write', node: n, value });
      for (const read of run.readIds) out.push({ type: 'Read', node: n, read });
      out.push({ type: 'Crash', node: n }, { type: 'Restart', node: n }, { type: 'Tick', node: n });
      for (const peer of nodes) if (peer !== n) out.push({ type: 'AntiEntropy', node: n, peer });
      const hints = c.nodes[n]?.hints ?? c.disks[n]?.hints ?? [];
      for (const h of hints) out.push({ type: 'HandOff', node: n, peer: h.for, value: h.version.value });
    }
    for (const m of c.network) {
      out.push({ type: 'DropMessage', message: m });
      for (const answered of [true, false]) {
        out.push(m.type === 'Put' ? { type: 'Replicate', node: m.to, peer: m.from, value: m.version.value, repair: m.repair, answered } : { type: 'Answer', node: m.to, peer: m.from, read: m.read, answered });
      }
    }
    for (const s of subsets(nodes)) out.push({ type: 'Split', nodes: s });
    out.push({ type: 'Heal' });
    return out;
  },
  insideModel(label, after, bounds) {
    const c = after.cluster;
    if (c.splits > bounds.maxSplits || c.crashes > bounds.maxCrashes) return false;
    const clock = (n: NodeId) => (c.nodes[n] ?? c.disks[n])?.clock ?? 0;
    if (c.config.walk.some((n) => clock(n) > bounds.maxClock)) return false;
    // The spec lets a coordinator take a write only below MaxClock, even one it answers "unavailable".
    if (label.type === 'Write' && clock(label.node) >= bounds.maxClock && c.writes[label.value]?.status === 'unavailable') return false;
    return true;
  },
};

/** The quorum store, as the registry holds it. */
export const QUORUM_KV = defineProtocol(QUORUM_KV_DEFINITION);
