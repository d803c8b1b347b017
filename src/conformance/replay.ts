/**
 * Trace replay (ARCHITECTURE.md section 3): a cluster of the TypeScript core is put in the trace's initial
 * state, then each step's action label drives exactly that input through `clusterStep` (deliver
 * that message to that node, fire that node's timeout, drop or duplicate in the network bag,
 * restart with storage kept ...), and `toSpecState` of the result must equal the trace's next
 * state in every spec variable. History and auxiliary variables (`commitHistory`, the `action`
 * label itself) are not compared.
 *
 * @module
 */
import { clusterStep, type ClusterSnapshot, type StepFn } from '../raft/cluster.js';
import { formatLabel, type ActionLabel } from '../raft/labels.js';
import { SPEC_VARIABLES, type SpecState, toSpecState } from '../raft/spec-state.js';
import { step as realStep } from '../raft/step.js';
import { type Trace, type TraceMeta, TraceError } from '../trace/itf-trace.js';
import { printTla, canonicalize } from '../tla/value.js';
import { clusterMatches, diffSpecStates, prepareExpected, type Difference, type PreparedState } from './compare.js';
import {
  actionLabelFromTla,
  clusterFromSpecState,
  serversOf,
  SpecShapeError,
  specStateFromTla,
  StateShapeError,
} from './spec-values.js';

/** The spec this harness replays (a trace's `#meta.spec`). */
export const RAFT_SPEC = 'Raft';

/** Raft's auxiliary and history variables: in every trace, never compared (RAFT_VOCABULARY.md). */
export const RAFT_UNCOMPARED_VARIABLES = ['action', 'commitHistory'] as const;

/** Every variable a Raft trace has. */
export const RAFT_TRACE_VARIABLES: readonly string[] = [...SPEC_VARIABLES, ...RAFT_UNCOMPARED_VARIABLES].sort();

/** One step of a loaded trace. */
export interface ReplayStep {
  /** The state index the step leads to (1 for the first step). */
  readonly index: number;
  readonly label: ActionLabel;
  /** The spec state the step must produce. */
  readonly expected: SpecState;
  /** The same, prepared once for the per-step comparison. */
  readonly prepared: PreparedState;
}

/** A Raft trace, checked and converted to the core's terms once, ready to replay many times. */
export interface RaftTrace {
  /** How the trace is named in reports (a path relative to the working folder). */
  readonly file: string;
  readonly meta: TraceMeta;
  readonly servers: readonly string[];
  readonly initial: SpecState;
  readonly steps: readonly ReplayStep[];
  /** Per state (0 = initial), the history variable's canonical text: coverage tells states apart by it. */
  readonly historyKeys: readonly string[];
}

/**
 * Checks a trace is a Raft trace and converts it: every state type-correct, every label a known
 * action with well-formed parameters. Throws {@link TraceError} naming the file and state.
 */
export function loadRaftTrace(trace: Trace, file: string): RaftTrace {
  if (trace.meta.spec !== RAFT_SPEC) {
    throw new TraceError(
      file,
      undefined,
      `is a trace of another model: ${trace.meta.spec} (model ${trace.meta.model}), but this harness replays ${RAFT_SPEC} traces`,
      'Pass only Raft traces (traces/raft/...); other specs have no TypeScript implementation to replay against yet.',
    );
  }
  const vars = [...trace.vars].sort();
  if (vars.join() !== RAFT_TRACE_VARIABLES.join()) {
    const missing = RAFT_TRACE_VARIABLES.filter((v) => !vars.includes(v));
    const extra = vars.filter((v) => !RAFT_TRACE_VARIABLES.includes(v));
    throw new TraceError(
      file,
      undefined,
      `is a trace of another model: its variables are not Raft's${missing.length ? ` (missing ${missing.join(', ')})` : ''}${extra.length ? ` (unknown ${extra.join(', ')})` : ''}`,
      'Raft traces have the variables of specs/RAFT_VOCABULARY.md; regenerate with `npm run traces`.',
    );
  }
  let servers: readonly string[] | undefined;
  const states: SpecState[] = [];
  const labels: ActionLabel[] = [];
  const historyKeys: string[] = [];
  for (const state of trace.states) {
    let expected: SpecState;
    let label: ActionLabel;
    try {
      expected = specStateFromTla(state.vars);
    } catch (error) {
      if (error instanceof StateShapeError) throw new TraceError(file, state.index, `the state is not type-correct: ${error.message}`);
      throw error;
    }
    try {
      label = actionLabelFromTla(state.vars['action'] as NonNullable<(typeof state.vars)['action']>);
    } catch (error) {
      if (error instanceof SpecShapeError || error instanceof StateShapeError) {
        const unknown = /unknown action name/.test(error.message);
        throw new TraceError(file, state.index, `${unknown ? 'unknown action' : 'malformed action label'}: ${error.message}`, unknown ? 'The actions are those of specs/RAFT_VOCABULARY.md; is this a trace of another spec?' : undefined);
      }
      throw error;
    }
    if (label.name !== state.actionTaken) {
      throw new TraceError(file, state.index, `mbt::actionTaken says ${state.actionTaken} but the action label says ${label.name}`);
    }
    if ((state.index === 0) !== (label.name === 'Init')) {
      throw new TraceError(file, state.index, state.index === 0 ? `the first state must be labelled Init, not ${label.name}` : 'only the first state may be labelled Init');
    }
    const stateServers = serversOf(expected);
    if (servers === undefined) servers = stateServers;
    else if (stateServers.join() !== servers.join()) {
      throw new TraceError(file, state.index, `the servers changed from ${servers.join(', ')} to ${stateServers.join(', ')}`);
    }
    states.push(expected);
    labels.push(label);
    historyKeys.push(printTla(canonicalize(state.vars['commitHistory'] as NonNullable<(typeof state.vars)['commitHistory']>)));
  }
  return {
    file,
    meta: trace.meta,
    servers: servers ?? [],
    initial: states[0] as SpecState,
    steps: states.slice(1).map((expected, i) => ({ index: i + 1, label: labels[i + 1] as ActionLabel, expected, prepared: prepareExpected(expected) })),
    historyKeys,
  };
}

/** Where replay and trace part ways. */
export interface Divergence {
  readonly file: string;
  /** The state index the diverging step leads to. */
  readonly step: number;
  readonly action: ActionLabel;
  /** `state`: the core's state differs; `refused`: the core would not take the step. */
  readonly kind: 'state' | 'refused';
  /** The core's explanation of a refusal. */
  readonly reason?: string;
  readonly differences: readonly Difference[];
  /** The steps just before, oldest first. */
  readonly before: readonly { readonly step: number; readonly action: ActionLabel }[];
}

/** Options of {@link replayTrace}. */
export interface ReplayOptions {
  /** The core's step function; a defect from src/raft/defects.ts for negative controls. */
  readonly stepFn?: StepFn;
  /** How many earlier steps a divergence report shows (default 3). */
  readonly context?: number;
  /** Called after each step that matched the trace. */
  readonly onStep?: (step: ReplayStep, before: ClusterSnapshot, after: ClusterSnapshot) => void;
}

/** The outcome of replaying one trace. */
export interface ReplayResult {
  readonly file: string;
  /** Steps replayed and found equal (all of them when there is no divergence). */
  readonly stepsMatched: number;
  readonly divergence?: Divergence;
}

function stepsBefore(steps: readonly ReplayStep[], i: number, context: number): Divergence['before'] {
  return steps.slice(Math.max(0, i - context), i).map((p) => ({ step: p.index, action: p.label }));
}

/** Replays one trace against the core; stops at the first divergence. */
export function replayTrace(trace: RaftTrace, options: ReplayOptions = {}): ReplayResult {
  const stepFn = options.stepFn ?? realStep;
  const context = options.context ?? 3;
  let cluster = clusterFromSpecState(trace.initial);
  const steps = trace.steps;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i] as ReplayStep;
    const result = clusterStep(cluster, s.label, stepFn);
    if (result.notEnabled !== null) {
      return {
        file: trace.file,
        stepsMatched: i,
        divergence: { file: trace.file, step: s.index, action: s.label, kind: 'refused', reason: result.notEnabled.reason, differences: [], before: stepsBefore(steps, i, context) },
      };
    }
    if (!clusterMatches(s.prepared, result.cluster)) {
      const differences = diffSpecStates(s.expected, toSpecState(result.cluster));
      if (differences.length === 0) throw new Error(`internal: ${trace.file} step ${s.index} compares unequal but shows no difference`);
      return {
        file: trace.file,
        stepsMatched: i,
        divergence: { file: trace.file, step: s.index, action: s.label, kind: 'state', differences, before: stepsBefore(steps, i, context) },
      };
    }
    options.onStep?.(s, cluster, result.cluster);
    cluster = result.cluster;
  }
  return { file: trace.file, stepsMatched: steps.length };
}

/** A divergence as text: file, step, action, each differing path with expected and actual, then the steps before. */
export function formatDivergence(d: Divergence): string {
  const lines = [`${d.file}, step ${d.step}: ${formatLabel(d.action)}`];
  if (d.kind === 'refused') lines.push(`  the implementation refused the step the spec took: ${d.reason ?? ''}`);
  for (const diff of d.differences) lines.push(`  ${diff.path}: expected ${diff.expected}, actual ${diff.actual}`);
  if (d.before.length > 0) {
    lines.push('  steps before:');
    for (const b of d.before) lines.push(`    ${String(b.step).padStart(3)}  ${formatLabel(b.action)}`);
  }
  return lines.join('\n');
}
