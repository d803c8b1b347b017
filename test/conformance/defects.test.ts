// Negative controls: each deliberately broken core of src/raft/defects.ts is caught by conformance of the
// committed corpus, at the action that exercises the broken rule, and in the scenario built to exercise it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConformanceReport, loadCorpus, runConformance } from '../../src/conformance/run.js';
import { DEFECTS, type DefectName } from '../../src/raft/defects.js';
import { REPO_ROOT } from '../../src/tlc/toolchain.js';

const corpus = loadCorpus([join(REPO_ROOT, 'traces')], REPO_ROOT);
const run = async (defect: DefectName): Promise<ConformanceReport> => runConformance(await corpus, { stepFn: DEFECTS[defect].step });

/** Where each defect must be caught: by which check, at which action, and in which scenario (if any). */
const expected: Record<DefectName, { check: 'replay' | 'enabledness'; action: string; scenario?: string }> = {
  'double-vote': { check: 'replay', action: 'HandleRequestVoteRequest', scenario: 'vote-refused-already-voted' },
  'skip-log-check': { check: 'replay', action: 'HandleRequestVoteRequest', scenario: 'vote-refused-stale-log' },
  'volatile-voted-for': { check: 'replay', action: 'Restart', scenario: 'restart-mid-election' },
  // A core that commits more than the spec allows agrees with every trace (no trace holds the step the
  // spec forbids); the enabledness check over the tour graph sees it offer AdvanceCommitIndex there.
  'commit-old-term': { check: 'enabledness', action: 'AdvanceCommitIndex' },
  // No targeted scenario holds the step; the tour does: a new leader, whose commit index is still 0, sends a
  // heartbeat to a follower that has learnt commit index 1 from the previous leader.
  'commit-index-regress': { check: 'replay', action: 'HandleAppendEntriesRequest' },
};

describe('defective cores are caught by conformance', () => {
  it.each(Object.keys(expected) as DefectName[])('%s', async (defect) => {
    const want = expected[defect];
    const report = await run(defect);
    const divergenceActions = new Set(report.divergences.map((d) => d.action.name));
    const mismatches = report.enabledness.flatMap((e) => e.mismatches);
    if (want.check === 'replay') {
      expect(report.divergences.length, `${defect} was not caught by replay`).toBeGreaterThan(0);
      // Every divergence is at the action whose rule the defect breaks.
      expect([...divergenceActions]).toEqual([want.action]);
      const caughtBy = want.scenario === undefined ? report.divergences[0] : report.divergences.find((d) => d.file.endsWith(`scenario/${want.scenario}.itf.json`));
      expect(caughtBy, `the ${want.scenario} scenario does not catch ${defect}`).toBeDefined();
      expect(caughtBy?.kind).toBe('state');
      expect(caughtBy?.differences.length).toBeGreaterThan(0);
    } else {
      expect(report.divergences).toEqual([]);
      expect(mismatches.length, `${defect} was not caught by the enabledness check`).toBeGreaterThan(0);
      expect(new Set(mismatches.map((m) => `${m.kind} ${m.action.name}`))).toEqual(new Set([`implementation-only ${want.action}`]));
    }
  });
});
