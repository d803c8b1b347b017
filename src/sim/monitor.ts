/**
 * Checks the TS mirrors of the spec's invariants as the simulation runs, through Raft's protocol
 * definition (`src/definitions/raft/`), and keeps the spec's `commitHistory` for `LeaderCompleteness`.
 *
 * Every node step the simulator takes is reported here with its spec action label. The state invariants
 * (`TypeOK`, `ElectionSafety`, `LogMatching`, `StateMachineSafety`, `LeaderCompleteness`) and the action
 * properties (`CommitIndexMonotonic`, `LeaderAppendOnly`) are evaluated after every step that changes a
 * variable they read (term, role, vote, votes granted, log, commit index, nextIndex, matchIndex). A step that
 * changes none of them (a heartbeat to an up-to-date follower only refreshes the volatile leader hint)
 * cannot change their verdict, so skipping it is exact, not sampling.
 *
 * Two ways to check, with one verdict (the same first violation, in the same words): `full` evaluates every
 * mirror over the whole cluster through the protocol definition (the reference), `incremental` looks only
 * at what the step changed (`src/raft/incremental-invariants.ts`), several times faster; `npm run bench --
 * sim` measures both side by side.
 *
 * @module
 */
import { RAFT_DEFINITION } from '../definitions/raft/definition.js';
import { IncrementalInvariants } from '../raft/incremental-invariants.js';
import {
  EMPTY_BAG,
  EMPTY_HISTORY,
  recordCommits,
  type ActionLabel,
  type ClusterSnapshot,
  type CommitHistory,
  type NodeId,
  type NodeState,
} from '../raft/index.js';

/** A broken invariant. */
export interface InvariantViolation {
  readonly name: string;
  readonly message: string;
}

/** How the monitor checks: every mirror over the whole cluster, or only what each step changed. */
export type InvariantCheck = 'incremental' | 'full';

/** The monitor's settings. */
export interface MonitorOptions {
  /** Default `incremental`; `full` is the reference it must agree with. */
  readonly check?: InvariantCheck;
}

function changed(a: NodeState, b: NodeState): boolean {
  return (
    a !== b &&
    (a.currentTerm !== b.currentTerm ||
      a.role !== b.role ||
      a.votedFor !== b.votedFor ||
      a.log !== b.log ||
      a.commitIndex !== b.commitIndex ||
      a.votesGranted !== b.votesGranted ||
      a.nextIndex !== b.nextIndex ||
      a.matchIndex !== b.matchIndex)
  );
}

/** Cluster-wide invariant monitor. */
export class InvariantMonitor {
  private nodes: Record<NodeId, NodeState>;
  private history: CommitHistory = EMPTY_HISTORY;
  /** Set when checking incrementally; it then keeps the cluster's view and the history itself. */
  private readonly incremental: IncrementalInvariants | null;
  /** Number of steps whose invariants were evaluated. */
  checks = 0;

  /** @param servers sorted member ids; @param initial their initial states. */
  constructor(
    private readonly servers: readonly NodeId[],
    initial: readonly NodeState[],
    options: MonitorOptions = {},
  ) {
    this.nodes = {};
    for (const s of initial) this.nodes[s.id] = s;
    this.incremental = options.check === 'full' ? null : new IncrementalInvariants(servers, initial);
  }

  /** How this monitor checks. */
  get check(): InvariantCheck {
    return this.incremental === null ? 'full' : 'incremental';
  }

  /** The spec's `commitHistory` so far. */
  get commitHistory(): CommitHistory {
    return this.incremental?.commitHistory ?? this.history;
  }

  private snapshot(nodes: Record<NodeId, NodeState>): ClusterSnapshot {
    // The network is the simulator's, not the spec's bag; no invariant but TypeOK reads the bag, and the
    // simulator's messages come from the core's constructors, so an empty bag loses nothing.
    return { servers: this.servers, nodes, messages: EMPTY_BAG };
  }

  /**
   * Record that `node` took the step `label` from `before` to `after`; returns the first violation, if any.
   * `check: false` only updates the monitor's view (used when checking is switched off for speed).
   */
  step(before: NodeState, after: NodeState, label: ActionLabel, check = true): InvariantViolation | null {
    if (!changed(before, after)) {
      this.nodes[after.id] = after;
      return null;
    }
    if (this.incremental !== null) {
      // No snapshot of `nodes` is kept in this mode, so it can change in place.
      this.nodes[after.id] = after;
      if (check) this.checks++;
      const broken = this.incremental.step(after, label, check);
      return broken === null ? null : { name: broken.name, message: broken.violation };
    }
    const was = this.snapshot(this.nodes);
    this.nodes = { ...this.nodes, [after.id]: after };
    const now = this.snapshot(this.nodes);
    if (!check) {
      this.history = recordCommits(this.history, was, now, label);
      return null;
    }
    this.checks++;
    const checked = RAFT_DEFINITION.invariants.check(this.history, was, now, label);
    this.history = checked.history;
    return checked.broken[0] ?? null;
  }
}
