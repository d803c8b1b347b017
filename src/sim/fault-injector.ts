/**
 * The fault injector (Jepsen's nemesis): carries out a scenario's fault schedule on a simulated cluster.
 * A fault starts at its time and, if it lasts, ends at its time or at the heal, whichever comes first:
 *
 * - partitions cut links in the network's matrix; loss, duplication, reordering and delay spikes open a
 *   window in the network; clock drift changes a node's clock rate; a crash crashes a node at once; a
 *   timer storm fires the election timers of several followers at once;
 * - crashes tied to protocol events (`crash-mid-write`, `crash-after-write`, `crash-after-commit`) are
 *   armed when they start and fire at the first matching event the cluster reports
 *   ({@link FaultInjector.writeQueued}, {@link FaultInjector.writeReleased}, {@link FaultInjector.committed}).
 *
 * At the heal every fault stops. The injector decides; the cluster acts (crashes, restarts, timers).
 *
 * @module
 */
import { match } from 'ts-pattern';
import type { WriteKind } from '../host/node-host.js';
import type { NodeId, NodeState } from '../raft/index.js';
import { describeFault } from './faults.js';
import type { Network } from './network.js';
import { Rng } from './rng.js';
import type { Fault, NodeTarget } from './scenario.js';

/** A node as the injector sees it. */
export interface FaultableNode {
  /** Its position in the cluster (`NodeTarget` numbers count modulo the cluster size). */
  readonly index: number;
  readonly id: NodeId;
  readonly host: { readonly up: boolean; readonly state: NodeState };
  /** Run the node's clock at `rate` while fault `fault` lasts (the latest such fault wins). */
  setClockRate(fault: number, rate: number): void;
  /** Fault `fault` no longer changes the node's clock. */
  clearClockRate(fault: number): void;
  /** No fault changes the node's clock any more. */
  resetClockRate(): void;
  /** Fire the node's election timer now. */
  fireElectionTimerNow(): void;
}

/** What the injector acts on. */
export interface FaultableCluster<Node extends FaultableNode> {
  readonly nodes: readonly Node[];
  readonly network: Network;
  /** The live leader of the highest term, if any. */
  leader(): Node | null;
  /** Crash `node` for `downMs` (`landed`: its write in flight reaches the disk). */
  crash(node: Node, downMs: number, why: string, landed?: boolean): void;
  /** Call the injector's `end(fault)` at `atMs`. */
  scheduleFaultEnd(fault: number, atMs: number): void;
  /** One line of the event log. */
  say(who: string, text: string): void;
}

type PartitionFault = Extract<Fault, { kind: 'partition' }>;

/** Carries out one fault schedule; see the module comment. */
export class FaultInjector<Node extends FaultableNode> {
  /** Crashes waiting for their protocol event. */
  private readonly armed = new Map<number, Fault>();
  /** The links each partition cut. */
  private readonly partitions = new Map<number, [number, number][]>();
  /** Faults started and not yet ended. */
  private readonly active = new Set<number>();
  private healed = false;
  /** Faults started so far. */
  started = 0;

  /**
   * @param faults the schedule; @param healAtMs when every fault stops; @param rng the injector's own stream
   * (it picks which follower a fault hits).
   */
  constructor(
    private readonly faults: readonly Fault[],
    private readonly healAtMs: number,
    private readonly cluster: FaultableCluster<Node>,
    private readonly rng: Rng,
  ) {}

  /** Fault `id` of the schedule starts now. */
  start(id: number): void {
    const fault = this.faults[id]!;
    if (this.healed) return;
    this.started++;
    this.active.add(id);
    const n = this.cluster.nodes.length;
    const endAfter = (forMs: number): void => this.cluster.scheduleFaultEnd(id, Math.min(fault.atMs + forMs, this.healAtMs));
    this.cluster.say('fault', `${id} starts: ${describeFault(fault, n)}`);
    match(fault)
      .with({ kind: 'partition' }, (partition) => {
        const { side, rest } = this.groups(partition);
        const links: [number, number][] = [];
        for (const a of side) {
          for (const b of rest) {
            links.push([a, b]);
            if (partition.shape !== 'one-way') links.push([b, a]);
          }
        }
        this.partitions.set(id, links);
        this.cluster.network.cut(links, 1);
        const names = (group: number[]): string => group.map((i) => this.cluster.nodes[i]!.id).join(' ');
        this.cluster.say('fault', `${id}: {${names(side)}} ${partition.shape === 'one-way' ? '-/->' : '<-/->'} {${names(rest)}}`);
        endAfter(partition.forMs);
      })
      .with({ kind: 'crash' }, (crash) => {
        const node = this.resolve(crash.target);
        if (node === null) this.cluster.say('fault', `${id}: no ${String(crash.target)} to crash`);
        else this.cluster.crash(node, crash.downMs, `fault ${id}`);
      })
      .with({ kind: 'crash-mid-write' }, { kind: 'crash-after-write' }, { kind: 'crash-after-commit' }, (crash) => {
        this.armed.set(id, crash);
      })
      .with({ kind: 'loss' }, (loss) => {
        this.cluster.network.setWindow(id, { kind: 'loss', rate: loss.rate }, 'loss');
        endAfter(loss.forMs);
      })
      .with({ kind: 'duplicate' }, (duplicate) => {
        this.cluster.network.setWindow(id, { kind: 'duplicate', rate: duplicate.rate }, 'duplicate');
        endAfter(duplicate.forMs);
      })
      .with({ kind: 'reorder' }, (reorder) => {
        this.cluster.network.setWindow(id, { kind: 'reorder', rate: reorder.rate, maxDelayMs: reorder.maxDelayMs }, 'reorder');
        endAfter(reorder.forMs);
      })
      .with({ kind: 'delay-spike' }, (spike) => {
        const node = spike.target === 'all' ? null : (this.resolve(spike.target)?.index ?? null);
        this.cluster.network.setWindow(id, { kind: 'delay-spike', node, extraMs: spike.extraMs }, 'delay-spike');
        endAfter(spike.forMs);
      })
      .with({ kind: 'clock-drift' }, (drift) => {
        this.resolve(drift.target)?.setClockRate(id, drift.rate);
        endAfter(drift.forMs);
      })
      .with({ kind: 'timer-storm' }, (storm) => {
        const followers = this.cluster.nodes.filter((node) => node.host.up && node.host.state.role !== 'Leader').slice(0, storm.count);
        for (const node of followers) node.fireElectionTimerNow();
      })
      .exhaustive();
  }

  /** Fault `id` ends now (if it is still active). */
  end(id: number): void {
    if (!this.active.delete(id)) return;
    const fault = this.faults[id]!;
    this.cluster.say('fault', `${id} ends`);
    match(fault)
      .with({ kind: 'partition' }, () => {
        this.cluster.network.cut(this.partitions.get(id) ?? [], -1);
        this.partitions.delete(id);
      })
      .with({ kind: 'loss' }, { kind: 'duplicate' }, { kind: 'reorder' }, { kind: 'delay-spike' }, (window) => this.cluster.network.setWindow(id, null, window.kind))
      .with({ kind: 'clock-drift' }, () => {
        for (const node of this.cluster.nodes) node.clearClockRate(id);
      })
      .with({ kind: 'crash' }, { kind: 'crash-mid-write' }, { kind: 'crash-after-write' }, { kind: 'crash-after-commit' }, { kind: 'timer-storm' }, () => {})
      .exhaustive();
  }

  /** Every fault stops: links and windows are restored, armed crashes disarmed, clocks back to their own rate. */
  heal(): void {
    this.healed = true;
    this.cluster.network.healAll();
    this.partitions.clear();
    this.armed.clear();
    this.active.clear();
    for (const node of this.cluster.nodes) node.resetClockRate();
  }

  /** `node` has just handed a write to its disk: an armed `crash-mid-write` aimed at it fires. */
  writeQueued(node: Node): void {
    for (const [id, fault] of this.armed) {
      if (fault.kind === 'crash-mid-write' && this.matches(fault.target, node)) {
        this.armed.delete(id);
        this.cluster.crash(node, fault.downMs, `fault ${id}: mid-write`, fault.landed);
        return;
      }
    }
  }

  /** A write of `node` is durable and its held outputs are out: an armed `crash-after-write` of its kind fires. */
  writeReleased(node: Node, kind: WriteKind): void {
    for (const [id, fault] of this.armed) {
      if (fault.kind === 'crash-after-write' && (fault.write === 'any' || fault.write === kind) && this.matches(fault.target, node)) {
        this.armed.delete(id);
        this.cluster.crash(node, fault.downMs, `fault ${id}: right after a ${kind} write`);
        return;
      }
    }
  }

  /** `node` advanced its commit index: an armed `crash-after-commit` fires if it leads. */
  committed(node: Node): void {
    for (const [id, fault] of this.armed) {
      if (fault.kind === 'crash-after-commit' && node.host.state.role === 'Leader') {
        this.armed.delete(id);
        this.cluster.crash(node, fault.downMs, `fault ${id}: right after committing index ${node.host.state.commitIndex}`);
        return;
      }
    }
  }

  private matches(target: NodeTarget, node: Node): boolean {
    if (!node.host.up) return false;
    if (target === 'leader') return node.host.state.role === 'Leader';
    if (target === 'follower') return node.host.state.role !== 'Leader';
    return node.index === target % this.cluster.nodes.length;
  }

  /** The node a target names now: a position, the leader, or a live follower drawn from the injector's stream. */
  private resolve(target: NodeTarget): Node | null {
    const nodes = this.cluster.nodes;
    if (typeof target === 'number') return nodes[target % nodes.length]!;
    const leader = this.cluster.leader();
    if (target === 'leader') return leader;
    const others = nodes.filter((node) => node.host.up && node !== leader);
    return others.length === 0 ? null : this.rng.pick(others);
  }

  /** The two sides of a partition, by node position. */
  private groups(fault: PartitionFault): { side: number[]; rest: number[] } {
    const n = this.cluster.nodes.length;
    // The groups come from the fault's own `pick`, so a shrunk schedule keeps the same sides.
    const order = Array.from({ length: n }, (_, i) => i);
    const shuffle = new Rng(fault.pick);
    for (let i = order.length - 1; i > 0; i--) {
      const j = shuffle.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const minority = Math.max(1, Math.floor((n - 1) / 2));
    let side: number[];
    if (fault.shape === 'isolate-node') side = [fault.pick % n];
    else if (fault.shape === 'isolate-leader' || fault.shape === 'leader-minority') {
      const leader = this.cluster.leader()?.index ?? fault.pick % n;
      const size = fault.shape === 'isolate-leader' ? 1 : minority;
      side = [leader, ...order.filter((i) => i !== leader)].slice(0, size);
    } else side = order.slice(0, 1 + (fault.pick % minority));
    return { side, rest: order.filter((i) => !side.includes(i)) };
  }
}
