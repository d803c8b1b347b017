/**
 * The node host: one Raft node and its replica of the service, driven the same way by the deterministic
 * simulator (`src/sim/`) and by a real runtime. It owns what happens inside the node; its environment owns
 * time, the disk and the network.
 *
 * How a node is driven (the etcd `Ready` discipline):
 * - Every input goes through the (injectable) step function; the node's in-memory state moves at once.
 * - The step's durable change is handed to the environment's disk, in order. The step's messages and
 *   newly committed entries are held until every write handed over so far is durable, then released in
 *   order. So nothing a node says or applies can outlive a crash that erases what it was based on, and a
 *   leader's own log counts towards a majority only once it is on disk (its entries leave only after the
 *   write).
 * - Internal actions (`BecomeLeader`, `AdvanceCommitIndex`) fire eagerly after every input, each as its own
 *   step, so a monitor sees exactly the spec's transitions.
 * - Which `AppendEntries` to send after a step is one pure function, the replication policy
 *   (`replication.ts`).
 * - A crash throws away the in-memory state and every write not yet durable (or lets the write in flight
 *   land, when the driver says so); the node comes back from what is durable through the core's `Restart`.
 * - A recorder (optional) receives each step once its writes are durable, as `trace-events.ts` describes;
 *   the steps a crash throws away are never recorded, and the messages they had consumed are recorded as
 *   lost.
 *
 * The host never reads a clock, draws a random number or starts a timer: it asks its
 * {@link NodeEnvironment}, and the driver calls back (`writeDurable`, `electionTimeout`, `heartbeat`).
 * A {@link NodeObserver} sees each step and event as it happens, for logs, checks and fault triggers; an
 * observer may throw to stop its driver (the host is then left mid-step and is not used again).
 *
 * @module
 */
import { applyPersistUpdate, INITIAL_PERSISTENT_STATE, type PersistentState } from '../storage/types.js';
import {
  handleInputFor,
  initialNodeState,
  Inputs,
  labelOf,
  majorityMatchIndex,
  restoreNodeState,
  step as coreStep,
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
import { appendEntriesTargets, type ReplicationTrigger } from './replication.js';
import type { ServiceFactory, ServiceReplica } from './service.js';
import type { RecordedStep, TraceRecorder } from './trace-events.js';

/** What a durable write holds: a vote, log entries, or something else (a new term, a truncation). */
export type WriteKind = 'vote' | 'append' | 'other';

/**
 * What a node host needs from the world. The simulator implements it with its event queue, simulated disk
 * and seeded timers; a real runtime with `setTimeout`, `FileStorage.save` and sockets.
 */
export interface NodeEnvironment {
  /** The time the recording is stamped with, in milliseconds (virtual or wall time). */
  now(): number;
  /**
   * Make `update` durable after every update handed over before it, then call
   * `host.writeDurable(incarnation)`. Writes complete in the order they were handed over.
   */
  persist(update: PersistUpdate, incarnation: number): void;
  /** Put `message` on the wire to `message.to`. Called only once the step that sent it is durable. */
  send(message: Message): void;
  /**
   * (Re)start the election timer with a fresh random timeout; when it runs out, call
   * `host.electionTimeout()`. The driver ignores a timer that fires while the node is down.
   */
  armElectionTimer(): void;
  /** Call `host.heartbeat(term)` one heartbeat interval from now (the driver drops it if the node crashes first). */
  armHeartbeatTimer(term: Term): void;
  /**
   * The node crashed: cancel its timers and forget its writes in flight (a completion still on its way
   * names an old incarnation, and the host ignores it).
   */
  reset(): void;
}

/**
 * Hooks a driver may implement to watch the node: logging, invariant and durability checks, fault
 * triggers. Each is called at the point its name says; any may throw to stop the driver.
 */
export interface NodeObserver<Request> {
  /** A step was taken: the state has moved, its outputs are not handled yet. */
  stepped?(before: NodeState, result: StepResult, input: Input, record: RecordedStep | null): void;
  /** A step's write was handed to the disk. */
  writeQueued?(update: PersistUpdate, kind: WriteKind): void;
  /** The oldest write is durable: `disk` is what the disk holds now. Its held outputs are released next. */
  written?(disk: PersistentState): void;
  /** The outputs held by that write have been released. */
  afterWrite?(kind: WriteKind): void;
  /** A committed entry is about to be applied. */
  applying?(entry: CommittedEntry): void;
  /** The election timer ran out on a non-leader, which is about to start an election. */
  electionTimeout?(state: NodeState): void;
  /** The node started an election (its `Timeout` step was taken). */
  electionStarted?(state: NodeState): void;
  /** The node became leader; its election entry and first `AppendEntries` follow. */
  becameLeader?(state: NodeState): void;
  /** A leader advanced its commit index. */
  committed?(state: NodeState): void;
  /** The node took `message`, stepping from `before` to `after` (before any step it triggers). */
  received?(message: Message, before: NodeState, after: NodeState): void;
  /** As leader, the node appended `request` at `index`. */
  accepted?(request: Request, index: Index): void;
  /** The node crashed: `after` is what `disk` gives back (the spec's `Restart` of it). */
  crashed?(before: NodeState, after: NodeState, disk: PersistentState): void;
  /** The node came back: the core's `Restart` step took it from `before` to `result.state`. */
  restarted?(before: NodeState, result: StepResult): void;
}

/** How a node host is built. */
export interface NodeHostOptions<Request> {
  readonly id: NodeId;
  /** Every member, this node included. */
  readonly servers: readonly NodeId[];
  readonly environment: NodeEnvironment;
  /** Builds the node's replica of the service, at its start and at each restart. */
  readonly service: ServiceFactory<Request>;
  /** The node core; a defect from `src/raft/defects.ts` for negative controls. Default: the real `step`. */
  readonly stepFn?: StepFn;
  readonly observer?: NodeObserver<Request>;
  readonly recorder?: TraceRecorder | null;
  /** What a new leader appends at once (a no-op entry of its term, Raft thesis 6.4), or `null` for nothing. */
  readonly electionEntry?: Value | null;
  /**
   * What the disk holds when the host is built. Absent: a fresh node, up at once. Present (a real runtime
   * passes `storage.load()`): the node starts down in the state its disk gives back, and `start()` takes its
   * `Restart` step.
   */
  readonly durable?: PersistentState;
}

/** A step's messages and newly committed entries, held back until its write (and those before) is durable. */
interface HeldOutputs {
  readonly messages: readonly Message[];
  readonly committed: readonly CommittedEntry[];
}

/** A write handed to the disk and not yet durable, with what waits for it. */
interface QueuedWrite {
  readonly update: PersistUpdate;
  readonly kind: WriteKind;
  /** The outputs of its step and of the steps after it that wrote nothing. */
  readonly held: HeldOutputs[];
  /** Their records, when recording. */
  readonly steps: RecordedStep[];
}

const NO_OBSERVER: NodeObserver<never> = {};

/** One node; see the module comment. */
export class NodeHost<Request> {
  readonly id: NodeId;
  private readonly servers: readonly NodeId[];
  private readonly environment: NodeEnvironment;
  private readonly service: ServiceFactory<Request>;
  private readonly stepFn: StepFn;
  private readonly observer: NodeObserver<Request>;
  private readonly recorder: TraceRecorder | null;
  private readonly electionEntry: Value | null;
  private current: NodeState;
  private alive: boolean;
  private incarnationNumber = 0;
  private disk: PersistentState;
  private queue: QueuedWrite[] = [];
  /** `null` while the node is down. */
  private replica: ServiceReplica<Request> | null;

  constructor(options: NodeHostOptions<Request>) {
    this.id = options.id;
    this.servers = options.servers;
    this.environment = options.environment;
    this.service = options.service;
    this.stepFn = options.stepFn ?? coreStep;
    this.observer = options.observer ?? NO_OBSERVER;
    this.recorder = options.recorder ?? null;
    this.electionEntry = options.electionEntry ?? null;
    if (options.durable === undefined) {
      this.disk = INITIAL_PERSISTENT_STATE;
      this.current = initialNodeState(this.id, this.servers);
      this.alive = true;
      this.replica = this.service(this.id);
    } else {
      this.disk = options.durable;
      this.current = this.restored();
      this.alive = false;
      this.replica = null;
    }
  }

  /** The node's state (after a crash: what its disk gives back). */
  get state(): NodeState {
    return this.current;
  }

  /** Whether the node is running. */
  get up(): boolean {
    return this.alive;
  }

  /** How many times the node has crashed: a completion or timer of an older incarnation is stale. */
  get incarnation(): number {
    return this.incarnationNumber;
  }

  /** What is durable: every write whose completion the host has been told of. */
  get durable(): PersistentState {
    return this.disk;
  }

  /** Writes handed to the disk and not yet durable. */
  get writesInFlight(): number {
    return this.queue.length;
  }

  /** The steps still waiting for a write, in order (a recording that ends now lists them as if it completed). */
  stepsAwaitingDisk(): RecordedStep[] {
    return this.queue.flatMap((write) => write.steps);
  }

  /** Start the node: a fresh node arms its election timer; one built from its disk restarts. */
  start(): void {
    if (this.alive) this.environment.armElectionTimer();
    else this.restart();
  }

  /** A message reached the node. A node that is down ignores it (its driver records the loss). */
  receive(message: Message): void {
    if (!this.alive) return;
    const before = this.current;
    const result = this.step(handleInputFor(message));
    if (result === null) {
      this.recordNetwork(message, `${this.id} refused it`);
      return;
    }
    this.observer.received?.(message, before, result.state);
    if (message.type === 'AppendEntriesResponse' && this.alive) this.replicate({ kind: 'append-entries-response', response: message }, before);
    this.settle();
  }

  /** A client's request reached the node: a leader appends it, anyone else redirects the client. */
  clientRequest(request: Request): void {
    const replica = this.replica;
    if (replica === null) return;
    if (this.current.role !== 'Leader') return replica.redirect(request, this.current.leaderHint);
    const before = this.current;
    if (this.step(Inputs.ClientRequest(replica.command(request))) === null) return replica.redirect(request, this.current.leaderHint);
    if (!this.alive) return;
    this.observer.accepted?.(request, this.current.log.length);
    replica.accepted(request);
    this.replicate({ kind: 'new-entry' }, before);
    this.settle();
  }

  /** The election timer ran out: a leader only rearms it, anyone else starts an election. */
  electionTimeout(): void {
    if (!this.alive) return;
    if (this.current.role === 'Leader') {
      this.environment.armElectionTimer();
      return;
    }
    this.observer.electionTimeout?.(this.current);
    if (this.step(Inputs.Timeout()) !== null) this.observer.electionStarted?.(this.current);
    this.settle();
  }

  /** The heartbeat timer armed as leader of `term` fired: if the node still leads that term, it sends to every peer. */
  heartbeat(term: Term): void {
    if (!this.alive || this.current.role !== 'Leader' || this.current.currentTerm !== term) return;
    this.replicate({ kind: 'heartbeat' }, this.current);
    if (this.alive) this.environment.armHeartbeatTimer(term);
  }

  /** The oldest write of incarnation `incarnation` is durable. A completion of an older incarnation is ignored. */
  writeDurable(incarnation: number): void {
    if (incarnation !== this.incarnationNumber || !this.alive) return;
    const write = this.queue.shift();
    if (write === undefined) throw new Error(`${this.id}: a write completed, but none was in flight`);
    this.disk = applyPersistUpdate(this.disk, write.update);
    this.observer.written?.(this.disk);
    if (this.recorder !== null) for (const recorded of write.steps) this.recorder(recorded);
    for (const held of write.held) {
      this.release(held);
      if (!this.alive) return;
    }
    this.observer.afterWrite?.(write.kind);
  }

  /**
   * Crash: the in-memory state, the service replica and every write not yet durable are lost, except that
   * with `landInFlightWrite` the oldest write reaches the disk (without its outputs: the node died before
   * it learnt so). The node is then down in the state its disk gives back, until `restart()`.
   */
  crash(landInFlightWrite = false): void {
    if (!this.alive) return;
    const inFlight = this.queue[0];
    if (landInFlightWrite && inFlight !== undefined) this.disk = applyPersistUpdate(this.disk, inFlight.update);
    if (this.recorder !== null) this.recordCrash(landInFlightWrite ? 1 : 0);
    this.queue = [];
    this.alive = false;
    this.incarnationNumber++;
    this.replica = null;
    this.environment.reset();
    const before = this.current;
    this.current = this.restored();
    this.observer.crashed?.(before, this.current, this.disk);
    this.recorder?.({ kind: 'step', atMs: this.environment.now(), label: this.restartLabel(), node: this.id, state: this.current, sent: [] });
  }

  /** Come back from the disk: a fresh replica, the core's `Restart` step, a new election timer. */
  restart(): void {
    if (this.alive) return;
    this.alive = true;
    this.replica = this.service(this.id);
    const before = this.current;
    const result = this.stepFn(before, Inputs.Restart());
    this.current = result.state;
    const recorded = this.recorder === null ? null : this.recordedStep(this.restartLabel(), result);
    if (recorded !== null && result.outputs.persist === null) this.recorder?.(recorded);
    this.observer.restarted?.(before, result);
    // The real core writes nothing on Restart; whatever a core asks to write then goes to disk like any step's.
    if (result.outputs.persist !== null) {
      this.takeOutputs({ state: result.state, outputs: { ...result.outputs, resetElectionTimer: false } }, Inputs.Restart(), recorded);
    }
    this.environment.armElectionTimer();
  }

  // ---------------------------------------------------------------- stepping

  /** Step with `input`; returns the result, or null when the node is down or the core refused it. */
  private step(input: Input): StepResult | null {
    if (!this.alive) return null;
    const before = this.current;
    const result = this.stepFn(before, input);
    if (result.outputs.notEnabled !== null) return null;
    this.current = result.state;
    const recorded = this.recorder === null ? null : this.recordedStep(labelOf(this.id, input), result);
    this.observer.stepped?.(before, result, input, recorded);
    this.takeOutputs(result, input, recorded);
    return result;
  }

  /** Persist, then (once everything before is durable) send and apply; rearm the election timer if asked. */
  private takeOutputs(result: StepResult, input: Input, recorded: RecordedStep | null): void {
    const outputs = result.outputs;
    const held: HeldOutputs | null =
      outputs.messages.length > 0 || outputs.committed.length > 0 ? { messages: outputs.messages, committed: outputs.committed } : null;
    if (outputs.persist !== null) {
      const kind = writeKindOf(input, outputs.persist);
      this.queue.push({ update: outputs.persist, kind, held: held === null ? [] : [held], steps: recorded === null ? [] : [recorded] });
      this.environment.persist(outputs.persist, this.incarnationNumber);
      this.observer.writeQueued?.(outputs.persist, kind);
    } else {
      // Behind a pending write, the step is as invisible as its messages until that write is durable.
      const last = this.queue[this.queue.length - 1];
      if (last !== undefined) {
        if (held !== null) last.held.push(held);
        if (recorded !== null) last.steps.push(recorded);
      } else {
        if (recorded !== null) this.recorder?.(recorded);
        if (held !== null) this.release(held);
      }
    }
    if (outputs.resetElectionTimer && this.alive) this.environment.armElectionTimer();
  }

  private release(held: HeldOutputs): void {
    for (const message of held.messages) this.environment.send(message);
    for (const entry of held.committed) {
      this.observer.applying?.(entry);
      this.replica?.apply(entry);
    }
  }

  /** Send the `AppendEntries` the replication policy asks for after a step from `before`. */
  private replicate(trigger: ReplicationTrigger, before: NodeState): void {
    for (const peer of appendEntriesTargets(trigger, before, this.current)) this.step(Inputs.AppendEntries(peer));
  }

  /** Fire the internal actions the node has enabled, each as its own step. */
  private settle(): void {
    for (let guard = 0; guard < 1000 && this.alive; guard++) {
      const state = this.current;
      // A candidate is offered BecomeLeader after each of its steps and the core decides: a driver that
      // counted the votes itself would hide a core that counts them wrong (the minority-quorum defect).
      // Commit is offered only when a majority matches more than the commit index, so a refused attempt
      // (and its message text) stays rare on the replication path, the busiest one.
      let input: Input;
      if (state.role === 'Candidate') input = Inputs.BecomeLeader();
      else if (state.role === 'Leader' && majorityMatchIndex(state) > state.commitIndex) input = Inputs.AdvanceCommitIndex();
      else return;
      if (this.step(input) === null) return;
      if (input.type === 'BecomeLeader') this.becameLeader();
      else this.observer.committed?.(this.current);
    }
  }

  private becameLeader(): void {
    this.observer.becameLeader?.(this.current);
    const before = this.current;
    if (this.electionEntry !== null) this.step(Inputs.ClientRequest(this.electionEntry));
    this.replicate({ kind: 'became-leader' }, before);
    this.environment.armHeartbeatTimer(this.current.currentTerm);
  }

  // ---------------------------------------------------------------- recording

  private restored(): NodeState {
    return restoreNodeState(this.id, this.servers, this.disk.hardState, this.disk.log);
  }

  private restartLabel(): ActionLabel {
    return { name: 'Restart', node: this.id };
  }

  private recordedStep(label: ActionLabel, result: StepResult): RecordedStep {
    return { kind: 'step', atMs: this.environment.now(), label, node: this.id, state: result.state, sent: result.outputs.messages };
  }

  private recordNetwork(message: Message, why: string): void {
    this.recorder?.({ kind: 'network', atMs: this.environment.now(), label: { name: 'DropMessage', message }, why });
  }

  /**
   * A crash throws away the writes still queued (all but the first `kept`): the steps waiting for them are
   * not recorded, as nobody saw them, and a message one of them had consumed is recorded as lost.
   */
  private recordCrash(kept: number): void {
    this.queue.forEach((write, i) => {
      for (const recorded of write.steps) {
        if (i < kept) this.recorder?.(recorded);
        else if ('message' in recorded.label) this.recordNetwork(recorded.label.message, `consumed by ${this.id}, which crashed before its step was durable`);
      }
    });
  }
}

/** The kind of a step's write: a vote (granted in answer to a request), new log entries, or something else. */
export function writeKindOf(input: Input, update: PersistUpdate): WriteKind {
  if (input.type === 'HandleRequestVoteRequest' && update.hardState?.votedFor != null) return 'vote';
  return (update.logWrite?.entries.length ?? 0) > 0 ? 'append' : 'other';
}
