/**
 * Enabledness conformance over the tour model's state graph. Replay proves that every step the
 * spec takes, the core takes too, with the same result. It cannot see the converse: a core that
 * takes a step the spec forbids (a leader committing an older term's entry by counting replicas,
 * Figure 8) agrees with every trace, because no trace contains that step.
 *
 * The tour traces cover every edge of the tour model's state graph, so together they list, for
 * each state, every step the spec enables there (within the model's bounds). This check offers the
 * core every input in each such state (every node action with every parameter, every delivery,
 * drop and duplication of a message in flight) and requires that the core accepts exactly the
 * spec's steps: a step the core takes that stays inside the bounds must be one of the spec's.
 *
 * @module
 */
import { bagEntries } from '../raft/bag.js';
import { canonicalJson } from '../raft/canonical.js';
import { clusterStep, type StepFn } from '../raft/cluster.js';
import { Inputs } from '../raft/inputs.js';
import { type ActionLabel, labelOf } from '../raft/labels.js';
import { type SpecState, toSpecActionLabel, toSpecState } from '../raft/spec-state.js';
import { handleInputFor, step as realStep } from '../raft/step.js';
import type { ClusterSnapshot } from '../raft/cluster.js';
import { type ModelBounds, withinBounds } from './bounds.js';
import type { RaftTrace } from './replay.js';
import { clusterFromSpecState } from './spec-values.js';

/** A step the core and the spec disagree about in one state. */
export interface EnablednessMismatch {
  /** A trace that reaches the state, and the state's index in it. */
  readonly file: string;
  readonly step: number;
  readonly action: ActionLabel;
  /** `implementation-only`: the core takes a step the spec does not; `spec-only`: the reverse. */
  readonly kind: 'implementation-only' | 'spec-only';
  readonly detail: string;
}

/** The result of the check for one model. */
export interface EnablednessReport {
  readonly model: string;
  /** Distinct spec states checked (the action label and history do not distinguish them). */
  readonly states: number;
  /** Inputs offered to the core, over all states. */
  readonly inputsOffered: number;
  /** Steps the spec takes, over all states (the graph's edges without label/history). */
  readonly specSteps: number;
  readonly mismatches: readonly EnablednessMismatch[];
}

/** The key two equal labels share. */
export function labelKey(label: ActionLabel): string {
  return canonicalJson(toSpecActionLabel(label));
}

/** The key two equal spec states share. */
export function stateKey(state: SpecState): string {
  return canonicalJson(state);
}

/** Every input that could be offered to the core in a cluster, as action labels. */
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

interface GraphState {
  readonly state: SpecState;
  readonly file: string;
  readonly index: number;
  readonly spec: Map<string, ActionLabel>;
}

/**
 * Checks, in every state the tour traces visit, that the core enables exactly the steps the spec
 * enables within the model's bounds. `traces` must be the complete tour of one model.
 */
export function checkEnabledness(model: string, traces: readonly RaftTrace[], bounds: ModelBounds, stepFn: StepFn = realStep): EnablednessReport {
  const graph = new Map<string, GraphState>();
  const visit = (state: SpecState, file: string, index: number): GraphState => {
    const key = stateKey(state);
    let g = graph.get(key);
    if (g === undefined) {
      g = { state, file, index, spec: new Map() };
      graph.set(key, g);
    }
    return g;
  };
  for (const t of traces) {
    let current = visit(t.initial, t.file, 0);
    for (const s of t.steps) {
      current.spec.set(labelKey(s.label), s.label);
      current = visit(s.expected, t.file, s.index);
    }
  }
  const disabled = new Set(bounds.disabledActions);
  const mismatches: EnablednessMismatch[] = [];
  let offered = 0;
  let specSteps = 0;
  for (const g of graph.values()) {
    specSteps += g.spec.size;
    const cluster = clusterFromSpecState(g.state);
    const accepted = new Set<string>();
    for (const label of candidateLabels(cluster, bounds.values)) {
      offered++;
      const key = labelKey(label);
      const result = clusterStep(cluster, label, stepFn);
      if (result.notEnabled !== null) continue;
      accepted.add(key);
      if (g.spec.has(key)) continue;
      // Outside the model TLC explored: the spec's graph cannot say either way.
      if (disabled.has(label.name) || !withinBounds(toSpecState(result.cluster), bounds)) continue;
      mismatches.push({
        file: g.file,
        step: g.index,
        action: label,
        kind: 'implementation-only',
        detail: 'the implementation takes this step here; the spec does not enable it (its successor is inside the model, so the tour would contain it)',
      });
    }
    for (const [key, label] of g.spec) {
      if (!accepted.has(key)) {
        mismatches.push({ file: g.file, step: g.index, action: label, kind: 'spec-only', detail: 'the spec takes this step here; the implementation refuses it' });
      }
    }
  }
  return { model, states: graph.size, inputsOffered: offered, specSteps, mismatches };
}
