/**
 * The state-graph check on quorum safety's three-server model MCQuorumGraph3, through the same generic
 * pipeline as Raft's: TLC dumps the whole graph once, and the Raft core, driven through the refinement
 * mapping, must reproduce every edge and take no step the spec does not, in every state; each of the
 * protocol's defective cores must be caught, at a state the report names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StateGraphDump, checkDumpedGraph, dumpStateGraph } from '../../src/conformance/state-graph-run.js';
import { QUORUM_SAFETY, QUORUM_SAFETY_DEFINITION } from '../../src/definitions/quorum-safety/definition.js';
import type { QuorumLabel } from '../../src/definitions/quorum-safety/refinement.js';
import type { GraphModel } from '../../src/protocol/definition.js';
import { defineProtocol } from '../../src/protocol/protocol.js';
import { tlcToolchain } from '../support/tlc.js';

const MODEL = QUORUM_SAFETY.graphModels.find((m) => m.name === 'MCQuorumGraph3') as GraphModel;

// Where each defect is caught, and how. `double-vote`: a voter that already voted in the candidate's term
// grants a second vote; in the first such state the spec grants a vote of that action to another voter
// only, so the step reaches a state no GrantVote edge reaches. `minority-quorum`: a candidate holding its
// own vote only becomes leader, where the spec takes no BecomeLeader step at all.
const CAUGHT: Readonly<Record<string, { kind: string; action: RegExp; steps: number }>> = {
  'double-vote': { kind: 'state', action: /^GrantVote/, steps: 2 },
  'minority-quorum': { kind: 'implementation-only', action: /^BecomeLeader/, steps: 1 },
};
const OUT_OF_REACH: readonly string[] = [];

describe('state-graph conformance: every state and edge of MCQuorumGraph3 (quorum safety, 3 servers)', () => {
  let dump: StateGraphDump;
  beforeAll(async () => {
    dump = await dumpStateGraph({ toolchain: await tlcToolchain(), workers: 2, timeoutMs: 10 * 60_000 }, MODEL);
  }, 11 * 60_000);
  afterAll(async () => {
    await dump?.close();
  });

  it('the graph is a symmetric three-server model with the label in each state, terms up to 3', () => {
    expect(dump.index.stateCount).toBeGreaterThanOrEqual(5_000);
    expect(dump.index.stateCount).toBe(dump.tlc.distinct);
    expect(MODEL).toMatchObject({ symmetric: true, labelInState: true, tier: 'ci' });
    expect(dump.index.readStateText(dump.index.initialStates()[0] as number)).toMatch(/elected = <<\{\}, \{\}, \{\}>>/);
  });

  it('the real core reproduces every edge and takes only the steps the spec enables, in every state', async () => {
    const report = await checkDumpedGraph({}, dump, QUORUM_SAFETY, MODEL);
    console.log(
      `MCQuorumGraph3: ${report.states} states, ${report.edges} edges, replayed ${report.edgesReplayed}, ${report.inputsOffered} steps offered, ${report.stepsInsideModel} inside; TLC ${(report.tlc.durationMs / 1000).toFixed(1)} s, check ${(report.durationMs / 1000).toFixed(1)} s`,
    );
    expect(report.mismatches).toEqual([]);
    expect(report.statesChecked).toBe(report.states);
    expect(report.edgesReplayed).toBe(report.edges);
    // Every successor TLC generated (all but the initial state) is a step the core took inside the model.
    expect(report.stepsInsideModel).toBe(report.tlc.generated - 1);
    expect(report.inputsOffered).toBeGreaterThan(report.edges);
  }, 5 * 60_000);

  it('every defect of quorum safety is listed here, caught or out of reach', () => {
    expect([...Object.keys(CAUGHT), ...OUT_OF_REACH].sort()).toEqual(QUORUM_SAFETY.defects.map((d) => d.name).sort());
  });

  it.each(Object.entries(CAUGHT))('the defective core %s is caught, at a state the report names with the way there', async (defect, expected) => {
    const report = await checkDumpedGraph({}, dump, QUORUM_SAFETY, MODEL, { defect, maxMismatches: 1 });
    expect(report.mismatchCount).toBeGreaterThan(0);
    const first = report.mismatches[0];
    expect(first?.kind).toBe(expected.kind);
    expect(first?.action).toMatch(expected.action);
    const path = report.paths[first?.fingerprint ?? ''];
    expect(path).toHaveLength(expected.steps);
    expect(report.printedStates[first?.fingerprint ?? '']).toMatch(/^\/\\ /);
  }, 5 * 60_000);

  it('negative control: a driver that switches the wrong server is caught, because the label is in the state', async () => {
    // SwitchSide(s) moving another server reaches a renaming of the spec's successor, but with the
    // label's server not renamed alike: a renaming of the state alone would excuse it.
    const other = (node: string) => (node === 's1' ? 's2' : node === 's2' ? 's3' : 's1');
    const wrongServer = defineProtocol({
      ...QUORUM_SAFETY_DEFINITION,
      step: (run, label: QuorumLabel, core) => QUORUM_SAFETY_DEFINITION.step(run, label.name === 'SwitchSide' ? { ...label, node: other(label.node) } : label, core),
    });
    const report = await checkDumpedGraph({}, dump, wrongServer, MODEL, { maxMismatches: 1 });
    expect(report.mismatches[0]).toMatchObject({ kind: 'state', action: 'SwitchSide(s1)', differences: [] });
    expect(report.mismatches[0]?.detail).toMatch(/no renaming maps this step's label onto that step's/);
    expect(report.paths[report.mismatches[0]?.fingerprint ?? '']).toEqual([]);
  });
});
