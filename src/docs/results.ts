/**
 * The latest TLC results, read from the summary `npm run check-spec` writes, and what each model's
 * outcome says about one particular invariant or property.
 *
 * TLC reports one outcome per model, not per invariant: a model that stops at a violation of
 * `NoSplitBrain` has not refuted `TypeOK`, and a negative control's violation is a pass. So the
 * verdict is worked out per (model, operator) pair.
 *
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { match } from 'ts-pattern';
import type { CheckSpecSummary, ModelReport } from '../tlc/summary.js';
import { TLC_OUTCOMES } from '../tlc/result.js';
import type { ModelSpec } from '../tlc/models.js';
import type { CheckKind } from '../tlc/config-checks.js';

/** Whether a check-spec summary could be read. */
export type SummaryStatus =
  | { readonly status: 'found'; readonly file: string; readonly summary: CheckSpecSummary }
  | { readonly status: 'missing'; readonly file: string }
  | { readonly status: 'unreadable'; readonly file: string; readonly problem: string };

/** What one model's latest run says about one invariant or property. */
export type CheckVerdict =
  /** No result: no summary, the model was not in the last run, or that run was interrupted first. */
  | { readonly kind: 'not-checked'; readonly reason: 'no-summary' | 'not-in-summary' | 'not-run' }
  /** TLC explored every reachable state and this held in all of them (the model's outcome was `ok`). */
  | { readonly kind: 'holds' }
  /** TLC's random simulation found no violation in this many behaviours: evidence, not proof. */
  | { readonly kind: 'held-in-simulation'; readonly behaviours: number }
  /** TLC found a violation of it; `expected` when the model is a negative control that predicts it. */
  | { readonly kind: 'violated'; readonly expected: boolean; readonly named: boolean }
  /** TLC stopped at something else (another violation, a deadlock) before exploring everything. */
  | { readonly kind: 'not-reached'; readonly stoppedBy: string }
  /** The run ended early: timeout or Ctrl-C. */
  | { readonly kind: 'incomplete'; readonly outcome: 'timeout' | 'cancelled' }
  /** The spec or TLC failed: nothing was checked. */
  | { readonly kind: 'error'; readonly outcome: 'parse-error' | 'semantic-error' | 'config-error' | 'tlc-error' | 'java-error' };

/** One model's latest result as far as one operator is concerned. */
export interface ModelResult {
  readonly verdict: CheckVerdict;
  /** The model's report in the summary, when it has one. */
  readonly report?: ModelReport;
  /** When the check-spec run started (ISO 8601). */
  readonly checkedAt?: string;
  /** The config or a spec module was modified after that run started: the result may be stale. */
  readonly changedSince?: boolean;
  /**
   * The viewer's page of the counterexample (absolute path), when the model violated this operator and
   * check-spec wrote the page (`<model>.html` beside the saved counterexample) in that run.
   */
  readonly counterexamplePage?: string;
}

const OUTCOMES: ReadonlySet<string> = new Set([...TLC_OUTCOMES, 'not-run']);

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the parts of a summary the docs use; returns what is wrong, or undefined. */
function summaryProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a JSON object';
  if (value['tool'] !== 'check-spec') return '"tool" is not "check-spec"';
  if (value['formatVersion'] !== 1) return `formatVersion ${JSON.stringify(value['formatVersion'])} is not 1`;
  if (typeof value['startedAt'] !== 'string' || Number.isNaN(Date.parse(value['startedAt']))) return '"startedAt" is not a date';
  const models = value['models'];
  if (!Array.isArray(models)) return '"models" is not an array';
  for (const [i, m] of models.entries()) {
    if (!isRecord(m)) return `models[${i}] is not an object`;
    if (typeof m['name'] !== 'string' || typeof m['config'] !== 'string') return `models[${i}] lacks a name or config`;
    if (typeof m['outcome'] !== 'string' || !OUTCOMES.has(m['outcome'])) return `models[${i}].outcome ${JSON.stringify(m['outcome'])} is unknown`;
    if (typeof m['passed'] !== 'boolean') return `models[${i}].passed is not a boolean`;
  }
  return undefined;
}

/** Reads `npm run check-spec`'s JSON summary (format {@link CheckSpecSummary}); never throws. */
export async function readSummary(file: string): Promise<SummaryStatus> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', file };
    return { status: 'unreadable', file, problem: (error as Error).message };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { status: 'unreadable', file, problem: `invalid JSON (${(error as Error).message})` };
  }
  const problem = summaryProblem(value);
  if (problem !== undefined) return { status: 'unreadable', file, problem };
  // The fields used here were just checked; the rest is carried along as check-spec wrote it.
  return { status: 'found', file, summary: value as CheckSpecSummary };
}

/**
 * The summary's report for a model. check-spec records config paths relative to the directory it ran
 * in (the repository root under npm), so match on that first and fall back to the config's file name.
 */
export function findReport(summary: CheckSpecSummary, model: ModelSpec, root: string): ModelReport | undefined {
  const config = resolve(model.config);
  return (
    summary.models.find((r) => resolve(root, r.config) === config) ??
    summary.models.find((r) => r.name === model.name && basename(r.config) === basename(model.config))
  );
}

/** What a model's report says about the operator `name` of kind `kind`. */
export function verdictFor(report: ModelReport, check: { readonly kind: CheckKind; readonly name: string }): CheckVerdict {
  return match(report.outcome)
    .with('not-run', (): CheckVerdict => ({ kind: 'not-checked', reason: 'not-run' }))
    .with('ok', (): CheckVerdict => (report.mode === 'simulate' ? { kind: 'held-in-simulation', behaviours: report.simulation?.behaviours ?? 0 } : { kind: 'holds' }))
    .with('invariant-violated', 'property-violated', (outcome): CheckVerdict => {
      const name = report.violation?.name;
      // TLC does not name a violated temporal property: then any property of this model may be it.
      const unnamed = name === undefined && outcome === 'property-violated' && check.kind === 'property';
      if (name === check.name || unnamed) return { kind: 'violated', expected: report.passed, named: !unnamed };
      return { kind: 'not-reached', stoppedBy: name === undefined ? `a ${outcome.replace('-violated', '')} violation` : `a violation of ${name}` };
    })
    .with('deadlock', (): CheckVerdict => ({ kind: 'not-reached', stoppedBy: 'a deadlock' }))
    .with('timeout', 'cancelled', (outcome): CheckVerdict => ({ kind: 'incomplete', outcome }))
    .with('parse-error', 'semantic-error', 'config-error', 'tlc-error', 'java-error', (outcome): CheckVerdict => ({ kind: 'error', outcome }))
    .exhaustive();
}

/** The page check-spec wrote beside the counterexample of `report` in the run of `checkedAt`, if it is there. */
async function counterexamplePage(report: ModelReport, checkedAt: string, root: string): Promise<string | undefined> {
  if (report.counterexampleFile === undefined) return undefined;
  const saved = resolve(root, report.counterexampleFile);
  const page = join(dirname(saved), `${basename(saved).replace(/(\.itf)?\.json$/, '')}.html`);
  // A page older than the run is an earlier counterexample's (that run could not write its page).
  const written = await stat(page).then((s) => (s.isFile() ? s.mtimeMs : undefined), () => undefined);
  return written !== undefined && written >= Date.parse(checkedAt) ? page : undefined;
}

async function modifiedAfter(files: readonly string[], when: number): Promise<boolean> {
  const times = await Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs, () => 0)));
  return times.some((t) => t > when);
}

/**
 * The latest result of `model` for one operator. `sources` are the files the result depends on (the
 * config and the modules involved); one modified after the run marks the result as possibly stale.
 */
export async function modelResult(
  summary: SummaryStatus,
  model: ModelSpec,
  check: { readonly kind: CheckKind; readonly name: string },
  sources: readonly string[],
  root: string,
): Promise<ModelResult> {
  if (summary.status !== 'found') return { verdict: { kind: 'not-checked', reason: 'no-summary' } };
  const report = findReport(summary.summary, model, root);
  if (report === undefined) return { verdict: { kind: 'not-checked', reason: 'not-in-summary' } };
  // Older summaries have no per-model date: their run's start is the date of every entry.
  const checkedAt = report.checkedAt ?? summary.summary.startedAt;
  const verdict = verdictFor(report, check);
  const page = verdict.kind === 'violated' ? await counterexamplePage(report, checkedAt, root) : undefined;
  return {
    verdict,
    report,
    checkedAt,
    changedSince: await modifiedAfter(sources, Date.parse(checkedAt)),
    ...(page === undefined ? {} : { counterexamplePage: page }),
  };
}
