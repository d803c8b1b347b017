/**
 * State-graph conformance: every state and every edge of a model's whole state graph, as TLC dumped it,
 * checked against the implementation, for any protocol. Where a tour (`src/trace/path-cover.ts`) turns
 * a small graph into traces to replay, this reads the graph itself, streamed from the dump
 * ({@link DotIndex}), so it reaches models whose graphs no set of trace files could hold.
 *
 * In every state `s` of the graph the implementation is put in `s` and offered every step of the
 * vocabulary (every action with every parameter the model allows). Then:
 * - **every edge is replayed**: each edge `s -> t` of action `A` must be reproduced by some step of `A`
 *   the implementation takes in `s`, reaching `t`;
 * - **enabledness**: each step the implementation takes whose successor lies inside the model must be
 *   an edge of the graph.
 * A state without edges is checked too: there the implementation must take no step inside the model.
 *
 * A model with `SYMMETRY` keeps one state per class of states equal up to a renaming of the symmetric
 * model values (Raft's servers), and TLC prints, for each class, the first member it met. The check puts
 * the implementation in that printed member, with its concrete names, and a step reaches an edge's
 * target when the state it reaches is a renaming of the target. When the action label is part of a
 * state (the model's `VIEW` keeps it, or it has none), the renaming must map the step's own label to the
 * target's too: so a step that acts for the wrong server, which a renaming of the state alone could
 * excuse, is still told apart. Without the label in the state, edges are told apart by their target
 * and the action name the dump gives (without parameters; TLC names an edge after its disjunct of
 * `Next`, so a disjunct that quantifies over messages is named `Next` and may be any action's).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Difference, GraphModel, ProtocolDefinition, ProtocolTypes, StateGraphSupport } from '../protocol/definition.js';
import type { TlaValue } from '../tla/value.js';
import type { DotIndex } from '../trace/dot-index.js';

/** How to read a model's graph: the parts of a protocol's {@link GraphModel} the check uses. */
export type StateGraphModel = Pick<GraphModel, 'name' | 'symmetric' | 'labelInState'>;

/** A disagreement between the graph and the implementation in one state. */
export interface StateGraphMismatch {
  /** TLC's fingerprint of the state. */
  readonly fingerprint: string;
  /**
   * `implementation-only`: a step the spec does not take here; `spec-only`: an edge no step reproduces;
   * `state`: the spec takes a step of this action here, but not to the state the implementation reaches;
   * `unsettled`: the step leaves what the implementation keeps beyond the spec's variables out of step
   * with them (see `StateGraphSupport.unsettled`).
   */
  readonly kind: 'implementation-only' | 'spec-only' | 'state' | 'unsettled';
  /** The step, as one line (for `spec-only`, the edge's action name). */
  readonly action: string;
  readonly detail: string;
  /** For `state`: where the implementation's state differs from the nearest target of that action. */
  readonly differences: readonly Difference[];
}

/** The outcome of the check. */
export interface StateGraphReport {
  readonly protocol: string;
  readonly model: string;
  readonly states: number;
  readonly edges: number;
  /** Edges some step of the implementation reproduced. */
  readonly edgesReplayed: number;
  /** Steps offered to the implementation, over all states. */
  readonly inputsOffered: number;
  /** Steps it took that stay inside the model. */
  readonly stepsInsideModel: number;
  /** Mismatches found (all of them, or up to the limit the check stopped at). */
  readonly mismatchCount: number;
  /** The first mismatches, in state order. */
  readonly mismatches: readonly StateGraphMismatch[];
  /** Whether the check stopped before its last state (at its mismatch limit, or interrupted). */
  readonly stoppedEarly: boolean;
  /** States whose check finished. */
  readonly statesChecked: number;
  /** Whether the check was stopped by its signal before every state was checked. */
  readonly interrupted: boolean;
  readonly durationMs: number;
}

/** Progress while the check runs. */
export interface StateGraphProgress {
  readonly statesChecked: number;
  readonly states: number;
  readonly edgesReplayed: number;
  readonly inputsOffered: number;
  readonly elapsedMs: number;
}

/** Options of {@link checkStateGraph}. */
export interface StateGraphOptions {
  /** Stop after this many mismatches (default 20). */
  readonly maxMismatches?: number;
  readonly onProgress?: (p: StateGraphProgress) => void;
  /** How often progress is reported, in states (default 5,000). */
  readonly progressEvery?: number;
  /** Stops the check between two states (the report then says `interrupted`). */
  readonly signal?: AbortSignal;
  /** Check only the states `from .. to-1` as sources (default: all); for splitting the check over threads. */
  readonly sources?: { readonly from: number; readonly to: number };
}

/** Every permutation of `values`, as renamings (the identity first). */
export function permutations(values: readonly string[]): ReadonlyMap<string, string>[] {
  const out: Map<string, string>[] = [];
  const permute = (rest: readonly string[], chosen: readonly string[]) => {
    if (rest.length === 0) {
      out.push(new Map(values.map((v, i) => [v, chosen[i] as string])));
      return;
    }
    rest.forEach((v, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...chosen, v]));
  };
  permute(values, []);
  return out;
}

/** How many states are checked between two turns of the event loop. */
const YIELD_EVERY = 500;

/** How many states parsed ahead of their turn are kept. */
const MAX_PARSED_AHEAD = 50_000;

// 96 bits of SHA-1: a state's key is compared by its hash, so the index of a large graph stays small.
const KEY_WIDTH = 16;
function hashKey(text: string): string {
  return createHash('sha1').update(text).digest('base64').slice(0, KEY_WIDTH);
}

/**
 * Checks the whole graph `index` of `model` against the implementation stepped by `core`. Requires the
 * definition's {@link StateGraphSupport}.
 */
export async function checkStateGraph<T extends ProtocolTypes>(
  definition: ProtocolDefinition<T>,
  support: StateGraphSupport<T>,
  index: DotIndex,
  model: StateGraphModel,
  bounds: T['bounds'],
  core: T['core'],
  options: StateGraphOptions = {},
): Promise<StateGraphReport> {
  const started = Date.now();
  const maxMismatches = options.maxMismatches ?? 20;
  const progressEvery = options.progressEvery ?? 5000;
  const n = index.stateCount;

  // States parsed as an edge's target before their own turn as a source, kept (up to a bound) so that
  // most states are parsed once: the dump lists states about in the order they are explored.
  const parsedAhead = new Map<number, { state: T['state']; label: T['label'] | undefined }>();
  let current = -1;
  const read = (s: number): { state: T['state']; label: T['label'] | undefined } => {
    const vars = index.readState(s);
    const state = definition.parseState(vars);
    const label = model.labelInState ? definition.parseLabel(vars[definition.labelVariable] as TlaValue) : undefined;
    return { state, label };
  };
  const first = read(index.initialStates()[0] as number);
  const renamings = model.symmetric ? permutations(support.symmetricValues(first.state)) : [new Map<string, string>()];

  const keyOf = (state: T['state'], label: T['label'] | undefined): string =>
    hashKey(label === undefined ? definition.stateKey(state) : `${definition.stateKey(state)}|${definition.labelKey(label)}`);
  /** Per state: the keys of all its renamings, concatenated (the class TLC's state stands for). */
  const classKeys: (string | undefined)[] = new Array<string | undefined>(n);
  /** Per state, when the label is part of it: the action of the edges entering it (renaming keeps it). */
  const labelNames: (string | undefined)[] = new Array<string | undefined>(n);
  const classOf = (s: number, known?: { state: T['state']; label: T['label'] | undefined }): string => {
    const cached = classKeys[s];
    if (cached !== undefined) return cached;
    let parsed = known;
    if (parsed === undefined) {
      parsed = read(s);
      if (s > current && parsedAhead.size < MAX_PARSED_AHEAD) parsedAhead.set(s, parsed);
    }
    const { state, label } = parsed;
    const keys = new Set<string>();
    for (const rename of renamings) {
      keys.add(keyOf(rename.size === 0 ? state : support.renameState(state, rename), label === undefined || rename.size === 0 ? label : support.renameLabel(label, rename)));
    }
    const joined = [...keys].sort().join('');
    classKeys[s] = joined;
    if (label !== undefined) labelNames[s] = definition.labelName(label);
    return joined;
  };
  const inClass = (joined: string, key: string): boolean => {
    for (let at = 0; at < joined.length; at += KEY_WIDTH) if (joined.startsWith(key, at)) return true;
    return false;
  };

  const vocabulary = new Set(definition.actions);
  const mismatches: StateGraphMismatch[] = [];
  let mismatchCount = 0;
  let edgesReplayed = 0;
  let offered = 0;
  let inside = 0;
  let checked = 0;

  const nearestDifferences = (targets: readonly number[], impl: T['impl']): Difference[] => {
    let best: Difference[] | undefined;
    for (const t of targets) {
      const { state } = read(t);
      for (const rename of renamings) {
        const d = [...definition.differences(rename.size === 0 ? state : support.renameState(state, rename), impl)];
        if (best === undefined || d.length < best.length) best = d;
      }
    }
    return best ?? [];
  };

  let interrupted = false;
  const from = options.sources?.from ?? 0;
  const to = Math.min(options.sources?.to ?? n, n);
  for (let s = from; s < to && mismatchCount < maxMismatches; s++) {
    // The check runs for minutes: let signals (Ctrl-C) and timers in between states.
    if ((s - from) % YIELD_EVERY === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
    }
    current = s;
    const source = parsedAhead.get(s) ?? read(s);
    parsedAhead.delete(s);
    classOf(s, source);
    const edges = index.edgesFrom(s);
    const byAction = new Map<string, number[]>();
    const targetClass: string[] = [];
    for (let e = 0; e < edges.length; e++) {
      const edge = edges[e] as (typeof edges)[number];
      targetClass.push(classOf(edge.to));
      const action = labelNames[edge.to] ?? edge.action;
      const list = byAction.get(action);
      if (list === undefined) byAction.set(action, [e]);
      else list.push(e);
    }
    // TLC names an edge after the operator of its disjunct of Next; a disjunct that is not one action's
    // application (`\E m \in DOMAIN messages : Handle(m)`) gets the enclosing name, so such an edge may be
    // any action's.
    const unnamed: number[] = [];
    for (const [name, list] of byAction) if (!vocabulary.has(name)) unnamed.push(...list);
    const reproduced = new Uint8Array(edges.length);
    const fingerprint = index.fingerprints[s] as string;
    const found = (m: StateGraphMismatch) => {
      mismatchCount++;
      if (mismatches.length < maxMismatches) mismatches.push(m);
    };

    const impl = definition.implementation(source.state);
    for (const label of definition.candidates(impl, bounds)) {
      offered++;
      const result = definition.step(impl, label, core);
      if (result.refused !== undefined) continue;
      if (!definition.insideModel(label, result.impl, bounds)) continue;
      inside++;
      const unsettled = support.unsettled?.(result.impl) ?? null;
      if (unsettled !== null) {
        found({ fingerprint, kind: 'unsettled', action: definition.formatLabel(label), detail: unsettled, differences: [] });
        continue;
      }
      const key = keyOf(support.abstract(result.impl), model.labelInState ? label : undefined);
      const sameAction = [...(byAction.get(definition.labelName(label)) ?? []), ...unnamed];
      let matched = false;
      for (const e of sameAction) {
        if (!inClass(targetClass[e] as string, key)) continue;
        matched = true;
        reproduced[e] = 1;
      }
      if (matched) continue;
      if (!sameAction.some((e) => !unnamed.includes(e))) {
        found({
          fingerprint,
          kind: 'implementation-only',
          action: definition.formatLabel(label),
          detail:
            unnamed.length === 0
              ? 'the implementation takes this step here; the spec takes no step of this action here (and the successor is inside the model)'
              : 'the implementation takes this step here; the spec takes no step of this action here to the state it reaches (and the successor is inside the model)',
          differences: [],
        });
      } else {
        const differences = nearestDifferences(
          sameAction.map((e) => (edges[e] as (typeof edges)[number]).to),
          result.impl,
        );
        found({
          fingerprint,
          kind: 'state',
          action: definition.formatLabel(label),
          detail:
            differences.length === 0
              ? `the state the implementation reaches is a renaming of one the spec reaches by ${sameAction.length === 1 ? 'its step' : 'one of its steps'} of this action here, but no renaming maps this step's label onto that step's: the implementation did what another parameter's step does`
              : `the spec takes ${sameAction.length} step(s) of this action here, but none reaches the state the implementation reaches`,
          differences,
        });
      }
    }
    for (let e = 0; e < edges.length; e++) {
      if (reproduced[e] === 1) {
        edgesReplayed++;
        continue;
      }
      const edge = edges[e] as (typeof edges)[number];
      const action = labelNames[edge.to] ?? edge.action;
      found({
        fingerprint,
        kind: 'spec-only',
        action,
        detail: `the spec takes a ${action === edge.action ? action : `${action} (TLC names it ${edge.action})`} step here to state ${index.fingerprints[edge.to]}; no step the implementation takes here reaches it`,
        differences: [],
      });
    }
    checked++;
    if (options.onProgress !== undefined && checked % progressEvery === 0) {
      options.onProgress({ statesChecked: checked, states: n, edgesReplayed, inputsOffered: offered, elapsedMs: Date.now() - started });
    }
  }
  return {
    protocol: definition.name,
    model: model.name,
    states: n,
    edges: index.edgeCount,
    edgesReplayed,
    inputsOffered: offered,
    stepsInsideModel: inside,
    mismatchCount,
    mismatches,
    stoppedEarly: checked < to - from,
    statesChecked: checked,
    interrupted,
    durationMs: Date.now() - started,
  };
}
