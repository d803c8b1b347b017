/**
 * Simulator benchmarks, for `npm run bench`:
 *
 * - **throughput**: delivered messages (Raft and client) per second of wall time, running the fault-free
 *   KV workload on 5 nodes repeatedly, with the invariant monitor off (raw simulator speed), with its full
 *   check (every mirror over the whole cluster after each step: the reference) and with its incremental
 *   check (only what each step changed: the speed the property tests and the soak run at).
 * - **commit latency vs replication depth** ("average write latency vs replication depth N = 3, 5, 9"):
 *   the client-observed latency of a write (invoke to answer: client to leader, leader fsync, one round
 *   to a majority with the followers' fsyncs, apply, answer) under one stated model, with its mean, p50
 *   and p99, as a table and an SVG chart.
 *
 * The SVG is written by hand: a few rectangles and lines need no charting dependency, and the output is
 * stable text that diffs well.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { describeLatency } from '../sim/latency.js';
import type { InvariantCheck } from '../sim/monitor.js';
import { LAN_LATENCY, SSD_WRITE, type Scenario } from '../sim/scenario.js';
import { simulate } from '../sim/simulator.js';
import { median } from './stats.js';

/** The latency model of both benchmarks, stated in every report. */
export const BENCH_MODEL = {
  network: LAN_LATENCY,
  disk: SSD_WRITE,
  description: `one-way network latency ${describeLatency(LAN_LATENCY)}, no loss; each durable write ${describeLatency(SSD_WRITE)}; clock drift <= 1 %; election timeout 150–300 ms, heartbeat 50 ms`,
} as const;

function workload(nodes: number, seed: number, clients: number, opsPerClient: number, thinkMs: number): Scenario {
  return {
    seed,
    nodes,
    network: { latency: BENCH_MODEL.network, lossRate: 0, duplicateRate: 0 },
    disk: BENCH_MODEL.disk,
    maxDrift: 0.01,
    faults: [],
    workload: {
      clients: Array.from({ length: clients }, () => ({
        startMs: 600,
        thinkMs,
        ops: Array.from({ length: opsPerClient }, (_, i) => ({ kind: i % 4 === 3 ? 'get' : 'put', key: i % 2 }) as const),
      })),
      retryAfterMs: 500,
      maxAttempts: 10,
    },
    healAtMs: 500,
    livenessBoundMs: 600_000,
    noopOnElection: true,
  };
}

/** How the benchmark runs the invariant monitor: not at all, or with one of its two checks. */
export type MonitorMode = 'off' | InvariantCheck;

/** Simulator throughput figures. */
export interface SimThroughput {
  readonly nodes: number;
  readonly runs: number;
  readonly wallMs: number;
  /** Raft messages plus client requests and answers delivered. */
  readonly delivered: number;
  readonly deliveredPerSecond: number;
  /**
   * The same per second of this process's CPU time: what one core gives when nothing else runs, so on a
   * shared machine it varies less with the neighbours' load than the wall-clock figure.
   */
  readonly deliveredPerCpuSecond: number;
  readonly eventsPerSecond: number;
  readonly monitor: MonitorMode;
}

/**
 * Run the fault-free 5-node workload (runs of 4 clients x 100 operations) with fresh seeds for at least
 * `minWallMs`, and report delivered messages per second.
 */
export function measureSimThroughput(options: { minWallMs?: number; monitor?: MonitorMode; nodes?: number } = {}): SimThroughput {
  const nodes = options.nodes ?? 5;
  const monitor = options.monitor ?? 'off';
  const minWall = options.minWallMs ?? 3000;
  const simOptions = {
    checkInvariants: monitor !== 'off',
    invariantCheck: monitor === 'off' ? undefined : monitor,
    checkLinearizability: false,
  };
  // One unmeasured run warms up the JIT.
  simulate(workload(nodes, 0, 4, 100, 0), simOptions);
  let delivered = 0;
  let events = 0;
  let runs = 0;
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < minWall) {
    const r = simulate(workload(nodes, ++runs, 4, 100, 0), simOptions);
    delivered += r.stats.delivered + r.stats.clientMessages;
    events += r.stats.events;
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    nodes,
    runs,
    wallMs,
    delivered,
    deliveredPerSecond: (delivered / wallMs) * 1000,
    deliveredPerCpuSecond: (delivered / cpuMs) * 1000,
    eventsPerSecond: (events / wallMs) * 1000,
    monitor,
  };
}

/** The median of several measurements of one kind, and the measurements. */
export interface SimThroughputSummary {
  readonly medianPerSecond: number;
  readonly medianPerCpuSecond: number;
  readonly runs: readonly SimThroughput[];
}

/** Throughput with the monitor off, with its full check and with its incremental check. */
export interface SimThroughputComparison {
  readonly checksOff: SimThroughputSummary;
  readonly fullCheck: SimThroughputSummary;
  readonly incrementalCheck: SimThroughputSummary;
  /** How many times slower the simulator runs with the full check than without checks. */
  readonly fullCost: number;
  /** The same for the incremental check. */
  readonly incrementalCost: number;
  /** How many times faster the incremental check runs than the full one. */
  readonly incrementalSpeedup: number;
}

/** The goal for the monitored simulator (incremental check), in delivered messages per second. */
export const MONITORED_GOAL_PER_SECOND = 250_000;

/**
 * `reps` measurements of each kind, taken in turn (off, full, incremental, off, ...) so a burst of load on
 * a shared machine hits all alike; the medians are the figures.
 */
export function compareSimThroughput(reps: number, minWallMs = 2000): SimThroughputComparison {
  const runs: Record<MonitorMode, SimThroughput[]> = { off: [], full: [], incremental: [] };
  for (let i = 0; i < reps; i++) {
    for (const monitor of ['off', 'full', 'incremental'] as const) runs[monitor].push(measureSimThroughput({ minWallMs, monitor }));
  }
  const summary = (of: SimThroughput[]): SimThroughputSummary => ({
    medianPerSecond: median(of.map((r) => r.deliveredPerSecond)),
    medianPerCpuSecond: median(of.map((r) => r.deliveredPerCpuSecond)),
    runs: of,
  });
  const checksOff = summary(runs.off);
  const fullCheck = summary(runs.full);
  const incrementalCheck = summary(runs.incremental);
  return {
    checksOff,
    fullCheck,
    incrementalCheck,
    fullCost: checksOff.medianPerSecond / fullCheck.medianPerSecond,
    incrementalCost: checksOff.medianPerSecond / incrementalCheck.medianPerSecond,
    incrementalSpeedup: incrementalCheck.medianPerSecond / fullCheck.medianPerSecond,
  };
}

/** Commit latency of one cluster size. */
export interface LatencyRow {
  readonly nodes: number;
  readonly writes: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * Client-observed write latency for each cluster size: 2 clients, each writing in a loop with 5 ms think
 * time (light load, so the figure is the protocol's latency rather than queueing), `writesPerSize` writes
 * (puts and compare-and-sets) per size over several seeds.
 */
export function measureCommitLatency(sizes: readonly number[] = [3, 5, 9], writesPerSize = 3000): LatencyRow[] {
  return sizes.map((nodes) => {
    const samples: number[] = [];
    for (let seed = 1; samples.length < writesPerSize; seed++) {
      const r = simulate(workload(nodes, seed, 2, 200, 5), { checkInvariants: false, checkLinearizability: false });
      if (r.violation !== null) throw new Error(`benchmark run with ${nodes} nodes, seed ${seed} failed: ${r.violation.message}`);
      // Drop the liveness probe (the last write) and each client's first write, which may pay a redirect.
      samples.push(...r.writeLatencies.slice(2, -1));
    }
    const sorted = samples.slice(0, writesPerSize).sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    return { nodes, writes: sorted.length, meanMs: mean, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
  });
}

/** The latency table as text. */
export function formatLatencyTable(rows: readonly LatencyRow[]): string {
  const head = ['N', 'writes', 'mean ms', 'p50 ms', 'p99 ms'];
  const body = rows.map((r) => [String(r.nodes), String(r.writes), r.meanMs.toFixed(2), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** An SVG bar chart of mean write latency per N, with p50 and p99 markers. */
export function renderLatencySvg(rows: readonly LatencyRow[], subtitle = BENCH_MODEL.description): string {
  const W = 640;
  const H = 400;
  const left = 60;
  const right = 20;
  const top = 60;
  const bottom = 60;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = Math.max(1, ...rows.map((r) => r.p99Ms)) * 1.1;
  const y = (v: number): number => top + plotH - (v / max) * plotH;
  const slot = plotW / Math.max(rows.length, 1);
  const bar = slot * 0.5;
  const ticks = 5;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="16">Average write latency vs replication depth</text>`,
    `<text x="${W / 2}" y="40" text-anchor="middle" font-size="9" fill="#555">${esc(subtitle)}</text>`,
  ];
  for (let i = 0; i <= ticks; i++) {
    const v = (max / ticks) * i;
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  parts.push(`<text x="16" y="${top + plotH / 2}" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle">write latency (ms, virtual time)</text>`);
  rows.forEach((r, i) => {
    const cx = left + slot * i + slot / 2;
    parts.push(`<rect x="${(cx - bar / 2).toFixed(1)}" y="${y(r.meanMs).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(r.meanMs)).toFixed(1)}" fill="#4e79a7"/>`);
    parts.push(`<text x="${cx}" y="${(y(r.meanMs) - 6).toFixed(1)}" text-anchor="middle">${r.meanMs.toFixed(2)}</text>`);
    for (const [v, color] of [[r.p50Ms, '#f28e2b'], [r.p99Ms, '#e15759']] as const) {
      parts.push(`<line x1="${(cx - bar / 2 - 6).toFixed(1)}" x2="${(cx + bar / 2 + 6).toFixed(1)}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${color}" stroke-width="2"/>`);
    }
    parts.push(`<text x="${cx}" y="${top + plotH + 18}" text-anchor="middle">N = ${r.nodes}</text>`);
  });
  const ly = H - 18;
  parts.push(`<rect x="${left}" y="${ly - 9}" width="12" height="10" fill="#4e79a7"/><text x="${left + 16}" y="${ly}">mean</text>`);
  parts.push(`<line x1="${left + 70}" x2="${left + 88}" y1="${ly - 4}" y2="${ly - 4}" stroke="#f28e2b" stroke-width="2"/><text x="${left + 92}" y="${ly}">p50</text>`);
  parts.push(`<line x1="${left + 130}" x2="${left + 148}" y1="${ly - 4}" y2="${ly - 4}" stroke="#e15759" stroke-width="2"/><text x="${left + 152}" y="${ly}">p99</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Measure the latencies and write the chart to `svgPath`; returns the rows. */
export function benchCommitLatency(svgPath: string, sizes: readonly number[] = [3, 5, 9], writesPerSize = 3000): LatencyRow[] {
  const rows = measureCommitLatency(sizes, writesPerSize);
  writeFileSync(svgPath, renderLatencySvg(rows));
  return rows;
}
