/**
 * The invariant mirrors of `invariants.ts`, checked incrementally: after a step of one node, only what that
 * step can have changed is looked at. The verdict (and, on a violation, the very message) is the full
 * check's; only the work differs. The full check stays the reference: the spec's mirror that the docs show
 * and that trace replay and the story tests run.
 *
 * Why looking at less is exact. A step changes one node. If every state invariant held before the step, a
 * violation after it must involve that node, and for each invariant this module knows which part of the
 * node to look at:
 *
 * - `TypeOK`: the node's changed fields and the log entries after the part it kept.
 * - `ElectionSafety`: only a node that has just become Leader (or Leader of a new term) can meet another
 *   Leader of its term.
 * - `LogMatching`: for the node's log and each other log, only an index above the kept prefix where the two
 *   terms agree can be new; the logs then agree up to it exactly when they agree at the top of the kept
 *   prefix (which, with LogMatching holding before, covers everything below) and on the changed entries.
 * - `StateMachineSafety`: with LogMatching known to hold, two logs agree up to an index exactly when they
 *   hold entries of one term there, so each pair is one comparison at the lower commit index.
 * - `LeaderCompleteness`: a node that has just become Leader is checked against the whole `commitHistory`;
 *   a Leader whose log changed, against the records above its kept prefix; a record added by this step,
 *   against every Leader of a later term.
 * - The action properties (`CommitIndexMonotonic`, `LeaderAppendOnly`) only ever concern the node that
 *   stepped.
 *
 * "Held before" is known only after a check that found nothing. Until then (the first step, after a step
 * taken with checking off, after a violation) the full check runs, so the answer never rests on an
 * assumption. Whenever the quick look finds something, the full mirror is run to report it, so both checks
 * print the same words. That the two agree on random runs of the real core and of every defective core is
 * what `test/raft/incremental-invariants.test.ts` (step by step, on past violations) and
 * `test/sim/incremental-monitor.property.test.ts` (whole simulated runs) check.
 *
 * @module
 */
import type { ClusterSnapshot } from './cluster.js';
import { EMPTY_BAG } from './bag.js';
import type { CommitHistory, CommitRecord } from './history.js';
import { EMPTY_HISTORY } from './history.js';
import {
  checkStateInvariants,
  checkStepInvariants,
  CommitIndexMonotonic,
  ElectionSafety,
  LeaderAppendOnly,
  LeaderCompleteness,
  LogMatching,
  nodeTypeProblem,
  StateMachineSafety,
  TypeOK,
  violations,
  type InvariantResult,
} from './invariants.js';
import type { ActionLabel } from './labels.js';
import { sameEntry, type RaftLog } from './log.js';
import type { NodeId, NodeState } from './types.js';

/** A broken invariant, as the full check reports it. */
export type ViolatedInvariant = Extract<InvariantResult, { holds: false }>;

/**
 * The spec's `commitHistory`, kept per log index so that a step adds its records without rebuilding the
 * set, and a check reads only the indexes it needs. `toHistory` gives the spec's sorted array (the shape
 * `recordCommits` keeps), built only when asked for.
 */
class CommitRecords {
  /** `byIndex[k - 1]`: the records of index `k`, in `recordCommits`' order (commit term, entry term, value). */
  private readonly byIndex: CommitRecord[][] = [];
  private sorted: CommitHistory = EMPTY_HISTORY;
  private sortedIsCurrent = true;

  /** The highest index with a record (0 when there is none). */
  get maxIndex(): number {
    return this.byIndex.length;
  }

  at(index: number): readonly CommitRecord[] {
    return this.byIndex[index - 1] ?? [];
  }

  /**
   * Add the records of one step, exactly as `recordCommits` does: an `AdvanceCommitIndex` of the node adds
   * one record per newly committed index, stamped with its term, unless the same record is there already.
   * Returns the records added.
   */
  record(before: NodeState, after: NodeState, label: ActionLabel): readonly CommitRecord[] {
    if (label.name !== 'AdvanceCommitIndex' || label.node !== after.id || after.commitIndex <= before.commitIndex) return [];
    const added: CommitRecord[] = [];
    for (let index = before.commitIndex + 1; index <= after.commitIndex; index++) {
      const e = after.log.entry(index);
      if (e === undefined) continue;
      const record: CommitRecord = { index, entry: { term: e.term, value: e.value }, commitTerm: after.currentTerm };
      if (this.insert(record)) added.push(record);
    }
    if (added.length > 0) this.sortedIsCurrent = false;
    return added;
  }

  private insert(r: CommitRecord): boolean {
    while (this.byIndex.length < r.index) this.byIndex.push([]);
    const list = this.byIndex[r.index - 1]!;
    let at = 0;
    for (; at < list.length; at++) {
      const order = compareRecords(list[at]!, r);
      if (order === 0) return false;
      if (order > 0) break;
    }
    list.splice(at, 0, r);
    return true;
  }

  toHistory(): CommitHistory {
    if (!this.sortedIsCurrent) {
      this.sorted = this.byIndex.flat();
      this.sortedIsCurrent = true;
    }
    return this.sorted;
  }
}

/** `recordCommits`' order within one index. */
function compareRecords(a: CommitRecord, b: CommitRecord): number {
  return a.commitTerm - b.commitTerm || a.entry.term - b.entry.term || (a.entry.value < b.entry.value ? -1 : a.entry.value > b.entry.value ? 1 : 0);
}

/**
 * Whether log `a`, whose first `kept` entries are what they were when LogMatching last held, and log `b`,
 * unchanged since then, may now break LogMatching. Exact: false means the pair satisfies it.
 */
function mayBreakLogMatching(a: RaftLog, kept: number, b: RaftLog): boolean {
  const common = Math.min(a.length, b.length);
  if (common <= kept) return false;
  let k = common;
  while (k > kept && a.termAt(k) !== b.termAt(k)) k--;
  // No index above the kept prefix where the terms agree: every such index the pair has was there before.
  if (k === kept) return false;
  // Up to `kept`, `a` is its old self, which agreed with `b` through any index where their terms agree.
  if (kept > 0 && a.termAt(kept) !== b.termAt(kept)) return true;
  for (let i = kept + 1; i <= k; i++) if (!sameEntry(a.entry(i), b.entry(i))) return true;
  return false;
}

/** The violation a full mirror reports, or null when it finds the invariant holding after all. */
function confirmed(result: InvariantResult): ViolatedInvariant | null {
  return result.holds ? null : result;
}

/** Whether `leader`'s log lacks a record at an index in `from..to` committed before its term. */
function missesCommitted(leader: NodeState, records: CommitRecords, from: number, to: number): boolean {
  for (let index = from; index <= to; index++) {
    for (const r of records.at(index)) {
      if (r.commitTerm < leader.currentTerm && !sameEntry(leader.log.entry(index), r.entry)) return true;
    }
  }
  return false;
}

/**
 * Checks every invariant mirror after each node step, looking only at what the step changed. Keeps its own
 * view of the cluster (every node's latest state) and the spec's `commitHistory`. Messages in flight are not
 * part of its view: `TypeOK`'s clauses on them are left to whoever owns the network (the simulator's
 * messages come from the core's constructors).
 */
export class IncrementalInvariants {
  private readonly nodes: Record<NodeId, NodeState> = {};
  private readonly memberSet: ReadonlySet<NodeId>;
  private readonly records = new CommitRecords();
  /** Whether every state invariant is known to hold in the current view (see the module comment). */
  private verified = false;
  /** Steps that ran the full check (the first one, and those after a violation or an unchecked step). */
  fullChecks = 0;

  /** @param servers sorted member ids; @param initial their states. */
  constructor(
    private readonly servers: readonly NodeId[],
    initial: readonly NodeState[],
  ) {
    this.memberSet = new Set(servers);
    for (const s of initial) this.nodes[s.id] = s;
  }

  /** The spec's `commitHistory` so far. */
  get commitHistory(): CommitHistory {
    return this.records.toHistory();
  }

  /**
   * Node `after.id` took the step `label` and is now `after`: record it and return the first broken
   * invariant in the full check's order (`TypeOK`, `ElectionSafety`, `LogMatching`, `StateMachineSafety`,
   * `LeaderCompleteness`, `CommitIndexMonotonic`, `LeaderAppendOnly`), or null. `check: false` only
   * records the step.
   */
  step(after: NodeState, label: ActionLabel, check = true): ViolatedInvariant | null {
    const id = after.id;
    const before = this.nodes[id];
    if (before === undefined) throw new RangeError(`${id} is not one of the monitored members [${this.servers.join(', ')}]`);
    const added = this.records.record(before, after, label);
    this.nodes[id] = after;
    if (!check) {
      this.verified = false;
      return null;
    }
    if (!this.verified) return this.fullCheck(before, after, label);
    const stateBroken = this.brokenState(before, after, added);
    if (stateBroken !== null) {
      this.verified = false;
      return stateBroken;
    }
    return this.brokenAction(before, after, label);
  }

  private snapshot(): ClusterSnapshot {
    return { servers: this.servers, nodes: { ...this.nodes }, messages: EMPTY_BAG };
  }

  private fullCheck(before: NodeState, after: NodeState, label: ActionLabel): ViolatedInvariant | null {
    this.fullChecks++;
    const now = this.snapshot();
    const was = { ...now, nodes: { ...now.nodes, [after.id]: before } };
    const state = violations(checkStateInvariants(now, this.commitHistory));
    this.verified = state.length === 0;
    return state[0] ?? violations(checkStepInvariants(was, now, label))[0] ?? null;
  }

  /**
   * The first state invariant the step broke, given that all held before it. Each invariant is looked at
   * where the step can have broken it; only when that look finds something does its full mirror run, to
   * confirm and word the violation. (Plain loops, no callbacks: this runs after every step of a monitored
   * simulation, and closures made per step cost a measurable share of it.)
   */
  private brokenState(before: NodeState, after: NodeState, added: readonly CommitRecord[]): ViolatedInvariant | null {
    let found: ViolatedInvariant | null;
    if (nodeTypeProblem(this.memberSet, this.servers, after, before) !== null && (found = confirmed(TypeOK(this.snapshot()))) !== null) return found;

    const newLeadership = after.role === 'Leader' && (before.role !== 'Leader' || before.currentTerm !== after.currentTerm);
    if (newLeadership && this.anotherLeaderOf(after) && (found = confirmed(ElectionSafety(this.snapshot()))) !== null) return found;

    const logChanged = after.log !== before.log;
    const kept = logChanged ? before.log.commonPrefixLength(after.log) : after.log.length;
    if (logChanged && this.logMatchingMayBreak(after, kept) && (found = confirmed(LogMatching(this.snapshot()))) !== null) return found;

    if (
      (logChanged || after.commitIndex !== before.commitIndex) &&
      this.stateMachineSafetyMayBreak(after) &&
      (found = confirmed(StateMachineSafety(this.snapshot()))) !== null
    ) {
      return found;
    }

    if (this.leaderCompletenessMayBreak(after, added, newLeadership, logChanged, kept)) return confirmed(LeaderCompleteness(this.snapshot(), this.commitHistory));
    return null;
  }

  private anotherLeaderOf(leader: NodeState): boolean {
    for (const id of this.servers) {
      const s = this.nodes[id]!;
      if (id !== leader.id && s.role === 'Leader' && s.currentTerm === leader.currentTerm) return true;
    }
    return false;
  }

  private logMatchingMayBreak(changed: NodeState, kept: number): boolean {
    for (const id of this.servers) if (id !== changed.id && mayBreakLogMatching(changed.log, kept, this.nodes[id]!.log)) return true;
    return false;
  }

  /** Given that LogMatching holds, two logs agree up to an index exactly when their entries there have one term. */
  private stateMachineSafetyMayBreak(changed: NodeState): boolean {
    if (changed.commitIndex > changed.log.length) return true;
    for (const id of this.servers) {
      const s = this.nodes[id]!;
      const upTo = Math.min(changed.commitIndex, s.commitIndex);
      if (id !== changed.id && upTo > 0 && changed.log.termAt(upTo) !== s.log.termAt(upTo)) return true;
    }
    return false;
  }

  private leaderCompletenessMayBreak(
    after: NodeState,
    added: readonly CommitRecord[],
    newLeadership: boolean,
    logChanged: boolean,
    kept: number,
  ): boolean {
    if (newLeadership && missesCommitted(after, this.records, 1, this.records.maxIndex)) return true;
    if (!newLeadership && after.role === 'Leader' && logChanged && missesCommitted(after, this.records, kept + 1, this.records.maxIndex)) return true;
    for (const r of added) {
      for (const id of this.servers) {
        const s = this.nodes[id]!;
        if (s.role === 'Leader' && s.currentTerm > r.commitTerm && !sameEntry(s.log.entry(r.index), r.entry)) return true;
      }
    }
    return false;
  }

  /** The first action property the step broke. Only the stepping node changed, so only it is looked at. */
  private brokenAction(before: NodeState, after: NodeState, label: ActionLabel): ViolatedInvariant | null {
    const regressed = after.commitIndex < before.commitIndex && !(label.name === 'Restart' && label.node === after.id);
    const rewrote =
      before.role === 'Leader' && after.role === 'Leader' && before.log !== after.log && before.log.commonPrefixLength(after.log) < before.log.length;
    if (!regressed && !rewrote) return null;
    const now = this.snapshot();
    const was = { ...now, nodes: { ...now.nodes, [after.id]: before } };
    return violations([CommitIndexMonotonic(was, now, label), LeaderAppendOnly(was, now, label)])[0] ?? null;
  }
}
