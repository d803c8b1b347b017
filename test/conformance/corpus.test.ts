// The committed corpus (traces/) replays against the real core with 0 divergences, every action of the
// vocabulary appears, the tour covers its model's whole state graph, and the core enables exactly the
// spec's steps in every state of that graph. This file alone is what "branch coverage of src/raft by
// conformance" measures (see the README): it exercises the core only through replay.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDivergence } from '../../src/conformance/replay.js';
import { type ConformanceReport, loadCorpus, runConformance } from '../../src/conformance/run.js';
import { RAFT_ACTIONS } from '../../src/conformance/coverage.js';
import { REPO_ROOT } from '../../src/tlc/toolchain.js';

let report: ConformanceReport;

beforeAll(async () => {
  report = await runConformance(await loadCorpus([join(REPO_ROOT, 'traces')], REPO_ROOT));
});

describe('the committed corpus (traces/)', () => {
  it('holds traces of all three modes', () => {
    expect(report.traces).toBeGreaterThan(100);
    expect(report.steps).toBeGreaterThan(2000);
  });

  it('replays with 0 divergences', () => {
    expect(report.divergences.map(formatDivergence)).toEqual([]);
    expect(report.stepsMatched).toBe(report.steps);
  });

  it('replays every action of the vocabulary', () => {
    expect(report.coverage.missingActions).toEqual([]);
    expect(report.coverage.actions.map((a) => a.name)).toEqual(RAFT_ACTIONS);
    for (const a of report.coverage.actions) expect(a.steps, a.name).toBeGreaterThan(0);
  });

  it("covers every state and every edge of the tour model's state graph", () => {
    const tour = report.coverage.models.find((m) => m.model === 'MCRaftTraceTour');
    expect(tour?.graph).toBeDefined();
    expect(tour?.states).toBe(tour?.graph?.states);
    expect(tour?.edges).toBe(tour?.graph?.edges);
  });

  it('the core enables exactly the steps the spec enables in every state of the tour graph', () => {
    expect(report.enabledness).toHaveLength(1);
    expect(report.enabledness[0]?.mismatches).toEqual([]);
    expect(report.enabledness[0]?.states).toBeGreaterThan(100);
  });
});
