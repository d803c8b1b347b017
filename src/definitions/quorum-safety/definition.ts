/**
 * Quorum safety's protocol definition: `specs/QuorumSafety.tla`'s traces replayed against the Raft
 * core through the refinement mapping of {@link "definitions/quorum-safety/refinement"}. This is where
 * one spec checks an implementation of a more detailed one: each abstract step is driven as the Raft
 * inputs it stands for, and the spec's variables are read off the Raft cluster.
 *
 * @module
 */
import { join } from 'node:path';
import { canonicalJson, DEFECTS, type Role, type StepFn, step } from '../../raft/index.js';
import { type Difference, type ProtocolDefinition, brokenInvariants } from '../../protocol/definition.js';
import { defineProtocol } from '../../protocol/protocol.js';
import {
  SpecValueError,
  domainOf,
  functionOver,
  nameOf,
  nat,
  oneOf,
  param,
  sequence,
  setElements,
  variable,
  vocabularyLabel,
} from '../../protocol/values.js';
import { ExitCode, WorkbenchError } from '../../errors.js';
import { REPO_ROOT } from '../../paths.js';
import { naturalConstant, setConstant } from '../../tlc/config-constants.js';
import type { TlaValue } from '../../tla/value.js';
import type { TraceModel } from '../../trace/models.js';
import { QUORUM_GRAPH_MODELS } from './graph-models.js';
import { NoSplitBrain, OneVotePerTerm } from './invariants.js';
import {
  abstractState,
  type ElectionRun,
  electionRunOf,
  formatQuorumLabel,
  isMajority,
  NONE,
  QUORUM_VARIABLES,
  type QuorumLabel,
  type QuorumState,
  stepElection,
} from './refinement.js';
import { quorumServers, quorumStateKey, renameQuorumLabel, renameQuorumState } from './symmetry.js';

/** The types quorum safety's definition works with. */
export interface QuorumSafetyTypes {
  readonly state: QuorumState;
  readonly label: QuorumLabel;
  readonly impl: ElectionRun;
  /** The state's canonical form: the comparison is of whole abstract states. */
  readonly prepared: string;
  readonly bounds: { readonly maxTerm: number };
  readonly core: StepFn;
  /** `elected`, QuorumSafety's history variable, is part of the abstract state itself. */
  readonly history: undefined;
}

const ROLES: readonly Role[] = ['Follower', 'Candidate', 'Leader'];
const NODE_ACTIONS = ['Campaign', 'BecomeLeader', 'SwitchSide'] as const;

function quorumModel(name: string, mode: TraceModel['mode']): TraceModel {
  return { name, spec: 'QuorumSafety', mode, module: join(REPO_ROOT, 'specs', 'MCQuorumSafety.tla'), config: join(REPO_ROOT, 'specs', 'traces', `${name}.cfg`), labelVariable: 'action' };
}

/** A trace state's variables, checked against the spec's types. */
export function quorumStateFromTla(vars: Readonly<Record<string, TlaValue>>): QuorumState {
  const v = (name: string) => variable(vars, name);
  const servers = domainOf(v('currentTerm'), 'currentTerm');
  if (servers.length === 0) throw new SpecValueError('currentTerm', 'has an empty domain: there must be at least one server');
  const server = (x: TlaValue, path: string) => {
    const id = nameOf(x, path, 'a server');
    if (!servers.includes(id)) throw new SpecValueError(path, `${id} is not a server`);
    return id;
  };
  const over = <T>(name: string, read: (x: TlaValue, path: string) => T) => functionOver(v(name), servers, name, read);
  return {
    currentTerm: over('currentTerm', nat),
    role: over('role', (x, p) => oneOf(x, ROLES, p)),
    votedFor: over('votedFor', (x, p) => {
      const id = nameOf(x, p);
      if (id !== NONE && !servers.includes(id)) throw new SpecValueError(p, `expected a server or ${NONE}, got ${id}`);
      return id;
    }),
    votesReceived: over('votesReceived', (x, p) => setElements(x, p).map((e, i) => server(e, `${p} (element ${i + 1})`)).sort()),
    side: over('side', (x, p) => {
      const n = nat(x, p);
      if (n !== 0 && n !== 1) throw new SpecValueError(p, `expected 0 or 1, got ${n}`);
      return n as 0 | 1;
    }),
    elected: sequence(v('elected'), 'elected').map((x, i) => setElements(x, `elected[${i + 1}]`).map((e, j) => server(e, `elected[${i + 1}] (element ${j + 1})`)).sort()),
  };
}

// The parameters each action's label carries (besides its name).
const PARAMETERS: Readonly<Record<QuorumLabel['name'], readonly string[]>> = {
  Init: [],
  Campaign: ['node'],
  BecomeLeader: ['node'],
  SwitchSide: ['node'],
  GrantVote: ['node', 'peer'],
};

/** A trace's action label; an action outside the spec's vocabulary is an `unknown-action` error. */
export function quorumLabelFromTla(value: TlaValue): QuorumLabel {
  const label = vocabularyLabel(value, PARAMETERS);
  const name = label.name;
  const server = (field: string) => nameOf(param(label, field), `action.${field}`, 'a server');
  switch (name) {
    case 'Init':
      return { name };
    case 'GrantVote':
      return { name, node: server('node'), peer: server('peer') };
    default:
      return { name, node: server('node') };
  }
}

function show(value: unknown): string {
  return Array.isArray(value) ? `{${value.join(', ')}}` : String(value);
}

/** Where two abstract states differ, per variable and server (per term for `elected`). */
export function quorumDifferences(expected: QuorumState, actual: QuorumState): Difference[] {
  const out: Difference[] = [];
  for (const name of QUORUM_VARIABLES) {
    const e = expected[name] as Readonly<Record<string, unknown>>;
    const a = actual[name] as Readonly<Record<string, unknown>>;
    for (const key of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if (canonicalJson(e[key]) === canonicalJson(a[key])) continue;
      const at = name === 'elected' ? `elected[${Number(key) + 1}]` : `${name}[${key}]`;
      out.push({ path: at, expected: e[key] === undefined ? '(none)' : show(e[key]), actual: a[key] === undefined ? '(none)' : show(a[key]) });
    }
  }
  return out;
}

/** Every step of the vocabulary with every parameter, in a state. */
function candidates(run: ElectionRun): QuorumLabel[] {
  const servers = run.cluster.servers;
  const out: QuorumLabel[] = [];
  for (const s of servers) for (const name of NODE_ACTIONS) out.push({ name, node: s });
  for (const voter of servers) for (const candidate of servers) if (voter !== candidate) out.push({ name: 'GrantVote', node: voter, peer: candidate });
  return out;
}

/** Quorum safety's definition, typed (the registry holds it as {@link QUORUM_SAFETY}). */
export const QUORUM_SAFETY_DEFINITION: ProtocolDefinition<QuorumSafetyTypes> = {
  name: 'quorum-safety',
  spec: 'QuorumSafety',
  title: "specs/QuorumSafety.tla against the Raft core's election, through a refinement mapping",
  specModules: ['QuorumSafety'],
  traceModels: [{ ...quorumModel('MCQuorumTraceSim', 'simulation'), walks: 5 }, quorumModel('MCQuorumTraceTour', 'tour')],
  scenarioGoals: [],
  labelVariable: 'action',
  comparedVariables: QUORUM_VARIABLES,
  uncomparedVariables: ['action'],
  actions: ['Campaign', 'GrantVote', 'BecomeLeader', 'SwitchSide'],
  mirrors: 'src/definitions/quorum-safety/invariants.ts',
  invariants: {
    initialHistory: undefined,
    check(history, _before, after) {
      const state = abstractState(after);
      const broken = brokenInvariants([
        { name: 'OneVotePerTerm', message: OneVotePerTerm(state) },
        { name: 'NoSplitBrain', message: NoSplitBrain(state) },
      ]);
      return { history, broken };
    },
  },
  // No `unsettled`: QuorumSafety has no restarts, so the election run steps a cluster without disks.
  graphModels: QUORUM_GRAPH_MODELS,
  stateGraph: { abstract: abstractState, symmetricValues: quorumServers, renameState: renameQuorumState, renameLabel: renameQuorumLabel },
  core: step,
  // The Raft defects that break what QuorumSafety states; the others break rules it does not model.
  defects: {
    'double-vote': { breaks: DEFECTS['double-vote'].breaks, core: DEFECTS['double-vote'].step },
    'minority-quorum': { breaks: DEFECTS['minority-quorum'].breaks, core: DEFECTS['minority-quorum'].step },
  },

  parseState: quorumStateFromTla,
  parseLabel: quorumLabelFromTla,
  labelName: (label) => label.name,
  formatLabel: formatQuorumLabel,
  labelKey: (label) => canonicalJson(label),
  stateKey: quorumStateKey,

  implementation: electionRunOf,
  step: stepElection,
  prepare: (state) => canonicalJson(state),
  matches: (expected, run) => canonicalJson(abstractState(run)) === expected,
  differences: (expected, run) => quorumDifferences(expected, abstractState(run)),

  readBounds(text, file) {
    const servers = setConstant(text, 'Server', file);
    const quorum = naturalConstant(text, 'Quorum', file);
    if (!isMajority(quorum, servers)) {
      throw new WorkbenchError(
        `${file}: Quorum = ${quorum} is not a strict majority of the ${servers.length} servers; the Raft core implements only majority quorums.`,
        ExitCode.SPEC_ERROR,
        'Replay quorum-safety traces of models with Quorum = N div 2 + 1.',
      );
    }
    return { maxTerm: naturalConstant(text, 'MaxTerm', file) };
  },
  candidates: (run) => candidates(run),
  insideModel: (_label, after, bounds) => Object.values(after.cluster.nodes).every((n) => n.currentTerm <= bounds.maxTerm),
};

/** Quorum safety, as the registry holds it. */
export const QUORUM_SAFETY = defineProtocol(QUORUM_SAFETY_DEFINITION);
