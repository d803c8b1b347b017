/**
 * What a replay covered: steps per spec action (every action of the vocabulary must appear), and
 * per model the distinct states and edges replayed, against the state graph TLC dumped for the
 * tour model.
 *
 * States are counted two ways. As TLC's graph has them (every variable, the action label and the
 * history included), which is what "every state and every edge of the tour model" is measured in;
 * and as spec states (the compared variables only), which is what the core can tell apart.
 *
 * @module
 */
import type { ActionName } from '../raft/labels.js';
import type { TourGraphFacts } from '../trace/generate.js';
import { labelKey, stateKey } from './enabledness.js';
import type { RaftTrace } from './replay.js';

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

/** Every step action of the Raft vocabulary, in its order. */
export const RAFT_ACTIONS = Object.keys(ACTIONS) as Exclude<ActionName, 'Init'>[];

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

/** The coverage report. */
export interface CoverageReport {
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

/** Accumulates coverage over replayed traces. */
export class CoverageCollector {
  private readonly actionSteps = new Map<string, number>();
  private readonly models = new Map<string, ModelSets>();

  /** Records the first `matched` steps of a trace (those replayed without divergence). */
  add(trace: RaftTrace, matched: number): void {
    let m = this.models.get(trace.meta.model);
    if (m === undefined) {
      m = { traces: 0, steps: 0, states: new Set(), edges: new Set(), specStates: new Set(), specSteps: new Set() };
      this.models.set(trace.meta.model, m);
    }
    m.traces++;
    m.steps += matched;
    let specKey = stateKey(trace.initial);
    let fullKey = `${specKey}|${labelKey({ name: 'Init' })}|${trace.historyKeys[0]}`;
    m.states.add(fullKey);
    m.specStates.add(specKey);
    for (const s of trace.steps.slice(0, matched)) {
      this.actionSteps.set(s.label.name, (this.actionSteps.get(s.label.name) ?? 0) + 1);
      const label = labelKey(s.label);
      const nextSpec = stateKey(s.expected);
      const nextFull = `${nextSpec}|${label}|${trace.historyKeys[s.index]}`;
      m.edges.add(`${fullKey}->${nextFull}`);
      m.specSteps.add(`${specKey}|${label}`);
      m.states.add(nextFull);
      m.specStates.add(nextSpec);
      specKey = nextSpec;
      fullKey = nextFull;
    }
  }

  /** The report; `graphs` gives the tour models' dumped graphs (from the manifest). */
  report(graphs: ReadonlyMap<string, TourGraphFacts> = new Map()): CoverageReport {
    const actions = RAFT_ACTIONS.map((name) => ({ name, steps: this.actionSteps.get(name) ?? 0 }));
    return {
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
