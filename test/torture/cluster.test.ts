import { describe, expect, it } from 'vitest';
import { renderClusterReport, renderClusterSvg, type ClusterFigures } from '../../src/bench/cluster.js';
import { formatLinkMode } from '../../src/node/link-proxy.js';
import { allocatePorts, proxyModes } from '../../src/torture/cluster.js';

describe('the real cluster harness', () => {
  it('sets each link proxy so that exactly the cut directions lose their messages', () => {
    const show = (links: [number, number][]) => proxyModes(links, 3).map((row) => row.map((m) => (m === null ? '-' : formatLinkMode(m))));
    expect(show([])).toEqual([
      ['-', 'pass', 'pass'],
      ['pass', '-', 'pass'],
      ['pass', 'pass', '-'],
    ]);
    // s1 isolated both ways: every link to or from it is silent.
    expect(show([[0, 1], [0, 2], [1, 0], [2, 0]])).toEqual([
      ['-', 'drop (blackhole)', 'drop (blackhole)'],
      ['drop (blackhole)', '-', 'pass'],
      ['drop (blackhole)', 'pass', '-'],
    ]);
    // Only s1 -> s2 lost: s1's link to s2 keeps s2's answers, s2's link to s1 keeps s2's own messages.
    expect(show([[0, 1]])).toEqual([
      ['-', 'one-way from-target', 'pass'],
      ['one-way to-target', '-', 'pass'],
      ['pass', 'pass', '-'],
    ]);
  });

  it('allocates distinct free ports below the ephemeral range', async () => {
    const ports = await allocatePorts(6);
    expect(new Set(ports).size).toBe(6);
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(1024);
  });
});

describe('the cluster benchmark report', () => {
  const figures: ClusterFigures = {
    runtime: 'compiled',
    disk: 'a disk',
    latency: [
      { nodes: 3, writes: 100, meanMs: 5.2, p50Ms: 4, p99Ms: 17, simulated: { meanMs: 5.9, p50Ms: 5.7, p99Ms: 8.9 } },
      { nodes: 9, writes: 50, meanMs: 17, p50Ms: 15, p99Ms: 45, simulated: { meanMs: 6, p50Ms: 5.9, p99Ms: 8.8 } },
    ],
    throughputNodes: 3,
    throughputSeconds: 5,
    throughput: [
      { clients: 1, writesPerSecond: 107, runs: [107, 111], p50Ms: 9, p99Ms: 36, notOk: 0, logLengthAtEnd: 500 },
      { clients: 64, writesPerSecond: 117, runs: [117], p50Ms: 439, p99Ms: 764, notOk: 0, logLengthAtEnd: 600 },
    ],
    simulatorModel: 'a model <with> & symbols',
    svg: 'x.svg',
  };

  it('puts measured and simulated latency side by side, with the ratio', () => {
    const text = renderClusterReport(figures, 2);
    expect(text).toMatch(/^3 +100 +5\.20 +4\.00 +17\.00 +5\.90 +5\.70 +8\.90 +0\.88x$/m);
    expect(text).toMatch(/^ +64 +117 +117 +439\.00 +764\.00 +0 +600$/m);
  });

  it('draws one bar per measured and simulated mean and per client count, escaping the subtitle', () => {
    const svg = renderClusterSvg(figures);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect [^>]*fill="#4e79a7"/g)).toHaveLength(3); // 2 bars + legend
    expect(svg.match(/<rect [^>]*fill="#bab0ac"/g)).toHaveLength(3);
    expect(svg.match(/<rect [^>]*fill="#59a14f"/g)).toHaveLength(3);
    expect(svg).toContain('a model &lt;with> &amp; symbols');
    expect(svg).not.toContain('NaN');
  });
});
