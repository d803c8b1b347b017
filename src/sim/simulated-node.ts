/**
 * One node of the simulated cluster: a {@link NodeHost} and the simulated world around it. As the host's
 * environment it turns writes into disk events (in order, each taking a sampled latency), timers into
 * queue events on the node's own drifting clock, and messages into network sends; as the host's observer
 * it logs, runs the safety checks and reports protocol events to the fault injector.
 *
 * Election timers are lazy: rearming one only moves its deadline, and a new queue event is scheduled only
 * when the deadline moves earlier than the pending event (an event that fires early reschedules itself).
 * That keeps the queue from filling with stale timers, one per heartbeat a follower hears.
 *
 * @module
 */
import { describeNodeState, describePersistUpdate } from '../host/describe.js';
import { KvReplica, type KvReplicaOptions } from '../host/kv-replica.js';
import { NodeHost, type NodeEnvironment, type NodeObserver, type WriteKind } from '../host/node-host.js';
import type { RecordedStep, TraceRecorder } from '../host/trace-events.js';
import { formatOp, type KvCommand } from '../kv/command.js';
import type { KvRequest, KvResponse } from '../kv/client.js';
import type { KvDefect } from '../kv/state-machine.js';
import {
  formatMessage,
  type ActionLabel,
  type CommittedEntry,
  type Index,
  type Input,
  type Message,
  type NodeId,
  type NodeState,
  type PersistUpdate,
  type StepFn,
  type StepResult,
  type Term,
  type Value,
} from '../raft/index.js';
import type { PersistentState } from '../storage/types.js';
import { internalViolation, Stop, type RunContext, type SafetyChecks } from './checks.js';
import type { SimEvent } from './events.js';
import type { FaultableNode, FaultInjector } from './fault-injector.js';

/** What a simulated node needs from its simulation. */
export interface NodeWorld extends RunContext {
  readonly servers: readonly NodeId[];
  /** Whether anyone reads the event log (lines are only built then). */
  readonly logging: boolean;
  readonly checks: SafetyChecks;
  readonly faults: FaultInjector<SimulatedNode>;
  /** The recorded step being checked, until its checks pass (a run stopped by them records it last). */
  stoppingStep: RecordedStep | null;
  schedule(at: number, event: SimEvent): void;
  /** A fresh election timeout on a node's local clock (ms), from the timers' stream. */
  electionTimeoutMs(): number;
  /** The heartbeat interval on a node's local clock (ms). */
  readonly heartbeatIntervalMs: number;
  /** A write's duration, from the disk's stream. */
  diskLatencyMs(): number;
  /** Put a Raft message from node `from` on the wire. */
  sendMessage(from: number, message: Message): void;
  /** Answer a client from node `from`. */
  answerClient(from: number, response: KvResponse): void;
  /** Node `node` started an election. */
  electionStarted(node: SimulatedNode): void;
}

/** How every node of a run is built. */
export interface SimulatedNodeSettings {
  readonly stepFn: StepFn;
  readonly recorder: TraceRecorder | null;
  readonly electionEntry: Value | null;
  readonly kvDefect: KvDefect | null;
  readonly decode: (value: Value) => KvCommand | null | undefined;
}

/** A KV replica whose failure to apply is a failure of the simulator (an `internal` violation). */
class SimulatedKvReplica extends KvReplica {
  constructor(
    options: KvReplicaOptions,
    private readonly node: NodeId,
    private readonly world: NodeWorld,
  ) {
    super(options);
  }

  override apply(entry: CommittedEntry): void {
    try {
      super.apply(entry);
    } catch (error) {
      if (error instanceof Stop) throw error;
      throw new Stop(internalViolation(this.world, `${this.node}: ${(error as Error).message}`));
    }
  }
}

/** One simulated node; see the module comment. */
export class SimulatedNode implements NodeEnvironment, NodeObserver<KvRequest>, FaultableNode {
  readonly host: NodeHost<KvRequest>;
  /** Clock rates set by clock-drift faults, by fault; the latest wins over the base rate. */
  private readonly clockRates = new Map<number, number>();
  private electionToken = 0;
  /** When the pending election event fires (`-Infinity`: none pending). */
  private electionEventAt = -Infinity;
  private electionDeadline = Infinity;
  /** When the last write handed to the disk completes: writes complete in order. */
  private lastWriteDoneAt = 0;

  /** @param baseRate local clock seconds per real second, without faults. */
  constructor(
    readonly index: number,
    readonly id: NodeId,
    readonly baseRate: number,
    private readonly world: NodeWorld,
    settings: SimulatedNodeSettings,
  ) {
    this.host = new NodeHost<KvRequest>({
      id,
      servers: world.servers,
      environment: this,
      observer: this,
      stepFn: settings.stepFn,
      recorder: settings.recorder,
      electionEntry: settings.electionEntry,
      service: (node) =>
        new SimulatedKvReplica(
          { servers: world.servers, answer: (response) => world.answerClient(index, response), defect: settings.kvDefect, decode: settings.decode },
          node,
          world,
        ),
    });
  }

  /** Local clock seconds per real second. */
  get rate(): number {
    let rate = this.baseRate;
    if (this.clockRates.size > 0) for (const faultRate of this.clockRates.values()) rate = faultRate;
    return rate;
  }

  // ---------------------------------------------------------------- events for this node

  /** The election timer armed under `token` fired. */
  electionTimerFired(token: number): void {
    if (token !== this.electionToken || !this.host.up) return;
    this.electionEventAt = -Infinity;
    if (this.world.now() < this.electionDeadline) return this.scheduleElection(this.electionDeadline);
    this.host.electionTimeout();
  }

  /** The heartbeat timer armed in `incarnation` as leader of `term` fired. */
  heartbeatFired(incarnation: number, term: Term): void {
    if (incarnation !== this.host.incarnation) return;
    this.host.heartbeat(term);
  }

  /** The oldest write of `incarnation` is durable. */
  diskDone(incarnation: number): void {
    if (incarnation !== this.host.incarnation || !this.host.up) return;
    if (this.host.writesInFlight === 0) throw new Stop(internalViolation(this.world, `${this.id}: a disk completion without a pending write`));
    this.host.writeDurable(incarnation);
  }

  /** The restart scheduled when the node crashed in `incarnation` is due. */
  restartDue(incarnation: number): void {
    if (this.host.up || incarnation !== this.host.incarnation) return;
    this.host.restart();
  }

  // ---------------------------------------------------------------- faults

  setClockRate(fault: number, rate: number): void {
    this.clockRates.set(fault, rate);
  }

  clearClockRate(fault: number): void {
    this.clockRates.delete(fault);
  }

  resetClockRate(): void {
    this.clockRates.clear();
  }

  fireElectionTimerNow(): void {
    const now = this.world.now();
    this.electionDeadline = now;
    this.scheduleElection(now);
  }

  // ---------------------------------------------------------------- the host's environment

  now(): number {
    return this.world.now();
  }

  persist(_update: PersistUpdate, incarnation: number): void {
    const doneAt = Math.max(this.world.now(), this.lastWriteDoneAt) + this.world.diskLatencyMs();
    this.lastWriteDoneAt = doneAt;
    this.world.schedule(doneAt, { kind: 'disk', node: this.index, incarnation });
  }

  send(message: Message): void {
    this.world.sendMessage(this.index, message);
  }

  armElectionTimer(): void {
    const now = this.world.now();
    this.electionDeadline = now + this.world.electionTimeoutMs() / this.rate;
    if (this.electionEventAt < now || this.electionEventAt > this.electionDeadline) this.scheduleElection(this.electionDeadline);
  }

  armHeartbeatTimer(term: Term): void {
    const at = this.world.now() + this.world.heartbeatIntervalMs / this.rate;
    this.world.schedule(at, { kind: 'heartbeat', node: this.index, incarnation: this.host.incarnation, term });
  }

  reset(): void {
    this.electionToken++;
    this.electionEventAt = -Infinity;
    // The writes in flight are lost: the next one starts on an idle disk.
    this.lastWriteDoneAt = 0;
  }

  private scheduleElection(at: number): void {
    this.electionToken++;
    this.electionEventAt = at;
    this.world.schedule(at, { kind: 'election', node: this.index, token: this.electionToken });
  }

  // ---------------------------------------------------------------- the host's observer

  stepped(before: NodeState, result: StepResult, input: Input, record: RecordedStep | null): void {
    const world = this.world;
    // A step that breaks a check ends the run, and belongs at the end of its recording.
    world.stoppingStep = record;
    world.checks.observe(this.id, before, result.state, input);
    world.checks.stepWrites(result.state, input, result.outputs.persist);
    world.stoppingStep = null;
    const logWrite = result.outputs.persist?.logWrite;
    if (logWrite !== undefined && logWrite !== null && logWrite.fromIndex <= before.log.length) world.stats.truncations++;
  }

  writeQueued(update: PersistUpdate): void {
    if (this.world.logging) this.world.say(this.id, `persist ${describePersistUpdate(update)}`);
    this.world.faults.writeQueued(this);
  }

  written(disk: PersistentState): void {
    this.world.checks.written(this.id, disk);
  }

  afterWrite(kind: WriteKind): void {
    this.world.faults.writeReleased(this, kind);
  }

  applying(entry: CommittedEntry): void {
    this.world.checks.applying(this.id, entry);
  }

  electionTimeout(state: NodeState): void {
    if (this.world.logging) this.world.say(this.id, `election timeout in term ${state.currentTerm}`);
  }

  electionStarted(): void {
    this.world.electionStarted(this);
  }

  becameLeader(state: NodeState): void {
    this.world.stats.elections++;
    if (this.world.logging) this.world.say(this.id, `becomes Leader of term ${state.currentTerm}`);
  }

  committed(): void {
    this.world.faults.committed(this);
  }

  received(message: Message, before: NodeState, after: NodeState): void {
    if (this.world.logging) this.world.say(this.id, `<- ${formatMessage(message)}${after === before ? '' : `  => ${describeNodeState(after)}`}`);
  }

  accepted(request: KvRequest, index: Index): void {
    if (this.world.logging) {
      this.world.say(this.id, `accepts ${request.client}#${request.seq} (attempt ${request.attempt}) ${formatOp(request.op)} at index ${index}`);
    }
  }

  crashed(before: NodeState, after: NodeState, disk: PersistentState): void {
    this.world.checks.crashed(this.id, disk);
    // What survives is exactly what the spec's Restart keeps; check the cluster with the node in that state.
    this.world.checks.observe(this.id, before, after, this.restartLabel());
  }

  restarted(before: NodeState, result: StepResult): void {
    if (this.world.logging) this.world.say(this.id, `restarts from disk as ${describeNodeState(result.state)}`);
    this.world.checks.observe(this.id, before, result.state, this.restartLabel());
    this.world.checks.stepWrites(result.state, this.restartLabel(), result.outputs.persist);
  }

  private restartLabel(): ActionLabel {
    return { name: 'Restart', node: this.id };
  }
}
