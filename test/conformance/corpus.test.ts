// The committed corpus (traces/) replays against the real cores with 0 divergences, protocol by
// protocol: every action of each vocabulary appears, each tour covers its model's whole state graph, and
// the implementation enables exactly the spec's steps in every state of that graph. This file alone is
// what "branch coverage of src/raft by conformance" measures (see the README): it exercises the core
// only through replay.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDivergence } from '../../src/conformance/replay.js';
import { type ConformanceReport, loadCorpus, type ProtocolReport, runConformance } from '../../src/conformance/run.js';
import { REPO_ROOT } from '../../src/paths.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';

let report: ConformanceReport;
const of = (name: string): ProtocolReport => {
  const r = report.protocols.find((p) => p.protocol === name);
  if (r === undefined) throw new Error(`no report for ${name}`);
  return r;
};

beforeAll(async () => {
  report = await runConformance(await loadCorpus([join(REPO_ROOT, 'traces')], REPO_ROOT, { registry: PROTOCOLS }), PROTOCOLS);
});

describe('the committed corpus (traces/)', () => {
  it('holds traces of every protocol, nothing skipped', () => {
    expect(report.protocols.map((p) => p.protocol)).toEqual(['raft', 'quorum-safety', 'hash-ring', 'quorum-kv']);
    expect(report.skipped).toEqual([]);
    expect(of('raft').traces).toBeGreaterThan(100);
    expect(of('quorum-safety').traces).toBeGreaterThan(100);
    expect(of('hash-ring').traces).toBeGreaterThanOrEqual(40);
  });

  it.each(['raft', 'quorum-safety', 'hash-ring', 'quorum-kv'])('%s replays with 0 divergences', (name) => {
    expect(of(name).divergences.map(formatDivergence)).toEqual([]);
    expect(of(name).stepsMatched).toBe(of(name).steps);
  });

  it.each(['raft', 'quorum-safety', 'hash-ring', 'quorum-kv'])('%s replays every action of its vocabulary', (name) => {
    const protocol = PROTOCOLS.find((p) => p.name === name);
    expect(of(name).coverage.missingActions).toEqual([]);
    expect(of(name).coverage.actions.map((a) => a.name)).toEqual(protocol?.actions);
    for (const a of of(name).coverage.actions) expect(a.steps, a.name).toBeGreaterThan(0);
  });

  it.each([
    ['raft', 'MCRaftTraceTour', 601, 996],
    ['quorum-safety', 'MCQuorumTraceTour', 421, 1312],
    ['hash-ring', 'MCHashRingTraceTour', 159, 612],
    ['quorum-kv', 'MCQuorumKVTraceTour', 355, 672],
  ])("%s covers every state and every edge of its tour model's state graph", (name, model, states, edges) => {
    const tour = of(name).coverage.models.find((m) => m.model === model);
    expect(tour?.graph).toMatchObject({ states, edges });
    expect(tour?.states).toBe(states);
    expect(tour?.edges).toBe(edges);
  });

  it.each(['raft', 'quorum-safety', 'hash-ring', 'quorum-kv'])('%s: the implementation enables exactly the steps the spec enables in every state of the tour graph', (name) => {
    expect(of(name).enabledness).toHaveLength(1);
    expect(of(name).enabledness[0]?.mismatches).toEqual([]);
    expect(of(name).enabledness[0]?.states).toBeGreaterThan(100);
  });
});
