/**
 * One thread of a state-graph check split over threads (`checkDumpedGraph` with `threads` > 1), started
 * through `state-graph-thread.mjs`: it indexes
 * the dump itself (a few seconds; the index holds no values) and checks one range of states as sources,
 * posting progress and, at the end, its report. The message `abort` stops it between two states.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { GraphModel } from '../protocol/definition.js';
import { PROTOCOLS } from '../protocol/registry.js';
import { DotIndex } from '../trace/dot-index.js';
import type { StateGraphProgress, StateGraphReport } from './state-graph.js';

/** What the thread is given. */
export interface StateGraphWorkerData {
  readonly dumpFile: string;
  readonly shown: string;
  readonly protocol: string;
  readonly model: GraphModel;
  readonly config: { readonly text: string; readonly file: string };
  readonly defect?: string;
  readonly maxMismatches?: number;
  readonly sources: { readonly from: number; readonly to: number };
}

/** What the thread posts. */
export type StateGraphWorkerMessage =
  | { readonly kind: 'progress'; readonly progress: StateGraphProgress }
  | { readonly kind: 'report'; readonly report: StateGraphReport }
  | { readonly kind: 'error'; readonly message: string };

const port = parentPort;
if (port === null) throw new Error('state-graph-worker.ts runs as a worker thread only');
const data = workerData as StateGraphWorkerData;
const controller = new AbortController();
port.on('message', (message: unknown) => {
  if (message === 'abort') controller.abort();
});
const post = (message: StateGraphWorkerMessage) => port.postMessage(message);

try {
  const protocol = PROTOCOLS.find((p) => p.name === data.protocol);
  if (protocol === undefined) throw new Error(`no protocol ${data.protocol} in the registry`);
  const index = await DotIndex.open(data.dumpFile, data.shown);
  try {
    const report = await protocol.stateGraph(index, data.model, data.config, {
      ...(data.defect !== undefined ? { defect: data.defect } : {}),
      ...(data.maxMismatches !== undefined ? { maxMismatches: data.maxMismatches } : {}),
      sources: data.sources,
      signal: controller.signal,
      progressEvery: 2500,
      onProgress: (progress) => post({ kind: 'progress', progress }),
    });
    post({ kind: 'report', report });
  } finally {
    index.close();
  }
} catch (error) {
  post({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
}
port.close();
