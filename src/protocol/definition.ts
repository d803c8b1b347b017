/**
 * A protocol, as everything after `check-spec` sees it (ARCHITECTURE.md section 9): one typed
 * definition that says how a spec's traces meet a TypeScript core. Trace generation, replay,
 * enabledness, coverage, the docs' mirror lookup and the simulator's monitor all work through it, so
 * a new protocol is a spec, a core folder, a definition and a line in the registry
 * (`src/protocol/registry.ts`), not a copy of another protocol's harness.
 *
 * A definition is written against its own types ({@link ProtocolTypes}: the spec's state and action
 * label as the definition reads them from a trace, the implementation's state, the core that steps it,
 * the model's bounds) and {@link "protocol/protocol"!defineProtocol} turns it into a {@link "protocol/protocol"!Protocol} whose types no longer
 * show, so one registry can hold protocols of every shape. The replay and enabledness loops are the
 * generic ones of `src/conformance/`.
 *
 * @module
 */
import type { TlaValue } from '../tla/value.js';
import type { ScenarioGoal, TraceModel } from '../trace/models.js';

/** The types one protocol's definition works with. */
export interface ProtocolTypes {
  /** A spec state as the definition reads it from a trace (the compared variables, checked). */
  readonly state: unknown;
  /** An action label as the definition reads it (the spec's action and its parameters). */
  readonly label: unknown;
  /** The implementation's state that replay steps: a cluster of the core, with whatever its driver keeps. */
  readonly impl: unknown;
  /** A spec state made ready for the per-step comparison (work done once per trace, not per replay). */
  readonly prepared: unknown;
  /** The bounds of a trace model, read from its config (what the enabledness check must stay inside). */
  readonly bounds: unknown;
  /** The thing that steps the implementation: the real core, or a deliberately broken one. */
  readonly core: unknown;
  /** What the invariant mirrors remember across steps (a history variable such as Raft's `commitHistory`). */
  readonly history: unknown;
}

/** An invariant or action property broken by a step. */
export interface BrokenInvariant {
  /** The spec's operator name. */
  readonly name: string;
  /** A sentence naming the servers and values involved. */
  readonly message: string;
}

/** The checks of a step that broke: each mirror's verdict by name, a `null` message meaning it held. */
export function brokenInvariants(verdicts: readonly { readonly name: string; readonly message: string | null }[]): BrokenInvariant[] {
  return verdicts.flatMap(({ name, message }) => (message === null ? [] : [{ name, message }]));
}

/**
 * The spec's invariants and action properties mirrored in TypeScript, as one check after each step:
 * what the simulator's monitor and the story tests run.
 */
export interface StepInvariants<T extends ProtocolTypes> {
  readonly initialHistory: T['history'];
  check(history: T['history'], before: T['impl'], after: T['impl'], label: T['label']): { readonly history: T['history']; readonly broken: readonly BrokenInvariant[] };
}

/** One variable (or entry) where the implementation and the spec differ. */
export interface Difference {
  /** E.g. `votedFor[s2]`, `messages[RequestVoteResponse s2->s1 t1 granted]`. */
  readonly path: string;
  readonly expected: string;
  readonly actual: string;
}

/** What one step of the implementation did: a new state, or a refusal saying why. */
export type StepOutcome<Impl> = { readonly impl: Impl; readonly refused?: undefined } | { readonly refused: string };

/** A deliberately broken core, for negative controls. */
export interface DefectiveCore<Core> {
  /** The rule the defect breaks, in one sentence. */
  readonly breaks: string;
  readonly core: Core;
}

/**
 * How TLC checks a trace recorded from the implementation against the spec (`npm run validate-trace`,
 * ARCHITECTURE.md section 10): everything the generated trace module needs that the spec does not say.
 */
export interface TraceValidation {
  /** The spec module the generated module EXTENDS (in `specs/`). */
  readonly module: string;
  /** Constant assignments the trace does not give, as `.cfg` lines (`Nil = Nil`, `UNSAFE_X = FALSE`). */
  readonly fixedConstants: readonly string[];
  /**
   * Every constant the trace fixes, from its header and its events (`Value`: the values its client requests
   * name); throws {@link SpecValueError} naming a constant the trace lacks.
   */
  constants(header: ReadonlyMap<string, TlaValue>, events: readonly { readonly action: TlaValue; readonly vars?: ReadonlyMap<string, TlaValue> }[]): ReadonlyMap<string, TlaValue>;
  /** The variables a node's step changes, indexed by node (`currentTerm[i]`): an event's `vars` may log each. */
  readonly nodeVariables: readonly string[];
  /**
   * The bag of messages in flight, which an event's `sent` is checked against (absent: `sent` is not
   * checked): its variable, the label field naming the message a step consumes, and the spec's actions
   * that lose one copy and make one more (which a log may leave out).
   */
  readonly messageBag?: { readonly variable: string; readonly consumedField: string; readonly drop: string; readonly duplicate: string };
  /**
   * The set of messages in flight, for a spec whose network is a set rather than a bag (absent: `sent` is
   * checked against {@link messageBag}, if any): an event's `sent` must be in flight after the step, and
   * no message but those may have become in flight.
   */
  readonly messageSet?: { readonly variable: string };
  /**
   * Variables not indexed by node (a client's records, a fault counter) that an event's `globals` may log:
   * `whole` is compared whole (`splits' = E.globals.splits`), `entries` is a function of which the event
   * gives some entries, each compared (`writes'["v1"] = E.globals.writes["v1"]`), and `fields` a function
   * of records of which the event gives some fields of some entries (`reads'[3].status = ...`).
   */
  readonly globalVariables?: Readonly<Record<string, 'whole' | 'entries' | 'fields'>>;
  /**
   * The nodes, besides the event's own, whose node variables the step a label names may change
   * (anti-entropy writes its peer's store too). A node's variable logged with the value it logged last is
   * otherwise checked as unchanged by the step, which would miss a change made by another node's step.
   */
  alsoChanges?(action: TlaValue): readonly string[];
  /**
   * The spec variables that decide what a state can do, when some do not (a history variable such as
   * QuorumKV's `seen`, which grows with the run): TLC fingerprints the cursor and these only (a `VIEW`), so a
   * long trace does not pay for hashing its history at every state. Absent: the whole state.
   */
  readonly fingerprint?: readonly string[];
  /**
   * The spec action an event names, as a TLA+ expression over the event `E` (`Timeout(E.node)`), by action
   * name. An action without an entry is found among all of `Next`'s steps by its label (slower).
   */
  readonly calls: Readonly<Record<string, string>>;
}

/**
 * What the state-graph check (`npm run conformance -- --state-graph`, `src/conformance/state-graph.ts`)
 * needs besides replay: the abstraction function, to name the state a step of the implementation
 * reaches, and how the model values a `SYMMETRY` set permutes are renamed, to find that state among
 * the one-per-class states of a symmetric model's graph.
 */
export interface StateGraphSupport<T extends ProtocolTypes> {
  /** The abstraction function: the implementation's state as the spec's (its compared variables). */
  abstract(impl: T['impl']): T['state'];
  /** The model values a symmetry set permutes, as they occur in a state (Raft: its servers). */
  symmetricValues(state: T['state']): readonly string[];
  /** The state with those values renamed (values `rename` does not name keep their names). */
  renameState(state: T['state'], rename: ReadonlyMap<string, string>): T['state'];
  renameLabel(label: T['label'], rename: ReadonlyMap<string, string>): T['label'];
  /**
   * What the implementation keeps beyond the spec's variables and, after a step, no longer agrees with
   * them (Raft: a node whose disk does not hold the term, vote or log in its memory), as one sentence;
   * `null` when nothing. The check starts every state afresh from the spec state, where the two agree
   * by construction, so this is where a step that leaves them apart is caught (a path replay would
   * catch it only at a later restart).
   */
  unsettled?(impl: T['impl']): string | null;
}

/**
 * A model whose whole state graph the state-graph check reads (`npm run conformance:graph`): TLC dumps
 * it, and every state and edge is checked against the implementation.
 */
export interface GraphModel {
  /** The model name (its config's name without `.cfg`). */
  readonly name: string;
  /** Absolute paths of the module TLC runs and of its config. */
  readonly module: string;
  readonly config: string;
  /** One line: what the model holds. */
  readonly description: string;
  /** The config has `SYMMETRY` over the protocol's symmetric values (see {@link StateGraphSupport}). */
  readonly symmetric: boolean;
  /** The action label is part of each state: the config's `VIEW` keeps it, or it has none. */
  readonly labelInState: boolean;
  /** `ci`: checked by `npm test`; `large`: opt-in (`npm run conformance:large`). */
  readonly tier: 'ci' | 'large';
}

/** A protocol, typed: what a definition file writes. */
export interface ProtocolDefinition<T extends ProtocolTypes> {
  /** Its name on command lines and in reports: `raft`, `quorum-safety`. */
  readonly name: string;
  /** The spec module its traces name in `#meta.spec` (`Raft`), the key traces are matched by. */
  readonly spec: string;
  /** One line: what is checked against what. */
  readonly title: string;
  /**
   * The spec modules whose invariants and properties its mirrors stand for (a model-checking harness
   * `MC<Module>.tla` counts as its module).
   */
  readonly specModules: readonly string[];
  /** The trace models of `npm run traces` (per mode), and the goals of the scenario mode. */
  readonly traceModels: readonly TraceModel[];
  readonly scenarioGoals: readonly ScenarioGoal[];
  /** The variable holding the action label (ARCHITECTURE.md section 2). */
  readonly labelVariable: string;
  /** Variables the implementation must reproduce, and the history and auxiliary ones it need not. */
  readonly comparedVariables: readonly string[];
  readonly uncomparedVariables: readonly string[];
  /** Every step action of the vocabulary (coverage insists on each). */
  readonly actions: readonly string[];
  /**
   * The module that exports the TypeScript mirrors of the spec's invariants (a path from the repository
   * root): the docs pair each operator with the export of the same name there.
   */
  readonly mirrors: string;
  /** The invariant mirrors, checked after each step of a simulation (ARCHITECTURE.md section 6). */
  readonly invariants: StepInvariants<T>;
  /** How a trace recorded from the implementation is checked by TLC, when the protocol supports it. */
  readonly validation?: TraceValidation;
  /** What the state-graph check needs, when the protocol supports it, and the models it reads. */
  readonly stateGraph?: StateGraphSupport<T>;
  readonly graphModels?: readonly GraphModel[];
  /** The real core, and the deliberately broken ones by name. */
  readonly core: T['core'];
  readonly defects: Readonly<Record<string, DefectiveCore<T['core']>>>;

  /** A trace state's variables as the definition's state; throws {@link SpecValueError} naming the path. */
  parseState(vars: Readonly<Record<string, TlaValue>>): T['state'];
  /** A trace's action label; throws {@link SpecValueError} (`unknown-action` for a name not in the vocabulary). */
  parseLabel(label: TlaValue): T['label'];
  labelName(label: T['label']): string;
  /** One line for reports: `HandleRequestVoteRequest(s2, s1, RequestVoteRequest s1->s2 t1 ...)`. */
  formatLabel(label: T['label']): string;
  /** Equal for equal labels; equal for states equal in every compared variable. */
  labelKey(label: T['label']): string;
  stateKey(state: T['state']): string;

  /** The implementation in exactly this spec state (a trace's first state; a state of the tour graph). */
  implementation(state: T['state']): T['impl'];
  /** Takes the step `label` names with `core`. */
  step(impl: T['impl'], label: T['label'], core: T['core']): StepOutcome<T['impl']>;
  prepare(state: T['state']): T['prepared'];
  /** Whether the implementation is in the spec state, in every compared variable. Called once per replayed step. */
  matches(expected: T['prepared'], impl: T['impl']): boolean;
  /** Every compared variable (or entry) where they differ: only asked once `matches` said no. */
  differences(expected: T['state'], impl: T['impl']): readonly Difference[];

  /** The bounds of a trace model, from its config text; throws a `WorkbenchError` (exit 4). */
  readBounds(configText: string, file: string): T['bounds'];
  /** Every step the implementation could be offered in this state, inside the model's constants. */
  candidates(impl: T['impl'], bounds: T['bounds']): readonly T['label'][];
  /** Whether a step and the state it reaches lie inside the model TLC explored (so its graph would hold it). */
  insideModel(label: T['label'], after: T['impl'], bounds: T['bounds']): boolean;
}

/** A value of a trace does not fit the protocol's vocabulary; `path` says where (`votedFor[s2]`). */
export class SpecValueError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    /** `unknown-action`: a label naming no action of the vocabulary; `shape`: anything else. */
    readonly code: 'shape' | 'unknown-action' = 'shape',
  ) {
    super(`${path}: ${problem}`);
    this.name = 'SpecValueError';
  }
}
