/**
 * A seeded random-schedule driver for property tests: at each step it picks an enabled spec action of the
 * chosen kind (a node action, a delivery, a drop, a duplication) and checks every invariant mirror after it.
 * The node step function is injectable so a deliberately broken core can prove the checks bite.
 */
import fc from 'fast-check';
import {
  checkStep,
  clusterStep,
  EMPTY_HISTORY,
  enabledActions,
  formatLabel,
  initialCluster,
  step,
  type ActionLabel,
  type ClusterSnapshot,
  type StepFn,
} from '../../../src/raft/index.js';

/** What kind of spec action a schedule step asks for. */
export type ChoiceKind =
  | 'timeout'
  | 'restart'
  | 'internal'
  | 'client'
  | 'append'
  | 'deliver'
  | 'deliverFresh'
  | 'drop'
  | 'duplicate';

/** One scheduling decision: a kind, and which of the enabled actions of that kind (modulo their number). */
export interface Choice {
  readonly kind: ChoiceKind;
  readonly pick: number;
}

const WEIGHTS: Record<ChoiceKind, number> = {
  deliver: 6,
  deliverFresh: 12,
  internal: 8,
  append: 8,
  client: 2,
  timeout: 1,
  drop: 2,
  restart: 1,
  duplicate: 1,
};

/**
 * Deliveries and leader work dominate so that elections and replication actually complete between
 * timeouts (uniform picks would time nodes out so often that hardly anyone gets elected); crashes, loss
 * and duplication stay frequent enough to matter.
 */
export const choice: fc.Arbitrary<Choice> = fc.record({
  kind: fc.oneof(
    ...(Object.entries(WEIGHTS) as [ChoiceKind, number][]).map(([kind, weight]) => ({
      weight,
      arbitrary: fc.constant(kind),
    })),
  ),
  pick: fc.nat({ max: 1000 }),
});

/** A random schedule for a three-node cluster. */
export const faultSchedule = (maxLength: number): fc.Arbitrary<Choice[]> =>
  fc.array(choice, { maxLength, size: 'max' });

function kindOf(label: ActionLabel): ChoiceKind {
  switch (label.name) {
    case 'DropMessage':
      return 'drop';
    case 'DuplicateMessage':
      return 'duplicate';
    case 'Timeout':
      return 'timeout';
    case 'Restart':
      return 'restart';
    case 'BecomeLeader':
    case 'AdvanceCommitIndex':
      return 'internal';
    case 'ClientRequest':
      return 'client';
    case 'AppendEntries':
      return 'append';
    default:
      return 'deliver';
  }
}

/**
 * A delivery whose message is from the receiver's current term or later. Random delivery alone mostly
 * hands out stale messages once the bag fills up, and progress stalls; preferring fresh ones (sometimes)
 * lets runs reach commits and log repairs. Stale deliveries still happen through plain `deliver`.
 */
function isFresh(cluster: ClusterSnapshot, label: ActionLabel): boolean {
  if (!('message' in label) || !('node' in label)) return false;
  const receiver = cluster.nodes[label.node];
  return receiver !== undefined && label.message.term >= receiver.currentTerm;
}

/**
 * The action a schedule step takes in `cluster`: one of the enabled actions of the step's kind (modulo
 * their number), or of any kind when none of that kind is enabled (a wasted step explores nothing).
 */
export function chooseAction(cluster: ClusterSnapshot, c: Choice, values: readonly string[]): ActionLabel | undefined {
  const enabled = enabledActions(cluster, values);
  const ofKind = enabled.filter((l) => (c.kind === 'deliverFresh' ? kindOf(l) === 'deliver' && isFresh(cluster, l) : kindOf(l) === c.kind));
  const options = ofKind.length > 0 ? ofKind : enabled;
  return options[c.pick % Math.max(options.length, 1)];
}

/** What a run did, for assertions that the generator explores something worthwhile. */
export interface RunStats {
  steps: number;
  leadersElected: number;
  maxTerm: number;
  maxCommit: number;
  truncations: number;
}

/** The outcome of one schedule: the labels taken, and the first violation if any. */
export interface RunResult {
  readonly transcript: string[];
  readonly violation: string | null;
  readonly stats: RunStats;
  readonly final: ClusterSnapshot;
}

/** Run `schedule` on a fresh cluster, checking all invariant mirrors after every step. */
export function runSchedule(
  schedule: readonly Choice[],
  options: { servers?: string[]; values?: string[]; stepFn?: StepFn } = {},
): RunResult {
  const values = options.values ?? ['v1', 'v2'];
  const stepFn = options.stepFn ?? step;
  let cluster = initialCluster(options.servers ?? ['s1', 's2', 's3']);
  let history = EMPTY_HISTORY;
  const transcript: string[] = [];
  const stats: RunStats = { steps: 0, leadersElected: 0, maxTerm: 0, maxCommit: 0, truncations: 0 };
  for (const c of schedule) {
    const label = chooseAction(cluster, c, values);
    if (label === undefined) continue;
    const before = cluster;
    const r = clusterStep(before, label, stepFn);
    transcript.push(formatLabel(label));
    if (r.notEnabled !== null) {
      return { transcript, violation: `enabledActions offered a refused action: ${r.notEnabled.reason}`, stats, final: cluster };
    }
    cluster = r.cluster;
    const checked = checkStep(history, before, cluster, label);
    history = checked.history;
    stats.steps++;
    if (label.name === 'BecomeLeader') stats.leadersElected++;
    const logWrite = r.outputs?.persist?.logWrite;
    if (logWrite !== undefined && logWrite !== null && 'node' in label) {
      const old = before.nodes[label.node]!;
      if (logWrite.fromIndex <= old.log.length) stats.truncations++;
    }
    for (const s of Object.values(cluster.nodes)) {
      stats.maxTerm = Math.max(stats.maxTerm, s.currentTerm);
      stats.maxCommit = Math.max(stats.maxCommit, s.commitIndex);
    }
    if (checked.broken.length > 0) {
      return { transcript, violation: checked.broken.map((b) => b.violation).join('\n'), stats, final: cluster };
    }
  }
  return { transcript, violation: null, stats, final: cluster };
}
