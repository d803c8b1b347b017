/**
 * `npm run bench -- ring`: the consistent-hashing ring's balance, movement and lookup speed, next to
 * the npm package `hashring` (ketama, MD5) and to rendezvous and jump hashing on the same keys.
 *
 * Balance and movement are computed from each member's exact share of the ring's positions (what a
 * uniform hash of infinitely many keys gives), averaged over many seeds (node names); a sample of real
 * keys confirms that every moved key went to the joiner or came from the leaver.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  Rendezvous,
  balanceOf,
  joinLayout,
  jumpOwner,
  keyCounts,
  keyMovement,
  keyPositions,
  layoutOf,
  movedShare,
  ownerOf,
  ownershipShares,
  preferenceList,
  ringOfLayout,
  stepRing,
} from '../ring/index.js';
import { median } from './stats.js';

/** The `hashring` package's API, as far as the bench uses it (it ships no types). */
interface KetamaRing {
  get(key: string): string | undefined;
}
type KetamaRingConstructor = new (servers: readonly string[], algorithm: string, options: Readonly<Record<string, number>>) => KetamaRing;
// A CommonJS package without types: loaded with require, typed by the interface above.
const HashRingPackage = createRequire(import.meta.url)('hashring') as KetamaRingConstructor;

export const RING_NODE_COUNTS = [10, 100] as const;
export const RING_VNODE_COUNTS = [1, 16, 64, 100, 256] as const;

/** Imbalance (the fullest member's share over the mean share) over seeds, for one ring size. */
export interface ImbalanceRow {
  readonly nodes: number;
  readonly vnodes: number;
  readonly seeds: number;
  readonly mean: number;
  readonly p95: number;
}

/** Keys moved by a join (or leave) over seeds, against the ideal 1/(n+1) (1/n). */
export interface MovementRow {
  readonly nodes: number;
  readonly vnodes: number;
  readonly kind: 'join' | 'leave';
  readonly seeds: number;
  readonly meanFraction: number;
  readonly idealFraction: number;
  /** mean / ideal - 1. */
  readonly relativeError: number;
  /** The 95th percentile of one seed's |fraction / ideal - 1|. */
  readonly p95SeedError: number;
  /** Sampled keys that moved elsewhere than to the joiner (from the leaver): must be 0. */
  readonly misplacedKeys: number;
  readonly sampledKeys: number;
}

/** One way of placing keys: lookups per second and memory. */
export interface LookupRow {
  readonly name: string;
  readonly lookupsPerSecond: number;
  /** Heap bytes per vnode (ring point); null where there are none. */
  readonly bytesPerVnode: number | null;
  /** max / mean keys per node on the benchmark's keys. */
  readonly imbalance: number;
}

export interface RingFigures {
  readonly imbalance: readonly ImbalanceRow[];
  readonly movement: readonly MovementRow[];
  readonly lookups: { readonly nodes: number; readonly vnodes: number; readonly keys: number; readonly repetitions: number; readonly rows: readonly LookupRow[] };
  readonly svg: string;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

const nodeNames = (seed: number, n: number) => Array.from({ length: n }, (_, i) => `s${seed}-node-${i + 1}`);
const seedsFor = (nodes: number) => (nodes <= 10 ? 200 : 40);

/** Imbalance of rings of every size in the table, over seeds. */
export function measureImbalance(): ImbalanceRow[] {
  const rows: ImbalanceRow[] = [];
  for (const nodes of RING_NODE_COUNTS) {
    for (const vnodes of RING_VNODE_COUNTS) {
      const seeds = seedsFor(nodes);
      const values = Array.from({ length: seeds }, (_, seed) => balanceOf(ownershipShares(ringOfLayout(layoutOf(nodeNames(seed, nodes), vnodes))).values()).imbalance);
      rows.push({ nodes, vnodes, seeds, mean: values.reduce((a, b) => a + b, 0) / seeds, p95: percentile(values, 0.95) });
    }
  }
  return rows;
}

/** Keys moved by a join and by a leave, over seeds. */
export function measureMovement(vnodeCounts: readonly number[] = [16, 100, 256], sampledKeys = 20_000): MovementRow[] {
  const keys = keyPositions(Array.from({ length: sampledKeys }, (_, i) => `key-${i}`));
  const rows: MovementRow[] = [];
  for (const nodes of RING_NODE_COUNTS) {
    for (const vnodes of vnodeCounts) {
      for (const kind of ['join', 'leave'] as const) {
        const seeds = Math.min(seedsFor(nodes), 40);
        const fractions: number[] = [];
        let misplaced = 0;
        for (let seed = 0; seed < seeds; seed++) {
          const layout = layoutOf(nodeNames(seed, nodes), vnodes);
          const ring = ringOfLayout(layout);
          const node = kind === 'join' ? `s${seed}-joiner` : `s${seed}-node-1`;
          const step = kind === 'join' ? joinLayout(ring, layout, node) : stepRing(ring, { type: 'Leave', node });
          if (step.refused !== undefined) throw new Error(step.refused);
          fractions.push(movedShare(step.moved));
          // The sample is the check of the promise; a few seeds suffice.
          if (seed < 5) misplaced += keyMovement(ring, step.ring, keys, node, kind).misplaced;
        }
        const ideal = kind === 'join' ? 1 / (nodes + 1) : 1 / nodes;
        const meanFraction = fractions.reduce((a, b) => a + b, 0) / seeds;
        rows.push({
          nodes,
          vnodes,
          kind,
          seeds,
          meanFraction,
          idealFraction: ideal,
          relativeError: meanFraction / ideal - 1,
          p95SeedError: percentile(fractions.map((f) => Math.abs(f / ideal - 1)), 0.95),
          misplacedKeys: misplaced,
          sampledKeys: Math.min(seeds, 5) * sampledKeys,
        });
      }
    }
  }
  return rows;
}

/** Heap bytes a builder's result holds, per vnode, from `count` copies kept alive at once. */
function bytesPer(vnodes: number, count: number, build: () => unknown): number | null {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc !== 'function') return null;
  gc();
  const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const before = used();
  const kept = Array.from({ length: count }, build);
  gc();
  const after = used();
  if (kept.length !== count) throw new Error('unreachable');
  return (after - before) / (vnodes * count);
}

/** Lookups per second of each way of placing keys (median of `repetitions`, alternating), and memory. */
export function measureLookups(repetitions: number, nodes = 10, vnodes = 100, keyCount = 200_000): RingFigures['lookups'] {
  const members = nodeNames(0, nodes);
  const keys = Array.from({ length: keyCount }, (_, i) => `user:${i}:profile`);
  const layout = layoutOf(members, vnodes);
  const ring = ringOfLayout(layout);
  // ketama: 4 points per MD5 digest, so vnodes / 4 digests per server give the same number of points.
  const ketamaOptions = { 'vnode count': Math.max(1, Math.round(vnodes / 4)), 'max cache size': 1 };
  const ketama = new HashRingPackage(members, 'md5', ketamaOptions);
  const rendezvous = new Rendezvous(members);
  const ways: ReadonlyArray<readonly [string, (key: string) => string | null | undefined, number | null]> = [
    [`ring (src/ring, ${vnodes} vnodes, MurmurHash3): owner`, (k) => ownerOf(ring, k), bytesPer(nodes * vnodes, 50, () => ringOfLayout(layout))],
    [`ring: preference list of 3`, (k) => preferenceList(ring, k, 3)[0], null],
    [`hashring package (ketama, MD5, ${vnodes} points)`, (k) => ketama.get(k), bytesPer(nodes * vnodes, 50, () => new HashRingPackage(members, 'md5', ketamaOptions))],
    ['rendezvous (one hash per node)', (k) => rendezvous.ownerOf(k), null],
    ['jump consistent hash', (k) => jumpOwner(k, members), null],
  ];
  const runs: number[][] = ways.map(() => []);
  let sink = 0;
  for (let r = 0; r < repetitions; r++) {
    ways.forEach(([, lookup], i) => {
      const start = process.hrtime.bigint();
      for (const key of keys) sink += lookup(key)?.length ?? 0;
      runs[i]!.push(keyCount / (Number(process.hrtime.bigint() - start) / 1e9));
    });
  }
  if (sink < 0) throw new Error('unreachable');
  const rows = ways.map(([name, lookup, bytes], i) => {
    const counts = new Map<string, number>();
    for (const key of keys) {
      const owner = lookup(key) ?? '';
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    return { name, lookupsPerSecond: median(runs[i]!), bytesPerVnode: bytes, imbalance: balanceOf(counts.values()).imbalance };
  });
  // The ring's own count must agree with its lookups (a check of the bench, not a figure).
  if (keyCounts(ring, keyPositions(keys)).size !== nodes) throw new Error('the ring lost a member');
  return { nodes, vnodes, keys: keyCount, repetitions, rows };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** An SVG line chart of mean and p95 imbalance against vnodes, one line pair per ring size. */
export function renderImbalanceSvg(rows: readonly ImbalanceRow[]): string {
  const [W, H, left, right, top, bottom] = [640, 400, 60, 20, 60, 70];
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = Math.min(4, Math.max(1.2, ...rows.filter((r) => r.vnodes >= 16).map((r) => r.p95))) * 1.05;
  const y = (v: number) => top + plotH - ((Math.min(v, max) - 1) / (max - 1)) * plotH;
  const x = (i: number) => left + (plotW * (i + 0.5)) / RING_VNODE_COUNTS.length;
  const colours: Record<number, string> = { 10: '#4e79a7', 100: '#e15759' };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="16">Load imbalance (fullest node / mean) vs vnodes per node</text>`,
    `<text x="${W / 2}" y="40" text-anchor="middle" font-size="9" fill="#555">${esc('src/ring, MurmurHash3; exact shares of the ring, over seeds; solid: mean, dashed: p95; off-scale values clipped')}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const v = 1 + ((max - 1) / 5) * i;
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(2)}</text>`);
  }
  RING_VNODE_COUNTS.forEach((v, i) => parts.push(`<text x="${x(i).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${v}</text>`));
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 38}" text-anchor="middle">vnodes per node</text>`);
  parts.push(`<text x="16" y="${top + plotH / 2}" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle">imbalance</text>`);
  for (const nodes of RING_NODE_COUNTS) {
    const series = RING_VNODE_COUNTS.map((v) => rows.find((r) => r.nodes === nodes && r.vnodes === v)!);
    for (const [field, dash] of [['mean', ''], ['p95', ' stroke-dasharray="5 4"']] as const) {
      const points = series.map((r, i) => `${x(i).toFixed(1)},${y(r[field]).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${points}" fill="none" stroke="${colours[nodes]}" stroke-width="2"${dash}/>`);
    }
    series.forEach((r, i) => parts.push(`<text x="${(x(i) + 4).toFixed(1)}" y="${(y(r.mean) - 6).toFixed(1)}" fill="${colours[nodes]}" font-size="10">${r.mean.toFixed(2)}</text>`));
  }
  const ly = H - 14;
  RING_NODE_COUNTS.forEach((nodes, i) => {
    const lx = left + i * 120;
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colours[nodes]}" stroke-width="2"/><text x="${lx + 22}" y="${ly}">n = ${nodes}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The whole suite; writes the chart to `svgPath`. */
export function benchRing(repetitions: number, svgPath: string): RingFigures {
  const imbalance = measureImbalance();
  writeFileSync(svgPath, renderImbalanceSvg(imbalance));
  return { imbalance, movement: measureMovement(), lookups: measureLookups(repetitions), svg: svgPath };
}
