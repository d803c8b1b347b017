/**
 * Benchmark: trace replay throughput of the Raft corpus, in spec steps per second on one core (the
 * goal is >= 200,000), the generic path next to the Raft-specific one it replaced, measured in the
 * same run.
 *
 * Four loops over the same loaded corpus, alternated so they see the same machine load:
 *
 * - **replay**: what `npm run conformance` does, through the protocol registry: `Protocol.replay`
 *   of every trace (the generic loop of src/conformance/replay.ts over Raft's definition);
 * - **Raft-specific replay**: the loop conformance ran before protocols were definitions, written
 *   against the Raft core directly: `clusterStep` with the step's label, then `clusterMatches` of the
 *   result against the trace's state (see src/definitions/raft/compare.ts); the baseline;
 * - **step only**: `clusterStep` alone (the core and the network bag, nothing checked);
 * - **comparison only**: `clusterMatches` alone, on the after-states of every step computed beforehand.
 *
 * @module
 */
import { join, resolve } from 'node:path';
import type { LoadedTrace, TypedTrace } from '../conformance/replay.js';
import { loadTrace } from '../conformance/replay.js';
import { loadCorpus } from '../conformance/run.js';
import { clusterMatches, type PreparedState } from '../definitions/raft/compare.js';
import { RAFT, RAFT_DEFINITION, type RaftTypes } from '../definitions/raft/definition.js';
import { clusterFromSpecState } from '../definitions/raft/trace-values.js';
import { REPO_ROOT } from '../paths.js';
import { clusterStep, type ClusterSnapshot } from '../raft/index.js';
import { readTrace } from '../trace/itf-trace.js';
import { median } from './stats.js';

/** Median time and rate of one loop. */
export interface LoopFigures {
  readonly medianMs: number;
  readonly runsMs: readonly number[];
  readonly stepsPerSecond: number;
  /** Median nanoseconds per step. */
  readonly nsPerStep: number;
}

/** Figures of one replay-throughput measurement. */
export interface ReplayThroughputFigures {
  readonly traces: number;
  /** Steps in one pass over the corpus. */
  readonly steps: number;
  /** Passes over the corpus per timed run. */
  readonly passes: number;
  readonly repetitions: number;
  readonly replay: LoopFigures;
  /** The loop `replay` replaced, written against the Raft core directly (the baseline). */
  readonly raftSpecific: LoopFigures;
  /** replay / Raft-specific, in steps per second (the goal: within 10 %). */
  readonly genericRatio: number;
  readonly stepOnly: LoopFigures;
  readonly comparisonOnly: LoopFigures;
  /** The comparison's share of a replayed step (comparison ns / replay ns). */
  readonly comparisonShare: number;
  /** The goal, steps/s on one core. */
  readonly goalStepsPerSecond: number;
}

// A sink the optimiser cannot drop, so no loop body is eliminated as dead code.
let sink = 0;

type RaftTrace = TypedTrace<RaftTypes>;

function genericPass(traces: readonly LoadedTrace[]): void {
  for (const t of traces) {
    const r = RAFT.replay(t);
    if (r.divergence !== undefined) throw new Error(`${t.file} diverges at step ${r.divergence.step}; the benchmark needs a conforming corpus`);
  }
}

function raftSpecificPass(traces: readonly RaftTrace[]): void {
  for (const t of traces) {
    let cluster = clusterFromSpecState(t.initial);
    for (const s of t.typedSteps) {
      const r = clusterStep(cluster, s.label);
      if (r.notEnabled !== null || !clusterMatches(s.prepared, r.cluster)) throw new Error(`${t.file} diverges at step ${s.index}; the benchmark needs a conforming corpus`);
      cluster = r.cluster;
    }
  }
}

function stepPass(traces: readonly RaftTrace[]): void {
  for (const t of traces) {
    let cluster = clusterFromSpecState(t.initial);
    for (const s of t.typedSteps) cluster = clusterStep(cluster, s.label).cluster;
    sink += cluster.servers.length;
  }
}

function comparePass(pairs: readonly (readonly [ClusterSnapshot, PreparedState])[]): void {
  for (const [cluster, expected] of pairs) if (clusterMatches(expected, cluster)) sink++;
}

function time(body: () => void, passes: number): number {
  const started = performance.now();
  for (let p = 0; p < passes; p++) body();
  return performance.now() - started;
}

function figures(runs: readonly number[], steps: number): LoopFigures {
  const medianMs = median(runs);
  return { medianMs, runsMs: runs, stepsPerSecond: (steps * 1000) / medianMs, nsPerStep: (medianMs * 1e6) / steps };
}

/**
 * Measures replay throughput over a corpus. `passes` passes over the corpus make one timed run;
 * each loop is run `repetitions` times, alternating, after one unmeasured warm-up run of each.
 */
export function measureReplayThroughput(loaded: readonly LoadedTrace[], typed: readonly RaftTrace[], repetitions = 5, passes = 50): ReplayThroughputFigures {
  const steps = typed.reduce((n, t) => n + t.steps.length, 0);
  // The after-state of every step, for the comparison-only loop.
  const pairs: [ClusterSnapshot, PreparedState][] = [];
  for (const t of typed) {
    let cluster = clusterFromSpecState(t.initial);
    for (const s of t.typedSteps) {
      cluster = clusterStep(cluster, s.label).cluster;
      pairs.push([cluster, s.prepared]);
    }
  }
  const loops = {
    replay: () => genericPass(loaded),
    raftSpecific: () => raftSpecificPass(typed),
    stepOnly: () => stepPass(typed),
    comparisonOnly: () => comparePass(pairs),
  };
  // A full run of each loop unmeasured first: with less, the first measured run still paid for V8's
  // optimizing compiler (a single repetition read 40 % low).
  for (const body of Object.values(loops)) time(body, passes);
  const runs = { replay: [] as number[], raftSpecific: [] as number[], stepOnly: [] as number[], comparisonOnly: [] as number[] };
  for (let r = 0; r < repetitions; r++) {
    runs.replay.push(time(loops.replay, passes));
    runs.raftSpecific.push(time(loops.raftSpecific, passes));
    runs.stepOnly.push(time(loops.stepOnly, passes));
    runs.comparisonOnly.push(time(loops.comparisonOnly, passes));
  }
  const total = steps * passes;
  const replay = figures(runs.replay, total);
  const raftSpecific = figures(runs.raftSpecific, total);
  const comparisonOnly = figures(runs.comparisonOnly, total);
  return {
    traces: typed.length,
    steps,
    passes,
    repetitions,
    replay,
    raftSpecific,
    genericRatio: replay.stepsPerSecond / raftSpecific.stepsPerSecond,
    stepOnly: figures(runs.stepOnly, total),
    comparisonOnly,
    comparisonShare: comparisonOnly.nsPerStep / replay.nsPerStep,
    goalStepsPerSecond: 200_000,
  };
}

/** Loads the Raft traces of the committed corpus (`traces/` unless told otherwise) and measures them: what `npm run bench` calls. */
export async function benchReplay(options: { dir?: string; repetitions?: number; passes?: number } = {}): Promise<ReplayThroughputFigures> {
  const dir = options.dir ?? join(REPO_ROOT, 'traces');
  const corpus = await loadCorpus([dir], REPO_ROOT, { registry: [RAFT] });
  // The same traces read again with Raft's definition itself, typed, for the loops that bypass the registry.
  const typed = await Promise.all(corpus.traces.map(async (t) => loadTrace(RAFT_DEFINITION, await readTrace(resolve(REPO_ROOT, t.file), t.file), t.file)));
  return measureReplayThroughput(corpus.traces, typed, options.repetitions, options.passes);
}
