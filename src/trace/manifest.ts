/**
 * The manifest of a trace folder (`traces/manifest.json`): one batch per generation mode and model,
 * with what regenerates it (model, TLC version, mode, seed, count, steps) and its files. Generating
 * one mode replaces that mode's batch and folder and keeps the others.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import type { TourGraphFacts } from './generate.js';
import { type Trace, type TraceMode, TRACE_MODES, serializeTrace } from './itf-trace.js';

/** One trace file of a batch. */
export interface ManifestTrace {
  /** Path relative to the manifest's folder. */
  readonly file: string;
  /** Steps (states minus the initial one). */
  readonly steps: number;
  readonly goal?: string;
}

/** The traces one generation run of one mode produced. */
export interface ManifestBatch {
  readonly mode: TraceMode;
  readonly spec: string;
  readonly model: string;
  readonly config: string;
  readonly tlcVersion: string;
  readonly count: number;
  readonly steps: number;
  readonly seed?: string;
  readonly depth?: number;
  /** Scenario goals TLC could not reach within the model's bounds (no trace for them). */
  readonly unreachableGoals?: readonly string[];
  /** The tour model's state graph as TLC dumped it (tour mode). */
  readonly graph?: TourGraphFacts;
  /** The command that regenerates this batch. */
  readonly regenerate: string;
  readonly traces: readonly ManifestTrace[];
}

/** `manifest.json`. */
export interface TraceManifest {
  readonly formatVersion: 1;
  readonly description: string;
  readonly totals: { readonly traces: number; readonly steps: number };
  readonly batches: readonly ManifestBatch[];
}

/** The manifest's file name inside a trace folder. */
export const MANIFEST_FILE = 'manifest.json';

const DESCRIPTION =
  'TLC-generated traces in ITF JSON (../shared/DESIGN.md section 4). Regenerate with `npm run traces`; replay with `npm run conformance`.';

/** Reads a folder's manifest; `undefined` when the folder has none. Throws a clear error for a broken one. */
export async function readManifest(dir: string): Promise<TraceManifest | undefined> {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new WorkbenchError(`${file}: malformed JSON: ${(error as Error).message}`, ExitCode.SPEC_ERROR, 'Regenerate the folder with `npm run traces`.');
  }
  const m = json as Partial<TraceManifest>;
  if (m.formatVersion !== 1 || !Array.isArray(m.batches)) {
    throw new WorkbenchError(`${file}: not a trace manifest (formatVersion 1 with "batches").`, ExitCode.SPEC_ERROR, 'Regenerate the folder with `npm run traces`.');
  }
  for (const b of m.batches) {
    if (!TRACE_MODES.includes(b.mode) || !Array.isArray(b.traces) || typeof b.model !== 'string') {
      throw new WorkbenchError(`${file}: a batch lacks mode, model or traces.`, ExitCode.SPEC_ERROR, 'Regenerate the folder with `npm run traces`.');
    }
  }
  return m as TraceManifest;
}

/** The folder (relative to the trace folder) a batch's files live in, e.g. `raft/tour`. */
export function batchFolder(spec: string, mode: TraceMode): string {
  return join(spec.toLowerCase(), mode);
}

/** A new batch's description; `traces` are written by {@link writeBatch}. */
export type BatchInfo = Omit<ManifestBatch, 'traces' | 'count' | 'steps'>;

/**
 * Writes a batch's traces into its folder (emptied first, so no stale trace survives) and records
 * the batch in the manifest, replacing an earlier batch of the same mode and model.
 */
export async function writeBatch(
  dir: string,
  info: BatchInfo,
  traces: readonly { readonly name: string; readonly trace: Trace }[],
): Promise<ManifestBatch> {
  const folder = batchFolder(info.spec, info.mode);
  await rm(join(dir, folder), { recursive: true, force: true });
  await mkdir(join(dir, folder), { recursive: true });
  const entries: ManifestTrace[] = [];
  for (const { name, trace } of traces) {
    const file = join(folder, `${name}.itf.json`);
    await writeFile(join(dir, file), serializeTrace(trace));
    entries.push({ file, steps: trace.states.length - 1, ...(trace.meta.goal !== undefined ? { goal: trace.meta.goal } : {}) });
  }
  const batch: ManifestBatch = {
    ...info,
    count: entries.length,
    steps: entries.reduce((n, e) => n + e.steps, 0),
    traces: entries,
  };
  const previous = (await readManifest(dir))?.batches ?? [];
  const batches = [...previous.filter((b) => !(b.mode === info.mode && b.model === info.model)), batch].sort(
    (a, b) => TRACE_MODES.indexOf(a.mode) - TRACE_MODES.indexOf(b.mode) || a.model.localeCompare(b.model),
  );
  const manifest: TraceManifest = {
    formatVersion: 1,
    description: DESCRIPTION,
    totals: { traces: batches.reduce((n, b) => n + b.count, 0), steps: batches.reduce((n, b) => n + b.steps, 0) },
    batches,
  };
  await mkdir(dirname(join(dir, MANIFEST_FILE)), { recursive: true });
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return batch;
}
