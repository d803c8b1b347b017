/**
 * The incremental invariant checker (src/raft/incremental-invariants.ts) against the full check it stands in
 * for (`checkStep`): hand-built steps for each invariant, then seeded random schedules of the real core, of
 * every defective core of src/raft/defects.ts and of two checker-only cores, compared step by step (also
 * after a violation, where the incremental checker must fall back to the full one).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkStep,
  clusterStep,
  DEFECTS,
  EMPTY_BAG,
  EMPTY_HISTORY,
  formatLabel,
  initialCluster,
  RaftLog,
  step,
  type ActionLabel,
  type ClusterSnapshot,
  type CommitHistory,
  type LogEntry,
  type NodeState,
  type StepFn,
} from '../../src/raft/index.js';
import { IncrementalInvariants, type ViolatedInvariant } from '../../src/raft/incremental-invariants.js';
import { CHECKER_CORES } from './helpers/checker-cores.js';
import { chooseAction, faultSchedule, type Choice } from './helpers/simulate.js';

const SEED = Number(process.env['RAFT_PROPERTY_SEED'] ?? 20240611);
const SERVERS = ['s1', 's2', 's3'];
const e = (term: number, value: string): LogEntry => ({ term, value });

/** A node state with hand-set fields (a log as a plain array). */
function node(id: string, patch: Partial<Omit<NodeState, 'log'>> & { log?: readonly LogEntry[] } = {}): NodeState {
  const { log, ...rest } = patch;
  const base = initialCluster(SERVERS).nodes[id]!;
  return { ...base, ...rest, ...(log === undefined ? {} : { log: RaftLog.from(log) }) };
}

/**
 * Both checkers over one sequence of node steps from the initial cluster: the full check (`checkStep`)
 * and the incremental one. Returns, per step, what each reported and whether the incremental one needed
 * its full fallback.
 */
function both(steps: readonly [NodeState, ActionLabel][]): { full: (string | null)[]; incremental: (string | null)[]; fullChecks: number } {
  let cluster = initialCluster(SERVERS);
  let history: CommitHistory = EMPTY_HISTORY;
  const checker = new IncrementalInvariants(cluster.servers, Object.values(cluster.nodes));
  const full: (string | null)[] = [];
  const incremental: (string | null)[] = [];
  for (const [after, label] of steps) {
    const before = cluster;
    cluster = { ...cluster, nodes: { ...cluster.nodes, [after.id]: after } };
    const checked = checkStep(history, before, cluster, label);
    history = checked.history;
    full.push(checked.broken[0]?.violation ?? null);
    incremental.push(checker.step(after, label)?.violation ?? null);
    expect(checker.commitHistory).toEqual(history);
  }
  return { full, incremental, fullChecks: checker.fullChecks };
}

const timeout = (id: string): ActionLabel => ({ name: 'Timeout', node: id });
const leader = (id: string, term: number, log: readonly LogEntry[] = [], more: Partial<Omit<NodeState, 'log'>> = {}): NodeState =>
  node(id, { role: 'Leader', currentTerm: term, votedFor: id, votesGranted: [id], log, ...more });

describe('the incremental checker reports what the full check reports, in the same words', () => {
  it('looks only at the step after the first one, whose full check found nothing', () => {
    const r = both([
      [node('s1', { currentTerm: 1, role: 'Candidate' }), timeout('s1')],
      [leader('s1', 1), { name: 'BecomeLeader', node: 's1' }],
      [leader('s1', 1, [e(1, 'a')]), { name: 'ClientRequest', node: 's1', value: 'a' }],
      [node('s2', { currentTerm: 1, log: [e(1, 'a')] }), { name: 'HandleAppendEntriesRequest', node: 's2', peer: 's1' } as ActionLabel],
    ]);
    expect(r.incremental).toEqual([null, null, null, null]);
    expect(r.full).toEqual(r.incremental);
    expect(r.fullChecks).toBe(1);
  });

  it.each<[string, [NodeState, ActionLabel][], RegExp]>([
    ['TypeOK', [[node('s2', { currentTerm: -1 }), timeout('s2')]], /s2.currentTerm is -1/],
    ['ElectionSafety', [[leader('s1', 2), { name: 'BecomeLeader', node: 's1' }], [leader('s3', 2), { name: 'BecomeLeader', node: 's3' }]], /s1 and s3 are both Leader in term 2/],
    [
      'LogMatching',
      [
        [node('s1', { currentTerm: 2, log: [e(1, 'a'), e(2, 'b')] }), timeout('s1')],
        [node('s3', { currentTerm: 2, log: [e(3, 'z')] }), timeout('s3')],
        [node('s3', { currentTerm: 2, log: [e(3, 'z'), e(2, 'b')] }), timeout('s3')],
      ],
      /s1 and s3 both hold a term-2 entry at index 2, but differ at index 1/,
    ],
    [
      'StateMachineSafety',
      [
        [node('s1', { log: [e(1, 'a')], commitIndex: 1 }), timeout('s1')],
        [node('s2', { log: [e(2, 'b')] }), timeout('s2')],
        [node('s2', { log: [e(2, 'b')], commitIndex: 1 }), timeout('s2')],
      ],
      /s1 and s2 both committed index 1 with different entries/,
    ],
    ['StateMachineSafety past the log', [[node('s2', { commitIndex: 1 }), timeout('s2')]], /s2 has commitIndex 1 but only 0 entries/],
    [
      'LeaderCompleteness (a new leader lacks a committed entry)',
      [
        [leader('s1', 1, [e(1, 'a')]), { name: 'BecomeLeader', node: 's1' }],
        [leader('s1', 1, [e(1, 'a')], { commitIndex: 1 }), { name: 'AdvanceCommitIndex', node: 's1' }],
        [leader('s2', 2, [e(2, 'b')]), { name: 'BecomeLeader', node: 's2' }],
      ],
      /t1:a at index 1 was committed in term 1, but s2, Leader of term 2, has t2:b there/,
    ],
    [
      'LeaderCompleteness (an entry is committed that a later leader lacks)',
      [
        [leader('s2', 2, [e(2, 'b')]), { name: 'BecomeLeader', node: 's2' }],
        [leader('s1', 1, [e(1, 'a')]), { name: 'BecomeLeader', node: 's1' }],
        [leader('s1', 1, [e(1, 'a')], { commitIndex: 1 }), { name: 'AdvanceCommitIndex', node: 's1' }],
      ],
      /t1:a at index 1 was committed in term 1, but s2, Leader of term 2/,
    ],
    [
      'CommitIndexMonotonic',
      [[node('s1', { log: [e(1, 'a')], commitIndex: 1 }), timeout('s1')], [node('s1', { log: [e(1, 'a')] }), timeout('s1')]],
      /s1.commitIndex went from 1 to 0 in a Timeout step/,
    ],
    [
      'LeaderAppendOnly',
      [[leader('s1', 1, [e(1, 'a')]), { name: 'BecomeLeader', node: 's1' }], [leader('s1', 1, [e(1, 'x')]), { name: 'ClientRequest', node: 's1', value: 'x' }]],
      /Leader s1 changed its log at index 1 \(t1:a -> t1:x\)/,
    ],
  ])('%s', (_name, steps, text) => {
    // A first step that changes nothing, so the steps of the case are checked incrementally.
    const r = both([[node('s1'), timeout('s1')], ...steps]);
    expect(r.incremental.at(-1)).toMatch(text);
    expect(r.incremental).toEqual(r.full);
    expect(r.fullChecks).toBe(1);
  });

  it('after a violation it checks in full until everything holds again, and then incrementally again', () => {
    const r = both([
      [leader('s1', 2), { name: 'BecomeLeader', node: 's1' }],
      [leader('s2', 2), { name: 'BecomeLeader', node: 's2' }],
      [node('s3', { currentTerm: 2 }), timeout('s3')],
      [node('s2', { currentTerm: 2 }), timeout('s2')],
      [node('s3', { currentTerm: 3 }), timeout('s3')],
      [node('s3', { currentTerm: 4 }), timeout('s3')],
    ]);
    expect(r.incremental).toEqual(r.full);
    expect(r.incremental.map((v) => v !== null)).toEqual([false, true, true, false, false, false]);
    // The first step, the step the violation persisted through, and the step that found it gone.
    expect(r.fullChecks).toBe(3);
  });

  it('a step taken with checking off makes the next check a full one', () => {
    const checker = new IncrementalInvariants(SERVERS, Object.values(initialCluster(SERVERS).nodes));
    expect(checker.step(node('s1', { currentTerm: 1 }), timeout('s1'))).toBeNull();
    expect(checker.fullChecks).toBe(1);
    // Unchecked, s2 becomes a second leader of term 1 next to s3; the next (checked) step sees it.
    expect(checker.step(leader('s2', 1), { name: 'BecomeLeader', node: 's2' }, false)).toBeNull();
    expect(checker.step(leader('s3', 1), { name: 'BecomeLeader', node: 's3' })?.violation).toMatch(/s2 and s3 are both Leader in term 1/);
    expect(checker.step(node('s1', { currentTerm: 2 }), timeout('s1'))?.name).toBe('ElectionSafety');
    expect(checker.fullChecks).toBe(3);
  });
});

/**
 * Run `schedule` (as the random-schedule property tests do) with both checkers after every node step, on
 * past the first violation; stop at the first step where they differ. Network steps change no node and are
 * not checked.
 */
/** What the harness needs of an incremental checker (so a deliberately blind one can be injected). */
interface StepChecker {
  step(after: NodeState, label: ActionLabel): ViolatedInvariant | null;
  readonly commitHistory: CommitHistory;
}

type MakeChecker = (servers: readonly string[], initial: readonly NodeState[]) => StepChecker;
const incremental: MakeChecker = (servers, initial) => new IncrementalInvariants(servers, initial);

function runBoth(
  schedule: readonly Choice[],
  stepFn: StepFn,
  makeChecker: MakeChecker = incremental,
): { steps: number; violations: Map<string, number>; disagreement: string | null } {
  let cluster: ClusterSnapshot = initialCluster(SERVERS);
  let history: CommitHistory = EMPTY_HISTORY;
  const checker = makeChecker(cluster.servers, Object.values(cluster.nodes));
  const violations = new Map<string, number>();
  const transcript: string[] = [];
  let steps = 0;
  for (const c of schedule) {
    const label = chooseAction(cluster, c, ['v1', 'v2']);
    if (label === undefined) break;
    const r = clusterStep(cluster, label, stepFn);
    if (r.notEnabled !== null) continue;
    const before = cluster;
    cluster = r.cluster;
    transcript.push(formatLabel(label));
    if (!('node' in label)) continue;
    steps++;
    // The incremental checker does not see the network: compare with the full check on the nodes alone.
    const checked = checkStep(history, { ...before, messages: EMPTY_BAG }, { ...cluster, messages: EMPTY_BAG }, label);
    history = checked.history;
    const expected = checked.broken[0] ?? null;
    const actual = checker.step(cluster.nodes[label.node]!, label);
    if (expected !== null) violations.set(expected.name, (violations.get(expected.name) ?? 0) + 1);
    const same = actual?.violation === expected?.violation && JSON.stringify(checker.commitHistory) === JSON.stringify(history);
    if (!same) {
      return {
        steps,
        violations,
        disagreement: `after ${transcript.length} steps (${transcript.join(', ')}): full check ${expected?.violation ?? 'holds'}, incremental ${actual?.violation ?? 'holds'}`,
      };
    }
  }
  return { steps, violations, disagreement: null };
}

describe('random schedules: the incremental checker agrees with the full check at every step', () => {
  const cores: [string, StepFn][] = [['the real core', step], ...Object.values(DEFECTS).map((d): [string, StepFn] => [d.name, d.step]), ...Object.entries(CHECKER_CORES)];
  const seen = new Map<string, number>();

  it.each(cores)('%s', (_name, stepFn) => {
    const result = fc.check(
      fc.property(faultSchedule(150), (schedule) => {
        const r = runBoth(schedule, stepFn);
        for (const [name, n] of r.violations) seen.set(name, (seen.get(name) ?? 0) + n);
        if (r.disagreement !== null) throw new Error(r.disagreement);
      }),
      { seed: SEED, numRuns: 100 },
    );
    if (result.failed) throw new Error(`seed ${SEED} (rerun with RAFT_PROPERTY_SEED=${SEED}), shrunk schedule ${JSON.stringify(result.counterexample)}:\n${String(result.errorInstance)}`);
  });

  it('negative control: a checker blind to LogMatching is caught disagreeing', () => {
    const blind: MakeChecker = (servers, initial) => {
      const inner = new IncrementalInvariants(servers, initial);
      return {
        step: (after, label) => {
          const v = inner.step(after, label);
          return v?.name === 'LogMatching' ? null : v;
        },
        get commitHistory() {
          return inner.commitHistory;
        },
      };
    };
    const result = fc.check(
      fc.property(faultSchedule(150), (schedule) => runBoth(schedule, DEFECTS['skip-consistency-check'].step, blind).disagreement === null),
      { seed: SEED, numRuns: 300, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
    expect(runBoth(result.counterexample![0], DEFECTS['skip-consistency-check'].step, blind).disagreement).toMatch(/full check LogMatching violated: .*, incremental holds$/);
  });

  it('the runs above broke every invariant, so every path of the incremental checker was compared', () => {
    expect([...seen.keys()].sort()).toEqual(
      ['CommitIndexMonotonic', 'ElectionSafety', 'LeaderAppendOnly', 'LeaderCompleteness', 'LogMatching', 'StateMachineSafety', 'TypeOK'].sort(),
    );
  });
});
