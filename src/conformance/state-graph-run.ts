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
import type { GraphModel } from '../protocol/definition.js';
import type { Protocol } from '../protocol/protocol.js';
import type { TlcEvent } from '../tlc/events.js';
import { runTlc } from '../tlc/run.js';
import type { TlcToolchain } from '../tlc/toolchain.js';
import { DotIndex } from '../trace/dot-index.js';
import { describeVersion, tlcFailure } from '../trace/generate.js';
import { TlcOutputError } from '../trace/tlc-output.js';
import type { StateGraphProgress, StateGraphReport } from './state-graph.js';

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
    ctx.progress?.(`TLC dumps the state graph of ${model.name} ...`);
    const run = await runTlc({
      module: model.module,
      config: model.config,
      toolchain: ctx.toolchain,
      workers: ctx.workers,
      timeoutMs: ctx.timeoutMs,
      scratch: [dir],
      tlcOptions: ['-dump', 'dot,actionlabels', dot],
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onEvent: (e: TlcEvent) => {
        if (e.type === 'progress') ctx.progress?.(`  TLC: ${count(e.stats.distinct)} distinct states, ${count(e.stats.left)} on the queue`);
      },
    });
    if (run.outcome !== 'ok') throw tlcFailure(run, `state-graph dump of ${model.name}`, model);
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

/** Checks a dumped graph with `protocol`'s implementation (or the named defect). */
export async function checkDumpedGraph(
  ctx: Pick<StateGraphRunContext, 'progress' | 'signal'>,
  dump: StateGraphDump,
  protocol: Protocol,
  model: GraphModel,
  options: { readonly defect?: string; readonly maxMismatches?: number } = {},
): Promise<StateGraphRunReport> {
  const configText = await readFile(model.config, 'utf8');
  const { index } = dump;
  ctx.progress?.(`checking each state and edge of ${model.name} against the implementation ...`);
  const report = await protocol.stateGraph(index, model, { text: configText, file: model.config }, {
    ...(options.defect !== undefined ? { defect: options.defect } : {}),
    ...(options.maxMismatches !== undefined ? { maxMismatches: options.maxMismatches } : {}),
    ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
    onProgress: (p: StateGraphProgress) => {
      const rate = p.statesChecked / Math.max(p.elapsedMs / 1000, 0.001);
      ctx.progress?.(`  ${count(p.statesChecked)}/${count(p.states)} states, ${count(p.edgesReplayed)} edges replayed, ${count(p.inputsOffered)} steps offered (${count(Math.round(rate))} states/s)`);
    },
  });
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

/** Dumps `model`'s graph with TLC and checks it with `protocol`'s implementation (or the named defect). */
export async function runStateGraph(
  ctx: StateGraphRunContext,
  protocol: Protocol,
  model: GraphModel,
  options: { readonly defect?: string; readonly maxMismatches?: number } = {},
): Promise<StateGraphRunReport> {
  const dump = await dumpStateGraph(ctx, model);
  try {
    return await checkDumpedGraph(ctx, dump, protocol, model, options);
  } finally {
    await dump.close();
  }
}
