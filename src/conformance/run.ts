/**
 * Conformance of a whole corpus: load every trace (a trace folder through its manifest, or single
 * files), replay each against the core, check enabledness over each tour model's graph, and
 * collect coverage.
 *
 * A corpus may come from someone else. A folder's manifest and every file it lists, and every trace
 * found in a folder without one, must lie inside that folder (relative paths without `..`, no
 * symbolic link leading out); files are size-checked before they are read; a JSON error never
 * quotes the file. A trace's `#meta.config` is confined to specs/ (see `readModelBounds`).
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { FileReadError, JsonSyntaxError, MAX_INPUT_BYTES, parseJson, readTextFile, resolveInside } from '../files/read.js';
import type { StepFn } from '../raft/cluster.js';
import type { TourGraphFacts } from '../trace/generate.js';
import { TraceError, readTrace } from '../trace/itf-trace.js';
import { MANIFEST_FILE, type TraceManifest, readManifest } from '../trace/manifest.js';
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

const MANIFEST_HINT = 'A manifest lists trace files inside its own folder; regenerate the folder with `npm run traces`.';

/** The largest manifest read (the committed one is about 30 KB). */
export const MAX_MANIFEST_BYTES = MAX_INPUT_BYTES;

/**
 * A folder's manifest, checked before `readManifest` parses it: it must be a regular file inside the
 * folder, at most {@link MAX_MANIFEST_BYTES}, and JSON (an error says where, never what it holds).
 * `undefined` when the folder has none.
 */
async function readFolderManifest(dir: string, cwd: string): Promise<{ manifest: TraceManifest; shown: string } | undefined> {
  const file = join(dir, MANIFEST_FILE);
  try {
    await lstat(file); // lstat: a manifest.json that is a link is there, wherever it leads
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  const shown = relative(cwd, file) || file;
  const fail = (problem: string): never => {
    throw new TraceError(shown, undefined, problem, MANIFEST_HINT);
  };
  const found = await resolveInside(dir, MANIFEST_FILE);
  if ('problem' in found) return fail(found.problem);
  try {
    parseJson(await readTextFile(found.path, { maxBytes: MAX_MANIFEST_BYTES, what: 'trace manifest', shown }));
  } catch (error) {
    if (error instanceof FileReadError) return fail(error.problem);
    if (error instanceof JsonSyntaxError) return fail(error.message);
    throw error;
  }
  const manifest = await readManifest(dir);
  return manifest === undefined ? undefined : { manifest, shown };
}

function isGraphFacts(value: unknown): value is TourGraphFacts {
  if (typeof value !== 'object' || value === null) return false;
  const count = (key: string) => Object.hasOwn(value, key) && Number.isSafeInteger((value as Record<string, unknown>)[key]);
  return count('states') && count('edges') && count('initialStates');
}

/**
 * Loads traces from files and folders. A folder with a manifest contributes the files its manifest
 * lists (a listed file that is missing, or not inside the folder, is an error); a folder without
 * one, every `*.itf.json` in it (each inside the folder). Files named explicitly are read as named.
 */
export async function loadCorpus(paths: readonly string[], cwd: string): Promise<Corpus> {
  // Explicitly named files must be Raft traces; traces of other specs found in folders are skipped.
  const files: { file: string; read: string; named: boolean }[] = [];
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
      files.push({ file: abs, read: abs, named: true });
      continue;
    }
    const read = await readFolderManifest(abs, cwd);
    if (read === undefined) {
      for (const file of await findTraceFiles(abs)) {
        // readdir does not descend into linked folders, but a linked file is listed: it must stay inside.
        const found = await resolveInside(abs, relative(abs, file));
        if ('problem' in found) throw new TraceError(relative(cwd, file) || file, undefined, found.problem);
        files.push({ file, read: found.path, named: false });
      }
      continue;
    }
    const { manifest, shown } = read;
    for (const batch of manifest.batches) {
      if (batch.spec !== RAFT_SPEC) {
        skip(batch.spec, batch.model, batch.traces.length);
        continue;
      }
      if (batch.graph !== undefined) {
        if (!isGraphFacts(batch.graph)) throw new TraceError(shown, undefined, `batch ${JSON.stringify(batch.model)}: "graph" must hold the numbers states, edges and initialStates`, MANIFEST_HINT);
        graphs.set(batch.model, batch.graph);
      }
      for (const t of batch.traces as readonly unknown[]) {
        const entry = typeof t === 'object' && t !== null && Object.hasOwn(t, 'file') ? (t as { file: unknown }).file : undefined;
        if (typeof entry !== 'string') throw new TraceError(shown, undefined, 'a trace entry has no "file" path (a string)', MANIFEST_HINT);
        const found = await resolveInside(abs, entry);
        if ('problem' in found) throw new TraceError(shown, undefined, `lists ${JSON.stringify(entry)}, which ${found.problem}`, MANIFEST_HINT);
        files.push({ file: join(abs, entry), read: found.path, named: false });
      }
    }
  }
  const traces: RaftTrace[] = [];
  for (const { file, read, named } of files) {
    const shown = relative(cwd, file) || file;
    // The checked real path is read; the path as listed names the trace in messages.
    const trace = await readTrace(read, shown);
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
      const first = traces[0] as RaftTrace;
      const bounds = await readModelBounds(first.meta.config, first.file);
      enabledness.push(checkEnabledness(model, traces, bounds, options.stepFn));
    }
  }
  return { traces: corpus.traces.length, steps, stepsMatched: matched, divergences, enabledness, coverage: coverage.report(corpus.graphs), skipped: corpus.skipped ?? [] };
}
