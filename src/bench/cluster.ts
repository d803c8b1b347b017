/**
 * `npm run bench -- cluster`: the real cluster (node processes over TCP on 127.0.0.1, every durable write
 * fsync'd to the data directory's disk) measured from its clients:
 *
 * - **commit latency for N = 3, 5, 9**: one client writing in a loop, the time from sending a put to its
 *   answer (client to leader, the leader's fsync, one round to a majority with their fsyncs, apply,
 *   answer), next to the simulator's prediction for the same N under its stated model (`sim.ts`,
 *   `measureCommitLatency`): the baseline measured in the same run;
 * - **write throughput for 1, 8 and 64 concurrent clients** (N = 3): acknowledged puts per second, and
 *   their latency, so the effect of batching several clients' entries into one fsync and one round shows.
 *
 * No link proxies: they add a hop that is not the protocol's. The nodes run compiled (the tsc build of
 * `npm run bench`) when it holds the node's entry point, else under tsx (said in the report).
 *
 * @module
 */
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../cli/format.js';
import { KvConnection, queryStatus } from '../node/client.js';
import { REPO_ROOT } from '../paths.js';
import { RealCluster, TSX_NODE_ENTRY, type NodeEntry } from '../torture/cluster.js';
import { percentile } from '../torture/history.js';
import { BENCH_MODEL, measureCommitLatency } from './sim.js';
import { median } from './stats.js';

/** Commit latency of one cluster size, measured and simulated. */
export interface ClusterLatencyRow {
  readonly nodes: number;
  readonly writes: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The simulator's figures for the same N (virtual time, its stated latency model). */
  readonly simulated: { readonly meanMs: number; readonly p50Ms: number; readonly p99Ms: number };
}

/** Write throughput with `clients` concurrent clients. */
export interface ClusterThroughputRow {
  readonly clients: number;
  /** Median over the repetitions. */
  readonly writesPerSecond: number;
  readonly runs: readonly number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Puts that did not succeed (should be 0 on a quiet cluster). */
  readonly notOk: number;
  /** The longest log at the end of a run (each run starts a fresh cluster). */
  readonly logLengthAtEnd: number;
}

export interface ClusterFigures {
  /** How the nodes ran: `compiled` or `tsx`. */
  readonly runtime: 'compiled' | 'tsx';
  readonly disk: string;
  readonly latency: readonly ClusterLatencyRow[];
  readonly throughputNodes: number;
  readonly throughputSeconds: number;
  readonly throughput: readonly ClusterThroughputRow[];
  readonly simulatorModel: string;
  readonly svg: string;
}

/** The compiled node entry point beside this (compiled) module, when the bench build holds it. */
function nodeEntry(): { entry: NodeEntry; runtime: 'compiled' | 'tsx' } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) {
    const compiled = join(here, '..', '..', '..', 'scripts', 'node.js');
    if (existsSync(compiled)) return { entry: { command: process.execPath, args: [compiled] }, runtime: 'compiled' };
  }
  return { entry: TSX_NODE_ENTRY, runtime: 'tsx' };
}

async function withCluster<T>(nodes: number, entry: NodeEntry, body: (cluster: RealCluster) => Promise<T>): Promise<T> {
  // Under the checkout (a real disk), not a tmpfs: the fsyncs are part of what is measured.
  const dir = await mkdtemp(join(REPO_ROOT, '.cache', `bench-cluster-${nodes}-`));
  const cluster = await RealCluster.start({ nodes, dir, proxies: false, entry, clusterId: 'bench' });
  try {
    return await body(cluster);
  } finally {
    await cluster.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Puts until `count` succeed in a row, so a leader is elected and every node has caught up. */
async function settle(cluster: RealCluster, deadlineMs = 30_000): Promise<void> {
  const c = new KvConnection({ members: cluster.config.members, clientId: 'warmup' });
  const until = performance.now() + deadlineMs;
  let ok = 0;
  try {
    for (let i = 0; ok < 20 && performance.now() < until; i++) {
      const r = await c.put('warm', `w${i}`, { timeoutMs: 2000 });
      ok = r.type === 'ok' ? ok + 1 : 0;
    }
  } finally {
    c.close();
  }
  if (ok < 20) throw new Error(`the ${cluster.members.length}-node cluster did not settle within ${deadlineMs} ms`);
}

/** One client's put latencies for `seconds` (or `maxWrites`), in ms. */
async function writeLoop(cluster: RealCluster, clientId: string, key: string, untilMs: number, maxWrites: number, latencies: number[]): Promise<number> {
  const c = new KvConnection({ members: cluster.config.members, clientId });
  let notOk = 0;
  try {
    for (let i = 0; performance.now() < untilMs && i < maxWrites; i++) {
      const started = performance.now();
      const r = await c.put(key, `${clientId}.${i}`, { timeoutMs: 5000 });
      if (r.type === 'ok') latencies.push(performance.now() - started);
      else notOk++;
    }
  } finally {
    c.close();
  }
  return notOk;
}

/** Commit latency for each cluster size (one client), with the simulator's figures beside. */
export async function measureClusterLatency(entry: NodeEntry, sizes: readonly number[], seconds: number, progress: (line: string) => void): Promise<ClusterLatencyRow[]> {
  const simulated = measureCommitLatency(sizes, 2000);
  const rows: ClusterLatencyRow[] = [];
  for (const nodes of sizes) {
    progress(`latency: starting ${nodes} nodes ...`);
    const samples: number[] = [];
    await withCluster(nodes, entry, async (cluster) => {
      await settle(cluster);
      await writeLoop(cluster, 'lat', 'k0', performance.now() + seconds * 1000, 5000, samples);
    });
    const sorted = [...samples].sort((a, b) => a - b);
    const sim = simulated.find((r) => r.nodes === nodes);
    rows.push({
      nodes,
      writes: sorted.length,
      meanMs: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      simulated: { meanMs: sim?.meanMs ?? NaN, p50Ms: sim?.p50Ms ?? NaN, p99Ms: sim?.p99Ms ?? NaN },
    });
    progress(`latency: N = ${nodes}: ${sorted.length} writes, p50 ${percentile(sorted, 50).toFixed(2)} ms`);
  }
  return rows;
}

/**
 * Write throughput with each number of concurrent clients, `reps` runs of `seconds` each. Every run starts
 * a fresh cluster: a save rewrites a node's whole state, so on one long-lived cluster each run would pay
 * for the log the runs before it wrote, and the order of the runs would decide the figures.
 */
export async function measureClusterThroughput(
  entry: NodeEntry,
  nodes: number,
  clientCounts: readonly number[],
  seconds: number,
  reps: number,
  progress: (line: string) => void,
): Promise<ClusterThroughputRow[]> {
  const runs = new Map<number, { perSecond: number[]; latencies: number[]; notOk: number; logLengths: number[] }>(clientCounts.map((c) => [c, { perSecond: [], latencies: [], notOk: 0, logLengths: [] }]));
  // Taken in turn (1, 8, 64, 1, 8, 64, ...), so a burst of load on a shared machine hits all alike.
  for (let rep = 0; rep < reps; rep++) {
    for (const clients of clientCounts) {
      const entryRuns = runs.get(clients)!;
      await withCluster(nodes, entry, async (cluster) => {
        await settle(cluster);
        const latencies: number[] = [];
        const started = performance.now();
        const until = started + seconds * 1000;
        const notOk = await Promise.all(Array.from({ length: clients }, (_, i) => writeLoop(cluster, `t${rep}c${clients}n${i}`, `k${i % 16}`, until, Number.MAX_SAFE_INTEGER, latencies)));
        const elapsed = (performance.now() - started) / 1000;
        entryRuns.perSecond.push(latencies.length / elapsed);
        entryRuns.latencies.push(...latencies);
        entryRuns.notOk += notOk.reduce((a, b) => a + b, 0);
        entryRuns.logLengths.push(await longestLog(cluster));
        progress(`throughput: ${clients} clients: ${(latencies.length / elapsed).toFixed(0)} writes/s`);
      });
    }
  }
  return clientCounts.map((clients) => {
    const r = runs.get(clients)!;
    const sorted = r.latencies.sort((a, b) => a - b);
    return {
      clients,
      writesPerSecond: median(r.perSecond),
      runs: r.perSecond,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      notOk: r.notOk,
      logLengthAtEnd: Math.max(...r.logLengths),
    };
  });
}

/** The longest log among the nodes that answer (every save rewrites the whole state, so its cost grows with it). */
async function longestLog(cluster: RealCluster): Promise<number> {
  const lengths = await Promise.all(cluster.members.map(async (m) => (await queryStatus(cluster.config.members.find((x) => x.id === m)!.client, 2000).catch(() => null))?.logLength ?? 0));
  return Math.max(0, ...lengths);
}

/** The whole suite; writes the chart to `svgPath`. */
export async function benchCluster(reps: number, svgPath: string, progress: (line: string) => void): Promise<ClusterFigures> {
  const { entry, runtime } = nodeEntry();
  progress(`nodes run ${runtime === 'compiled' ? 'compiled (the bench build)' : 'under tsx (no compiled node in the bench build)'}`);
  const latency = await measureClusterLatency(entry, [3, 5, 9], 8, progress);
  const throughputSeconds = 5;
  const throughput = await measureClusterThroughput(entry, 3, [1, 8, 64], throughputSeconds, reps, progress);
  const figures: ClusterFigures = {
    runtime,
    disk: 'the checkout\'s disk (.cache/), every durable write fsync\'d',
    latency,
    throughputNodes: 3,
    throughputSeconds,
    throughput,
    simulatorModel: BENCH_MODEL.description,
    svg: svgPath,
  };
  writeFileSync(svgPath, renderClusterSvg(figures));
  return figures;
}

const fixed = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** The suite's figures as text. */
export function renderClusterReport(f: ClusterFigures, reps: number): string {
  return (
    `\nReal cluster: commit latency (one client writing in a loop; nodes ${f.runtime}, loopback TCP, ${f.disk})\n` +
    `${renderTable(
      ['N', 'writes', 'mean ms', 'p50 ms', 'p99 ms', 'simulated mean', 'sim p50', 'sim p99', 'measured / simulated (mean)'],
      f.latency.map((r) => [String(r.nodes), String(r.writes), fixed(r.meanMs), fixed(r.p50Ms), fixed(r.p99Ms), fixed(r.simulated.meanMs), fixed(r.simulated.p50Ms), fixed(r.simulated.p99Ms), `${fixed(r.meanMs / r.simulated.meanMs, 2)}x`]),
      new Set([0, 1, 2, 3, 4, 5, 6, 7, 8]),
    )}\n` +
    `simulated: the simulator's prediction for the same N (virtual time; ${f.simulatorModel})\n` +
    `\nReal cluster: write throughput (N = ${f.throughputNodes}, ${f.throughputSeconds} s per run, median of ${reps} runs taken in turn)\n` +
    `${renderTable(
      ['clients', 'writes/s', 'runs', 'p50 ms', 'p99 ms', 'not ok', 'log at end'],
      f.throughput.map((r) => [String(r.clients), fixed(r.writesPerSecond, 0), r.runs.map((x) => x.toFixed(0)).join(' '), fixed(r.p50Ms), fixed(r.p99Ms), String(r.notOk), String(r.logLengthAtEnd)]),
      new Set([0, 1, 3, 4, 5, 6]),
    )}\n` +
    `each run on a fresh cluster; every save rewrites a node's whole state file (src/storage/file.ts, group commit), so a save costs more as the log grows\n` +
    `chart: ${f.svg}\n`
  );
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Two panels: latency per N (measured next to simulated, p50/p99 marks), and throughput per client count. */
export function renderClusterSvg(f: ClusterFigures): string {
  const W = 860;
  const H = 420;
  const top = 70;
  const bottom = 70;
  const plotH = H - top - bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="16">Real cluster on loopback with fsync: commit latency and write throughput</text>`,
    `<text x="${W / 2}" y="40" text-anchor="middle" font-size="9" fill="#555">${esc(`nodes ${f.runtime}; simulated: ${f.simulatorModel}`)}</text>`,
  ];
  const panel = (left: number, width: number, highest: number, label: string) => {
    // Round tick values: a step of 1, 2 or 5 times a power of ten, five steps or fewer.
    const raw = highest / 5;
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
    const ticks = Math.ceil(highest / step);
    const max = step * ticks;
    const y = (v: number) => top + plotH - (Math.min(v, max) / max) * plotH;
    for (let i = 0; i <= ticks; i++) {
      const v = (max / ticks) * i;
      parts.push(`<line x1="${left}" x2="${left + width}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
      parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toPrecision(6))}</text>`);
    }
    parts.push(`<text x="${left - 42}" y="${top + plotH / 2}" transform="rotate(-90 ${left - 42} ${top + plotH / 2})" text-anchor="middle">${esc(label)}</text>`);
    return y;
  };
  // Left: latency.
  const lLeft = 70;
  const lWidth = 400;
  const latMax = Math.max(1, ...f.latency.flatMap((r) => [r.p99Ms, r.simulated.p99Ms].filter(Number.isFinite))) * 1.05;
  const ly = panel(lLeft, lWidth, latMax, 'write latency (ms)');
  const slot = lWidth / Math.max(1, f.latency.length);
  const bar = slot * 0.3;
  f.latency.forEach((r, i) => {
    const cx = lLeft + slot * i + slot / 2;
    const bars: [number, number, number, string][] = [
      [cx - bar / 2 - 2, r.meanMs, r.p99Ms, '#4e79a7'],
      [cx + bar / 2 + 2, r.simulated.meanMs, r.simulated.p99Ms, '#bab0ac'],
    ];
    for (const [x, mean, p99, color] of bars) {
      if (!Number.isFinite(mean)) continue;
      parts.push(`<rect x="${(x - bar / 2).toFixed(1)}" y="${ly(mean).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - ly(mean)).toFixed(1)}" fill="${color}"/>`);
      parts.push(`<text x="${x.toFixed(1)}" y="${(ly(mean) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${mean.toFixed(1)}</text>`);
      if (Number.isFinite(p99)) parts.push(`<line x1="${(x - bar / 2).toFixed(1)}" x2="${(x + bar / 2).toFixed(1)}" y1="${ly(p99).toFixed(1)}" y2="${ly(p99).toFixed(1)}" stroke="#e15759" stroke-width="2"/>`);
    }
    parts.push(`<text x="${cx}" y="${top + plotH + 18}" text-anchor="middle">N = ${r.nodes}</text>`);
  });
  // Right: throughput.
  const tLeft = 560;
  const tWidth = 270;
  const tpMax = Math.max(1, ...f.throughput.map((r) => r.writesPerSecond)) * 1.1;
  const ty = panel(tLeft, tWidth, tpMax, `writes/s (N = ${f.throughputNodes})`);
  const tSlot = tWidth / Math.max(1, f.throughput.length);
  f.throughput.forEach((r, i) => {
    const cx = tLeft + tSlot * i + tSlot / 2;
    const w = tSlot * 0.5;
    parts.push(`<rect x="${(cx - w / 2).toFixed(1)}" y="${ty(r.writesPerSecond).toFixed(1)}" width="${w.toFixed(1)}" height="${(top + plotH - ty(r.writesPerSecond)).toFixed(1)}" fill="#59a14f"/>`);
    parts.push(`<text x="${cx}" y="${(ty(r.writesPerSecond) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${r.writesPerSecond.toFixed(0)}</text>`);
    parts.push(`<text x="${cx}" y="${top + plotH + 18}" text-anchor="middle">${r.clients} client${r.clients === 1 ? '' : 's'}</text>`);
  });
  const legendY = H - 22;
  parts.push(`<rect x="${lLeft}" y="${legendY - 9}" width="12" height="10" fill="#4e79a7"/><text x="${lLeft + 16}" y="${legendY}">measured mean</text>`);
  parts.push(`<rect x="${lLeft + 120}" y="${legendY - 9}" width="12" height="10" fill="#bab0ac"/><text x="${lLeft + 136}" y="${legendY}">simulator's mean</text>`);
  parts.push(`<line x1="${lLeft + 250}" x2="${lLeft + 268}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="#e15759" stroke-width="2"/><text x="${lLeft + 272}" y="${legendY}">p99</text>`);
  parts.push(`<rect x="${tLeft}" y="${legendY - 9}" width="12" height="10" fill="#59a14f"/><text x="${tLeft + 16}" y="${legendY}">acknowledged puts per second</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
