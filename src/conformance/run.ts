/**
 * Conformance of a whole corpus: load every trace (a trace folder through its manifest, or single
 * files), replay each against the core, check enabledness over each tour model's graph, and
 * collect coverage.
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import type { StepFn } from '../raft/cluster.js';
import { REPO_ROOT } from '../tlc/toolchain.js';
import type { TourGraphFacts } from '../trace/generate.js';
import { readTrace } from '../trace/itf-trace.js';
import { readManifest } from '../trace/manifest.js';
import { readModelBounds } from './bounds.js';
import { CoverageCollector, type CoverageReport } from './coverage.js';
import { checkEnabledness, type EnablednessReport } from './enabledness.js';
import { type Divergence, type RaftTrace, RAFT_SPEC, loadRaftTrace, replayTrace } from './replay.js';

/** Traces of a spec no TypeScript implementation replays yet (found in a folder, so not an error). */
export interface SkippedTraces {
  readonly spec: string;
  readonly model: string;
  readonly traces: number;
}

/** Loaded traces plus what the manifests say about the tour graphs. */
export interface Corpus {
  readonly traces: readonly RaftTrace[];
  /** Tour models' graphs as TLC dumped them, by model name. */
  readonly graphs: ReadonlyMap<string, TourGraphFacts>;
  /** Traces in the folders that belong to other specs, by model. */
  readonly skipped?: readonly SkippedTraces[];
}

async function findTraceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findTraceFiles(path)));
    else if (entry.name.endsWith('.itf.json')) out.push(path);
  }
  return out.sort();
}

/**
 * Loads traces from files and folders. A folder with a manifest contributes the files its manifest
 * lists (a listed file that is missing is an error); a folder without one, every `*.itf.json` in it.
 */
export async function loadCorpus(paths: readonly string[], cwd: string): Promise<Corpus> {
  // Explicitly named files must be Raft traces; traces of other specs found in folders are skipped.
  const files: { file: string; named: boolean }[] = [];
  const graphs = new Map<string, TourGraphFacts>();
  const skipped = new Map<string, SkippedTraces>();
  const skip = (spec: string, model: string, n: number) => {
    const key = `${spec} ${model}`;
    skipped.set(key, { spec, model, traces: (skipped.get(key)?.traces ?? 0) + n });
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new WorkbenchError(`No trace file or folder ${p}.`, ExitCode.USAGE, 'Pass trace files or folders; the default is traces/.');
    if (!statSync(abs).isDirectory()) {
      files.push({ file: abs, named: true });
      continue;
    }
    const manifest = await readManifest(abs);
    if (manifest === undefined) {
      files.push(...(await findTraceFiles(abs)).map((file) => ({ file, named: false })));
      continue;
    }
    for (const batch of manifest.batches) {
      if (batch.spec !== RAFT_SPEC) {
        skip(batch.spec, batch.model, batch.traces.length);
        continue;
      }
      if (batch.graph) graphs.set(batch.model, batch.graph);
      for (const t of batch.traces) files.push({ file: join(abs, t.file), named: false });
    }
  }
  const traces: RaftTrace[] = [];
  for (const { file, named } of files) {
    const shown = relative(cwd, file) || file;
    const trace = await readTrace(file, shown);
    if (!named && trace.meta.spec !== RAFT_SPEC) {
      skip(trace.meta.spec, trace.meta.model, 1);
      continue;
    }
    traces.push(loadRaftTrace(trace, shown));
  }
  return { traces, graphs, skipped: [...skipped.values()] };
}

/** Options of a conformance run. */
export interface ConformanceOptions {
  readonly stepFn?: StepFn;
  /** Earlier steps shown with a divergence. */
  readonly context?: number;
  /** Skip the enabledness check. */
  readonly skipEnabledness?: boolean;
}

/** Everything a conformance run found. */
export interface ConformanceReport {
  readonly traces: number;
  /** Steps in the traces. */
  readonly steps: number;
  /** Steps replayed and found equal. */
  readonly stepsMatched: number;
  readonly divergences: readonly Divergence[];
  readonly enabledness: readonly EnablednessReport[];
  readonly coverage: CoverageReport;
  /** Traces of other specs that were not replayed. */
  readonly skipped: readonly SkippedTraces[];
}

/** Replays every trace, checks enabledness on each complete tour, and collects coverage. */
export async function runConformance(corpus: Corpus, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const coverage = new CoverageCollector();
  const divergences: Divergence[] = [];
  let steps = 0;
  let matched = 0;
  for (const trace of corpus.traces) {
    const result = replayTrace(trace, { ...(options.stepFn ? { stepFn: options.stepFn } : {}), ...(options.context !== undefined ? { context: options.context } : {}) });
    steps += trace.steps.length;
    matched += result.stepsMatched;
    coverage.add(trace, result.stepsMatched);
    if (result.divergence) divergences.push(result.divergence);
  }
  const enabledness: EnablednessReport[] = [];
  if (!options.skipEnabledness) {
    // Only a complete tour lists every step the spec enables in each state.
    const tours = new Map<string, RaftTrace[]>();
    for (const t of corpus.traces) {
      if (t.meta.mode !== 'tour' || !corpus.graphs.has(t.meta.model)) continue;
      tours.set(t.meta.model, [...(tours.get(t.meta.model) ?? []), t]);
    }
    for (const [model, traces] of tours) {
      const graph = corpus.graphs.get(model) as TourGraphFacts;
      const all = new CoverageCollector();
      for (const t of traces) all.add(t, t.steps.length);
      const covered = all.report().models[0];
      if (covered === undefined || covered.states !== graph.states || covered.edges !== graph.edges) {
        throw new WorkbenchError(
          `The tour of ${model} is incomplete: its traces hold ${covered?.states ?? 0} of ${graph.states} states and ${covered?.edges ?? 0} of ${graph.edges} edges.`,
          ExitCode.SPEC_ERROR,
          'Regenerate it with `npm run traces -- --mode tour` (a tour file is missing or was edited).',
        );
      }
      const bounds = await readModelBounds(join(REPO_ROOT, (traces[0] as RaftTrace).meta.config));
      enabledness.push(checkEnabledness(model, traces, bounds, options.stepFn));
    }
  }
  return { traces: corpus.traces.length, steps, stepsMatched: matched, divergences, enabledness, coverage: coverage.report(corpus.graphs), skipped: corpus.skipped ?? [] };
}
