/**
 * {@link defineProtocol}: a typed {@link ProtocolDefinition} as a {@link Protocol}, the shape the
 * registry and every command use. A `Protocol` keeps the definition's types inside: the traces it loads
 * are only ever replayed by it, which it checks.
 *
 * @module
 */
import { type EnablednessReport, checkEnabledness } from '../conformance/enabledness.js';
import { type StateGraphOptions, type StateGraphReport, checkStateGraph } from '../conformance/state-graph.js';
import type { DotIndex } from '../trace/dot-index.js';
import { type LoadedTrace, type ReplayResult, type TypedTrace, loadTrace, replayTyped } from '../conformance/replay.js';
import { ExitCode, WorkbenchError } from '../errors.js';
import type { Trace } from '../trace/itf-trace.js';
import type { GraphModel, ProtocolDefinition, ProtocolTypes } from './definition.js';

/** What a protocol of the registry says about itself, as its definition wrote it. */
export type ProtocolFacts = Pick<
  ProtocolDefinition<ProtocolTypes>,
  'name' | 'spec' | 'title' | 'specModules' | 'traceModels' | 'scenarioGoals' | 'labelVariable' | 'actions' | 'mirrors' | 'validation'
>;

/** A protocol of the registry: its facts, and the pipeline's operations on its traces. */
export interface Protocol extends ProtocolFacts {
  /** Its deliberately broken cores: name and the rule each breaks. */
  readonly defects: readonly { readonly name: string; readonly breaks: string }[];
  /** Checks a trace and reads it into the protocol's terms; throws `TraceError` naming file and state. */
  load(trace: Trace, file: string): LoadedTrace;
  /** Replays a trace this protocol loaded, with the real core or the named defect. */
  replay(trace: LoadedTrace, options?: { readonly defect?: string; readonly context?: number }): ReplayResult;
  /** The enabledness check over the complete tour of `model` (its traces, all loaded by this protocol). */
  enabledness(model: string, traces: readonly LoadedTrace[], config: { readonly text: string; readonly file: string }, defect?: string): EnablednessReport;
  /** The models of the state-graph check (none when the protocol does not support it). */
  readonly graphModels: readonly GraphModel[];
  /**
   * The state-graph check of `model`'s dumped graph, with the real core or the named defect; throws a
   * `WorkbenchError` when the protocol does not support it.
   */
  stateGraph(index: DotIndex, model: GraphModel, config: { readonly text: string; readonly file: string }, options?: StateGraphOptions & { readonly defect?: string }): Promise<StateGraphReport>;
}

/** Erases a definition's types behind the {@link Protocol} interface. */
export function defineProtocol<T extends ProtocolTypes>(definition: ProtocolDefinition<T>): Protocol {
  const loaded = new WeakSet<LoadedTrace>();
  const own = (trace: LoadedTrace): TypedTrace<T> => {
    if (!loaded.has(trace)) throw new Error(`internal: ${trace.file} was not loaded by protocol ${definition.name}`);
    // Only this protocol's load adds to the set, and it adds TypedTrace<T>s.
    return trace as TypedTrace<T>;
  };
  const coreOf = (defect: string | undefined): T['core'] => {
    if (defect === undefined) return definition.core;
    if (!Object.hasOwn(definition.defects, defect)) {
      throw new WorkbenchError(`Protocol ${definition.name} has no defect "${defect}".`, ExitCode.USAGE, `Its defects: ${Object.keys(definition.defects).join(', ') || 'none'}.`);
    }
    return (definition.defects[defect] as { core: T['core'] }).core;
  };
  return {
    name: definition.name,
    spec: definition.spec,
    title: definition.title,
    specModules: definition.specModules,
    traceModels: definition.traceModels,
    scenarioGoals: definition.scenarioGoals,
    labelVariable: definition.labelVariable,
    actions: definition.actions,
    mirrors: definition.mirrors,
    ...(definition.validation === undefined ? {} : { validation: definition.validation }),
    defects: Object.entries(definition.defects).map(([name, d]) => ({ name, breaks: d.breaks })),
    load(trace, file) {
      const typed = loadTrace(definition, trace, file);
      loaded.add(typed);
      return typed;
    },
    replay(trace, options = {}) {
      return replayTyped(definition, own(trace), coreOf(options.defect), options.context);
    },
    enabledness(model, traces, config, defect) {
      return checkEnabledness(definition, model, traces.map(own), definition.readBounds(config.text, config.file), coreOf(defect));
    },
    graphModels: definition.graphModels ?? [],
    async stateGraph(index, model, config, options = {}) {
      const support = definition.stateGraph;
      if (support === undefined) throw new WorkbenchError(`Protocol ${definition.name} has no state-graph check.`, ExitCode.USAGE, 'Its definition gives no abstraction function (stateGraph).');
      const { defect, ...rest } = options;
      return checkStateGraph(definition, support, index, model, definition.readBounds(config.text, config.file), coreOf(defect), rest);
    },
  };
}
