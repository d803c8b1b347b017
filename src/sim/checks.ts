/**
 * The simulator's safety checkers, run as the cluster steps: the TS mirrors of the spec's invariants
 * (`monitor.ts`), what each node keeps on disk (`durability.ts`) and `AppliedAgreement` (no two replicas
 * apply different commands at one log index). The first broken check stops the run: it is thrown as a
 * {@link Stop}, which the simulator's event loop catches.
 *
 * @module
 */
import { labelOf, type ActionLabel, type CommittedEntry, type Input, type NodeId, type NodeState, type PersistUpdate } from '../raft/index.js';
import type { PersistentState } from '../storage/types.js';
import { DurabilityMonitor, type DurabilityViolation } from './durability.js';
import { InvariantMonitor, type InvariantCheck } from './monitor.js';
import type { SimStats, Violation } from './result.js';

/** Stop the run: thrown inside the event loop, caught by the simulator. */
export class Stop {
  constructor(readonly violation: Violation | null) {}
}

/** What the checkers need from the run: its counters, its clock and its log. */
export interface RunContext {
  readonly stats: SimStats;
  /** Virtual time now (ms). */
  now(): number;
  /** One line of the event log (a no-op when nobody reads it). */
  say(who: string, text: string): void;
}

/** Which checkers run. */
export interface CheckSettings {
  /** The invariant mirrors, incrementally or in full; `null`: not checked. */
  readonly invariants: InvariantCheck | null;
  readonly durability: boolean;
}

/** A failure of the simulator itself (or of a core returning impossible outputs). */
export function internalViolation(run: RunContext, message: string): Violation {
  return { kind: 'internal', message, atMs: run.now(), event: run.stats.events };
}

/** The checkers over one cluster; see the module comment. */
export class SafetyChecks {
  private readonly monitor: InvariantMonitor | null;
  private readonly durability: DurabilityMonitor | null;
  /** The value applied at each log index (0-based) by the first replica to apply it. */
  private readonly applied: string[] = [];

  /** @param initial every node's state at the start, with exactly that on its disk. */
  constructor(
    servers: readonly NodeId[],
    initial: readonly NodeState[],
    settings: CheckSettings,
    private readonly run: RunContext,
  ) {
    this.monitor = settings.invariants === null ? null : new InvariantMonitor(servers, initial, { check: settings.invariants });
    this.durability = settings.durability ? new DurabilityMonitor(initial, { synchronousDisk: false }) : null;
  }

  /** Invariant evaluations so far. */
  get invariantChecks(): number {
    return this.monitor?.checks ?? 0;
  }

  /** `node` stepped from `before` to `after`: update the counters and check the invariants. */
  observe(node: NodeId, before: NodeState, after: NodeState, action: Input | ActionLabel): void {
    const stats = this.run.stats;
    if (after.currentTerm > stats.maxTerm) stats.maxTerm = after.currentTerm;
    if (after.commitIndex > stats.maxCommit) stats.maxCommit = after.commitIndex;
    if (this.monitor === null || before === after) return;
    const label = 'type' in action ? labelOf(node, action) : action;
    const broken = this.monitor.step(before, after, label);
    if (broken !== null) {
      this.run.say(node, `after ${label.name}: ${broken.message}`);
      throw new Stop({ kind: 'invariant', name: broken.name, message: broken.message, atMs: this.run.now(), event: stats.events });
    }
  }

  /** A step of `after.id` asked for `persist`: check it against what the node holds. */
  stepWrites(after: NodeState, action: Input | ActionLabel, persist: PersistUpdate | null): void {
    if (this.durability !== null) this.stopOn(after.id, this.durability.step(after, action, persist));
  }

  /** A write of `node` is durable: `disk` is what its disk holds now. */
  written(node: NodeId, disk: PersistentState): void {
    if (this.durability !== null) this.stopOn(node, this.durability.written(node, disk));
  }

  /** `node` crashed and `disk` survived. */
  crashed(node: NodeId, disk: PersistentState): void {
    if (this.durability !== null) this.stopOn(node, this.durability.crashed(node, disk));
  }

  /** `node` is about to apply `entry`: every replica must apply the same value at an index. */
  applying(node: NodeId, entry: CommittedEntry): void {
    const known = this.applied[entry.index - 1];
    if (known === undefined) this.applied[entry.index - 1] = entry.value;
    else if (known !== entry.value) {
      const message = `AppliedAgreement violated: ${node} applies "${entry.value}" at index ${entry.index}, where another replica applied "${known}"`;
      this.run.say(node, message);
      throw new Stop({ kind: 'applied-agreement', message, atMs: this.run.now(), event: this.run.stats.events });
    }
  }

  private stopOn(node: NodeId, broken: DurabilityViolation | null): void {
    if (broken === null) return;
    this.run.say(node, broken.message);
    throw new Stop({ kind: 'durability', name: broken.name, message: broken.message, atMs: this.run.now(), event: this.run.stats.events });
  }
}
