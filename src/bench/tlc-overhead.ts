/**
 * Benchmark: what the wrapper costs on top of TLC. The same model is run as the raw
 * `java ... tlc2.TLC` command (output discarded) and through {@link runTlc} (output framed, parsed
 * and folded into a result), alternating so both see the same machine load; the figure is the ratio
 * of median wall times.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TlcRunOptions, runTlc, tlcCommand } from '../tlc/run.js';
import { Rng } from '../sim/rng.js';
import { median } from './stats.js';

/** Figures of one overhead measurement. */
export interface TlcOverheadFigures {
  readonly model: string;
  readonly repetitions: number;
  readonly distinctStates: number | undefined;
  readonly rawMedianMs: number;
  readonly wrapperMedianMs: number;
  readonly rawRunsMs: readonly number[];
  readonly wrapperRunsMs: readonly number[];
  /** wrapper / raw median, e.g. 1.02. */
  readonly ratio: number;
  /** (ratio - 1) in percent; the goal is <= 5. */
  readonly overheadPercent: number;
  /** Interquartile range / median of the raw runs, in percent: the noise the ratio is read against. */
  readonly rawSpreadPercent: number;
  readonly wrapperSpreadPercent: number;
  /** A 95 % bootstrap interval of the ratio of medians. */
  readonly ratioInterval: readonly [number, number];
  /** `met`: the interval lies at or below 1.05; `missed`: above it; `unresolved`: it straddles 1.05. */
  readonly verdict: 'met' | 'missed' | 'unresolved';
}

/** The goal: the wrapper costs at most 5 % on top of TLC. */
export const OVERHEAD_GOAL_RATIO = 1.05;

/** The q-quantile of sorted values, interpolating between neighbours. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/**
 * Interquartile range over the median, in percent. Unlike (slowest - fastest) it does not let one
 * run disturbed by a neighbour decide the figure, as it does not decide the median either.
 */
export function spreadPercent(runs: readonly number[]): number {
  const sorted = [...runs].sort((a, b) => a - b);
  return ((quantile(sorted, 0.75) - quantile(sorted, 0.25)) / median(runs)) * 100;
}

/**
 * A 95 % percentile-bootstrap interval of median(wrapped) / median(raw): both samples resampled with
 * replacement, `resamples` times, from a fixed seed (the same runs give the same interval).
 */
export function ratioInterval(raw: readonly number[], wrapped: readonly number[], resamples = 4000, seed = 1): [number, number] {
  const rng = new Rng(seed);
  const resample = (xs: readonly number[]) => Array.from(xs, () => xs[rng.int(xs.length)]!);
  const ratios = Array.from({ length: resamples }, () => median(resample(wrapped)) / median(resample(raw))).sort((a, b) => a - b);
  return [quantile(ratios, 0.025), quantile(ratios, 0.975)];
}

/** Whether an interval of the ratio shows the goal met, missed, or neither. */
export function overheadVerdict([low, high]: readonly [number, number]): TlcOverheadFigures['verdict'] {
  if (high <= OVERHEAD_GOAL_RATIO) return 'met';
  if (low > OVERHEAD_GOAL_RATIO) return 'missed';
  return 'unresolved';
}

async function timeRawTlc(options: TlcRunOptions): Promise<number> {
  const metadir = await mkdtemp(join(tmpdir(), 'workbench-bench-'));
  const [java, ...args] = tlcCommand(options, metadir) as [string, ...string[]];
  const started = performance.now();
  const code = await new Promise<number | null>((done) => {
    const child = spawn(java, args, { cwd: join(options.module, '..'), stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('close', done);
  });
  const elapsed = performance.now() - started;
  await rm(metadir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`raw TLC exited with ${code}`);
  return elapsed;
}

/** Measures the wrapper's overhead on one model, `repetitions` runs of each kind, alternating. */
export async function measureTlcOverhead(
  options: TlcRunOptions,
  repetitions: number,
  onRun: (kind: 'raw' | 'wrapper', ms: number) => void = () => {},
): Promise<TlcOverheadFigures> {
  const raw: number[] = [];
  const wrapped: number[] = [];
  let distinct: number | undefined;
  // One unmeasured run warms the page cache and the JIT-compiled jar classes' disk reads.
  await timeRawTlc(options);
  for (let i = 0; i < repetitions; i++) {
    const r = await timeRawTlc(options);
    raw.push(r);
    onRun('raw', r);
    const result = await runTlc(options);
    if (result.outcome !== 'ok') throw new Error(`benchmark model did not pass: ${result.outcome} ${result.message ?? ''}`);
    distinct = result.stats?.distinct;
    wrapped.push(result.durationMs);
    onRun('wrapper', result.durationMs);
  }
  const rawMedianMs = median(raw);
  const wrapperMedianMs = median(wrapped);
  const ratio = wrapperMedianMs / rawMedianMs;
  const interval = ratioInterval(raw, wrapped);
  return {
    model: options.config ?? options.module,
    repetitions,
    distinctStates: distinct,
    rawMedianMs,
    wrapperMedianMs,
    rawRunsMs: raw,
    wrapperRunsMs: wrapped,
    ratio,
    overheadPercent: (ratio - 1) * 100,
    rawSpreadPercent: spreadPercent(raw),
    wrapperSpreadPercent: spreadPercent(wrapped),
    ratioInterval: interval,
    verdict: overheadVerdict(interval),
  };
}
