/**
 * Failure reports a person can act on: what broke, the schedule that broke it (in words), and the command
 * that replays it with a full event log.
 *
 * @module
 */
import { describeLatency } from './latency.js';
import { describeFault } from './faults.js';
import type { SimResult } from './result.js';
import type { Scenario } from './scenario.js';

/** A scenario in words: cluster, models, faults, clients. */
export function describeScenario(s: Scenario): string {
  const w = s.workload;
  const lines = [
    `${s.nodes} nodes, seed ${s.seed}; network ${describeLatency(s.network.latency)}, loss ${s.network.lossRate}, duplication ${s.network.duplicateRate}; disk ${describeLatency(s.disk)}; clock drift up to ${s.maxDrift * 100} %`,
    `faults stop at ${s.healAtMs} ms; liveness bound ${s.livenessBoundMs} ms after that`,
    s.faults.length === 0 ? 'no faults' : `faults:\n${s.faults.map((f, i) => `  ${i}: ${describeFault(f, s.nodes)}`).join('\n')}`,
    `clients (retry after ${w.retryAfterMs} ms, give up after ${w.maxAttempts} attempts before the heal):`,
    ...w.clients.map((c, i) => `  c${i + 1}: from ${c.startMs} ms, think ${c.thinkMs} ms: ${c.ops.map((o) => `${o.kind} k${o.key}`).join(', ')}`),
  ];
  return lines.join('\n');
}

/** Where a failing scenario came from, for the replay command. */
export interface Provenance {
  readonly profile: string;
  readonly seed: number;
  readonly path: string;
  readonly defect?: string | null;
  readonly kvDefect?: string | null;
}

/** The command that replays a scenario with its event log. */
export function replayCommand(p: Provenance): string {
  const extra = `${p.defect ? ` --defect ${p.defect}` : ''}${p.kvDefect ? ` --kv-defect ${p.kvDefect}` : ''}`;
  return `npm run sim -- --profile ${p.profile} --seed ${p.seed}${p.path === '0' ? '' : ` --path ${p.path}`}${extra}`;
}

/** A full failure report: violation, statistics, scenario, replay command. */
export function formatFailure(result: SimResult, scenario: Scenario, from: Provenance): string {
  const v = result.violation;
  const s = result.stats;
  return [
    `simulation failed (${v?.kind ?? 'no violation'}) with seed ${from.seed}, path "${from.path}", profile ${from.profile}`,
    v === null ? '' : v.message,
    `run: ${s.events} events, ${s.delivered} messages delivered, ${s.elections} elections, max term ${s.maxTerm}, ${s.crashes} crashes, ended at ${s.endMs.toFixed(1)} ms`,
    `scenario (shrunk):\n${describeScenario(scenario)}`,
    `replay with the event log: ${replayCommand(from)}`,
    `scenario as JSON (for --scenario): ${JSON.stringify(scenario)}`,
  ]
    .filter((l) => l !== '')
    .join('\n');
}
