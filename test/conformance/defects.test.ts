// Negative controls: each deliberately broken core of src/raft/defects.ts is caught by conformance of the
// committed corpus, in every protocol whose spec states the rule it breaks, at the action that exercises
// that rule (and, for Raft, in the scenario built to exercise it).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConformanceReport, loadCorpus, type ProtocolReport, runConformance } from '../../src/conformance/run.js';
import { REPO_ROOT } from '../../src/paths.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import { DEFECTS, type DefectName } from '../../src/raft/defects.js';
import { KV_DEFECTS } from '../../src/quorum-kv/index.js';
import { RING_DEFECTS } from '../../src/ring/index.js';

const corpus = loadCorpus([join(REPO_ROOT, 'traces')], REPO_ROOT, { registry: PROTOCOLS });
const run = async (defect: DefectName): Promise<ConformanceReport> => runConformance(await corpus, PROTOCOLS, { defect });

type Catch = { readonly check: 'replay' | 'enabledness'; readonly action: string; readonly scenario?: string };

/** Where each defect must be caught, per protocol; a protocol not named does not state the broken rule. */
const expected: Record<DefectName, Partial<Record<'raft' | 'quorum-safety', Catch>>> = {
  'double-vote': {
    raft: { check: 'replay', action: 'HandleRequestVoteRequest', scenario: 'vote-refused-already-voted' },
    // QuorumSafety's traces hold only votes granted; the tour's states offer the second vote the spec refuses.
    'quorum-safety': { check: 'enabledness', action: 'GrantVote' },
  },
  'skip-log-check': { raft: { check: 'replay', action: 'HandleRequestVoteRequest', scenario: 'vote-refused-stale-log' } },
  'volatile-voted-for': { raft: { check: 'replay', action: 'Restart', scenario: 'restart-mid-election' } },
  // A core that commits more than the spec allows agrees with every trace (no trace holds the step the
  // spec forbids); the enabledness check over the tour graph sees it offer AdvanceCommitIndex there.
  'commit-old-term': { raft: { check: 'enabledness', action: 'AdvanceCommitIndex' } },
  // No targeted scenario holds the step; the tour does: a new leader, whose commit index is still 0, sends a
  // heartbeat to a follower that has learnt commit index 1 from the previous leader.
  'commit-index-regress': { raft: { check: 'replay', action: 'HandleAppendEntriesRequest' } },
  // A candidate taking office with half the votes: both tours hold candidates with half the votes.
  'minority-quorum': { raft: { check: 'enabledness', action: 'BecomeLeader' }, 'quorum-safety': { check: 'enabledness', action: 'BecomeLeader' } },
  'skip-consistency-check': { raft: { check: 'replay', action: 'HandleAppendEntriesRequest', scenario: 'leader-backs-up' } },
  'overcount-match': { raft: { check: 'replay', action: 'HandleAppendEntriesResponse', scenario: 'commit-learned' } },
  // Persistence: replay restarts a node from what its core asked to persist, so a write left out shows at
  // the node's next restart, in the scenario built to restart it right after that write.
  'vote-not-persisted': { raft: { check: 'replay', action: 'Restart', scenario: 'restart-after-known-term-vote' } },
  'term-persisted-with-vote-only': { raft: { check: 'replay', action: 'Restart', scenario: 'restart-after-term-only-change' } },
  'restart-clears-vote': { raft: { check: 'replay', action: 'Restart', scenario: 'restart-mid-election' } },
  'restart-term-from-log': { raft: { check: 'replay', action: 'Restart', scenario: 'restart-after-term-only-change' } },
  // Only the guided three-term scenario has a follower with a stale suffix behind a matching prefix.
  'commit-by-log-length': { raft: { check: 'replay', action: 'HandleAppendEntriesRequest', scenario: 'stale-suffix-behind-prefix' } },
};

function expectCaught(report: ProtocolReport, want: Catch, defect: string): void {
  const divergenceActions = new Set(report.divergences.map((d) => d.action.replace(/\(.*$/, '')));
  const mismatches = report.enabledness.flatMap((e) => e.mismatches);
  if (want.check === 'replay') {
    expect(report.divergences.length, `${defect} was not caught by ${report.protocol}'s replay`).toBeGreaterThan(0);
    // Every divergence is at the action whose rule the defect breaks.
    expect([...divergenceActions]).toEqual([want.action]);
    const caughtBy = want.scenario === undefined ? report.divergences[0] : report.divergences.find((d) => d.file.endsWith(`scenario/${want.scenario}.itf.json`));
    expect(caughtBy, `the ${want.scenario} scenario does not catch ${defect}`).toBeDefined();
    expect(caughtBy?.kind).toBe('state');
    expect(caughtBy?.differences.length).toBeGreaterThan(0);
  } else {
    expect(report.divergences).toEqual([]);
    expect(mismatches.length, `${defect} was not caught by ${report.protocol}'s enabledness check`).toBeGreaterThan(0);
    expect(new Set(mismatches.map((m) => `${m.kind} ${m.action.replace(/\(.*$/, '')}`))).toEqual(new Set([`implementation-only ${want.action}`]));
  }
}

describe('defective cores are caught by conformance, in each protocol whose spec they violate', () => {
  it('every defect of the registry is listed here', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(DEFECTS).sort());
  });

  it.each(Object.keys(expected) as DefectName[])('%s', async (defect) => {
    const report = await run(defect);
    const wanted = expected[defect];
    expect(report.protocols.map((p) => p.protocol).sort()).toEqual(Object.keys(wanted).sort());
    for (const p of report.protocols) expectCaught(p, wanted[p.protocol as keyof typeof wanted] as Catch, defect);
    // A protocol without the defect is named, not silently passed.
    expect([...report.withoutDefect].sort()).toEqual(['raft', 'quorum-safety', 'hash-ring', 'quorum-kv'].filter((n) => !(n in wanted)).sort());
  });
});

describe("the hash ring's defective cores are caught by replay, at the step that exercises the broken rule", () => {
  const ringDefects = {
    'owner-strictly-after': { action: 'Join', path: /^owner\[\d+\]$/ },
    'walk-keeps-own-vnodes': { action: 'Join', path: /^preference\[\d+\]$/ },
    'handoff-to-next-vnode': { action: 'Leave', path: /^moved\[position \d+\]$/ },
  } as const;

  it('every defect of the ring is listed here', () => {
    expect(Object.keys(ringDefects).sort()).toEqual(Object.keys(RING_DEFECTS).sort());
  });

  it.each(Object.entries(ringDefects))('%s', async (defect, want) => {
    const report = await runConformance(await corpus, PROTOCOLS, { defect });
    expect(report.protocols.map((p) => p.protocol)).toEqual(['hash-ring']);
    expect([...report.withoutDefect].sort()).toEqual(['quorum-kv', 'quorum-safety', 'raft']);
    const ring = report.protocols[0]!;
    expect(ring.divergences.length).toBeGreaterThan(0);
    // The first divergence of each trace is at the action whose rule the defect breaks, in the variable it feeds.
    expect(new Set(ring.divergences.map((d) => d.action.replace(/\(.*$/, '')))).toEqual(new Set([want.action]));
    for (const d of ring.divergences) for (const diff of d.differences) expect(diff.path).toMatch(want.path);
  });
});

describe("the quorum store's defective cores are caught by replay, at the step that exercises the broken rule", () => {
  const kvDefects = {
    // Two concurrent versions: last-write-wins keeps one where the vectors keep both (in a store, or in the
    // result of the siblings-read scenario's read), or drops the newer write of a node that had seen the other.
    'lww-where-vv': { actions: ['Replicate', 'Write', 'AntiEntropy', 'Answer'], path: /^(store\[n\d\]|reads\[\d\]|msgs\[Put .* repair\])$/ },
    // W = 2 in both models: the coordinator's own ack already acknowledges the write.
    'ack-short-of-w': { actions: ['Write'], path: /^writes\[v\d\]$/ },
    // The read-drops-superseded scenario, and R = 2 reads of the random walks whose coordinator and replica disagree.
    'read-skips-version-compare': { actions: ['Answer'], path: /^(reads\[\d\]|msgs\[Put .* repair\])$/, scenario: 'read-drops-superseded' },
  } as const;

  it('every defect of the store is listed here', () => {
    expect(Object.keys(kvDefects).sort()).toEqual(Object.keys(KV_DEFECTS).sort());
  });

  it.each(Object.entries(kvDefects))('%s', async (defect, want) => {
    const report = await runConformance(await corpus, PROTOCOLS, { defect });
    expect(report.protocols.map((p) => p.protocol)).toEqual(['quorum-kv']);
    const kv = report.protocols[0]!;
    expect(kv.divergences.length).toBeGreaterThan(0);
    // A defect a targeted scenario exists for is caught there, not only by the luck of a random walk.
    if ('scenario' in want) expect(kv.divergences.some((d) => d.file.endsWith(`scenario/${want.scenario}.itf.json`))).toBe(true);
    for (const d of kv.divergences) {
      expect(want.actions).toContain(d.action.replace(/\(.*$/, ''));
      expect(d.differences.length).toBeGreaterThan(0);
      for (const diff of d.differences) expect(diff.path).toMatch(want.path);
    }
  });
});
