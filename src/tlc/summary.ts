/**
 * The summary `npm run check-spec` keeps of its results (`.cache/check-spec/summary.json` for the
 * project's own specs): per model, the latest conclusive outcome, its figures and when it was found.
 * The docs read it to show each invariant's latest TLC result.
 *
 * A run updates the saved summary model by model: models it did not run, or whose run was cut short
 * (Ctrl-C), keep their earlier result, so a partial run or two runs side by side do not wipe what the
 * docs show. The file is written beside the old one and renamed into place.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDirectory, writeFileAtomic } from '../files/write.js';
import type { ExitCodeValue } from '../errors.js';
import type { ItfJson } from '../trace/itf-value.js';
import type { ModelTier } from './models.js';
import type { TlcOutcome, TlcResult } from './result.js';

/** One model's entry in the summary. */
export interface ModelReport {
  readonly name: string;
  readonly module: string;
  readonly config: string;
  readonly description?: string;
  readonly tier: ModelTier;
  readonly expected: string;
  readonly outcome: TlcOutcome | 'not-run';
  readonly passed: boolean;
  /** When the run that produced this entry started (ISO 8601); absent in summaries written before it was kept per model. */
  readonly checkedAt?: string;
  readonly distinctStates?: number;
  readonly statesGenerated?: number;
  readonly statesLeft?: number;
  readonly depth?: number;
  readonly seconds: number;
  readonly violation?: { readonly kind: string; readonly name?: string };
  readonly counterexample?: readonly { readonly index: number; readonly step: string; readonly vars: Readonly<Record<string, ItfJson>> }[];
  /** The counterexample as a complete ITF trace file (path as check-spec printed it). */
  readonly counterexampleFile?: string;
  readonly diagnostics?: TlcResult['diagnostics'];
  readonly message?: string;
  /** How TLC ran: exhaustively on this machine (absent), by random simulation, or on its distributed server. */
  readonly mode?: 'simulate' | 'distributed';
  /** A simulation's figures: no violation in this many behaviours is evidence, not proof. */
  readonly simulation?: { readonly behaviours: number; readonly statesGenerated: number; readonly seconds: number; readonly budgetSeconds: number; readonly seed: number; readonly depth: number; readonly rounds: number };
  /** A distributed run's workers started on this machine, and how many ended before the server. */
  readonly localWorkers?: { readonly started: number; readonly endedEarly: number };
}

/**
 * The summary. `models` holds the latest conclusive result of every model checked into this file;
 * `startedAt`, `passed` and `exitCode` describe the latest run, `lastRun` names its models.
 */
export interface CheckSpecSummary {
  readonly tool: 'check-spec';
  readonly formatVersion: 1;
  readonly startedAt: string;
  readonly tlc: { readonly version?: string; readonly jar: string; readonly jarSource: string; readonly sha256: string };
  readonly java: string;
  readonly workers: number;
  readonly passed: boolean;
  readonly exitCode: ExitCodeValue;
  readonly lastRun?: readonly string[];
  readonly models: readonly ModelReport[];
}

/** A result worth keeping: the run reached a verdict (or a definite failure), it was not cut short. */
export function isConclusive(report: ModelReport): boolean {
  return report.outcome !== 'cancelled' && report.outcome !== 'not-run';
}

async function readExisting(file: string): Promise<CheckSpecSummary | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<CheckSpecSummary>;
    return value.tool === 'check-spec' && value.formatVersion === 1 && Array.isArray(value.models) ? (value as CheckSpecSummary) : undefined;
  } catch {
    // Missing or unreadable: this run's results start a new summary.
    return undefined;
  }
}

/** `run`'s conclusive results merged over the summary saved in `file`, keyed by config path. */
export function mergeSummaries(saved: CheckSpecSummary | undefined, run: CheckSpecSummary): CheckSpecSummary {
  const byConfig = new Map((saved?.models ?? []).map((m) => [m.config, m]));
  for (const report of run.models) if (isConclusive(report)) byConfig.set(report.config, report);
  return {
    ...run,
    lastRun: run.models.map((m) => m.name),
    models: [...byConfig.values()].sort((a, b) => a.name.localeCompare(b.name) || a.config.localeCompare(b.config)),
  };
}

/** Merges `run` into the summary file (created when missing), atomically. */
export async function saveSummary(file: string, run: CheckSpecSummary): Promise<CheckSpecSummary> {
  await makeDirectory(dirname(file));
  const merged = mergeSummaries(await readExisting(file), run);
  await writeFileAtomic(file, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}
