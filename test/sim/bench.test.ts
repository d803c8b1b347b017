import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCommitLatency, formatLatencyTable, measureSimThroughput } from '../../src/bench/sim.js';

describe('simulator benchmarks (smoke: shapes, not speeds)', () => {
  it('measures write latency per cluster size and writes an SVG chart', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sim-bench-')), 'latency.svg');
    const rows = benchCommitLatency(path, [3, 5], 100);
    expect(rows.map((r) => r.nodes)).toEqual([3, 5]);
    for (const r of rows) {
      expect(r.writes).toBe(100);
      expect(r.p50Ms).toBeGreaterThan(0);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    }
    const svg = readFileSync(path, 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('N = 5');
    expect(formatLatencyTable(rows)).toMatch(/N +writes +mean ms +p50 ms +p99 ms/);
  });

  it('counts delivered messages per second', () => {
    const t = measureSimThroughput({ minWallMs: 50 });
    expect(t.runs).toBeGreaterThan(0);
    expect(t.delivered).toBeGreaterThan(0);
    expect(t.wallMs).toBeGreaterThanOrEqual(50);
    expect(t.deliveredPerSecond).toBeCloseTo((t.delivered / t.wallMs) * 1000, 6);
  });
});
