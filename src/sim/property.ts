/**
 * Running many generated scenarios as one fast-check property: the engine behind the property tests and
 * the soak. Each run simulates one scenario with every check on (invariant mirrors at each step,
 * linearizability of the client history, liveness after healing).
 *
 * @module
 */
import fc from 'fast-check';
import type { StepFn } from '../raft/index.js';
import type { KvDefect } from '../kv/state-machine.js';
import { scenario, type ScenarioProfile } from './arbitraries.js';
import { formatFailure } from './report.js';
import type { SimResult, SimStats, Violation } from './result.js';
import type { Scenario } from './scenario.js';
import { simulate } from './simulator.js';

/** What to run. */
export interface PropertyRun {
  readonly profile: ScenarioProfile;
  readonly seed: number;
  readonly runs: number;
  readonly stepFn?: StepFn;
  /** Name of `stepFn`'s defect, for the replay command. */
  readonly defect?: string | null;
  readonly kvDefect?: KvDefect | null;
  /** Stop at the first failure without shrinking (negative controls only need to find one). */
  readonly endOnFailure?: boolean;
  readonly nodes?: number;
}

/** Totals over the runs, to show the generator reaches the interesting parts of the protocol. */
export interface PropertyTotals {
  runs: number;
  events: number;
  delivered: number;
  elections: number;
  crashes: number;
  crashesMidWrite: number;
  truncations: number;
  opsOk: number;
  opsTimedOut: number;
  /** Runs in which at least two leaders were elected. */
  runsWithReelection: number;
  /** Runs with a log repair (a follower's suffix replaced). */
  runsWithTruncation: number;
}

/** The outcome of a property run. */
export interface PropertyOutcome {
  readonly failed: boolean;
  readonly totals: PropertyTotals;
  /** Set on failure. */
  readonly failure: {
    readonly path: string;
    readonly scenario: Scenario;
    readonly result: SimResult;
    readonly violation: Violation;
    /** Runs until the first failure (1-based). */
    readonly foundAfter: number;
    readonly report: string;
  } | null;
}

function emptyTotals(): PropertyTotals {
  return { runs: 0, events: 0, delivered: 0, elections: 0, crashes: 0, crashesMidWrite: 0, truncations: 0, opsOk: 0, opsTimedOut: 0, runsWithReelection: 0, runsWithTruncation: 0 };
}

function add(t: PropertyTotals, s: SimStats): void {
  t.runs++;
  t.events += s.events;
  t.delivered += s.delivered;
  t.elections += s.elections;
  t.crashes += s.crashes;
  t.crashesMidWrite += s.crashesMidWrite;
  t.truncations += s.truncations;
  t.opsOk += s.opsOk;
  t.opsTimedOut += s.opsTimedOut;
  if (s.elections >= 2) t.runsWithReelection++;
  if (s.truncations > 0) t.runsWithTruncation++;
}

/** Simulate `runs` scenarios of a profile; on a failure, shrink it (unless `endOnFailure`) and report. */
export function checkScenarios(run: PropertyRun): PropertyOutcome {
  const totals = emptyTotals();
  let firstFailureAt = 0;
  const options = { stepFn: run.stepFn, kvDefect: run.kvDefect ?? null };
  const r = fc.check(
    fc.property(scenario(run.profile, { nodes: run.nodes }), (sc) => {
      const result = simulate(sc, options);
      if (firstFailureAt === 0) {
        add(totals, result.stats);
        if (result.violation !== null) firstFailureAt = totals.runs;
      }
      return result.violation === null;
    }),
    { seed: run.seed, numRuns: run.runs, endOnFailure: run.endOnFailure ?? false },
  );
  const found = r.counterexample?.[0];
  if (!r.failed || found === undefined || r.counterexamplePath === null) return { failed: r.failed, totals, failure: null };
  const result = simulate(found, options);
  const violation = result.violation ?? { kind: 'internal', message: 'the shrunk scenario passed on replay: the simulation is not deterministic', atMs: 0, event: 0 };
  const path = r.counterexamplePath;
  const report = formatFailure(result, found, { profile: run.profile.name, seed: run.seed, path, defect: run.defect ?? null, kvDefect: run.kvDefect ?? null });
  return { failed: true, totals, failure: { path, scenario: found, result, violation, foundAfter: firstFailureAt, report } };
}
