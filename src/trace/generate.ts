/**
 * Trace generation, all three modes driven by the real TLC (ARCHITECTURE.md section 5):
 *
 * 1. **simulation**: `-simulate file=...,num=N -depth D -seed S` random walks, read back from the
 *    trace modules TLC writes;
 * 2. **scenario**: for each goal, the goal's negation as an invariant or action property, so the
 *    counterexample of TLC's breadth-first search is a shortest behaviour reaching the goal;
 * 3. **tour**: `-dump dot,actionlabels` of a small model's whole state graph, then paths from the
 *    initial states that together traverse every edge ({@link coverPaths}), each realised as a
 *    trace from the full states the dump prints for its nodes.
 *
 * @module
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { match } from 'ts-pattern';
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';
import type { TlcEvent } from '../tlc/events.js';
import { unifyStates } from '../tla/unify.js';
import { type TlaValue, canonicalize, printTla } from '../tla/value.js';
import type { TlcOutcome } from '../tlc/result.js';
import { type TlcRun, runTlc } from '../tlc/run.js';
import { REPO_ROOT, type TlcToolchain } from '../tlc/toolchain.js';
import { type Trace, type TraceMeta, type TraceState, ITF_FORMAT_DESCRIPTION, collectModelValues, splitActionLabel } from './itf-trace.js';
import { type ScenarioGoal, type TraceModel, scenarioConfig } from './models.js';
import { coverPaths } from './path-cover.js';
import { type DotStateGraph, type TlcStateVars, TlcOutputError, parseDotDump, parseSimulationTrace } from './tlc-output.js';

/** What every generation run needs. */
export interface GenerateContext {
  readonly toolchain: TlcToolchain;
  /** TLC worker threads (simulation always uses 1, so a seed gives the same walks). */
  readonly workers: number;
  /** Per TLC run. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Progress lines for a human (long runs report as they go). */
  readonly progress?: (line: string) => void;
}

/** Facts about the tour model's state graph, as TLC dumped it. */
export interface TourGraphFacts {
  /** States of the dump (TLC's distinct states, each with the label of the edges entering it). */
  readonly states: number;
  /** Distinct edges of the dump. */
  readonly edges: number;
  readonly initialStates: number;
}

/** The outcome a failed TLC run maps to, as a user-facing error. */
/** A failed TLC run as the user-facing error it maps to (exit code by outcome, TLC's diagnostics, what to do). */
function tlcFailure(run: TlcRun, what: string, model: Pick<TraceModel, 'config' | 'module'>): WorkbenchError {
  const code: ExitCodeValue = match(run.outcome as TlcOutcome)
    .with('parse-error', 'semantic-error', 'config-error', () => ExitCode.SPEC_ERROR)
    .with('timeout', () => ExitCode.TIMEOUT)
    .with('cancelled', () => ExitCode.INTERRUPTED)
    .with('tlc-error', () => ExitCode.TLC_FAILURE)
    .with('java-error', () => ExitCode.ENVIRONMENT)
    .with('ok', 'invariant-violated', 'property-violated', 'deadlock', () => ExitCode.CHECK_FAILED)
    .exhaustive();
  const diagnostics = run.diagnostics.map((d) => `${d.file ? relative(REPO_ROOT, d.file) : d.module}${d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : ''}: ${d.message}`);
  const detail = [run.message, ...diagnostics, ...run.errors.map((e) => e.text)].filter((x): x is string => !!x).join('\n  ');
  return new WorkbenchError(
    `${what}: TLC ended with ${run.outcome}${run.violation?.name ? ` ${run.violation.name}` : ''}.${detail ? `\n  ${detail}` : ''}`,
    code,
    code === ExitCode.TIMEOUT
      ? 'Raise --timeout, or lower --count/--depth.'
      : `Check the model ${relative(REPO_ROOT, model.config)} and its module ${relative(REPO_ROOT, model.module)} (\`npm run check-spec\` checks the spec itself).`,
  );
}

/** TLC's version as a run reported it: `2.18 of 20 March 2023`. */
export function describeVersion(run: TlcRun): string {
  // "Version 2.18 of 20 March 2023 (rev: ...)" -> "2.18 of 20 March 2023"
  const v = run.tlcVersion ?? '';
  return /Version (.*?)(?: \(rev|$)/.exec(v)?.[1]?.trim() ?? (v || 'unknown');
}

/** Builds a trace from states as TLC printed them; checks each carries the action label. */
export function traceFromTlcStates(
  states: readonly TlcStateVars[],
  model: TraceModel,
  meta: Pick<TraceMeta, 'tlcVersion' | 'description' | 'regenerate'> & Partial<Pick<TraceMeta, 'seed' | 'goal' | 'index'>>,
  where: string,
): Trace {
  const first = states[0];
  if (first === undefined) throw new TlcOutputError(where, 'TLC produced an empty behaviour');
  const vars = Object.keys(first).sort();
  // TLC prints record fields and function entries in an order that varies between runs; the canonical
  // form (sorted) is the same TLA+ value and makes regenerated files byte-identical. Then each variable
  // gets one shape in every state (an empty bag is `<<>>` to TLC), as typed ITF readers require.
  const canonical = unifyStates(
    states.map((printed) => {
      const out: Record<string, TlaValue> = {};
      for (const name of Object.keys(printed).sort()) out[name] = canonicalize(printed[name] as TlaValue);
      return out;
    }),
  );
  const traceStates = canonical.map((vars_, index): TraceState => {
    const names = Object.keys(vars_);
    if (names.join() !== vars.join()) throw new TlcOutputError(where, `state ${index} has variables ${names.join(', ')}, the first state ${vars.join(', ')}`);
    const label = splitActionLabel(vars_[model.labelVariable]);
    if (label === undefined) {
      throw new TlcOutputError(where, `state ${index} has no action label: the spec must keep [name |-> ..., ...] in ${model.labelVariable} (ARCHITECTURE.md section 2)`);
    }
    if ((index === 0) !== (label.actionTaken === 'Init')) {
      throw new TlcOutputError(where, `state ${index} is labelled ${label.actionTaken}; only the first state is labelled Init`);
    }
    return { index, vars: vars_, ...label };
  });
  return {
    meta: {
      format: 'ITF',
      'format-description': ITF_FORMAT_DESCRIPTION,
      spec: model.spec,
      source: relative(REPO_ROOT, model.module),
      model: model.name,
      config: relative(REPO_ROOT, model.config),
      tlcVersion: meta.tlcVersion,
      mode: model.mode,
      ...(meta.seed !== undefined ? { seed: meta.seed } : {}),
      ...(meta.goal !== undefined ? { goal: meta.goal } : {}),
      ...(meta.index !== undefined ? { index: meta.index } : {}),
      modelValues: collectModelValues(states.flatMap((s) => Object.values(s))),
      description: meta.description,
      regenerate: meta.regenerate,
    },
    vars,
    states: traceStates,
  };
}

async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'workbench-traces-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What every generation run of `model` passes TLC; `scratch` is the temporary folder TLC writes into. */
function baseRun(ctx: GenerateContext, model: Pick<TraceModel, 'module' | 'config'>, scratch: string) {
  return {
    module: model.module,
    config: model.config,
    toolchain: ctx.toolchain,
    timeoutMs: ctx.timeoutMs,
    scratch: [scratch],
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

/**
 * Whether a `-simulate` run ended well. TLC reports no "success" message in simulation mode (the
 * wrapper's result then says `tlc-error`), so a clean exit without errors or violations counts.
 */
function simulationSucceeded(run: TlcRun): boolean {
  if (run.outcome === 'ok') return true;
  return run.outcome === 'tlc-error' && run.exitCode === 0 && run.errors.length === 0 && run.violation === undefined;
}

/** Options of the simulation mode. */
export interface SimulationOptions {
  readonly count: number;
  /** Maximum behaviour length TLC simulates (a walk also ends where every step would leave the bounds). */
  readonly depth: number;
  readonly seed: bigint;
  readonly regenerate: string;
}

/** Random walks: TLC's simulation mode, seeded, one worker (so the seed fixes the walks). */
export async function generateSimulation(ctx: GenerateContext, model: TraceModel, options: SimulationOptions): Promise<Trace[]> {
  return withTempDir(async (dir) => {
    ctx.progress?.(`simulation: ${model.name}, ${options.count} random walks of depth <= ${options.depth}, seed ${options.seed} ...`);
    const run = await runTlc({
      ...baseRun(ctx, model, dir),
      workers: 1,
      tlcOptions: ['-simulate', `file=${join(dir, 'walk')},num=${options.count}`, '-depth', String(options.depth), '-seed', String(options.seed)],
    });
    if (!simulationSucceeded(run)) throw tlcFailure(run, `simulation of ${model.name}`, model);
    const files = (await readdir(dir))
      .map((f) => ({ f, m: /^walk_(\d+)_(\d+)$/.exec(f) }))
      .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => Number(a.m[1]) - Number(b.m[1]) || Number(a.m[2]) - Number(b.m[2]));
    if (files.length === 0) throw new WorkbenchError(`simulation of ${model.name}: TLC wrote no trace.`, ExitCode.TLC_FAILURE);
    const version = describeVersion(run);
    const traces: Trace[] = [];
    for (const [i, { f }] of files.entries()) {
      const states = parseSimulationTrace(await readFile(join(dir, f), 'utf8'), f);
      traces.push(
        traceFromTlcStates(states, model, {
          tlcVersion: version,
          seed: String(options.seed),
          index: i + 1,
          description: `TLC random walk ${i + 1} of ${files.length} (seed ${options.seed}, depth <= ${options.depth})`,
          regenerate: options.regenerate,
        }, f),
      );
    }
    ctx.progress?.(`simulation: ${traces.length} walks, ${traces.reduce((n, t) => n + t.states.length - 1, 0)} steps (${(run.durationMs / 1000).toFixed(1)} s)`);
    return traces;
  });
}

/** One scenario's trace, or why TLC found none. */
export type ScenarioResult =
  | { readonly goal: ScenarioGoal; readonly trace: Trace; readonly distinctStates: number | undefined }
  | { readonly goal: ScenarioGoal; readonly unreachable: true; readonly distinctStates: number | undefined };

/**
 * Targeted scenarios: per goal, TLC breadth-first with the goal negated, one worker (so the
 * counterexample is a shortest behaviour and the same one every run).
 */
export async function generateScenarios(
  ctx: GenerateContext,
  model: TraceModel,
  goals: readonly ScenarioGoal[],
  regenerate: string,
): Promise<ScenarioResult[]> {
  const base = await readFile(model.config, 'utf8');
  return withTempDir(async (dir) => {
    const results: ScenarioResult[] = [];
    for (const [i, goal] of goals.entries()) {
      const config = join(dir, `${model.name}-${goal.name}.cfg`);
      await writeFile(config, scenarioConfig(base, goal));
      ctx.progress?.(`scenario [${i + 1}/${goals.length}] ${goal.name}: TLC searches for a shortest behaviour ...`);
      let last: number | undefined;
      const run = await runTlc({
        ...baseRun(ctx, model, dir),
        config,
        workers: 1,
        onEvent: (e: TlcEvent) => {
          if (e.type !== 'progress' || e.stats.distinct === last) return;
          last = e.stats.distinct;
          ctx.progress?.(`  ${goal.name}: ${e.stats.distinct.toLocaleString('en-US')} distinct states, depth ${e.depth ?? '?'}`);
        },
      });
      const expected = goal.kind === 'invariant' ? 'invariant-violated' : 'property-violated';
      if (run.outcome === 'ok') {
        results.push({ goal, unreachable: true, distinctStates: run.stats?.distinct });
        ctx.progress?.(`  ${goal.name}: NOT reached within the model's bounds`);
        continue;
      }
      if (run.outcome !== expected || run.counterexample.length === 0) throw tlcFailure(run, `scenario ${goal.name}`, model);
      const trace = traceFromTlcStates(
        run.counterexample.map((s) => s.vars),
        model,
        { tlcVersion: describeVersion(run), goal: goal.name, description: `shortest behaviour in which ${goal.description}`, regenerate },
        `scenario ${goal.name}`,
      );
      results.push({ goal, trace, distinctStates: run.stats?.distinct });
      ctx.progress?.(`  ${goal.name}: ${trace.states.length - 1} steps (${(run.durationMs / 1000).toFixed(1)} s)`);
    }
    return results;
  });
}

/** Options of the tour mode. */
export interface TourOptions {
  /** Longest path (in steps) the cover extends; see {@link coverPaths}. */
  readonly maxLength: number;
  readonly regenerate: string;
}

/** The realised tour: its traces and the graph they cover. */
export interface TourResult {
  readonly traces: Trace[];
  readonly graph: TourGraphFacts;
}

/**
 * Realises cover paths of a dumped state graph as traces. Each state of the dump carries the label
 * of the edges entering it (the model's VIEW keeps the label), so a path's states are a trace as
 * they stand; this is checked rather than assumed.
 */
export function tourTraces(graph: DotStateGraph, model: TraceModel, paths: readonly (readonly number[])[], meta: { tlcVersion: string; regenerate: string }): Trace[] {
  return paths.map((path, i) =>
    traceFromTlcStates(
      path.map((s) => (graph.states[s] as DotStateGraph['states'][number]).vars),
      model,
      { ...meta, index: i + 1, description: `tour path ${i + 1} of ${paths.length} through ${model.name}'s state graph` },
      `tour path ${i + 1}`,
    ),
  );
}

/**
 * The graph with its states sorted by their printed values and its edges sorted, so the tour (and
 * the committed files) do not depend on the order TLC happened to explore states in.
 */
export function canonicalOrder(graph: DotStateGraph): DotStateGraph {
  const keyed = graph.states.map((s, i) => ({ i, key: printTla(canonicalize({ kind: 'record', fields: new Map(Object.entries(s.vars)) })) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const position = new Int32Array(graph.states.length);
  keyed.forEach(({ i }, p) => (position[i] = p));
  return {
    states: keyed.map(({ i }) => graph.states[i] as DotStateGraph['states'][number]),
    edges: graph.edges
      .map((e) => ({ ...e, from: position[e.from] as number, to: position[e.to] as number }))
      .sort((a, b) => a.from - b.from || a.to - b.to),
  };
}

/**
 * Has TLC write `model`'s whole state graph to `dot` (`-dump dot,actionlabels`), inside the temporary
 * folder `scratch`; throws the user-facing error when TLC fails. `what` prefixes the progress lines.
 */
export async function dumpStateGraphWithTlc(ctx: GenerateContext, model: Pick<TraceModel, 'name' | 'module' | 'config'>, dot: string, scratch: string, what: string): Promise<TlcRun> {
  ctx.progress?.(`${what}: TLC dumps the state graph of ${model.name} ...`);
  const run = await runTlc({
    ...baseRun(ctx, model, scratch),
    workers: ctx.workers,
    tlcOptions: ['-dump', 'dot,actionlabels', dot],
    onEvent: (e: TlcEvent) => {
      if (e.type === 'progress') ctx.progress?.(`  ${what}: ${e.stats.distinct.toLocaleString('en-US')} distinct states, queue ${e.stats.left.toLocaleString('en-US')}`);
    },
  });
  if (run.outcome !== 'ok') throw tlcFailure(run, `state-graph dump of ${model.name}`, model);
  return run;
}

/** The state-graph tour: dump the tour model's graph with TLC and cover every state and edge. */
export async function generateTour(ctx: GenerateContext, model: TraceModel, options: TourOptions): Promise<TourResult> {
  return withTempDir(async (dir) => {
    const dot = join(dir, 'graph.dot');
    const run = await dumpStateGraphWithTlc(ctx, model, dot, dir, 'tour');
    const graph = canonicalOrder(parseDotDump(await readFile(dot, 'utf8'), 'graph.dot'));
    if (run.stats && run.stats.distinct !== graph.states.length) {
      throw new TlcOutputError('graph.dot', `holds ${graph.states.length} states but TLC reported ${run.stats.distinct} distinct states`);
    }
    const paths = coverPaths(
      {
        stateCount: graph.states.length,
        initial: graph.states.flatMap((s, i) => (s.initial ? [i] : [])),
        edges: graph.edges.map((e) => [e.from, e.to] as const),
      },
      { maxLength: options.maxLength },
    );
    const traces = tourTraces(graph, model, paths, { tlcVersion: describeVersion(run), regenerate: options.regenerate });
    const facts: TourGraphFacts = {
      states: graph.states.length,
      edges: graph.edges.length,
      initialStates: graph.states.filter((s) => s.initial).length,
    };
    ctx.progress?.(
      `tour: ${facts.states} states, ${facts.edges} edges covered by ${traces.length} traces, ${traces.reduce((n, t) => n + t.states.length - 1, 0)} steps (${(run.durationMs / 1000).toFixed(1)} s)`,
    );
    return { traces, graph: facts };
  });
}
