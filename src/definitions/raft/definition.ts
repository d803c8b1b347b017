/**
 * Raft's protocol definition: how `specs/Raft.tla`'s traces meet the pure core of `src/raft/`.
 *
 * A trace step is a label of the spec's vocabulary (`specs/RAFT_VOCABULARY.md`); replay drives exactly
 * that input through `clusterStep` (deliver that message to that node, fire that node's timeout, drop
 * or duplicate in the network bag, restart with storage kept ...) and `toSpecState` of the result must
 * equal the trace's next state in every spec variable. `action` (the label) and `commitHistory` (a
 * history variable) are not compared.
 *
 * Each node has a disk, kept as the accumulation of the `persist` outputs of its steps, and a `Restart`
 * brings the node back from that disk, not from its memory (`durableClusterStep`): a core that forgets to
 * ask for its vote or its term to be written diverges at the next restart of that node.
 *
 * @module
 */
import {
  type ActionLabel,
  type ActionName,
  bagEntries,
  canonicalJson,
  checkStep,
  type CommitHistory,
  type ClusterSnapshot,
  DEFECTS,
  type DurableCluster,
  durableClusterStep,
  EMPTY_HISTORY,
  formatLabel,
  handleInputFor,
  Inputs,
  labelOf,
  SPEC_VARIABLES,
  type SpecState,
  type StepFn,
  step,
  toSpecActionLabel,
  toSpecState,
} from '../../raft/index.js';
import type { DefectiveCore, ProtocolDefinition } from '../../protocol/definition.js';
import { defineProtocol } from '../../protocol/protocol.js';
import { type RaftBounds, parseRaftBounds, withinBounds } from './bounds.js';
import { clusterMatches, diffSpecStates, type PreparedState, prepareExpected } from './compare.js';
import { actionLabelFromTla, clusterFromSpecState, specStateFromTla } from './trace-values.js';
import { renameActionLabel, renameSpecState, specServers, specStateKey, unsettledDisks } from './symmetry.js';
import { RAFT_VALIDATION } from './validation.js';
import { RAFT_GRAPH_MODELS, RAFT_SCENARIO_MODEL, RAFT_SIMULATION_MODEL, RAFT_TOUR_MODEL, SCENARIO_GOALS } from './trace-models.js';

/** The types Raft's definition works with. */
export interface RaftTypes {
  readonly state: SpecState;
  readonly label: ActionLabel;
  readonly impl: DurableCluster;
  readonly prepared: PreparedState;
  readonly bounds: RaftBounds;
  readonly core: StepFn;
  readonly history: CommitHistory;
}

// A record (not an array) so that the compiler insists on every action of the vocabulary.
const ACTIONS: Readonly<Record<Exclude<ActionName, 'Init'>, true>> = {
  Restart: true,
  Timeout: true,
  BecomeLeader: true,
  ClientRequest: true,
  AppendEntries: true,
  AdvanceCommitIndex: true,
  HandleRequestVoteRequest: true,
  HandleRequestVoteResponse: true,
  HandleAppendEntriesRequest: true,
  HandleAppendEntriesResponse: true,
  DropMessage: true,
  DuplicateMessage: true,
};

/** The key two equal labels share (the label as the spec writes it, canonically). */
export function raftLabelKey(label: ActionLabel): string {
  return canonicalJson(toSpecActionLabel(label));
}

/**
 * Every input that could be offered to the core in a cluster, as action labels: each node's own actions
 * with every parameter the model allows, and the delivery, drop and duplication of each message in flight.
 */
export function candidateLabels(cluster: ClusterSnapshot, values: readonly string[]): ActionLabel[] {
  const out: ActionLabel[] = [];
  for (const id of cluster.servers) {
    for (const input of [Inputs.Timeout(), Inputs.Restart(), Inputs.BecomeLeader(), Inputs.AdvanceCommitIndex()]) out.push(labelOf(id, input));
    for (const v of values) out.push(labelOf(id, Inputs.ClientRequest(v)));
    for (const peer of cluster.servers) out.push(labelOf(id, Inputs.AppendEntries(peer)));
  }
  for (const { message } of bagEntries(cluster.messages)) {
    out.push(labelOf(message.to, handleInputFor(message)));
    out.push({ name: 'DropMessage', message });
    out.push({ name: 'DuplicateMessage', message });
  }
  return out;
}

/** Raft's definition, typed (the registry holds it as a {@link RAFT}). */
export const RAFT_DEFINITION: ProtocolDefinition<RaftTypes> = {
  name: 'raft',
  spec: 'Raft',
  title: 'specs/Raft.tla against the Raft core (src/raft/)',
  specModules: ['Raft'],
  traceModels: [RAFT_SIMULATION_MODEL, RAFT_SCENARIO_MODEL, RAFT_TOUR_MODEL],
  scenarioGoals: SCENARIO_GOALS,
  labelVariable: 'action',
  comparedVariables: SPEC_VARIABLES,
  uncomparedVariables: ['action', 'commitHistory'],
  actions: Object.keys(ACTIONS),
  mirrors: 'src/raft/invariants.ts',
  validation: RAFT_VALIDATION,
  graphModels: RAFT_GRAPH_MODELS,
  stateGraph: { abstract: toSpecState, symmetricValues: specServers, renameState: renameSpecState, renameLabel: renameActionLabel, unsettled: unsettledDisks },
  invariants: {
    initialHistory: EMPTY_HISTORY,
    check(history, before, after, label) {
      const checked = checkStep(history, before, after, label);
      return { history: checked.history, broken: checked.broken.map((b) => ({ name: b.name, message: b.violation })) };
    },
  },
  core: step,
  defects: Object.fromEntries(Object.values(DEFECTS).map((d): [string, DefectiveCore<StepFn>] => [d.name, { breaks: d.breaks, core: d.step }])),

  parseState: specStateFromTla,
  parseLabel: actionLabelFromTla,
  labelName: (label) => label.name,
  formatLabel,
  labelKey: raftLabelKey,
  stateKey: specStateKey,

  // A cluster put in a spec state has lost nothing: every disk holds its node.
  implementation: clusterFromSpecState,
  step(cluster, label, core) {
    const result = durableClusterStep(cluster, label, core);
    return result.notEnabled !== null ? { refused: result.notEnabled.reason } : { impl: result.cluster };
  },
  prepare: prepareExpected,
  matches: clusterMatches,
  differences: (expected, cluster) => diffSpecStates(expected, toSpecState(cluster)),

  readBounds: parseRaftBounds,
  candidates: (cluster, bounds) => candidateLabels(cluster, bounds.values),
  insideModel: (label, after, bounds) => !bounds.disabledActions.includes(label.name) && withinBounds(toSpecState(after), bounds),
};

/** Raft, as the registry holds it. */
export const RAFT = defineProtocol(RAFT_DEFINITION);
