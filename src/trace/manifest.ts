/**
 * The manifest of a trace folder (`traces/manifest.json`): one batch per generation mode and model,
 * with what regenerates it (model, TLC version, mode, seed, count, steps) and its files. Generating
 * one mode replaces that mode's batch and folder and keeps the others; nothing tracked is deleted
 * unless the user asks for it, and every write goes beside the old version and is renamed into place.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import {
  assertReplaceable,
  besidePath,
  isOwned,
  markOwned,
  type OwnershipMarker,
  recoverReplacedDirectory,
  refuseLinksBelow,
  refuseSymlink,
  replaceDirectory,
  unwritable,
} from '../files/write.js';
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
  /** The protocol whose traces these are (the batch's folder is `<protocol>/<mode>`). */
  readonly protocol: string;
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
  'TLC-generated traces in ITF JSON (ARCHITECTURE.md, "Traces"). Regenerate with `npm run traces`; replay with `npm run conformance`.';

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
    if (!TRACE_MODES.includes(b.mode) || !Array.isArray(b.traces) || typeof b.model !== 'string' || typeof b.protocol !== 'string') {
      throw new WorkbenchError(`${file}: a batch lacks mode, protocol, model or traces.`, ExitCode.SPEC_ERROR, 'Regenerate the folder with `npm run traces`.');
    }
  }
  return m as TraceManifest;
}

/** The folder (relative to the trace folder) a batch's files live in, e.g. `raft/tour`. */
export function batchFolder(protocol: string, mode: TraceMode): string {
  return join(protocol, mode);
}

/** A new batch's description; `traces` are written by {@link writeBatch}. */
export type BatchInfo = Omit<ManifestBatch, 'traces' | 'count' | 'steps'>;

/** The marker of a trace folder `npm run traces` owns (it may add, replace and delete batches in it). */
export const TRACES_MARKER: OwnershipMarker = { file: '.workbench-traces', owner: 'npm run traces' };

/** Options of {@link writeBatch}. */
export interface WriteBatchOptions {
  /**
   * Traces of the batch's earlier version that the new one lacks are deleted only with `replace`;
   * without it, `merge` keeps them (each trace stands alone, as a scenario's goal does) and otherwise
   * the write is refused.
   */
  readonly replace?: boolean;
  readonly merge?: boolean;
}

/**
 * Checks that `dir` may hold a trace corpus written by this command: missing, empty or marked as ours,
 * and no symbolic link on the way to what a batch writes.
 */
export async function assertTraceFolder(dir: string): Promise<void> {
  await assertReplaceable(dir, TRACES_MARKER, '--out');
}

function manifestOf(batches: readonly ManifestBatch[]): TraceManifest {
  return {
    formatVersion: 1,
    description: DESCRIPTION,
    totals: { traces: batches.reduce((n, b) => n + b.count, 0), steps: batches.reduce((n, b) => n + b.steps, 0) },
    batches,
  };
}

/**
 * Writes a batch's traces and records the batch in the manifest, replacing an earlier batch of the same
 * mode and model. The new folder is written beside the old one and renamed into place, then the new
 * manifest is renamed over the old: a failure (a full disk, a read-only folder, Ctrl-C) leaves the old
 * corpus and manifest whole.
 */
export async function writeBatch(
  dir: string,
  info: BatchInfo,
  traces: readonly { readonly name: string; readonly trace: Trace }[],
  options: WriteBatchOptions = {},
): Promise<ManifestBatch> {
  const folder = batchFolder(info.protocol, info.mode);
  const target = join(dir, folder);
  try {
    await assertTraceFolder(dir);
    await recoverReplacedDirectory(target);
    await refuseLinksBelow(dir, folder, 'The trace folder');
    await refuseSymlink(join(dir, MANIFEST_FILE), 'The manifest');
    const previousManifest = await readManifest(dir);
    const previous = previousManifest?.batches.find((b) => b.mode === info.mode && b.model === info.model);

    const entries: ManifestTrace[] = traces.map(({ name, trace }) => ({
      file: join(folder, `${name}.itf.json`),
      steps: trace.states.length - 1,
      ...(trace.meta.goal !== undefined ? { goal: trace.meta.goal } : {}),
    }));
    const written = new Set(entries.map((e) => e.file));
    const left = (previous?.traces ?? []).filter((t) => !written.has(t.file));
    if (left.length > 0 && !options.replace && !options.merge) {
      throw new WorkbenchError(
        `This would delete ${left.length} tracked trace(s) of ${info.model} (${info.mode}) that the new batch does not regenerate: ${left.slice(0, 3).map((t) => t.file).join(', ')}${left.length > 3 ? ` and ${left.length - 3} more` : ''}.`,
        ExitCode.USAGE,
        'Pass --replace to replace the whole batch, regenerate it with its own command (see the manifest\'s "regenerate"), or write elsewhere with --out.',
      );
    }
    // A tracked file that is already gone cannot be kept; the new manifest no longer lists it.
    const kept = options.replace ? [] : left.filter((t) => existsSync(join(dir, t.file)));

    await mkdir(dirname(target), { recursive: true });
    const staging = besidePath(target, 'new');
    await mkdir(staging);
    try {
      for (const t of kept) await copyFile(join(dir, t.file), join(staging, basename(t.file)));
      for (const { name, trace } of traces) await writeFile(join(staging, `${name}.itf.json`), serializeTrace(trace));
      const all = [...kept, ...entries].sort((a, b) => a.file.localeCompare(b.file));
      const batch: ManifestBatch = { ...info, count: all.length, steps: all.reduce((n, e) => n + e.steps, 0), traces: all };
      const batches = [...(previousManifest?.batches ?? []).filter((b) => b !== previous), batch].sort(
        (a, b) => TRACE_MODES.indexOf(a.mode) - TRACE_MODES.indexOf(b.mode) || a.model.localeCompare(b.model),
      );
      const manifestPath = join(dir, MANIFEST_FILE);
      const newManifest = besidePath(manifestPath, 'new');
      try {
        await writeFile(newManifest, `${JSON.stringify(manifestOf(batches), null, 2)}\n`);
        await replaceDirectory(target, staging);
        await rename(newManifest, manifestPath);
      } finally {
        await rm(newManifest, { force: true });
      }
      if (!isOwned(dir, TRACES_MARKER)) await markOwned(dir, TRACES_MARKER);
      return batch;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  } catch (error) {
    throw unwritable(error, `the ${info.mode} traces of ${info.model} into ${dir}`, 'Choose a writable folder with --out, or free some space; the corpus was left as it was.');
  }
}
