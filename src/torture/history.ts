/**
 * The clients' history of a torture run, Jepsen-style: every operation's `invoke` and its completion
 * (`ok`, `fail`: certainly not applied, `info`: outcome unknown), stamped with wall time in ms since the
 * workload started; and the figures drawn from it (counts, availability during faults and quiet time,
 * latency percentiles).
 *
 * An `info` completion becomes the checker's `timeout`: the operation may take effect at any time after
 * its invocation, even after the client moved on, which is exactly what an unanswered request to a real
 * cluster may do.
 *
 * @module
 */
import { match } from 'ts-pattern';
import type { KvOp, KvResult } from '../kv/command.js';
import { operationsFromEvents, type HistoryEvent, type Operation } from '../lin/history.js';

/** How one operation ended, as the torture report counts it. */
export type Completion = { readonly type: 'ok'; readonly result: KvResult } | { readonly type: 'fail'; readonly reason: string } | { readonly type: 'info'; readonly reason: string };

/** One line of the recorded history (the JSON report lists them). */
export type TortureEvent =
  | { readonly type: 'invoke'; readonly process: string; readonly time: number; readonly op: KvOp }
  | { readonly type: 'ok'; readonly process: string; readonly time: number; readonly result: KvResult }
  | { readonly type: 'fail' | 'info'; readonly process: string; readonly time: number; readonly reason: string };

/** Collects the events of every client; `now` is ms since the workload started. */
export class HistoryRecorder {
  private readonly recorded: TortureEvent[] = [];
  private readonly open = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** `process` invokes `op`; returns the invocation time. Throws when `process` already has one open. */
  invoke(process: string, op: KvOp): number {
    if (this.open.has(process)) throw new RangeError(`client ${process} invoked an operation while its previous one is open`);
    const time = this.now();
    this.open.set(process, time);
    this.recorded.push({ type: 'invoke', process, time, op });
    return time;
  }

  /** `process`'s open operation ended; returns the completion time. */
  complete(process: string, completion: Completion): number {
    if (!this.open.delete(process)) throw new RangeError(`client ${process} completed an operation it never invoked`);
    const time = this.now();
    this.recorded.push(completion.type === 'ok' ? { type: 'ok', process, time, result: completion.result } : { type: completion.type, process, time, reason: completion.reason });
    return time;
  }

  get events(): readonly TortureEvent[] {
    return this.recorded;
  }
}

/** The events as the linearizability checker's history (an `info` is a `timeout`). */
export function checkerEvents(events: readonly TortureEvent[]): HistoryEvent<KvOp, KvResult>[] {
  return events.map((e) =>
    match(e)
      .returnType<HistoryEvent<KvOp, KvResult>>()
      .with({ type: 'invoke' }, (x) => ({ type: 'invoke', process: x.process, time: x.time, input: x.op }))
      .with({ type: 'ok' }, (x) => ({ type: 'ok', process: x.process, time: x.time, output: x.result }))
      .with({ type: 'fail' }, (x) => ({ type: 'fail', process: x.process, time: x.time }))
      .with({ type: 'info' }, (x) => ({ type: 'timeout', process: x.process, time: x.time }))
      .exhaustive(),
  );
}

/** The history as operations for `checkLinearizable`. */
export function operationsOf(events: readonly TortureEvent[]): Operation<KvOp, KvResult>[] {
  return operationsFromEvents(checkerEvents(events));
}

/** A time interval in ms since the workload started. */
export interface Window {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Latency percentiles of completed operations, in ms. */
export interface LatencyFigures {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** What the report counts. */
export interface HistoryFigures {
  readonly invoked: number;
  readonly ok: number;
  readonly failed: number;
  readonly indeterminate: number;
  /** Operations still open when the history was cut (counted as indeterminate too). */
  readonly open: number;
  /** Successful operations per second while some fault was in force, and the time that was. */
  readonly duringFaults: { readonly okPerSecond: number; readonly seconds: number; readonly ok: number };
  /** The same for the rest of the workload. */
  readonly quiet: { readonly okPerSecond: number; readonly seconds: number; readonly ok: number };
  /** Latency of successful operations: all, writes (put, cas), reads. */
  readonly latency: { readonly all: LatencyFigures; readonly writes: LatencyFigures; readonly reads: LatencyFigures };
}

/** The `p`-th percentile (nearest rank) of sorted values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

function latencyOf(samples: number[]): LatencyFigures {
  const sorted = samples.sort((a, b) => a - b);
  return { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.length === 0 ? NaN : (sorted[sorted.length - 1] as number) };
}

/** Merge overlapping windows and clip them to `[0, endMs]`. */
export function mergeWindows(windows: readonly Window[], endMs: number): Window[] {
  const sorted = windows
    .map((w) => ({ fromMs: Math.max(0, w.fromMs), toMs: Math.min(endMs, w.toMs) }))
    .filter((w) => w.toMs > w.fromMs)
    .sort((a, b) => a.fromMs - b.fromMs);
  const merged: Window[] = [];
  for (const w of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && w.fromMs <= last.toMs) merged[merged.length - 1] = { fromMs: last.fromMs, toMs: Math.max(last.toMs, w.toMs) };
    else merged.push(w);
  }
  return merged;
}

/**
 * The figures of a history whose workload ran for `workloadMs`, with faults in force during `faultWindows`.
 * A successful operation counts for the window it completed in.
 */
export function historyFigures(events: readonly TortureEvent[], workloadMs: number, faultWindows: readonly Window[]): HistoryFigures {
  const windows = mergeWindows(faultWindows, workloadMs);
  const faultMs = windows.reduce((sum, w) => sum + (w.toMs - w.fromMs), 0);
  const inFault = (t: number) => windows.some((w) => t >= w.fromMs && t < w.toMs);
  const calls = new Map<string, { time: number; op: KvOp }>();
  let invoked = 0;
  let ok = 0;
  let failed = 0;
  let indeterminate = 0;
  let okInFault = 0;
  let okQuiet = 0;
  const all: number[] = [];
  const writes: number[] = [];
  const reads: number[] = [];
  for (const e of events) {
    if (e.type === 'invoke') {
      invoked++;
      calls.set(e.process, { time: e.time, op: e.op });
      continue;
    }
    const call = calls.get(e.process);
    calls.delete(e.process);
    if (e.type === 'fail') failed++;
    else if (e.type === 'info') indeterminate++;
    else {
      ok++;
      if (e.time <= workloadMs) {
        if (inFault(e.time)) okInFault++;
        else okQuiet++;
      }
      if (call !== undefined) {
        const ms = e.time - call.time;
        all.push(ms);
        (call.op.type === 'get' ? reads : writes).push(ms);
      }
    }
  }
  const quietMs = Math.max(0, workloadMs - faultMs);
  const rate = (n: number, ms: number) => (ms <= 0 ? NaN : (n / ms) * 1000);
  return {
    invoked,
    ok,
    failed,
    indeterminate: indeterminate + calls.size,
    open: calls.size,
    duringFaults: { okPerSecond: rate(okInFault, faultMs), seconds: faultMs / 1000, ok: okInFault },
    quiet: { okPerSecond: rate(okQuiet, quietMs), seconds: quietMs / 1000, ok: okQuiet },
    latency: { all: latencyOf(all), writes: latencyOf(writes), reads: latencyOf(reads) },
  };
}
