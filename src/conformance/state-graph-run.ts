/**
 * One run of the state-graph check: TLC dumps the model's whole state graph (`-dump dot,actionlabels`)
 * into a temporary folder, the dump is indexed as it is streamed ({@link DotIndex}), and the protocol
 * checks every state and edge against its implementation (`src/conformance/state-graph.ts`). The dump
 * is deleted afterwards, whatever happens (a model's dump can take a gigabyte).
 *
 * @module
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT } from '../paths.js';
import type { GraphModel } from '../protocol/definition.js';
import type { Protocol } from '../protocol/protocol.js';
import type { TlcToolchain } from '../tlc/toolchain.js';
import { DotIndex } from '../trace/dot-index.js';
import { describeVersion, dumpStateGraphWithTlc } from '../trace/generate.js';
import { TlcOutputError } from '../trace/tlc-output.js';
import type { StateGraphProgress, StateGraphReport } from './state-graph.js';
import type { StateGraphWorkerData, StateGraphWorkerMessage } from './state-graph-worker.js';

/** What a run needs. */
export interface StateGraphRunContext {
  readonly toolchain: TlcToolchain;
  /** TLC worker threads for the dump. */
  readonly workers: number;
  /** For TLC's run. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Progress lines for a human. */
  readonly progress?: (line: string) => void;
  /** Where the dump goes (default: the system's temporary folder). */
  readonly scratchDir?: string;
}

/** The check's report, with TLC's side of the run. */
export interface StateGraphRunReport extends StateGraphReport {
  readonly tlc: {
    readonly version: string;
    readonly distinct: number;
    readonly generated: number;
    readonly durationMs: number;
    readonly dumpBytes: number;
  };
  /** Time to index the dump. */
  readonly indexMs: number;
  /** The heap after the check, in bytes (what holding the graph's index took). */
  readonly heapBytes: number;
  /** For each mismatch shown: a shortest path of action names from an initial state to its state. */
  readonly paths: Readonly<Record<string, readonly string[]>>;
  /** For each mismatch shown: the state as TLC printed it. */
  readonly printedStates: Readonly<Record<string, string>>;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The plain-JavaScript entry of a check's thread (see the file). */
const THREAD_ENTRY = join(REPO_ROOT, 'src', 'conformance', 'state-graph-thread.mjs');

/** A model's state graph as TLC dumped it, indexed; {@link StateGraphDump.close} deletes the dump. */
export interface StateGraphDump {
  readonly index: DotIndex;
  readonly tlc: StateGraphRunReport['tlc'];
  readonly indexMs: number;
  close(): Promise<void>;
}

/** Has TLC dump `model`'s whole state graph into a temporary folder and indexes it. */
export async function dumpStateGraph(ctx: StateGraphRunContext, model: GraphModel): Promise<StateGraphDump> {
  const dir = await mkdtemp(join(ctx.scratchDir ?? tmpdir(), 'workbench-graph-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const dot = join(dir, 'graph.dot');
    const run = await dumpStateGraphWithTlc(ctx, model, dot, dir, model.name);
    const dumpBytes = (await stat(dot)).size;
    ctx.progress?.(`TLC: ${count(run.stats?.distinct ?? 0)} distinct states in ${(run.durationMs / 1000).toFixed(1)} s; indexing the ${(dumpBytes / 2 ** 20).toFixed(0)} MiB dump ...`);
    const indexStarted = Date.now();
    const index = await DotIndex.open(dot, `the dump of ${model.name}`);
    const indexMs = Date.now() - indexStarted;
    if (run.stats && run.stats.distinct !== index.stateCount) {
      index.close();
      throw new TlcOutputError(`the dump of ${model.name}`, `holds ${index.stateCount} states but TLC reported ${run.stats.distinct} distinct states`);
    }
    ctx.progress?.(`${count(index.stateCount)} states, ${count(index.edgeCount)} edges (indexed in ${(indexMs / 1000).toFixed(1)} s)`);
    return {
      index,
      tlc: { version: describeVersion(run), distinct: run.stats?.distinct ?? index.stateCount, generated: run.stats?.generated ?? 0, durationMs: run.durationMs, dumpBytes },
      indexMs,
      async close() {
        index.close();
        await remove();
      },
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Options of {@link checkDumpedGraph}. */
export interface CheckOptions {
  readonly defect?: string;
  readonly maxMismatches?: number;
  /**
   * Threads the check is split over (default 1: in this thread). Each indexes the dump itself and checks
   * a range of states as sources.
   */
  readonly threads?: number;
}

/** Checks a dumped graph with `protocol`'s implementation (or the named defect). */
export async function checkDumpedGraph(
  ctx: Pick<StateGraphRunContext, 'progress' | 'signal'>,
  dump: StateGraphDump,
  protocol: Protocol,
  model: GraphModel,
  options: CheckOptions = {},
): Promise<StateGraphRunReport> {
  const configText = await readFile(model.config, 'utf8');
  const { index } = dump;
  const threads = Math.max(1, Math.min(options.threads ?? 1, index.stateCount));
  ctx.progress?.(`checking each state and edge of ${model.name} against the implementation${threads > 1 ? ` (${threads} threads)` : ''} ...`);
  const report = await (threads === 1
    ? protocol.stateGraph(index, model, { text: configText, file: model.config }, {
        ...(options.defect !== undefined ? { defect: options.defect } : {}),
        ...(options.maxMismatches !== undefined ? { maxMismatches: options.maxMismatches } : {}),
        ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
        onProgress: (p: StateGraphProgress) => reportProgress(ctx, p),
      })
    : checkInThreads(ctx, dump, protocol, model, { text: configText, file: model.config }, { ...options, threads }));
  const paths: Record<string, string[]> = {};
  const printedStates: Record<string, string> = {};
  for (const m of report.mismatches) {
    if (Object.hasOwn(paths, m.fingerprint)) continue;
    const s = index.fingerprints.indexOf(m.fingerprint);
    paths[m.fingerprint] = index.pathTo(s);
    printedStates[m.fingerprint] = index.readStateText(s);
  }
  return { ...report, tlc: dump.tlc, indexMs: dump.indexMs, heapBytes: process.memoryUsage().heapUsed, paths, printedStates };
}

function reportProgress(ctx: Pick<StateGraphRunContext, 'progress'>, p: StateGraphProgress): void {
  const rate = p.statesChecked / Math.max(p.elapsedMs / 1000, 0.001);
  ctx.progress?.(`  ${count(p.statesChecked)}/${count(p.states)} states, ${count(p.edgesReplayed)} edges replayed, ${count(p.inputsOffered)} steps offered (${count(Math.round(rate))} states/s)`);
}

/** The check split over worker threads, each a contiguous range of states; their reports summed. */
async function checkInThreads(
  ctx: Pick<StateGraphRunContext, 'progress' | 'signal'>,
  dump: StateGraphDump,
  protocol: Protocol,
  model: GraphModel,
  config: { readonly text: string; readonly file: string },
  options: CheckOptions & { readonly threads: number },
): Promise<StateGraphReport> {
  const n = dump.index.stateCount;
  const started = Date.now();
  // The worker module beside this one: TypeScript when this runs from the sources, JavaScript when built.
  const module = new URL(`./state-graph-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;
  const latest: StateGraphProgress[] = [];
  const workers: Worker[] = [];
  const onAbort = () => {
    for (const w of workers) w.postMessage('abort');
  };
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const parts = await Promise.all(
      Array.from({ length: options.threads }, (_, part) => {
        const data: StateGraphWorkerData = {
          dumpFile: dump.index.file,
          shown: dump.index.file,
          protocol: protocol.name,
          model,
          config,
          ...(options.defect !== undefined ? { defect: options.defect } : {}),
          ...(options.maxMismatches !== undefined ? { maxMismatches: options.maxMismatches } : {}),
          sources: { from: Math.floor((part * n) / options.threads), to: Math.floor(((part + 1) * n) / options.threads) },
        };
        const worker = new Worker(THREAD_ENTRY, { workerData: { ...data, module } });
        workers.push(worker);
        return new Promise<StateGraphReport>((resolve, reject) => {
          let settled = false;
          worker.on('message', (message: StateGraphWorkerMessage) => {
            if (message.kind === 'progress') {
              latest[part] = message.progress;
              if (part === 0) {
                const sum = (k: 'statesChecked' | 'edgesReplayed' | 'inputsOffered') => latest.reduce((total, p) => total + (p?.[k] ?? 0), 0);
                reportProgress(ctx, { statesChecked: sum('statesChecked'), states: n, edgesReplayed: sum('edgesReplayed'), inputsOffered: sum('inputsOffered'), elapsedMs: Date.now() - started });
              }
            } else if (message.kind === 'report') {
              settled = true;
              resolve(message.report);
            } else {
              settled = true;
              reject(new TlcOutputError(`the dump of ${model.name}`, `thread ${part + 1} of the check failed: ${message.message}`));
            }
          });
          worker.on('error', (error) => {
            settled = true;
            reject(error);
          });
          worker.on('exit', (code) => {
            if (!settled) reject(new Error(`thread ${part + 1} of the state-graph check ended (exit ${code}) without a report`));
          });
        });
      }),
    );
    return mergeReports(parts, (fingerprint) => dump.index.fingerprints.indexOf(fingerprint), options.maxMismatches ?? 20, Date.now() - started);
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The reports of the ranges of one check, as one: counts summed, mismatches in state order. */
export function mergeReports(parts: readonly StateGraphReport[], stateOf: (fingerprint: string) => number, maxMismatches: number, durationMs: number): StateGraphReport {
  const first = parts[0];
  if (first === undefined) throw new Error('internal: no report to merge');
  const sum = (k: 'edgesReplayed' | 'inputsOffered' | 'stepsInsideModel' | 'mismatchCount' | 'statesChecked') => parts.reduce((total, p) => total + p[k], 0);
  const mismatches = parts
    .flatMap((p) => p.mismatches)
    .map((m) => ({ m, at: stateOf(m.fingerprint) }))
    .sort((a, b) => a.at - b.at)
    .map(({ m }) => m)
    .slice(0, maxMismatches);
  return {
    protocol: first.protocol,
    model: first.model,
    states: first.states,
    edges: first.edges,
    edgesReplayed: sum('edgesReplayed'),
    inputsOffered: sum('inputsOffered'),
    stepsInsideModel: sum('stepsInsideModel'),
    mismatchCount: sum('mismatchCount'),
    mismatches,
    stoppedEarly: parts.some((p) => p.stoppedEarly),
    statesChecked: sum('statesChecked'),
    interrupted: parts.some((p) => p.interrupted),
    durationMs,
  };
}

/** Dumps `model`'s graph with TLC and checks it with `protocol`'s implementation (or the named defect). */
export async function runStateGraph(
  ctx: StateGraphRunContext,
  protocol: Protocol,
  model: GraphModel,
  options: CheckOptions = {},
): Promise<StateGraphRunReport> {
  const dump = await dumpStateGraph(ctx, model);
  try {
    return await checkDumpedGraph(ctx, dump, protocol, model, options);
  } finally {
    await dump.close();
  }
}
