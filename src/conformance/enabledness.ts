/**
 * Enabledness conformance over a tour model's state graph, for any protocol. Replay proves that every
 * step the spec takes, the implementation takes too, with the same result. It cannot see the converse:
 * an implementation that takes a step the spec forbids (a Raft leader committing an older term's entry
 * by counting replicas, Figure 8; a voter granting a second vote in a term) agrees with every trace,
 * because no trace contains that step.
 *
 * The tour traces cover every edge of the tour model's state graph, so together they list, for each
 * state, every step the spec enables there (within the model's bounds). This check offers the
 * implementation every step the protocol's vocabulary has in each such state and requires that it takes
 * exactly the spec's: a step it takes that stays inside the model must be one of the spec's.
 *
 * @module
 */
import type { ProtocolDefinition, ProtocolTypes } from '../protocol/definition.js';
import type { TypedTrace } from './replay.js';

/** A step the implementation and the spec disagree about in one state. */
export interface EnablednessMismatch {
  /** A trace that reaches the state, and the state's index in it. */
  readonly file: string;
  readonly step: number;
  /** The step, as one line. */
  readonly action: string;
  /** `implementation-only`: the implementation takes a step the spec does not; `spec-only`: the reverse. */
  readonly kind: 'implementation-only' | 'spec-only';
  readonly detail: string;
}

/** The result of the check for one model. */
export interface EnablednessReport {
  readonly protocol: string;
  readonly model: string;
  /** Distinct spec states checked (the action label and history do not distinguish them). */
  readonly states: number;
  /** Steps offered to the implementation, over all states. */
  readonly inputsOffered: number;
  /** Steps the spec takes, over all states (the graph's edges without label and history). */
  readonly specSteps: number;
  readonly mismatches: readonly EnablednessMismatch[];
}

interface GraphState<T extends ProtocolTypes> {
  readonly state: T['state'];
  readonly file: string;
  readonly index: number;
  readonly spec: Map<string, T['label']>;
}

/**
 * Checks, in every state the tour traces visit, that the implementation (stepped by `core`) enables
 * exactly the steps the spec enables within the model's bounds. `traces` must be the complete tour of
 * one model.
 */
export function checkEnabledness<T extends ProtocolTypes>(
  definition: ProtocolDefinition<T>,
  model: string,
  traces: readonly TypedTrace<T>[],
  bounds: T['bounds'],
  core: T['core'],
): EnablednessReport {
  const graph = new Map<string, GraphState<T>>();
  const visit = (state: T['state'], key: string, file: string, index: number): GraphState<T> => {
    let g = graph.get(key);
    if (g === undefined) {
      g = { state, file, index, spec: new Map() };
      graph.set(key, g);
    }
    return g;
  };
  for (const t of traces) {
    let current = visit(t.initial, t.initialStateKey, t.file, 0);
    t.typedSteps.forEach((s, i) => {
      const step = t.steps[i] as TypedTrace<T>['steps'][number];
      current.spec.set(step.labelKey, s.label);
      current = visit(s.expected, step.stateKey, t.file, s.index);
    });
  }
  const mismatches: EnablednessMismatch[] = [];
  let offered = 0;
  let specSteps = 0;
  for (const g of graph.values()) {
    specSteps += g.spec.size;
    const impl = definition.implementation(g.state);
    const accepted = new Set<string>();
    for (const label of definition.candidates(impl, bounds)) {
      offered++;
      const key = definition.labelKey(label);
      const result = definition.step(impl, label, core);
      if (result.refused !== undefined) continue;
      accepted.add(key);
      if (g.spec.has(key)) continue;
      // Outside the model TLC explored: the spec's graph cannot say either way.
      if (!definition.insideModel(label, result.impl, bounds)) continue;
      mismatches.push({
        file: g.file,
        step: g.index,
        action: definition.formatLabel(label),
        kind: 'implementation-only',
        detail: 'the implementation takes this step here; the spec does not enable it (its successor is inside the model, so the tour would contain it)',
      });
    }
    for (const [key, label] of g.spec) {
      if (!accepted.has(key)) {
        mismatches.push({ file: g.file, step: g.index, action: definition.formatLabel(label), kind: 'spec-only', detail: 'the spec takes this step here; the implementation refuses it' });
      }
    }
  }
  return { protocol: definition.name, model, states: graph.size, inputsOffered: offered, specSteps, mismatches };
}
