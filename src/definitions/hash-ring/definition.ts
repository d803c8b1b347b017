/**
 * The hash ring's protocol definition: `specs/HashRing.tla`'s traces replayed against the ring of
 * `src/ring`. The spec leaves a joining node's vnode positions free (every placement a hash could
 * give); its label carries them, and the replay joins the ring with exactly those positions. Every
 * position of the model's small ring is a key, so the compared `owner`, `preference` and `moved` are
 * the ring's lookups at every position, read off the implementation after each step.
 *
 * @module
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../paths.js';
import { type Difference, type ProtocolDefinition, brokenInvariants } from '../../protocol/definition.js';
import { defineProtocol } from '../../protocol/protocol.js';
import { SpecValueError, domainOf, functionEntries, nameOf, nat, param, recordFields, sequence, setElements, variable, vocabularyLabel } from '../../protocol/values.js';
import { RING_CORE, RING_DEFECTS, type MovedRange, type Ring, type RingCore, ringOf } from '../../ring/index.js';
import { naturalConstant, setConstant } from '../../tlc/config-constants.js';
import type { TlaValue } from '../../tla/value.js';
import type { TraceModel } from '../../trace/models.js';
import {
  EveryKeyHasOwner,
  JoinMovesOnlyToJoiner,
  LeaveMovesOnlyLeaversKeys,
  MembershipChangeKeepsOthersOrder,
  OwnerLeadsPreference,
  PreferenceCoversMembers,
  PreferenceListsDistinct,
} from './invariants.js';
import { type MovedKey, type RingLabel, type RingSpecState, observeRing, ringStateKey } from './state.js';

/** The spec's `None`: the owner of every key of an empty ring. */
const NONE = 'None';
const VARIABLES = ['tokens', 'owner', 'preference', 'moved'] as const;

/** A ring of the spec's size, the ranges its last step moved, and what the spec's variables read there. */
export interface RingRun {
  readonly ring: Ring;
  readonly ringSize: number;
  readonly moved: readonly MovedRange[];
  /** The spec's variables read off this ring by the core that stepped it. */
  readonly observed: RingSpecState;
}

/** The types the hash ring's definition works with. */
export interface HashRingTypes {
  readonly state: RingSpecState;
  readonly label: RingLabel;
  readonly impl: RingRun;
  readonly prepared: string;
  readonly bounds: { readonly nodes: readonly string[]; readonly maxVnodes: number };
  readonly core: RingCore;
  readonly history: undefined;
}

function ringModel(name: string, mode: TraceModel['mode']): TraceModel {
  return { name, spec: 'HashRing', mode, module: join(REPO_ROOT, 'specs', 'MCHashRing.tla'), config: join(REPO_ROOT, 'specs', 'traces', `${name}.cfg`), labelVariable: 'action' };
}

const ownerName = (x: TlaValue, path: string): string | null => {
  const name = nameOf(x, path, 'a node or None');
  return name === NONE ? null : name;
};

/** A trace state's variables, checked against the spec's types. */
export function ringStateFromTla(vars: Readonly<Record<string, TlaValue>>): RingSpecState {
  const v = (name: string) => variable(vars, name);
  const members = domainOf(v('tokens'), 'tokens', 'node');
  const tokens = new Map(
    functionEntries(v('tokens'), 'tokens').map(([k, x]) => {
      const m = nameOf(k, 'tokens (a key)');
      return [m, setElements(x, `tokens[${m}]`).map((p, i) => nat(p, `tokens[${m}] (element ${i + 1})`)).sort((a, b) => a - b)] as const;
    }),
  );
  const byPosition = <T>(name: string, read: (x: TlaValue, path: string) => T): T[] => {
    const entries = functionEntries(v(name), name).map(([k, x]) => [nat(k, `${name} (a key)`), x] as const);
    const out: T[] = [];
    for (const [p, x] of entries.sort((a, b) => a[0] - b[0])) {
      if (p !== out.length) throw new SpecValueError(`${name}[${p}]`, `positions must run 0 .. RingSize - 1 without gaps; expected position ${out.length}`);
      out.push(read(x, `${name}[${p}]`));
    }
    return out;
  };
  const owner = byPosition('owner', ownerName);
  const preference = byPosition('preference', (x, path) => sequence(x, path).map((m, i) => nameOf(m, `${path}[${i + 1}]`, 'a node')));
  if (preference.length !== owner.length) throw new SpecValueError('preference', `has ${preference.length} positions, owner ${owner.length}`);
  const moved: MovedKey[] = setElements(v('moved'), 'moved')
    .map((r, i) => {
      const path = `moved (element ${i + 1})`;
      const f = recordFields(r, path, ['position', 'from', 'to']);
      return { position: nat(f.get('position')!, `${path}.position`), from: ownerName(f.get('from')!, `${path}.from`), to: ownerName(f.get('to')!, `${path}.to`) };
    })
    .sort((a, b) => a.position - b.position);
  return { tokens: members.map((m) => [m, tokens.get(m)!] as const), owner, preference, moved };
}

const PARAMETERS: Readonly<Record<RingLabel['type'], readonly string[]>> = { Init: [], Join: ['node', 'tokens'], Leave: ['node'] };

/** A trace's action label; an action outside the spec's vocabulary is an `unknown-action` error. */
export function ringLabelFromTla(value: TlaValue): RingLabel {
  const label = vocabularyLabel(value, PARAMETERS);
  const node = () => nameOf(param(label, 'node'), 'action.node', 'a node');
  switch (label.name) {
    case 'Init':
      return { type: 'Init' };
    case 'Join':
      return { type: 'Join', node: node(), tokens: setElements(param(label, 'tokens'), 'action.tokens').map((p, i) => nat(p, `action.tokens (element ${i + 1})`)).sort((a, b) => a - b) };
    case 'Leave':
      return { type: 'Leave', node: node() };
  }
}

export function formatRingLabel(label: RingLabel): string {
  switch (label.type) {
    case 'Init':
      return 'Init';
    case 'Join':
      return `Join(${label.node}, {${label.tokens.join(', ')}})`;
    case 'Leave':
      return `Leave(${label.node})`;
  }
}

/** The ring in exactly this spec state (observed with the real core's lookups). */
export function ringRunOf(state: RingSpecState): RingRun {
  const ring = ringOf(state.tokens);
  const ringSize = state.owner.length;
  // The spec's `moved` of a state is the last step's; a run started here keeps it as it is.
  const moved: MovedRange[] = state.moved.map((m) => ({ first: m.position, last: m.position, from: m.from, to: m.to }));
  return { ring, ringSize, moved, observed: observeRing(ring, moved, ringSize, RING_CORE) };
}

const show = (value: unknown): string => (value === null ? NONE : Array.isArray(value) ? `<<${value.join(', ')}>>` : String(value));

/** Where two ring states differ, per variable and position (per member for `tokens`). */
export function ringDifferences(expected: RingSpecState, actual: RingSpecState): Difference[] {
  const out: Difference[] = [];
  const tokensOf = (s: RingSpecState) => new Map(s.tokens.map(([m, ps]) => [m, `{${ps.join(', ')}}`]));
  const [et, at] = [tokensOf(expected), tokensOf(actual)];
  for (const m of [...new Set([...et.keys(), ...at.keys()])].sort()) {
    if (et.get(m) !== at.get(m)) out.push({ path: `tokens[${m}]`, expected: et.get(m) ?? '(not a member)', actual: at.get(m) ?? '(not a member)' });
  }
  for (const name of ['owner', 'preference'] as const) {
    const size = Math.max(expected[name].length, actual[name].length);
    for (let p = 0; p < size; p++) {
      const [e, a] = [show(expected[name][p]), show(actual[name][p])];
      if (e !== a) out.push({ path: `${name}[${p}]`, expected: e, actual: a });
    }
  }
  const movedOf = (s: RingSpecState) => new Map(s.moved.map((m) => [m.position, `${show(m.from)} -> ${show(m.to)}`]));
  const [em, am] = [movedOf(expected), movedOf(actual)];
  for (const p of [...new Set([...em.keys(), ...am.keys()])].sort((x, y) => x - y)) {
    if (em.get(p) !== am.get(p)) out.push({ path: `moved[position ${p}]`, expected: em.get(p) ?? '(not moved)', actual: am.get(p) ?? '(not moved)' });
  }
  return out;
}

/** The subsets of `free` of 1 .. `most` elements, ascending. */
function tokenChoices(free: readonly number[], most: number): number[][] {
  const out: number[][] = [];
  const pick = (from: number, chosen: number[]) => {
    if (chosen.length > 0) out.push([...chosen]);
    if (chosen.length === most) return;
    for (let i = from; i < free.length; i++) pick(i + 1, [...chosen, free[i]!]);
  };
  pick(0, []);
  return out;
}

/** The hash ring's definition, typed (the registry holds it as {@link HASH_RING}). */
export const HASH_RING_DEFINITION: ProtocolDefinition<HashRingTypes> = {
  name: 'hash-ring',
  spec: 'HashRing',
  title: 'specs/HashRing.tla against the consistent-hashing ring of src/ring',
  specModules: ['HashRing'],
  traceModels: [{ ...ringModel('MCHashRingTraceSim', 'simulation'), walks: 20 }, ringModel('MCHashRingTraceTour', 'tour')],
  scenarioGoals: [],
  labelVariable: 'action',
  comparedVariables: VARIABLES,
  uncomparedVariables: ['action'],
  actions: ['Join', 'Leave'],
  mirrors: 'src/definitions/hash-ring/invariants.ts',
  invariants: {
    initialHistory: undefined,
    check(history, before, after, label) {
      const [was, now] = [before.observed, after.observed];
      const broken = brokenInvariants([
        { name: 'EveryKeyHasOwner', message: EveryKeyHasOwner(now) },
        { name: 'OwnerLeadsPreference', message: OwnerLeadsPreference(now) },
        { name: 'PreferenceListsDistinct', message: PreferenceListsDistinct(now) },
        { name: 'PreferenceCoversMembers', message: PreferenceCoversMembers(now) },
        { name: 'JoinMovesOnlyToJoiner', message: JoinMovesOnlyToJoiner(now, label) },
        { name: 'LeaveMovesOnlyLeaversKeys', message: LeaveMovesOnlyLeaversKeys(now, label) },
        { name: 'MembershipChangeKeepsOthersOrder', message: MembershipChangeKeepsOthersOrder(was, now, label) },
      ]);
      return { history, broken };
    },
  },
  core: RING_CORE,
  defects: RING_DEFECTS,

  parseState: ringStateFromTla,
  parseLabel: ringLabelFromTla,
  labelName: (label) => label.type,
  formatLabel: formatRingLabel,
  labelKey: (label) => JSON.stringify(label),
  stateKey: ringStateKey,

  implementation: ringRunOf,
  step(run, label, core) {
    if (label.type === 'Init') return { refused: 'Init labels the initial state; it is not a step' };
    const result = core.step(run.ring, label);
    if (result.refused !== undefined) return { refused: result.refused };
    return { impl: { ring: result.ring, ringSize: run.ringSize, moved: result.moved, observed: observeRing(result.ring, result.moved, run.ringSize, core) } };
  },
  prepare: ringStateKey,
  matches: (expected, run) => ringStateKey(run.observed) === expected,
  differences: (expected, run) => ringDifferences(expected, run.observed),

  readBounds: (text, file) => ({ nodes: setConstant(text, 'Node', file), maxVnodes: naturalConstant(text, 'MaxVnodes', file) }),
  candidates(run, bounds) {
    const out: RingLabel[] = run.ring.members.map((node) => ({ type: 'Leave', node }));
    const taken = new Set([...run.ring.tokens.values()].flat());
    const free = Array.from({ length: run.ringSize }, (_, p) => p).filter((p) => !taken.has(p));
    for (const node of bounds.nodes.filter((n) => !run.ring.tokens.has(n))) {
      for (const tokens of tokenChoices(free, bounds.maxVnodes)) out.push({ type: 'Join', node, tokens });
    }
    return out;
  },
  insideModel: () => true,
};

/** The hash ring, as the registry holds it. */
export const HASH_RING = defineProtocol(HASH_RING_DEFINITION);
