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
  /** (slowest - fastest) / median of the raw runs, in percent: the noise the ratio is read against. */
  readonly rawSpreadPercent: number;
  readonly wrapperSpreadPercent: number;
}

/** (max - min) / median, in percent. */
export function spreadPercent(runs: readonly number[]): number {
  return ((Math.max(...runs) - Math.min(...runs)) / median(runs)) * 100;
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
  };
}
