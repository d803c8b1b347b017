// Recording simulator runs for the trace-validation tests, and an independent oracle for where a recorded
// run first leaves the spec: the same events replayed through the real core (which conformance holds to
// the spec), compared with what was logged.
import { RAFT } from '../../src/definitions/raft/definition.js';
import { DEFECTS, type DefectName, durableClusterStep, type DurableCluster, initialCluster, step, toSpecMessage, toSpecNode } from '../../src/raft/index.js';
import { longRunProfile, PROFILES, type ProfileName, scenarioAt } from '../../src/sim/arbitraries.js';
import { RaftTraceWriter, type SimTraceEvent } from '../../src/sim/recording.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { serverIds, simulate } from '../../src/sim/simulator.js';
import { type ImplTrace, parseImplTrace } from '../../src/validate/format.js';
import { validateTrace, type Verdict } from '../../src/validate/validate.js';
import { SPECS, tlcToolchain } from '../support/tlc.js';

export interface Recording {
  readonly scenario: Scenario;
  readonly events: readonly SimTraceEvent[];
  readonly lines: readonly string[];
  readonly trace: ImplTrace;
}

/** Runs a scenario with recording on; with a defect, the checks are off so the run goes on past the bug. */
export function record(scenario: Scenario, defect?: DefectName, name = 'trace'): Recording {
  const events: SimTraceEvent[] = [];
  const lines: string[] = [];
  const writer = new RaftTraceWriter(serverIds(scenario.nodes), (l) => lines.push(l), { test: name });
  simulate(scenario, {
    ...(defect === undefined ? {} : { stepFn: DEFECTS[defect].step, checkInvariants: false, checkDurability: false }),
    checkLinearizability: false,
    record: (e) => {
      events.push(e);
      writer.record(e);
    },
  });
  return { scenario, events, lines, trace: parseImplTrace(lines.join('\n'), name) };
}

export function generated(profile: ProfileName | number, seed: number): Scenario {
  return scenarioAt(typeof profile === 'number' ? longRunProfile(profile) : PROFILES[profile], seed);
}

/** The 1-based index of the first event the real core does not reproduce, or null. */
export function firstDivergence(recording: Recording): number | null {
  const servers = serverIds(recording.scenario.nodes);
  let cluster: DurableCluster = initialCluster(servers);
  const json = (x: unknown) => JSON.stringify(x);
  for (const [i, e] of recording.events.entries()) {
    const r = durableClusterStep(cluster, e.label, step);
    if (r.notEnabled !== null) return i + 1;
    cluster = r.cluster;
    if (e.kind === 'network') continue;
    const actual = cluster.nodes[e.node];
    if (actual === undefined || json(toSpecNode(servers, actual)) !== json(toSpecNode(servers, e.state))) return i + 1;
    const sent = (ms: readonly Parameters<typeof toSpecMessage>[0][]) => ms.map((m) => json(toSpecMessage(m))).sort();
    if (json(sent(r.outputs?.messages ?? [])) !== json(sent(e.sent))) return i + 1;
  }
  return null;
}

export async function validate(trace: ImplTrace, maxGap?: number): Promise<Verdict> {
  return validateTrace(trace, RAFT, { toolchain: await tlcToolchain(), specsDir: SPECS, ...(maxGap === undefined ? {} : { maxGap }) });
}
