/**
 * Trace replay (ARCHITECTURE.md section 3), for any protocol: a trace is checked and read into the
 * protocol's terms once ({@link loadTrace}); replay puts the implementation in the trace's first state,
 * drives each step's action through the core, and requires the implementation to be in the trace's
 * next state in every compared variable. A divergence names the trace file, the step, the action, each
 * differing variable with the expected and the actual value, and the steps before.
 *
 * @module
 */
import type { Difference, ProtocolDefinition, ProtocolTypes } from '../protocol/definition.js';
import { SpecValueError } from '../protocol/definition.js';
import { canonicalize, printTla, type TlaValue } from '../tla/value.js';
import { type Trace, type TraceMeta, TraceError } from '../trace/itf-trace.js';

/** One step of a loaded trace, as every protocol has it. */
export interface LoadedStep {
  /** The state index the step leads to (1 for the first step). */
  readonly index: number;
  /** The action's name (`Timeout`). */
  readonly action: string;
  /** Equal for equal labels, and for states equal in every compared variable. */
  readonly labelKey: string;
  readonly stateKey: string;
}

/** A trace checked and read into its protocol's terms, as the protocol-independent code sees it. */
export interface LoadedTrace {
  /** The protocol's name. */
  readonly protocol: string;
  /** How the trace is named in reports (a path relative to the working folder). */
  readonly file: string;
  readonly meta: TraceMeta;
  readonly initialStateKey: string;
  readonly steps: readonly LoadedStep[];
  /** Per state (0 = initial), the canonical text of its uncompared variables but the label (its history). */
  readonly historyKeys: readonly string[];
}

/** A loaded trace with the protocol's own values: what replay and the enabledness check use. */
export interface TypedTrace<T extends ProtocolTypes> extends LoadedTrace {
  readonly initial: T['state'];
  readonly typedSteps: readonly TypedStep<T>[];
}

/** One step in the protocol's own values. */
export interface TypedStep<T extends ProtocolTypes> {
  readonly index: number;
  readonly label: T['label'];
  /** The spec state the step must produce, and the same prepared once for the per-step comparison. */
  readonly expected: T['state'];
  readonly prepared: T['prepared'];
}

/**
 * Checks that a trace belongs to `definition` and reads it: every state type-correct, every label an
 * action of the vocabulary with well-formed parameters. Throws {@link TraceError} naming the file and state.
 */
export function loadTrace<T extends ProtocolTypes>(definition: ProtocolDefinition<T>, trace: Trace, file: string): TypedTrace<T> {
  if (trace.meta.spec !== definition.spec) {
    throw new TraceError(
      file,
      undefined,
      `is a trace of another model: ${trace.meta.spec} (model ${trace.meta.model}), but it is replayed as ${definition.spec} (protocol ${definition.name})`,
      'Pass traces of the protocol you name, or none and let each trace say its protocol.',
    );
  }
  const expectedVars = [...definition.comparedVariables, ...definition.uncomparedVariables].sort();
  const vars = [...trace.vars].sort();
  if (vars.join() !== expectedVars.join()) {
    const missing = expectedVars.filter((v) => !vars.includes(v));
    const extra = vars.filter((v) => !expectedVars.includes(v));
    throw new TraceError(
      file,
      undefined,
      `is a trace of another model: its variables are not ${definition.spec}'s${missing.length ? ` (missing ${missing.join(', ')})` : ''}${extra.length ? ` (unknown ${extra.join(', ')})` : ''}`,
      `${definition.spec} traces have the variables ${expectedVars.join(', ')}; regenerate with \`npm run traces -- --protocol ${definition.name}\`.`,
    );
  }
  const history = definition.uncomparedVariables.filter((v) => v !== definition.labelVariable);
  const states: T['state'][] = [];
  const labels: T['label'][] = [];
  const historyKeys: string[] = [];
  for (const state of trace.states) {
    let expected: T['state'];
    let label: T['label'];
    try {
      expected = definition.parseState(state.vars);
    } catch (error) {
      if (error instanceof SpecValueError) throw new TraceError(file, state.index, `the state is not type-correct: ${error.message}`);
      throw error;
    }
    try {
      label = definition.parseLabel(state.vars[definition.labelVariable] as TlaValue);
    } catch (error) {
      if (!(error instanceof SpecValueError)) throw error;
      const unknown = error.code === 'unknown-action';
      throw new TraceError(
        file,
        state.index,
        `${unknown ? 'unknown action' : 'malformed action label'}: ${error.message}`,
        unknown ? `The actions of ${definition.spec} are ${definition.actions.join(', ')}; is this a trace of another spec?` : undefined,
      );
    }
    const name = definition.labelName(label);
    if (name !== state.actionTaken) throw new TraceError(file, state.index, `mbt::actionTaken says ${state.actionTaken} but the action label says ${name}`);
    if ((state.index === 0) !== (name === 'Init')) {
      throw new TraceError(file, state.index, state.index === 0 ? `the first state must be labelled Init, not ${name}` : 'only the first state may be labelled Init');
    }
    states.push(expected);
    labels.push(label);
    historyKeys.push(history.map((v) => printTla(canonicalize(state.vars[v] as TlaValue))).join('|'));
  }
  const typedSteps = states.slice(1).map((expected, i): TypedStep<T> => ({
    index: i + 1,
    label: labels[i + 1] as T['label'],
    expected,
    prepared: definition.prepare(expected),
  }));
  return {
    protocol: definition.name,
    file,
    meta: trace.meta,
    initial: states[0] as T['state'],
    initialStateKey: definition.stateKey(states[0] as T['state']),
    typedSteps,
    steps: typedSteps.map((s) => ({ index: s.index, action: definition.labelName(s.label), labelKey: definition.labelKey(s.label), stateKey: definition.stateKey(s.expected) })),
    historyKeys,
  };
}

/** Where replay and trace part ways. */
export interface Divergence {
  readonly protocol: string;
  readonly file: string;
  /** The state index the diverging step leads to. */
  readonly step: number;
  /** The step's action, as one line. */
  readonly action: string;
  /** `state`: the implementation's state differs; `refused`: it would not take the step. */
  readonly kind: 'state' | 'refused';
  /** The implementation's explanation of a refusal. */
  readonly reason?: string;
  readonly differences: readonly Difference[];
  /** The steps just before, oldest first. */
  readonly before: readonly { readonly step: number; readonly action: string }[];
}

/** The outcome of replaying one trace. */
export interface ReplayResult {
  readonly file: string;
  /** Steps replayed and found equal (all of them when there is no divergence). */
  readonly stepsMatched: number;
  readonly divergence?: Divergence;
}

/** Replays one trace with `core`; stops at the first divergence. `context`: earlier steps shown with one. */
export function replayTyped<T extends ProtocolTypes>(definition: ProtocolDefinition<T>, trace: TypedTrace<T>, core: T['core'], context = 3): ReplayResult {
  let impl = definition.implementation(trace.initial);
  const steps = trace.typedSteps;
  const divergence = (i: number, s: TypedStep<T>, kind: Divergence['kind'], details: { reason?: string; differences?: readonly Difference[] }): ReplayResult => ({
    file: trace.file,
    stepsMatched: i,
    divergence: {
      protocol: definition.name,
      file: trace.file,
      step: s.index,
      action: definition.formatLabel(s.label),
      kind,
      ...(details.reason !== undefined ? { reason: details.reason } : {}),
      differences: details.differences ?? [],
      before: steps.slice(Math.max(0, i - context), i).map((p) => ({ step: p.index, action: definition.formatLabel(p.label) })),
    },
  });
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i] as TypedStep<T>;
    const result = definition.step(impl, s.label, core);
    if (result.refused !== undefined) return divergence(i, s, 'refused', { reason: result.refused });
    if (!definition.matches(s.prepared, result.impl)) {
      const differences = definition.differences(s.expected, result.impl);
      if (differences.length === 0) throw new Error(`internal: ${trace.file} step ${s.index} compares unequal but shows no difference`);
      return divergence(i, s, 'state', { differences });
    }
    impl = result.impl;
  }
  return { file: trace.file, stepsMatched: steps.length };
}

/** A divergence as text: file, step, action, each differing path with expected and actual, then the steps before. */
export function formatDivergence(d: Divergence): string {
  const lines = [`${d.file}, step ${d.step}: ${d.action}`];
  if (d.kind === 'refused') lines.push(`  the implementation refused the step the spec took: ${d.reason ?? ''}`);
  for (const diff of d.differences) lines.push(`  ${diff.path}: expected ${diff.expected}, actual ${diff.actual}`);
  if (d.before.length > 0) {
    lines.push('  steps before:');
    for (const b of d.before) lines.push(`    ${String(b.step).padStart(3)}  ${b.action}`);
  }
  return lines.join('\n');
}
