/**
 * The models traces are generated from, and the goals of the targeted scenarios. Each protocol
 * definition lists its own (`src/definitions/<protocol>/`); their configs live under `specs/traces/`,
 * outside check-spec's reach, which only reads `specs/*.cfg`.
 *
 * @module
 */
import type { TraceMode } from './itf-trace.js';

/** A TLC model traces are generated from. */
export interface TraceModel {
  /** The model name (the config's file name without `.cfg`). */
  readonly name: string;
  /** The protocol spec the model instantiates; replay harnesses are chosen by it. */
  readonly spec: string;
  readonly mode: TraceMode;
  /** Absolute path of the `.tla` module TLC runs. */
  readonly module: string;
  /** Absolute path of the model config. */
  readonly config: string;
  /** The variable holding the action label (ARCHITECTURE.md section 2). */
  readonly labelVariable: string;
  /** Simulation models: how many random walks a batch has unless `--count` says otherwise. */
  readonly walks?: number;
}

/** A targeted scenario: a state (or step) TLC must reach, found as the counterexample of its negation. */
export interface ScenarioGoal {
  /** CLI name, e.g. `leader-elected`. */
  readonly name: string;
  /** What the trace shows, in one sentence. */
  readonly description: string;
  /** The goal's negation, an operator of the scenario model's module (`Not_LeaderElected`). */
  readonly operator: string;
  /** `invariant` for a state predicate (`Not_G`), `property` for a step predicate (`Never_G`). */
  readonly kind: 'invariant' | 'property';
  /**
   * Constants of the scenario model's config to override, as TLC config text. Deep goals switch off
   * actions they do not need (Raft's restarts and network faults): the search then stays in the
   * thousands of states instead of millions.
   */
  readonly constants?: Readonly<Record<string, string>>;
}

/**
 * The config text of one scenario: the base config with the goal's constants overridden and its
 * negation added. Throws when the base lacks a constant the goal overrides (the two drifted apart).
 */
export function scenarioConfig(baseText: string, goal: ScenarioGoal): string {
  let text = baseText;
  for (const [name, value] of Object.entries(goal.constants ?? {})) {
    const line = new RegExp(`^(\\s*)${name}\\s*=.*$`, 'm');
    if (!line.test(text)) throw new Error(`the scenario base config has no constant ${name} for goal ${goal.name}`);
    text = text.replace(line, `$1${name} = ${value}`);
  }
  return `${text.trimEnd()}\n\n\\* goal ${goal.name}: ${goal.description}\n${goal.kind === 'invariant' ? 'INVARIANT' : 'PROPERTY'} ${goal.operator}\n`;
}
