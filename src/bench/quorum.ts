/**
 * `npm run bench -- quorum`: the CAP/PACELC table of the quorum store, measured with its simulator
 * (src/quorum-kv/sim.ts). One seeded partition scenario for N = 3 and 5, (R, W) in {(majority,
 * majority), (1, 1), (1, N), (N, 1)}, CP and AP, LWW and VV: during the partition (the P of PACELC) how
 * many writes were accepted and reads answered, what it cost in stale reads and lost acknowledged
 * writes, and how long the replicas took to agree after the heal; without a partition (the E), the read
 * and write latency under the latency model. Every figure is in virtual time, so it is the same on any
 * machine; `reps` does not change it.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { figuresOf } from '../quorum-kv/checkers.js';
import { DEFAULT_SIM, type FaultSchedule, type KvSimOptions, generateSchedule, homeReplicas, runKvSim, simConfig } from '../quorum-kv/index.js';
import type { Mode, Resolution } from '../quorum-kv/types.js';
import { renderTable } from '../cli/format.js';
import { describeLatency } from '../sim/latency.js';

export const QUORUM_SEEDS = 12;
const WORKLOAD_MS = 120;
const PARTITION = { startMs: 20, healMs: 100 } as const;

export interface QuorumRow {
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly mode: Mode;
  readonly resolution: Resolution;
  /** During the partition, over all seeds. */
  readonly writesAcceptedPct: number;
  readonly readsAnsweredPct: number;
  /** Over all seeds (the partition runs). */
  readonly staleReads: number;
  readonly readsAnswered: number;
  readonly lostAckedWrites: number;
  readonly writesAcked: number;
  /** Mean and max over seeds; null when some run never converged. */
  readonly convergenceMeanMs: number | null;
  readonly convergenceMaxMs: number | null;
  /** CP: histories checked as a register, and how many were not linearizable (null for AP). */
  readonly linChecked: number | null;
  readonly notLinearizable: number | null;
  /** Without a partition: latency of acknowledged writes and answered reads (virtual ms). */
  readonly readP50Ms: number;
  readonly readP99Ms: number;
  readonly writeP50Ms: number;
  readonly writeP99Ms: number;
}

export interface QuorumFigures {
  readonly scenario: string;
  readonly seeds: number;
  readonly rows: readonly QuorumRow[];
  readonly svg: string;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The N + 2 node cluster split so that the first home replica's side keeps a majority of the home replicas. */
function partitionOf(options: Pick<KvSimOptions, 'n' | 'r' | 'w' | 'mode' | 'resolution' | 'nodes'>): FaultSchedule['partition'] {
  const config = simConfig(options);
  const home = homeReplicas(config);
  const majority = Math.floor(home.length / 2) + 1;
  const others = config.walk.slice(config.n);
  const side = [...home.slice(majority), ...others.slice(0, Math.ceil(others.length / 2))];
  return { ...PARTITION, side };
}

export function measureQuorumRow(n: number, r: number, w: number, mode: Mode, resolution: Resolution, seeds = QUORUM_SEEDS): QuorumRow {
  const quorums = { n, r, w, mode, resolution, nodes: n + 2 };
  const partition = partitionOf(quorums);
  let [pw, pwa, pr, pra, stale, answered, lost, acked, linChecked, notLin] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const convergence: (number | null)[] = [];
  const reads: number[] = [];
  const writes: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const base: KvSimOptions = { ...DEFAULT_SIM, ...quorums, seed, clients: 4, workloadMs: WORKLOAD_MS, quietMs: 100 };
    const clocks = generateSchedule(seed, simConfig(base).walk, WORKLOAD_MS).clocks;
    const run = runKvSim({ ...base, schedule: { partition, crashes: [], lossRate: 0.01, clocks } });
    const f = figuresOf(run, { lin: mode === 'CP' });
    pw += f.partition!.writes;
    pwa += f.partition!.writesAcked;
    pr += f.partition!.reads;
    pra += f.partition!.readsAnswered;
    stale += f.staleReads;
    answered += f.readsAnswered;
    lost += f.lostAckedWrites;
    acked += f.writesAcked;
    convergence.push(f.convergenceMs);
    if (f.linearizable === 'linearizable' || f.linearizable === 'not-linearizable') linChecked++;
    if (f.linearizable === 'not-linearizable') notLin++;
    // The E of PACELC: the same clients without a partition or loss.
    const calm = runKvSim({ ...base, schedule: { partition: null, crashes: [], lossRate: 0, clocks } });
    for (const op of calm.history) {
      if (op.outcome !== 'ok') continue;
      (op.kind === 'read' ? reads : writes).push(op.ret - op.call);
    }
  }
  const converged = convergence.every((c): c is number => c !== null);
  return {
    ...{ n, r, w, mode, resolution },
    writesAcceptedPct: pw === 0 ? NaN : (100 * pwa) / pw,
    readsAnsweredPct: pr === 0 ? NaN : (100 * pra) / pr,
    staleReads: stale,
    readsAnswered: answered,
    lostAckedWrites: lost,
    writesAcked: acked,
    convergenceMeanMs: converged ? convergence.reduce((a, b) => a + b, 0) / convergence.length : null,
    convergenceMaxMs: converged ? Math.max(...convergence) : null,
    linChecked: mode === 'CP' ? linChecked : null,
    notLinearizable: mode === 'CP' ? notLin : null,
    readP50Ms: quantile(reads, 0.5),
    readP99Ms: quantile(reads, 0.99),
    writeP50Ms: quantile(writes, 0.5),
    writeP99Ms: quantile(writes, 0.99),
  };
}

/** The (R, W) pairs of the table for one N. */
export function quorumPairs(n: number): [number, number][] {
  const majority = Math.floor(n / 2) + 1;
  return [
    [majority, majority],
    [1, 1],
    [1, n],
    [n, 1],
  ];
}

export const rowLabel = (r: Pick<QuorumRow, 'n' | 'r' | 'w' | 'mode' | 'resolution'>) => `N${r.n} R${r.r} W${r.w} ${r.mode} ${r.resolution}`;

/** Writes accepted and reads answered during the partition, one pair of bars per row, stale and lost beside. */
export function renderQuorumSvg(rows: readonly QuorumRow[]): string {
  const rowH = 22;
  const left = 150;
  const barW = 300;
  const W = left + barW + 230;
  const top = 40;
  const H = top + rows.length * rowH + 30;
  const x = (pct: number) => left + (barW * (Number.isNaN(pct) ? 0 : pct)) / 100;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">Quorum store during a partition: availability vs consistency (${QUORUM_SEEDS} seeds per row)</text>`,
    `<rect x="${left}" y="24" width="10" height="8" fill="#3b6fb6"/><text x="${left + 14}" y="32">writes accepted %</text>`,
    `<rect x="${left + 130}" y="24" width="10" height="8" fill="#4f9a4f"/><text x="${left + 144}" y="32">reads answered %</text>`,
    `<text x="${left + barW + 10}" y="32">stale reads / lost acked writes</text>`,
  ];
  for (const pct of [0, 50, 100]) parts.push(`<line x1="${x(pct)}" y1="${top - 4}" x2="${x(pct)}" y2="${H - 26}" stroke="#ccc"/><text x="${x(pct)}" y="${H - 12}" text-anchor="middle">${pct} %</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    parts.push(
      `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${rowLabel(r)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${x(r.writesAcceptedPct) - left}" height="7" fill="#3b6fb6"/>`,
      `<rect x="${left}" y="${y + 11}" width="${x(r.readsAnsweredPct) - left}" height="7" fill="#4f9a4f"/>`,
      `<text x="${left + barW + 10}" y="${y + 14}" fill="${r.staleReads + r.lostAckedWrites > 0 ? '#b33' : '#333'}">${r.staleReads} / ${r.lostAckedWrites}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The whole suite; writes the chart to `svgPath`. */
export function benchQuorum(svgPath: string, progress: (line: string) => void = () => {}): QuorumFigures {
  const rows: QuorumRow[] = [];
  for (const n of [3, 5]) {
    for (const [r, w] of quorumPairs(n)) {
      for (const mode of ['CP', 'AP'] as const) for (const resolution of ['VV', 'LWW'] as const) rows.push(measureQuorumRow(n, r, w, mode, resolution));
    }
    progress(`N = ${n} done`);
  }
  writeFileSync(svgPath, renderQuorumSvg(rows));
  const scenario =
    `N + 2 nodes (the key on a hash ring), 4 clients for ${WORKLOAD_MS} ms, the network split ${PARTITION.startMs}..${PARTITION.healMs} ms ` +
    `(a minority of the home replicas and half the other nodes apart), 1 % message loss, latency ${describeLatency(DEFAULT_SIM.latency)}, ` +
    `clocks up to 5 ms apart and 1 % drift, timeout ${DEFAULT_SIM.timeoutMs} ms`;
  return { scenario, seeds: QUORUM_SEEDS, rows, svg: svgPath };
}

/** The suite's report: the partition table (P: availability vs consistency) and the latency table (E). */
export function renderQuorumTable(figures: QuorumFigures): string {
  const pct = (x: number) => (Number.isNaN(x) ? '-' : `${x.toFixed(1)} %`);
  const ms = (x: number | null) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(1));
  const ratio = (part: number, whole: number) => `${part} / ${whole}`;
  const rows = figures.rows.map((r) => [
    String(r.n),
    `${r.r}/${r.w}`,
    r.mode,
    r.resolution,
    pct(r.writesAcceptedPct),
    pct(r.readsAnsweredPct),
    ratio(r.staleReads, r.readsAnswered),
    ratio(r.lostAckedWrites, r.writesAcked),
    r.convergenceMeanMs === null ? 'never' : `${ms(r.convergenceMeanMs)} (max ${ms(r.convergenceMaxMs)})`,
    r.notLinearizable === null ? '-' : `${r.notLinearizable} of ${r.linChecked}`,
    `${ms(r.readP50Ms)} / ${ms(r.readP99Ms)}`,
    `${ms(r.writeP50Ms)} / ${ms(r.writeP99Ms)}`,
  ]);
  return (
    `\nQuorum store under a partition (${figures.seeds} seeds per row; ${figures.scenario})\n` +
    `${renderTable(
      ['N', 'R/W', 'mode', 'res.', 'writes accepted (P)', 'reads answered (P)', 'stale reads', 'lost acked writes', 'convergence ms', 'not linearizable', 'read p50/p99 ms (E)', 'write p50/p99 ms (E)'],
      rows,
      new Set([0, 4, 5, 6, 7, 8, 9, 10, 11]),
    )}\n` +
    `(P): operations invoked while the network was split; stale reads / reads answered and lost / acknowledged over the whole run;\n` +
    `convergence: from the heal to the first time all home replicas hold the same versions; not linearizable: CP histories checked\n` +
    `as a register (those whose reads returned one value); (E): the same clients without a partition or loss, in virtual ms\n` +
    `chart: ${figures.svg}\n`
  );
}
