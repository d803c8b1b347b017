/**
 * Conformance of a whole corpus, for every protocol in it: load every trace (a trace folder through
 * its manifest, or single files) with the protocol its `#meta.spec` names, replay each against that
 * protocol's core, check enabledness over each tour model's graph, and collect coverage per protocol.
 *
 * A corpus may come from someone else. A folder's manifest and every file it lists, and every trace
 * found in a folder without one, must lie inside that folder (relative paths without `..`, no
 * symbolic link leading out); files are size-checked before they are read; a JSON error never
 * quotes the file. A trace's `#meta.config` is never read: a tour's bounds come from its protocol's own config.
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { FileReadError, JsonSyntaxError, MAX_INPUT_BYTES, parseJson, readTextFile, resolveInside } from '../files/read.js';
import { REPO_ROOT } from '../paths.js';
import type { Protocol } from '../protocol/protocol.js';
import type { TourGraphFacts } from '../trace/generate.js';
import { TraceError, readTrace } from '../trace/itf-trace.js';
import { MANIFEST_FILE, type TraceManifest, readManifest } from '../trace/manifest.js';
import { CoverageCollector, type CoverageReport } from './coverage.js';
import type { EnablednessReport } from './enabledness.js';
import type { Divergence, LoadedTrace } from './replay.js';

/** Traces found in a folder that no selected protocol replays (so not an error). */
export interface SkippedTraces {
  readonly spec: string;
  readonly model: string;
  readonly traces: number;
  /** Why: no protocol of the registry replays the spec, or `--protocol` left it out. */
  readonly reason: 'no-protocol' | 'not-selected';
}

/** Loaded traces, each with its protocol, plus what the manifests say about the tour graphs. */
export interface Corpus {
  readonly traces: readonly LoadedTrace[];
  /** Tour models' graphs as TLC dumped them, by model name. */
  readonly graphs: ReadonlyMap<string, TourGraphFacts>;
  readonly skipped: readonly SkippedTraces[];
}

/** Which protocols a corpus is read for: the registry's, and those of them selected (default: all). */
export interface ProtocolSelection {
  readonly registry: readonly Protocol[];
  readonly selected?: readonly string[];
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
 * Loads traces from files and folders, each read by the protocol its `#meta.spec` names. A folder with
 * a manifest contributes the files its manifest lists (a listed file that is missing, or not inside the
 * folder, is an error); a folder without one, every `*.itf.json` in it (each inside the folder). A file
 * named explicitly must belong to a selected protocol; traces found in folders that do not are skipped
 * and reported.
 */
export async function loadCorpus(paths: readonly string[], cwd: string, protocols: ProtocolSelection): Promise<Corpus> {
  const files: { file: string; read: string; named: boolean }[] = [];
  const graphs = new Map<string, TourGraphFacts>();
  const skipped = new Map<string, SkippedTraces>();
  const bySpec = new Map(protocols.registry.map((p) => [p.spec, p] as const));
  const selected = (p: Protocol) => protocols.selected === undefined || protocols.selected.includes(p.name);
  /** The protocol that replays `spec`, or why none does. */
  const protocolFor = (spec: string): Protocol | SkippedTraces['reason'] => {
    const p = bySpec.get(spec);
    return p === undefined ? 'no-protocol' : selected(p) ? p : 'not-selected';
  };
  const skip = (spec: string, model: string, n: number, reason: SkippedTraces['reason']) => {
    const key = `${spec} ${model}`;
    skipped.set(key, { spec, model, traces: (skipped.get(key)?.traces ?? 0) + n, reason });
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
      const protocol = protocolFor(batch.spec);
      if (typeof protocol === 'string') {
        skip(batch.spec, batch.model, batch.traces.length, protocol);
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
  const traces: LoadedTrace[] = [];
  for (const { file, read, named } of files) {
    const shown = relative(cwd, file) || file;
    // The checked real path is read; the path as listed names the trace in messages.
    const trace = await readTrace(read, shown);
    const protocol = protocolFor(trace.meta.spec);
    if (typeof protocol === 'string') {
      if (named) {
        const known = protocols.registry.filter(selected).map((p) => `${p.spec} (${p.name})`).join(', ');
        throw new TraceError(
          shown,
          undefined,
          protocol === 'no-protocol'
            ? `is a trace of ${trace.meta.spec} (model ${trace.meta.model}), which no protocol of the workbench replays`
            : `is a trace of ${trace.meta.spec}, whose protocol --protocol left out`,
          `The protocols replay traces of: ${known || 'nothing'}.`,
        );
      }
      skip(trace.meta.spec, trace.meta.model, 1, protocol);
      continue;
    }
    traces.push(protocol.load(trace, shown));
  }
  return { traces, graphs, skipped: [...skipped.values()] };
}

/**
 * The config of a protocol's tour model, for its bounds: the protocol's own file, found by the model's
 * name. A trace's `#meta.config` is never read (a shared corpus could point it anywhere).
 */
async function tourConfig(protocol: Protocol, model: string, trace: string): Promise<{ text: string; file: string }> {
  const found = protocol.traceModels.find((m) => m.mode === 'tour' && m.name === model);
  if (found === undefined) {
    const tours = protocol.traceModels.filter((m) => m.mode === 'tour').map((m) => m.name);
    throw new TraceError(trace, undefined, `is a tour of ${model}, which is not a tour model of protocol ${protocol.name} (${tours.join(', ') || 'it has none'})`, 'Regenerate the tour with `npm run traces -- --mode tour`.');
  }
  const file = relative(REPO_ROOT, found.config);
  return { text: await readTextFile(found.config, { maxBytes: MAX_CONFIG_BYTES, what: 'trace model config', shown: file }), file };
}

// The protocols' own model configs are a few KB.
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Options of a conformance run. */
export interface ConformanceOptions {
  /** Replay this deliberately broken core (in every protocol that has it) instead of the real one. */
  readonly defect?: string;
  /** Earlier steps shown with a divergence. */
  readonly context?: number;
  /** Skip the enabledness check. */
  readonly skipEnabledness?: boolean;
}

/** What a conformance run found for one protocol. */
export interface ProtocolReport {
  readonly protocol: string;
  readonly title: string;
  /** The defect replayed, when one was asked for and the protocol has it. */
  readonly defect?: { readonly name: string; readonly breaks: string };
  readonly traces: number;
  /** Steps in the traces. */
  readonly steps: number;
  /** Steps replayed and found equal. */
  readonly stepsMatched: number;
  readonly divergences: readonly Divergence[];
  readonly enabledness: readonly EnablednessReport[];
  readonly coverage: CoverageReport;
}

/** Everything a conformance run found. */
export interface ConformanceReport {
  readonly protocols: readonly ProtocolReport[];
  /** Protocols whose traces were loaded but not replayed: they have no core of the defect asked for. */
  readonly withoutDefect: readonly string[];
  /** Traces of other specs that were not replayed. */
  readonly skipped: readonly SkippedTraces[];
}

/** Whether a report shows a divergence or an enabledness mismatch. */
export function conformanceFailed(report: ConformanceReport): boolean {
  return report.protocols.some((p) => p.divergences.length > 0 || p.enabledness.some((e) => e.mismatches.length > 0));
}

/** Per protocol: replays every trace, checks enabledness on each complete tour, and collects coverage. */
export async function runConformance(corpus: Corpus, registry: readonly Protocol[], options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const reports: ProtocolReport[] = [];
  const withoutDefect: string[] = [];
  for (const protocol of registry) {
    const traces = corpus.traces.filter((t) => t.protocol === protocol.name);
    if (traces.length === 0) continue;
    const defect = options.defect === undefined ? undefined : protocol.defects.find((d) => d.name === options.defect);
    if (options.defect !== undefined && defect === undefined) {
      withoutDefect.push(protocol.name);
      continue;
    }
    reports.push(await runProtocol(protocol, traces, corpus.graphs, options, defect));
  }
  if (options.defect !== undefined && reports.length === 0) {
    const known = [...new Set(registry.flatMap((p) => p.defects.map((d) => d.name)))];
    throw new WorkbenchError(`No protocol of these traces has a defect named "${options.defect}".`, ExitCode.USAGE, `Known defects: ${known.join(', ')}.`);
  }
  return { protocols: reports, withoutDefect, skipped: corpus.skipped };
}

async function runProtocol(
  protocol: Protocol,
  traces: readonly LoadedTrace[],
  graphs: ReadonlyMap<string, TourGraphFacts>,
  options: ConformanceOptions,
  defect: Protocol['defects'][number] | undefined,
): Promise<ProtocolReport> {
  const coverage = new CoverageCollector(protocol.name, protocol.actions);
  const divergences: Divergence[] = [];
  let steps = 0;
  let matched = 0;
  const replayOptions = { ...(defect ? { defect: defect.name } : {}), ...(options.context !== undefined ? { context: options.context } : {}) };
  for (const trace of traces) {
    const result = protocol.replay(trace, replayOptions);
    steps += trace.steps.length;
    matched += result.stepsMatched;
    coverage.add(trace, result.stepsMatched);
    if (result.divergence) divergences.push(result.divergence);
  }
  const enabledness: EnablednessReport[] = [];
  if (!options.skipEnabledness) {
    // Only a complete tour lists every step the spec enables in each state.
    const tours = new Map<string, LoadedTrace[]>();
    for (const t of traces) {
      if (t.meta.mode !== 'tour' || !graphs.has(t.meta.model)) continue;
      tours.set(t.meta.model, [...(tours.get(t.meta.model) ?? []), t]);
    }
    for (const [model, tour] of tours) {
      const graph = graphs.get(model) as TourGraphFacts;
      const all = new CoverageCollector(protocol.name, protocol.actions);
      for (const t of tour) all.add(t, t.steps.length);
      const covered = all.report().models[0];
      if (covered === undefined || covered.states !== graph.states || covered.edges !== graph.edges) {
        throw new WorkbenchError(
          `The tour of ${model} is incomplete: its traces hold ${covered?.states ?? 0} of ${graph.states} states and ${covered?.edges ?? 0} of ${graph.edges} edges.`,
          ExitCode.SPEC_ERROR,
          `Regenerate it with \`npm run traces -- --protocol ${protocol.name} --mode tour\` (a tour file is missing or was edited).`,
        );
      }
      enabledness.push(protocol.enabledness(model, tour, await tourConfig(protocol, model, (tour[0] as LoadedTrace).file), defect?.name));
    }
  }
  return {
    protocol: protocol.name,
    title: protocol.title,
    ...(defect ? { defect } : {}),
    traces: traces.length,
    steps,
    stepsMatched: matched,
    divergences,
    enabledness,
    coverage: coverage.report(graphs),
  };
}
