/**
 * What a replay covered, per protocol: steps per action (every action of the protocol's vocabulary must
 * appear), and per model the distinct states and edges replayed, against the state graph TLC dumped for
 * its tour model.
 *
 * States are counted two ways. As TLC's graph has them (every variable, the action label and the
 * history included), which is what "every state and every edge of the tour model" is measured in;
 * and as spec states (the compared variables only), which is what the implementation can tell apart.
 *
 * @module
 */
import type { TourGraphFacts } from '../trace/generate.js';
import type { LoadedTrace } from './replay.js';

/** Coverage of one model's state graph. */
export interface ModelCoverage {
  readonly model: string;
  readonly traces: number;
  readonly steps: number;
  /** Distinct states replayed, as TLC counts them (label and history included). */
  readonly states: number;
  /** Distinct edges replayed, likewise. */
  readonly edges: number;
  /** Distinct spec states (compared variables only) and distinct (spec state, action) steps. */
  readonly specStates: number;
  readonly specSteps: number;
  /** The model's whole graph as TLC dumped it (tour models only). */
  readonly graph?: TourGraphFacts;
}

/** One protocol's coverage report. */
export interface CoverageReport {
  readonly protocol: string;
  readonly actions: readonly { readonly name: string; readonly steps: number }[];
  /** Actions no replayed step took. */
  readonly missingActions: readonly string[];
  readonly models: readonly ModelCoverage[];
}

interface ModelSets {
  traces: number;
  steps: number;
  states: Set<string>;
  edges: Set<string>;
  specStates: Set<string>;
  specSteps: Set<string>;
}

/** Accumulates coverage over the replayed traces of one protocol. */
export class CoverageCollector {
  private readonly actionSteps = new Map<string, number>();
  private readonly models = new Map<string, ModelSets>();

  /** @param actions the protocol's step actions, in the order reports list them. */
  constructor(
    private readonly protocol: string,
    private readonly actions: readonly string[],
  ) {}

  /** Records the first `matched` steps of a trace (those replayed without divergence). */
  add(trace: LoadedTrace, matched: number): void {
    let m = this.models.get(trace.meta.model);
    if (m === undefined) {
      m = { traces: 0, steps: 0, states: new Set(), edges: new Set(), specStates: new Set(), specSteps: new Set() };
      this.models.set(trace.meta.model, m);
    }
    m.traces++;
    m.steps += matched;
    let specKey = trace.initialStateKey;
    let fullKey = `${specKey}|Init|${trace.historyKeys[0]}`;
    m.states.add(fullKey);
    m.specStates.add(specKey);
    for (const s of trace.steps.slice(0, matched)) {
      this.actionSteps.set(s.action, (this.actionSteps.get(s.action) ?? 0) + 1);
      const nextFull = `${s.stateKey}|${s.labelKey}|${trace.historyKeys[s.index]}`;
      m.edges.add(`${fullKey}->${nextFull}`);
      m.specSteps.add(`${specKey}|${s.labelKey}`);
      m.states.add(nextFull);
      m.specStates.add(s.stateKey);
      specKey = s.stateKey;
      fullKey = nextFull;
    }
  }

  /** The report; `graphs` gives the tour models' dumped graphs (from the manifest). */
  report(graphs: ReadonlyMap<string, TourGraphFacts> = new Map()): CoverageReport {
    const actions = this.actions.map((name) => ({ name, steps: this.actionSteps.get(name) ?? 0 }));
    return {
      protocol: this.protocol,
      actions,
      missingActions: actions.filter((a) => a.steps === 0).map((a) => a.name),
      models: [...this.models.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([model, m]) => {
          const graph = graphs.get(model);
          return {
            model,
            traces: m.traces,
            steps: m.steps,
            states: m.states.size,
            edges: m.edges.size,
            specStates: m.specStates.size,
            specSteps: m.specSteps.size,
            ...(graph ? { graph } : {}),
          };
        }),
    };
  }
}
