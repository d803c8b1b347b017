/**
 * The state-graph check on the three-server model MCRaftTraceTour3: TLC dumps its whole graph once, and
 * the real core must reproduce every edge and take no step the spec does not, in every state; each
 * defective core must be caught, at a state the report names.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StateGraphDump, checkDumpedGraph, dumpStateGraph } from '../../src/conformance/state-graph-run.js';
import { RAFT } from '../../src/definitions/raft/definition.js';
import type { GraphModel } from '../../src/protocol/definition.js';
import { tlcToolchain } from '../support/tlc.js';

const MODEL = RAFT.graphModels.find((m) => m.name === 'MCRaftTraceTour3') as GraphModel;

// Where each defect is caught, and how. `commit-by-log-length` needs a follower's stale suffix behind a
// matching prefix (logs of three entries): out of reach of a model whose logs hold one entry; the guided
// scenario stale-suffix-behind-prefix of `npm run conformance` catches it.
const CAUGHT: Readonly<Record<string, { kind: string; action: RegExp }>> = {
  'double-vote': { kind: 'state', action: /^HandleRequestVoteRequest/ },
  'skip-log-check': { kind: 'state', action: /^HandleRequestVoteRequest/ },
  'commit-old-term': { kind: 'implementation-only', action: /^AdvanceCommitIndex/ },
  'volatile-voted-for': { kind: 'unsettled', action: /^Restart/ },
  'commit-index-regress': { kind: 'state', action: /^HandleAppendEntriesRequest/ },
  'minority-quorum': { kind: 'implementation-only', action: /^BecomeLeader/ },
  'skip-consistency-check': { kind: 'state', action: /^HandleAppendEntriesRequest/ },
  'overcount-match': { kind: 'state', action: /^HandleAppendEntriesResponse/ },
  'vote-not-persisted': { kind: 'unsettled', action: /^HandleRequestVoteRequest/ },
  'term-persisted-with-vote-only': { kind: 'unsettled', action: /^Timeout/ },
  'restart-clears-vote': { kind: 'state', action: /^Restart/ },
  'restart-term-from-log': { kind: 'state', action: /^Restart/ },
};
const OUT_OF_REACH = ['commit-by-log-length'];

describe('state-graph conformance: every state and edge of MCRaftTraceTour3 (3 servers)', () => {
  let dump: StateGraphDump;
  beforeAll(async () => {
    dump = await dumpStateGraph({ toolchain: await tlcToolchain(), workers: 2, timeoutMs: 15 * 60_000 }, MODEL);
  }, 16 * 60_000);
  afterAll(async () => {
    await dump?.close();
  });

  it('the graph is the model the issue asks for: at least 50,000 states, servers symmetric', () => {
    expect(dump.index.stateCount).toBeGreaterThanOrEqual(50_000);
    expect(dump.index.stateCount).toBe(dump.tlc.distinct);
    expect(MODEL).toMatchObject({ symmetric: true, labelInState: true, tier: 'ci' });
  });

  it('the real core reproduces every edge and takes only the steps the spec enables, in every state (two threads)', async () => {
    const report = await checkDumpedGraph({}, dump, RAFT, MODEL, { threads: 2 });
    console.log(
      `MCRaftTraceTour3: ${report.states} states, ${report.edges} edges replayed ${report.edgesReplayed}, ${report.inputsOffered} steps offered, ${report.stepsInsideModel} inside; TLC ${Math.round(report.tlc.durationMs / 1000)} s, check ${Math.round(report.durationMs / 1000)} s`,
    );
    expect(report.mismatches).toEqual([]);
    expect(report.statesChecked).toBe(report.states);
    expect(report.edgesReplayed).toBe(report.edges);
    expect(report.inputsOffered).toBeGreaterThan(report.edges);
  }, 15 * 60_000);

  it('stops between two states when its signal is aborted (Ctrl-C), saying how far it got', async () => {
    const controller = new AbortController();
    const report = await RAFT.stateGraph(dump.index, MODEL, { text: readFileSync(MODEL.config, 'utf8'), file: MODEL.config }, {
      signal: controller.signal,
      progressEvery: 1000,
      onProgress: () => controller.abort(),
    });
    expect(report.interrupted).toBe(true);
    expect(report.statesChecked).toBeGreaterThanOrEqual(1000);
    expect(report.statesChecked).toBeLessThan(report.states);
    expect(report.mismatchCount).toBe(0);
  });

  it('split over two threads, a defect is first reported at the same state as in one thread', async () => {
    const one = await checkDumpedGraph({}, dump, RAFT, MODEL, { defect: 'double-vote', maxMismatches: 1 });
    const two = await checkDumpedGraph({}, dump, RAFT, MODEL, { defect: 'double-vote', maxMismatches: 1, threads: 2 });
    expect(two.mismatches[0]).toEqual(one.mismatches[0]);
    expect(two.paths).toEqual(one.paths);
    expect(two.mismatchCount).toBeGreaterThanOrEqual(one.mismatchCount);
  });

  it('every defect of the vocabulary is listed here, caught or out of reach', () => {
    expect([...Object.keys(CAUGHT), ...OUT_OF_REACH].sort()).toEqual(RAFT.defects.map((d) => d.name).sort());
  });

  it.each(Object.entries(CAUGHT))('the defective core %s is caught, at a state the report names with the way there', async (defect, expected) => {
    const report = await checkDumpedGraph({}, dump, RAFT, MODEL, { defect, maxMismatches: 1 });
    expect(report.mismatchCount).toBeGreaterThan(0);
    const first = report.mismatches[0];
    expect(first?.kind).toBe(expected.kind);
    expect(first?.action).toMatch(expected.action);
    const path = report.paths[first?.fingerprint ?? ''];
    expect(path?.length).toBeGreaterThan(0);
    expect(report.printedStates[first?.fingerprint ?? '']).toMatch(/^\/\\ /);
  }, 10 * 60_000);
});
