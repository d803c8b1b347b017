/**
 * Random schedules with persistence in the loop: the same seeded schedules as `simulate.ts`, but each node
 * writes its steps' `persist` outputs to a disk of its own and a `Restart` brings it back from that disk
 * (`durableClusterStep`); after every step the invariant mirrors and the durability checks of
 * `src/sim/durability.ts` run (the disk is synchronous: a step's write is durable once the step is taken).
 */
import {
  checkStep,
  durableClusterStep,
  type DurableCluster,
  EMPTY_HISTORY,
  formatLabel,
  initialCluster,
  type NodeState,
  step,
  type StepFn,
} from '../../../src/raft/index.js';
import { DurabilityMonitor } from '../../../src/sim/durability.js';
import { chooseAction, type Choice } from './simulate.js';

/** What a run did, for assertions that the generator reaches restarts that matter. */
export interface DurableRunStats {
  steps: number;
  restarts: number;
  /** Restarts of a node that held a vote for another node in its current term. */
  restartsHoldingAVote: number;
  /** Restarts of a node whose log was not empty. */
  restartsWithALog: number;
  leadersElected: number;
}

/** The outcome of one schedule: the labels taken, and the first violation if any. */
export interface DurableRunResult {
  readonly transcript: string[];
  /** `<Name> violated: ...`, an invariant mirror's or a durability check's. */
  readonly violation: string | null;
  readonly stats: DurableRunStats;
  readonly final: DurableCluster;
}

/** Run `schedule` on a fresh cluster with disks, checking every invariant mirror and durability check after every step. */
export function runDurableSchedule(
  schedule: readonly Choice[],
  options: { servers?: string[]; values?: string[]; stepFn?: StepFn } = {},
): DurableRunResult {
  const values = options.values ?? ['v1', 'v2'];
  const stepFn = options.stepFn ?? step;
  let cluster: DurableCluster = initialCluster(options.servers ?? ['s1', 's2', 's3']);
  const durability = new DurabilityMonitor(Object.values(cluster.nodes), { synchronousDisk: true });
  let history = EMPTY_HISTORY;
  const transcript: string[] = [];
  const stats: DurableRunStats = { steps: 0, restarts: 0, restartsHoldingAVote: 0, restartsWithALog: 0, leadersElected: 0 };
  const done = (violation: string | null): DurableRunResult => ({ transcript, violation, stats, final: cluster });
  for (const c of schedule) {
    const label = chooseAction(cluster, c, values);
    if (label === undefined) continue;
    const before = cluster;
    const r = durableClusterStep(before, label, stepFn);
    transcript.push(formatLabel(label));
    if (r.notEnabled !== null) return done(`enabledActions offered a refused action: ${r.notEnabled.reason}`);
    cluster = r.cluster;
    stats.steps++;
    if (label.name === 'BecomeLeader') stats.leadersElected++;
    if (label.name === 'Restart') {
      const was = before.nodes[label.node] as NodeState;
      stats.restarts++;
      if (was.votedFor !== null && was.votedFor !== was.id) stats.restartsHoldingAVote++;
      if (was.log.length > 0) stats.restartsWithALog++;
    }
    if ('node' in label) {
      const broken = durability.step(cluster.nodes[label.node] as NodeState, label, r.outputs?.persist ?? null);
      if (broken !== null) return done(broken.message);
    }
    const checked = checkStep(history, before, cluster, label);
    history = checked.history;
    if (checked.broken.length > 0) return done(checked.broken.map((b) => b.violation).join('\n'));
  }
  return done(null);
}
