/**
 * The deterministic discrete-event simulator: the pure Raft core (`src/raft`) and the KV state machine
 * (`src/kv`) driven through a simulated network, disk and clock, with faults injected on schedule.
 *
 * How a node is driven (the etcd `Ready` discipline):
 * - Every input goes through the (injectable) step function; the node's in-memory state moves at once.
 * - The step's durable change is queued on the node's disk and takes virtual time. The step's messages and
 *   newly committed entries are held until every write queued so far is durable, then released in order.
 *   So nothing a node says or applies can outlive a crash that erases what it was based on, and a leader's
 *   own log counts towards a majority only once it is on disk (its entries leave only after the write).
 * - Internal actions (`BecomeLeader`, `AdvanceCommitIndex`) fire eagerly after every step, each as its own
 *   labelled step, so the invariant monitor and `commitHistory` see exactly the spec's transitions.
 * - A crash throws away the in-memory state and every write still queued (or lets the write in flight land,
 *   for `crash-mid-write` with `landed`); the node comes back from what is on its disk through the core's
 *   `Restart`.
 * - The durability checks (`durability.ts`) see each step's write request, each write that completes and
 *   each crash with what survived it, so a core that leaves part of its hard state out of a write is caught
 *   at that step, not only when a crash makes it matter.
 *
 * Replication policy (the core sends one entry per `AppendEntries`; the driver decides when): a new leader
 * sends to every peer at once; the heartbeat timer sends to every peer; a new entry is sent to each peer
 * that was caught up; a success that advances a peer sends its next entry; a failure sends the probe at the
 * backed-off `nextIndex` at once. That is stop-and-wait per peer, which keeps duplicates out of the network.
 *
 * Liveness: after the heal (all faults stop), every pending operation must complete and a leader must become
 * stable within the scenario's time bound, and the cluster may start at most `maxElectionsAfterHeal`
 * elections on the way; one more fails the run at once.
 *
 * Time: virtual milliseconds as floats. Each node's clock runs at its own rate (drift), which scales its
 * election timeouts and heartbeat interval. Randomness: one seed, split into independent streams per concern.
 *
 * @module
 */
import { match } from 'ts-pattern';
import {
  DEFAULT_ELECTION_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  formatMessage,
  handleInputFor,
  initialNodeState,
  Inputs,
  labelOf,
  majorityMatchIndex,
  quorumSize,
  restoreNodeState,
  step as realStep,
  type ActionLabel,
  type CommittedEntry,
  type Input,
  type Message,
  type NodeId,
  type NodeState,
  type PersistUpdate,
  type StepFn,
  type StepResult,
} from '../raft/index.js';
import { applyPersistUpdate, INITIAL_PERSISTENT_STATE, type PersistentState } from '../storage/index.js';
import { encodeCommand, formatOp, formatResult, NOOP, sharedDecoder, type KvOp, type KvResult } from '../kv/command.js';
import { KvClient, type KvRequest, type KvResponse, type PlannedOp } from '../kv/client.js';
import { KvStateMachine, type KvDefect } from '../kv/state-machine.js';
import { unreachable } from '../exhaustive.js';
import { DEFAULT_MAX_EXPLORED } from '../lin/checker.js';
import { checkLinearizable } from '../lin/explain.js';
import { operationsFromEvents, type HistoryEvent } from '../lin/history.js';
import { kvModel } from '../kv/lin-model.js';
import { DurabilityMonitor, type DurabilityViolation } from './durability.js';
import { describeFault } from './faults.js';
import { latencySampler, type Sampler } from './latency.js';
import { InvariantMonitor, type InvariantCheck } from './monitor.js';
import { Network } from './network.js';
import { EventQueue } from './queue.js';
import type { SimResult, SimStats, Violation } from './result.js';
import type { SimTraceEvent } from './recording.js';
import { Rng } from './rng.js';
import type { Fault, NodeTarget, Scenario } from './scenario.js';

/** How to run a scenario. */
export interface SimOptions {
  /** The node core; a defect from `src/raft/defects.ts` for negative controls. Default: the real `step`. */
  readonly stepFn?: StepFn;
  /** A deliberately broken KV state machine (negative controls). */
  readonly kvDefect?: KvDefect | null;
  /** Evaluate the invariant mirrors after every step (default true; the throughput benchmark turns it off). */
  readonly checkInvariants?: boolean;
  /** How: only what each step changed (default), or every mirror over the whole cluster (the reference). */
  readonly invariantCheck?: InvariantCheck;
  /** Check what each node keeps on disk after every step (`src/sim/durability.ts`; default: as `checkInvariants`). */
  readonly checkDurability?: boolean;
  /** Check the client history for linearizability at the end (default true). */
  readonly checkLinearizability?: boolean;
  /** Receives the readable event log, one line per call. */
  readonly log?: ((line: string) => void) | null;
  /** Log every message sent, not only deliveries and losses. */
  readonly verbose?: boolean;
  /** Safety stop (default 5,000,000 events). */
  readonly maxEvents?: number;
  /** Election timeout range of the nodes' local clocks (default 150–300 ms). */
  readonly electionTimeoutMs?: { readonly min: number; readonly max: number };
  /** Heartbeat interval of the nodes' local clocks (default 50 ms). */
  readonly heartbeatIntervalMs?: number;
  /**
   * Elections a cluster may start after the faults stop before it must have a stable leader (default
   * {@link DEFAULT_MAX_ELECTIONS_AFTER_HEAL}); one more is a liveness violation, found as it happens rather
   * than at the time bound.
   */
  readonly maxElectionsAfterHeal?: number;
  /**
   * Receives the run as the spec sees it, for `--record` (`recording.ts`): each node step once its writes are
   * on disk, and each message the network loses or copies.
   */
  readonly record?: ((event: SimTraceEvent) => void) | null;
}

/**
 * Elections allowed after the heal by default. Over 30,000 generated schedules of the six profiles the
 * real core started at most 9. Most come from nodes whose logs are behind: they cannot win, but their
 * higher-term vote requests make the others step down and restart their timers, so the node that can win
 * keeps being postponed; the chance of one more such round fell by about 2.4x per election, so 16 is
 * expected about once in millions of schedules, while a cluster that never settles passes it in seconds.
 */
export const DEFAULT_MAX_ELECTIONS_AFTER_HEAL = 15;

type Ev =
  | { readonly k: 'raft'; readonly to: number; readonly from: number; readonly msg: Message }
  | { readonly k: 'request'; readonly to: number; readonly from: number; readonly req: KvRequest }
  | { readonly k: 'response'; readonly client: number; readonly from: number; readonly resp: KvResponse }
  | { readonly k: 'election'; readonly node: number; readonly token: number }
  | { readonly k: 'heartbeat'; readonly node: number; readonly inc: number; readonly term: number }
  | { readonly k: 'disk'; readonly node: number; readonly inc: number }
  | { readonly k: 'client'; readonly client: number; readonly token: number }
  | { readonly k: 'fault-start'; readonly fault: number }
  | { readonly k: 'fault-end'; readonly fault: number }
  | { readonly k: 'restart'; readonly node: number; readonly inc: number }
  | { readonly k: 'heal' };

/** The events that travel over the network. */
type Delivery = Extract<Ev, { k: 'raft' | 'request' | 'response' }>;

interface Batch {
  readonly messages: readonly Message[];
  readonly committed: readonly CommittedEntry[];
}

type WriteKind = 'vote' | 'append' | 'other';

interface PendingWrite {
  readonly update: PersistUpdate;
  readonly kind: WriteKind;
  readonly batches: Batch[];
  /** The recorded steps waiting for this write (and those before it) to be durable. */
  readonly records: Extract<SimTraceEvent, { kind: 'step' }>[];
}

class NodeHost {
  up = true;
  inc = 0;
  durable: PersistentState = INITIAL_PERSISTENT_STATE;
  writes: PendingWrite[] = [];
  lastWriteDoneAt = 0;
  readonly rateOverrides = new Map<number, number>();
  electionToken = 0;
  electionEventAt = -Infinity;
  electionDeadline = Infinity;
  kv: KvStateMachine;
  readonly waiting = new Map<string, number>();

  constructor(
    readonly id: NodeId,
    readonly index: number,
    public raft: NodeState,
    readonly baseRate: number,
    readonly newKv: () => KvStateMachine,
  ) {
    this.kv = newKv();
  }

  /** Local clock seconds per real second. */
  get rate(): number {
    let r = this.baseRate;
    if (this.rateOverrides.size > 0) for (const v of this.rateOverrides.values()) r = v;
    return r;
  }
}

/** The ids of a cluster of `n` servers: `s1`..`s9`, or `s01`.. from ten on (so index order is sorted order, as the core sorts members). */
export function serverIds(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => (n >= 10 ? `s${String(i + 1).padStart(2, '0')}` : `s${i + 1}`));
}

/** Stop the run: thrown inside the event loop, caught by `run`. */
class Stop {
  constructor(readonly violation: Violation | null) {}
}

const PROBE = 'probe';

class Simulation {
  private readonly q = new EventQueue<Ev>();
  private now = 0;
  private readonly n: number;
  private readonly servers: readonly NodeId[];
  private readonly nodes: NodeHost[];
  private readonly clients: KvClient[] = [];
  private readonly network: Network;
  private readonly monitor: InvariantMonitor | null;
  /** What each node keeps on disk against what it holds; on whenever the invariants are checked. */
  private readonly durability: DurabilityMonitor | null;
  private readonly stepFn: StepFn;
  private readonly rngTimers: Rng;
  private readonly rngDisk: Rng;
  private readonly rngFaults: Rng;
  private readonly events: HistoryEvent<KvOp, KvResult>[] = [];
  private readonly invokedAt = new Map<string, number>();
  private readonly writeLatencies: number[] = [];
  private readonly applied: string[] = [];
  private readonly armed = new Map<number, Fault>();
  private readonly partitions = new Map<number, [number, number][]>();
  private readonly active = new Set<number>();
  private healed = false;
  /** When some node last started an election (a `Timeout` step), and the elections started after the heal. */
  private lastElectionAt = -Infinity;
  private readonly electionsAfterHeal: string[] = [];
  private readonly maxElectionsAfterHeal: number;
  /**
   * How long a leader must go unchallenged to count as stable: the longest election timeout on the slowest
   * clock, so a follower whose timer the leader does not reset has fired by then.
   */
  private readonly stableLeaderMs: number;
  /** Whether every client is done; only a client's own events change that, so it is updated after them. */
  private clientsDone = false;
  private readonly election: { readonly min: number; readonly max: number };
  private readonly heartbeat: number;
  private readonly log: ((line: string) => void) | null;
  private readonly recordEvent: ((event: SimTraceEvent) => void) | null;
  /** The recorded step being checked, until its checks pass. */
  private stoppingStep: Extract<SimTraceEvent, { kind: 'step' }> | null = null;
  private readonly diskLatency: Sampler;
  readonly stats: SimStats = {
    events: 0,
    delivered: 0,
    clientMessages: 0,
    sent: 0,
    dropped: 0,
    duplicated: 0,
    elections: 0,
    electionsAfterHeal: 0,
    maxTerm: 0,
    maxCommit: 0,
    truncations: 0,
    crashes: 0,
    crashesMidWrite: 0,
    faultsStarted: 0,
    checks: 0,
    opsOk: 0,
    opsTimedOut: 0,
    endMs: 0,
  };

  constructor(
    private readonly scenario: Scenario,
    private readonly options: SimOptions,
  ) {
    if (!Number.isInteger(scenario.nodes) || scenario.nodes < 1 || scenario.nodes > 99) {
      throw new RangeError(`nodes must be an integer in 1..99, not ${scenario.nodes}`);
    }
    this.n = scenario.nodes;
    this.stepFn = options.stepFn ?? realStep;
    this.log = options.log ?? null;
    this.recordEvent = options.record ?? null;
    this.election = options.electionTimeoutMs ?? DEFAULT_ELECTION_TIMEOUT_MS;
    this.heartbeat = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.maxElectionsAfterHeal = options.maxElectionsAfterHeal ?? DEFAULT_MAX_ELECTIONS_AFTER_HEAL;
    this.diskLatency = latencySampler(scenario.disk);
    const root = new Rng(scenario.seed);
    const rngNet = root.fork();
    this.rngTimers = root.fork();
    this.rngDisk = root.fork();
    this.rngFaults = root.fork();
    const rngDrift = root.fork();
    const decode = sharedDecoder();
    const newKv = (): KvStateMachine => new KvStateMachine(options.kvDefect ?? null, decode);
    this.servers = serverIds(this.n);
    this.nodes = this.servers.map(
      (id, i) =>
        new NodeHost(id, i, initialNodeState(id, this.servers), 1 + rngDrift.uniform(-scenario.maxDrift, scenario.maxDrift), newKv),
    );
    this.network = new Network(this.n, scenario.network, rngNet);
    // Clock-drift faults end at the heal; from then on each node runs at its base rate.
    this.stableLeaderMs = Math.max(...this.nodes.map((h) => this.election.max / h.baseRate));
    this.monitor =
      options.checkInvariants === false ? null : new InvariantMonitor(this.servers, this.nodes.map((h) => h.raft), { check: options.invariantCheck ?? 'incremental' });
    this.durability = (options.checkDurability ?? options.checkInvariants) === false ? null : new DurabilityMonitor(this.nodes.map((h) => h.raft), { synchronousDisk: false });
  }

  // ---------------------------------------------------------------- logging

  // Hot paths test `this.log !== null` before calling: the check here cannot spare building the text.
  private say(who: string, text: string): void {
    if (this.log !== null) this.log(`${this.now.toFixed(3).padStart(10)} ms  ${who.padEnd(6)}${text}`);
  }

  private describeNode(s: NodeState): string {
    return `${s.role} t${s.currentTerm}${s.votedFor === null ? '' : ` vote=${s.votedFor}`} log=${s.log.length}${s.log.length > 0 ? `/t${s.log.lastTerm}` : ''} commit=${s.commitIndex}`;
  }

  // ---------------------------------------------------------------- run

  run(): SimResult {
    const sc = this.scenario;
    const maxEvents = this.options.maxEvents ?? 5_000_000;
    this.say('sim', `${this.n} nodes, seed ${sc.seed}, heal at ${sc.healAtMs} ms, liveness bound ${sc.livenessBoundMs} ms`);
    sc.faults.forEach((f, i) => {
      this.say('sim', `fault ${i}: ${describeFault(f, this.n)}`);
      this.q.push(f.atMs, { k: 'fault-start', fault: i });
    });
    this.q.push(sc.healAtMs, { k: 'heal' });
    for (const h of this.nodes) this.armElection(h);
    this.startClients();
    this.clientsDone = this.clients.every((c) => c.done);
    let violation: Violation | null = null;
    const deadline = sc.healAtMs + sc.livenessBoundMs;
    try {
      for (;;) {
        const next = this.q.pop();
        if (next === undefined) throw new Stop(this.internal('the event queue ran dry'));
        if (next.time > deadline) {
          this.now = deadline;
          throw new Stop(this.livenessFailure());
        }
        this.now = next.time;
        this.stats.events++;
        if (this.stats.events > maxEvents) throw new Stop(this.internal(`more than ${maxEvents} events`));
        this.dispatch(next.item);
        if (this.healed && this.clientsDone && this.hasStableLeader()) break;
      }
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      violation = e.violation;
    }
    this.stats.endMs = this.now;
    // The recording ends as if every queued write had completed: what the nodes did is all in it.
    if (this.recordEvent !== null) {
      for (const h of this.nodes) for (const w of h.writes) for (const record of w.records) this.recordEvent(record);
      if (this.stoppingStep !== null) this.recordEvent(this.stoppingStep);
    }
    if (this.monitor !== null) this.stats.checks = this.monitor.checks;
    const history = operationsFromEvents(this.events);
    if (violation === null && this.options.checkLinearizability !== false) {
      const lin = checkLinearizable(kvModel, history);
      if (lin.outcome === 'not-linearizable') {
        violation = { kind: 'linearizability', message: `the client history is not linearizable:\n${lin.explanation.text}`, explanation: lin.explanation };
      } else if (lin.outcome === 'unknown') {
        const why = lin.reason === 'time-budget' ? 'the search ran out of time' : `the search explored its budget of ${DEFAULT_MAX_EXPLORED.toLocaleString('en-US')} configurations`;
        violation = { kind: 'linearizability', message: `linearizability of ${lin.part} could not be decided: ${why}`, explanation: null };
      }
    }
    if (violation !== null) this.say('sim', `VIOLATION (${violation.kind}): ${violation.message}`);
    else this.say('sim', `done: no violation, ${this.stats.opsOk} operations ok, ${this.stats.opsTimedOut} timed out`);
    return { violation, stats: this.stats, history, writeLatencies: this.writeLatencies };
  }

  /**
   * One handler per event kind. A mapped type over `Ev['k']` makes this exhaustive at compile time like a
   * ts-pattern `match(...).exhaustive()`; it is a table rather than a match because this is the innermost
   * loop, where building a matcher per event cost about a third of the simulator's time.
   */
  private readonly handlers: { readonly [K in Ev['k']]: (e: Extract<Ev, { k: K }>) => void } = {
    raft: (e) => this.onRaft(e.to, e.from, e.msg),
    request: (e) => this.onRequest(e.to, e.req),
    response: (e) => {
      this.stats.clientMessages++;
      this.clients[e.client]?.onResponse(e.resp);
      this.clientsDone = this.clients.every((c) => c.done);
    },
    election: (e) => this.onElectionTimer(this.nodes[e.node]!, e.token),
    heartbeat: (e) => this.onHeartbeat(this.nodes[e.node]!, e.inc, e.term),
    disk: (e) => this.onDiskDone(this.nodes[e.node]!, e.inc),
    client: (e) => {
      this.clients[e.client]?.onTimer(e.token);
      this.clientsDone = this.clients.every((c) => c.done);
    },
    'fault-start': (e) => this.startFault(e.fault),
    'fault-end': (e) => this.endFault(e.fault),
    restart: (e) => this.restart(this.nodes[e.node]!, e.inc),
    heal: () => this.heal(),
  };

  private dispatch(ev: Ev): void {
    (this.handlers[ev.k] as (e: Ev) => void)(ev);
  }

  private internal(message: string): Violation {
    return { kind: 'internal', message, atMs: this.now, event: this.stats.events };
  }

  /**
   * Whether a live node leads the highest term any live node is in and nobody has started an election for
   * {@link stableLeaderMs}: faults have stopped, so a leader that stays unchallenged that long stays.
   */
  private hasStableLeader(): boolean {
    if (this.now - this.lastElectionAt < this.stableLeaderMs) return false;
    const leader = this.leader();
    return leader !== null && this.nodes.every((h) => !h.up || h.raft.currentTerm <= leader.raft.currentTerm);
  }

  private nodeStates(): string {
    return this.nodes.map((h) => `${h.id} ${h.up ? this.describeNode(h.raft) : 'down'}`).join('; ');
  }

  private livenessFailure(): Violation {
    const pending = this.clients
      .filter((c) => !c.done)
      .map((c) => {
        const p = c.inFlight;
        return p === null ? `${c.config.id} (between operations)` : `${c.config.id}: ${formatOp(p.op)} (request ${p.seq}, ${p.attempts} attempts)`;
      });
    const stuck =
      pending.length > 0
        ? `operations are still pending: ${pending.join(', ')}`
        : `there is no stable leader (none has gone ${this.stableLeaderMs.toFixed(0)} ms without an election starting; the last started at ${this.lastElectionAt.toFixed(3)} ms)`;
    return {
      kind: 'liveness',
      message: `faults stopped at ${this.scenario.healAtMs} ms, but ${this.scenario.livenessBoundMs} ms later ${stuck}. Nodes: ${this.nodeStates()}`,
      atMs: this.now,
    };
  }

  /** Count an election that `h` has just started; after the heal, more than the bound is a liveness violation. */
  private electionStarted(h: NodeHost): void {
    this.lastElectionAt = this.now;
    if (!this.healed) return;
    this.stats.electionsAfterHeal++;
    this.electionsAfterHeal.push(`${h.id} t${h.raft.currentTerm} at ${this.now.toFixed(3)} ms`);
    if (this.electionsAfterHeal.length <= this.maxElectionsAfterHeal) return;
    throw new Stop({
      kind: 'liveness',
      message: `faults stopped at ${this.scenario.healAtMs} ms, and ${this.electionsAfterHeal.length} elections have started since without a stable leader (at most ${this.maxElectionsAfterHeal} allowed): ${this.electionsAfterHeal.join(', ')}. Nodes: ${this.nodeStates()}`,
      atMs: this.now,
    });
  }

  // ---------------------------------------------------------------- stepping

  /** Step `h` with `input`; returns the result, or null when the core refused it. */
  private stepNode(h: NodeHost, input: Input): StepResult | null {
    if (!h.up) return null;
    const before = h.raft;
    const r = this.stepFn(before, input);
    if (r.outputs.notEnabled !== null) return null;
    h.raft = r.state;
    const record = this.recordEvent === null ? null : this.stepRecord(h, labelOf(h.id, input), r);
    // A step that breaks a check ends the run, and belongs at the end of its recording.
    this.stoppingStep = record;
    this.observe(h, before, r.state, input);
    if (this.durability !== null) this.stopOnDurability(h, this.durability.step(r.state, input, r.outputs.persist));
    this.stoppingStep = null;
    const lw = r.outputs.persist?.logWrite;
    if (lw !== undefined && lw !== null && lw.fromIndex <= before.log.length) this.stats.truncations++;
    this.handleOutputs(h, r, input, record);
    return r;
  }

  private stepRecord(h: NodeHost, label: ActionLabel, r: StepResult): Extract<SimTraceEvent, { kind: 'step' }> {
    return { kind: 'step', atMs: this.now, label, node: h.id, state: r.state, sent: r.outputs.messages };
  }

  /** A message the network (or a node) lost or copied, in the recording. */
  private recordNetwork(name: 'DropMessage' | 'DuplicateMessage', message: Message, why: string): void {
    this.recordEvent?.({ kind: 'network', atMs: this.now, label: { name, message }, why });
  }

  private observe(h: NodeHost, before: NodeState, after: NodeState, input: Input | ActionLabel): void {
    if (after.currentTerm > this.stats.maxTerm) this.stats.maxTerm = after.currentTerm;
    if (after.commitIndex > this.stats.maxCommit) this.stats.maxCommit = after.commitIndex;
    if (this.monitor === null || before === after) return;
    const label = 'type' in input ? labelOf(h.id, input) : input;
    const v = this.monitor.step(before, after, label);
    if (v !== null) {
      this.say(h.id, `after ${label.name}: ${v.message}`);
      throw new Stop({ kind: 'invariant', name: v.name, message: v.message, atMs: this.now, event: this.stats.events });
    }
  }

  /** Stop the run on a broken durability check. */
  private stopOnDurability(h: NodeHost, v: DurabilityViolation | null): void {
    if (v === null) return;
    this.say(h.id, v.message);
    throw new Stop({ kind: 'durability', name: v.name, message: v.message, atMs: this.now, event: this.stats.events });
  }

  private handleOutputs(h: NodeHost, r: StepResult, input: Input, record: Extract<SimTraceEvent, { kind: 'step' }> | null): void {
    const o = r.outputs;
    const batch: Batch | null = o.messages.length > 0 || o.committed.length > 0 ? { messages: o.messages, committed: o.committed } : null;
    if (o.persist !== null) {
      const kind: WriteKind =
        input.type === 'HandleRequestVoteRequest' && o.persist.hardState?.votedFor != null
          ? 'vote'
          : (o.persist.logWrite?.entries.length ?? 0) > 0
            ? 'append'
            : 'other';
      h.writes.push({ update: o.persist, kind, batches: batch === null ? [] : [batch], records: record === null ? [] : [record] });
      const doneAt = Math.max(this.now, h.lastWriteDoneAt) + this.diskLatency(this.rngDisk);
      h.lastWriteDoneAt = doneAt;
      this.q.push(doneAt, { k: 'disk', node: h.index, inc: h.inc });
      if (this.log !== null) this.say(h.id, `persist ${describePersist(o.persist)}`);
      this.triggerMidWrite(h);
    } else {
      // Behind a pending write, the step is as invisible as its messages until that write is durable.
      const last = h.writes[h.writes.length - 1];
      if (last !== undefined) {
        if (batch !== null) last.batches.push(batch);
        if (record !== null) last.records.push(record);
      } else {
        if (record !== null) this.recordEvent?.(record);
        if (batch !== null) this.release(h, batch);
      }
    }
    if (o.resetElectionTimer && h.up) this.armElection(h);
  }

  /** Fire the internal actions the node has enabled, each as its own step. */
  private settle(h: NodeHost): void {
    for (let guard = 0; guard < 1000 && h.up; guard++) {
      const s = h.raft;
      // A candidate is offered BecomeLeader after each of its steps and the core decides: a driver that
      // counted the votes itself would hide a core that counts them wrong (the minority-quorum defect).
      // Commit is offered only when a majority matches more than the commit index, so a refused attempt
      // (and its message text) stays rare on the replication path, the busiest one.
      let input: Input;
      if (s.role === 'Candidate') input = Inputs.BecomeLeader();
      else if (s.role === 'Leader' && majorityMatchIndex(s) > s.commitIndex) input = Inputs.AdvanceCommitIndex();
      else return;
      const r = this.stepNode(h, input);
      if (r === null) return;
      if (input.type === 'BecomeLeader') this.becameLeader(h);
      else if (this.triggerAfterCommit(h)) return;
    }
  }

  private becameLeader(h: NodeHost): void {
    this.stats.elections++;
    this.say(h.id, `becomes Leader of term ${h.raft.currentTerm}`);
    if (this.scenario.noopOnElection) this.stepNode(h, Inputs.ClientRequest(NOOP));
    for (const peer of this.servers) if (peer !== h.id) this.stepNode(h, Inputs.AppendEntries(peer));
    const term = h.raft.currentTerm;
    this.q.push(this.now + this.heartbeat / h.rate, { k: 'heartbeat', node: h.index, inc: h.inc, term });
  }

  // ---------------------------------------------------------------- network

  /** Put `ev` on the wire from endpoint `from` to `to`: the network decides whether it arrives, when, and how often. */
  private send(from: number, to: number, ev: Delivery): void {
    this.stats.sent++;
    const fate = this.network.fate(from, to);
    if (fate.length === 0) {
      this.stats.dropped++;
      if (ev.k === 'raft') this.recordNetwork('DropMessage', ev.msg, 'lost by the network');
      if (this.log !== null) this.say(this.endpointName(from), `lost: ${this.describeDelivery(ev)}`);
      return;
    }
    if (fate.length > 1) {
      this.stats.duplicated++;
      if (ev.k === 'raft') for (let copy = 1; copy < fate.length; copy++) this.recordNetwork('DuplicateMessage', ev.msg, 'copied by the network');
    }
    if (this.log !== null && (this.options.verbose === true || fate.length > 1)) {
      this.say(this.endpointName(from), `${fate.length > 1 ? 'sent twice' : 'sent'}: ${this.describeDelivery(ev)}`);
    }
    // Events are never changed once made, so a duplicate can share its original's.
    for (const d of fate) this.q.push(this.now + d, ev);
  }

  private describeDelivery(ev: Delivery): string {
    switch (ev.k) {
      case 'raft':
        return formatMessage(ev.msg);
      case 'request': {
        const r = ev.req;
        return `request ${r.client}#${r.seq} (attempt ${r.attempt}) ${formatOp(r.op)} to s${ev.to + 1}`;
      }
      case 'response': {
        const r = ev.resp;
        return `answer ${r.client}#${r.seq} ${r.type === 'ok' ? formatResult(r.result) : r.type}`;
      }
      default:
        return unreachable(ev, 'delivery');
    }
  }

  private endpointName(i: number): string {
    return i < this.n ? this.servers[i]! : (this.clients[i - this.n]?.config.id ?? `client${i - this.n}`);
  }

  private release(h: NodeHost, batch: Batch): void {
    for (const m of batch.messages) {
      const to = this.indexOf(m.to);
      this.send(h.index, to, { k: 'raft', to, from: h.index, msg: m });
    }
    for (const e of batch.committed) this.apply(h, e);
  }

  private indexOf(id: NodeId): number {
    const i = this.servers.indexOf(id);
    if (i < 0) throw new Stop(this.internal(`a message names ${id}, not a member`));
    return i;
  }

  private onRaft(to: number, from: number, msg: Message): void {
    const h = this.nodes[to]!;
    if (!h.up || this.network.isBlocked(from, to)) {
      this.stats.dropped++;
      this.recordNetwork('DropMessage', msg, h.up ? 'cut off by a partition' : `${h.id} is down`);
      if (this.log !== null) this.say(h.id, `dropped (${h.up ? 'partition' : 'node down'}): ${formatMessage(msg)}`);
      return;
    }
    this.stats.delivered++;
    const before = h.raft;
    const r = this.stepNode(h, handleInputFor(msg));
    if (r === null) {
      this.recordNetwork('DropMessage', msg, `${h.id} refused it`);
      return;
    }
    if (this.log !== null) {
      this.say(h.id, `<- ${formatMessage(msg)}${r.state === before ? '' : `  => ${this.describeNode(r.state)}`}`);
    }
    if (msg.type === 'AppendEntriesResponse' && h.up && h.raft.role === 'Leader' && msg.term === h.raft.currentTerm) {
      const s = h.raft;
      const advanced = (s.matchIndex[msg.from] ?? 0) > (before.matchIndex[msg.from] ?? 0);
      const behind = (s.nextIndex[msg.from] ?? 1) <= s.log.length;
      if (behind && (advanced || !msg.success)) this.stepNode(h, Inputs.AppendEntries(msg.from));
    }
    this.settle(h);
  }

  // ---------------------------------------------------------------- disk

  private onDiskDone(h: NodeHost, inc: number): void {
    if (inc !== h.inc || !h.up) return;
    const w = h.writes.shift();
    if (w === undefined) throw new Stop(this.internal(`${h.id}: a disk completion without a pending write`));
    h.durable = applyPersistUpdate(h.durable, w.update);
    if (this.durability !== null) this.stopOnDurability(h, this.durability.written(h.id, h.durable));
    for (const record of w.records) this.recordEvent?.(record);
    for (const b of w.batches) {
      this.release(h, b);
      if (!h.up) return;
    }
    this.triggerAfterWrite(h, w.kind);
  }

  // ---------------------------------------------------------------- KV

  private apply(h: NodeHost, e: CommittedEntry): void {
    const known = this.applied[e.index - 1];
    if (known === undefined) this.applied[e.index - 1] = e.value;
    else if (known !== e.value) {
      const message = `AppliedAgreement violated: ${h.id} applies "${e.value}" at index ${e.index}, where another replica applied "${known}"`;
      this.say(h.id, message);
      throw new Stop({ kind: 'applied-agreement', message, atMs: this.now, event: this.stats.events });
    }
    let outcome;
    try {
      outcome = h.kv.apply(e.index, e.value);
    } catch (err) {
      throw new Stop(this.internal(`${h.id}: ${(err as Error).message}`));
    }
    if (outcome.kind !== 'applied' && outcome.kind !== 'duplicate') return;
    const c = outcome.command;
    if (h.waiting.get(c.client) === c.seq) {
      h.waiting.delete(c.client);
      const client = this.clients.findIndex((x) => x.config.id === c.client);
      if (client < 0) return;
      const resp: KvResponse = { type: 'ok', client: c.client, seq: c.seq, result: outcome.result };
      this.send(h.index, this.n + client, { k: 'response', client, from: h.index, resp });
    }
  }

  private onRequest(to: number, req: KvRequest): void {
    this.stats.clientMessages++;
    const h = this.nodes[to]!;
    if (!h.up) return;
    const client = this.clients.findIndex((x) => x.config.id === req.client);
    const answer = (resp: KvResponse): void =>
      this.send(to, this.n + client, { k: 'response', client, from: to, resp });
    const notLeader = (): void => {
      const hint = h.raft.leaderHint;
      answer({ type: 'not-leader', client: req.client, seq: req.seq, leaderHint: hint === null ? null : this.servers.indexOf(hint) });
    };
    if (h.raft.role !== 'Leader') return notLeader();
    const value = encodeCommand({ client: req.client, seq: req.seq, op: req.op });
    const r = this.stepNode(h, Inputs.ClientRequest(value));
    if (r === null) return notLeader();
    if (!h.up) return;
    if (this.log !== null) this.say(h.id, `accepts ${req.client}#${req.seq} (attempt ${req.attempt}) ${formatOp(req.op)} at index ${h.raft.log.length}`);
    h.waiting.set(req.client, req.seq);
    const index = h.raft.log.length;
    for (const peer of this.servers) {
      if (peer !== h.id && h.raft.nextIndex[peer] === index && h.raft.role === 'Leader') this.stepNode(h, Inputs.AppendEntries(peer));
    }
    this.settle(h);
  }

  private startClients(): void {
    const w = this.scenario.workload;
    const keyName = (k: number): string => `k${k}`;
    const host = (index: number) => ({
      nodes: this.n,
      now: () => this.now,
      healed: () => this.healed,
      send: (node: number, request: KvRequest) => {
        this.send(this.n + index, node, { k: 'request', to: node, from: this.n + index, req: request });
      },
      setTimer: (at: number, token: number) => this.q.push(at, { k: 'client', client: index, token }),
      record: (e: HistoryEvent<KvOp, KvResult>) => this.record(e),
    });
    const make = (id: string, ops: PlannedOp[], startMs: number, thinkMs: number, maxAttempts: number): void => {
      const index = this.clients.length;
      const c = new KvClient(
        { id, ops, startMs, thinkMs, retryAfterMs: w.retryAfterMs, maxAttempts, noLeaderBackoffMs: 20, firstGuess: index },
        host(index),
      );
      this.clients.push(c);
      c.start();
    };
    w.clients.forEach((plan, i) =>
      make(
        `c${i + 1}`,
        plan.ops.map((o) => ({ kind: o.kind, key: keyName(o.key) })),
        plan.startMs,
        plan.thinkMs,
        w.maxAttempts,
      ),
    );
    // The liveness probe: one write issued when faults stop, retried until it commits.
    make(PROBE, [{ kind: 'put', key: keyName(0) }], this.scenario.healAtMs, 0, Number.MAX_SAFE_INTEGER);
  }

  private record(e: HistoryEvent<KvOp, KvResult>): void {
    this.events.push(e);
    // A switch, not ts-pattern: every operation records two events (see src/exhaustive.ts).
    switch (e.type) {
      case 'invoke':
        this.invokedAt.set(e.process, e.time);
        if (this.log !== null) this.say(e.process, `invoke ${formatOp(e.input)}`);
        return;
      case 'ok': {
        this.stats.opsOk++;
        const began = this.invokedAt.get(e.process) ?? e.time;
        if (e.output.type !== 'get') this.writeLatencies.push(e.time - began);
        if (this.log !== null) this.say(e.process, `ok ${formatResult(e.output)} after ${(e.time - began).toFixed(3)} ms`);
        return;
      }
      case 'fail':
      case 'timeout':
        this.stats.opsTimedOut++;
        this.say(e.process, `gives up (${e.type}): outcome unknown`);
        return;
      default:
        unreachable(e, 'history event');
    }
  }

  // ---------------------------------------------------------------- timers

  private armElection(h: NodeHost): void {
    const local = this.rngTimers.uniform(this.election.min, this.election.max);
    h.electionDeadline = this.now + local / h.rate;
    if (h.electionEventAt < this.now || h.electionEventAt > h.electionDeadline) this.scheduleElection(h, h.electionDeadline);
  }

  private scheduleElection(h: NodeHost, at: number): void {
    h.electionToken++;
    h.electionEventAt = at;
    this.q.push(at, { k: 'election', node: h.index, token: h.electionToken });
  }

  private onElectionTimer(h: NodeHost, token: number): void {
    if (token !== h.electionToken || !h.up) return;
    h.electionEventAt = -Infinity;
    if (this.now < h.electionDeadline) return this.scheduleElection(h, h.electionDeadline);
    if (h.raft.role === 'Leader') return this.armElection(h);
    this.say(h.id, `election timeout in term ${h.raft.currentTerm}`);
    if (this.stepNode(h, Inputs.Timeout()) !== null) this.electionStarted(h);
    this.settle(h);
  }

  private onHeartbeat(h: NodeHost, inc: number, term: number): void {
    if (!h.up || inc !== h.inc || h.raft.role !== 'Leader' || h.raft.currentTerm !== term) return;
    for (const peer of this.servers) if (peer !== h.id && h.up) this.stepNode(h, Inputs.AppendEntries(peer));
    if (h.up) this.q.push(this.now + this.heartbeat / h.rate, { k: 'heartbeat', node: h.index, inc, term });
  }

  // ---------------------------------------------------------------- crashes

  private crash(h: NodeHost, downMs: number, why: string, landed = false): void {
    if (!h.up) return;
    const inFlight = h.writes[0];
    if (inFlight !== undefined) this.stats.crashesMidWrite++;
    if (landed && inFlight !== undefined) h.durable = applyPersistUpdate(h.durable, inFlight.update);
    if (this.recordEvent !== null) this.recordCrash(h, landed ? 1 : 0);
    this.stats.crashes++;
    this.say(
      h.id,
      `CRASH (${why}) as ${this.describeNode(h.raft)}; ${h.writes.length} write(s) in flight${inFlight !== undefined ? (landed ? ', the first lands' : ', all lost') : ''}`,
    );
    h.writes = [];
    h.up = false;
    h.inc++;
    h.waiting.clear();
    h.electionToken++;
    h.electionEventAt = -Infinity;
    const before = h.raft;
    if (this.durability !== null) this.stopOnDurability(h, this.durability.crashed(h.id, h.durable));
    h.raft = restoreNodeState(h.id, this.servers, h.durable.hardState, h.durable.log);
    // What survives is exactly what the spec's Restart keeps; check the cluster with the node in that state.
    this.observe(h, before, h.raft, { name: 'Restart', node: h.id });
    this.recordEvent?.({ kind: 'step', atMs: this.now, label: { name: 'Restart', node: h.id }, node: h.id, state: h.raft, sent: [] });
    const at = this.healed ? this.now + downMs : Math.min(this.now + downMs, this.scenario.healAtMs);
    this.q.push(at, { k: 'restart', node: h.index, inc: h.inc });
  }

  private restart(h: NodeHost, inc: number): void {
    if (h.up || inc !== h.inc) return;
    h.up = true;
    h.kv = h.newKv();
    h.lastWriteDoneAt = this.now;
    const before = h.raft;
    const r = this.stepFn(before, Inputs.Restart());
    h.raft = r.state;
    const record = this.recordEvent === null ? null : this.stepRecord(h, { name: 'Restart', node: h.id }, r);
    if (record !== null && r.outputs.persist === null) this.recordEvent?.(record);
    this.say(h.id, `restarts from disk as ${this.describeNode(h.raft)}`);
    this.observe(h, before, h.raft, { name: 'Restart', node: h.id });
    if (this.durability !== null) this.stopOnDurability(h, this.durability.step(h.raft, { name: 'Restart', node: h.id }, r.outputs.persist));
    // The real core writes nothing on Restart; whatever a core asks to write then goes to disk like any step's.
    if (r.outputs.persist !== null) this.handleOutputs(h, { state: r.state, outputs: { ...r.outputs, resetElectionTimer: false } }, Inputs.Restart(), record);
    this.armElection(h);
  }

  /**
   * A crash throws away the writes still queued (all but the first `kept`): the steps waiting for them are
   * not recorded, as nobody saw them, and a message one of them had consumed is recorded as lost.
   */
  private recordCrash(h: NodeHost, kept: number): void {
    h.writes.forEach((w, i) => {
      for (const record of w.records) {
        if (i < kept) this.recordEvent?.(record);
        else if ('message' in record.label) this.recordNetwork('DropMessage', record.label.message, `consumed by ${h.id}, which crashed before its step was durable`);
      }
    });
  }

  private matches(t: NodeTarget, h: NodeHost): boolean {
    if (!h.up) return false;
    if (t === 'leader') return h.raft.role === 'Leader';
    if (t === 'follower') return h.raft.role !== 'Leader';
    return h.index === t % this.n;
  }

  private triggerMidWrite(h: NodeHost): void {
    for (const [id, f] of this.armed) {
      if (f.kind === 'crash-mid-write' && this.matches(f.target, h)) {
        this.armed.delete(id);
        this.crash(h, f.downMs, `fault ${id}: mid-write`, f.landed);
        return;
      }
    }
  }

  private triggerAfterWrite(h: NodeHost, kind: WriteKind): void {
    for (const [id, f] of this.armed) {
      if (f.kind === 'crash-after-write' && (f.write === 'any' || f.write === kind) && this.matches(f.target, h)) {
        this.armed.delete(id);
        this.crash(h, f.downMs, `fault ${id}: right after a ${kind} write`);
        return;
      }
    }
  }

  private triggerAfterCommit(h: NodeHost): boolean {
    for (const [id, f] of this.armed) {
      if (f.kind === 'crash-after-commit' && h.raft.role === 'Leader') {
        this.armed.delete(id);
        this.crash(h, f.downMs, `fault ${id}: right after committing index ${h.raft.commitIndex}`);
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- faults

  private leader(): NodeHost | null {
    let best: NodeHost | null = null;
    for (const h of this.nodes) if (h.up && h.raft.role === 'Leader' && (best === null || h.raft.currentTerm > best.raft.currentTerm)) best = h;
    return best;
  }

  private resolve(t: NodeTarget): NodeHost | null {
    if (typeof t === 'number') return this.nodes[t % this.n]!;
    const leader = this.leader();
    if (t === 'leader') return leader;
    const others = this.nodes.filter((h) => h.up && h !== leader);
    return others.length === 0 ? null : this.rngFaults.pick(others);
  }

  private groups(f: Extract<Fault, { kind: 'partition' }>): { side: number[]; rest: number[] } {
    // The groups come from the fault's own `pick`, so a shrunk schedule keeps the same sides.
    const order = Array.from({ length: this.n }, (_, i) => i);
    const r = new Rng(f.pick);
    for (let i = order.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const minority = Math.max(1, Math.floor((this.n - 1) / 2));
    let side: number[];
    if (f.shape === 'isolate-node') side = [f.pick % this.n];
    else if (f.shape === 'isolate-leader' || f.shape === 'leader-minority') {
      const l = this.leader()?.index ?? f.pick % this.n;
      const size = f.shape === 'isolate-leader' ? 1 : minority;
      side = [l, ...order.filter((i) => i !== l)].slice(0, size);
    } else side = order.slice(0, 1 + (f.pick % minority));
    return { side, rest: order.filter((i) => !side.includes(i)) };
  }

  private startFault(id: number): void {
    const f = this.scenario.faults[id]!;
    if (this.healed) return;
    this.stats.faultsStarted++;
    this.active.add(id);
    const end = (forMs: number): void => this.q.push(Math.min(f.atMs + forMs, this.scenario.healAtMs), { k: 'fault-end', fault: id });
    this.say('fault', `${id} starts: ${describeFault(f, this.n)}`);
    match(f)
      .with({ kind: 'partition' }, (x) => {
        const { side, rest } = this.groups(x);
        const links: [number, number][] = [];
        for (const a of side) {
          for (const b of rest) {
            links.push([a, b]);
            if (x.shape !== 'one-way') links.push([b, a]);
          }
        }
        this.partitions.set(id, links);
        this.network.cut(links, 1);
        this.say('fault', `${id}: {${side.map((i) => this.servers[i]).join(' ')}} ${x.shape === 'one-way' ? '-/->' : '<-/->'} {${rest.map((i) => this.servers[i]).join(' ')}}`);
        end(x.forMs);
      })
      .with({ kind: 'crash' }, (x) => {
        const h = this.resolve(x.target);
        if (h === null) this.say('fault', `${id}: no ${String(x.target)} to crash`);
        else this.crash(h, x.downMs, `fault ${id}`);
      })
      .with({ kind: 'crash-mid-write' }, { kind: 'crash-after-write' }, { kind: 'crash-after-commit' }, (x) => {
        this.armed.set(id, x);
      })
      .with({ kind: 'loss' }, (x) => {
        this.network.setWindow(id, { kind: 'loss', rate: x.rate }, 'loss');
        end(x.forMs);
      })
      .with({ kind: 'duplicate' }, (x) => {
        this.network.setWindow(id, { kind: 'duplicate', rate: x.rate }, 'duplicate');
        end(x.forMs);
      })
      .with({ kind: 'reorder' }, (x) => {
        this.network.setWindow(id, { kind: 'reorder', rate: x.rate, maxDelayMs: x.maxDelayMs }, 'reorder');
        end(x.forMs);
      })
      .with({ kind: 'delay-spike' }, (x) => {
        const node = x.target === 'all' ? null : (this.resolve(x.target)?.index ?? null);
        this.network.setWindow(id, { kind: 'delay-spike', node, extraMs: x.extraMs }, 'delay-spike');
        end(x.forMs);
      })
      .with({ kind: 'clock-drift' }, (x) => {
        const h = this.resolve(x.target);
        if (h !== null) h.rateOverrides.set(id, x.rate);
        end(x.forMs);
      })
      .with({ kind: 'timer-storm' }, (x) => {
        const candidates = this.nodes.filter((h) => h.up && h.raft.role !== 'Leader').slice(0, x.count);
        for (const h of candidates) {
          h.electionDeadline = this.now;
          this.scheduleElection(h, this.now);
        }
      })
      .exhaustive();
  }

  private endFault(id: number): void {
    if (!this.active.delete(id)) return;
    const f = this.scenario.faults[id]!;
    this.say('fault', `${id} ends`);
    match(f)
      .with({ kind: 'partition' }, () => {
        this.network.cut(this.partitions.get(id) ?? [], -1);
        this.partitions.delete(id);
      })
      .with({ kind: 'loss' }, { kind: 'duplicate' }, { kind: 'reorder' }, { kind: 'delay-spike' }, (x) => this.network.setWindow(id, null, x.kind))
      .with({ kind: 'clock-drift' }, () => {
        for (const h of this.nodes) h.rateOverrides.delete(id);
      })
      .with({ kind: 'crash' }, { kind: 'crash-mid-write' }, { kind: 'crash-after-write' }, { kind: 'crash-after-commit' }, { kind: 'timer-storm' }, () => {})
      .exhaustive();
  }

  private heal(): void {
    this.healed = true;
    this.say('sim', 'HEAL: every fault stops, crashed nodes restart');
    this.network.healAll();
    this.partitions.clear();
    this.armed.clear();
    this.active.clear();
    for (const h of this.nodes) {
      h.rateOverrides.clear();
      if (!h.up) this.q.push(this.now, { k: 'restart', node: h.index, inc: h.inc });
    }
  }
}

function describePersist(p: PersistUpdate): string {
  const parts: string[] = [];
  if (p.hardState !== null) parts.push(`term=${p.hardState.currentTerm} vote=${p.hardState.votedFor ?? 'none'}`);
  if (p.logWrite !== null) {
    const w = p.logWrite;
    parts.push(
      w.entries.length === 0
        ? `log truncated to ${w.fromIndex - 1}`
        : `log[${w.fromIndex}${w.entries.length > 1 ? `..${w.fromIndex + w.entries.length - 1}` : ''}] = ${w.entries.map((e) => `t${e.term}:${e.value}`).join(', ')}`,
    );
  }
  return parts.join('; ');
}

/**
 * Run one scenario to its end: until faults have stopped, every client is done and a leader is stable (no
 * election started for the longest election timeout), or a violation. Pure function of `(scenario,
 * options)`: the same inputs give the same result and the same event log.
 */
export function simulate(scenario: Scenario, options: SimOptions = {}): SimResult {
  return new Simulation(scenario, options).run();
}
