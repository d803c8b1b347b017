/**
 * The deterministic discrete-event simulator: the driver of a simulated cluster. It is built the way
 * TigerBeetle's simulator is, in parts that each do one thing:
 *
 * - **the node host** (`src/host/node-host.ts`): one node, stepped through the pure Raft core with the etcd
 *   `Ready` discipline (a step's messages and commits wait until its write is durable), eager internal
 *   actions, the replication policy (`src/host/replication.ts`), crash and restart from what is durable.
 *   It knows nothing of virtual time or of this queue, so a real runtime drives the same code;
 * - **the simulated node** (`simulated-node.ts`): the host's world here: a disk whose writes complete in
 *   order after a sampled latency, timers on the node's own drifting clock, the network;
 * - **the network** (`network.ts`): latency, loss, duplication, reordering and partitions;
 * - **the fault injector** (`fault-injector.ts`): the scenario's fault schedule;
 * - **the service** (`src/host/kv-replica.ts`) and its clients (`kv-workload.ts`): the replicated KV store;
 * - **the checkers** (`checks.ts`): the invariant mirrors and durability checks after every step,
 *   `AppliedAgreement` at every apply, liveness here, linearizability of the client history at the end;
 * - **this driver**: the event queue and virtual clock, dispatching each event to its part.
 *
 * The durability checks (`durability.ts`) see each step's write request, each write that completes and
 * each crash with what survived it, so a core that leaves part of its hard state out of a write is caught
 * at that step, not only when a crash makes it matter.
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
import { unreachable } from '../exhaustive.js';
import { describeNodeState } from '../host/describe.js';
import type { RecordedStep } from '../host/trace-events.js';
import { formatOp, formatResult, NOOP, sharedDecoder } from '../kv/command.js';
import type { KvRequest, KvResponse } from '../kv/client.js';
import { kvModel } from '../kv/lin-model.js';
import type { KvDefect } from '../kv/state-machine.js';
import { DEFAULT_MAX_EXPLORED } from '../lin/checker.js';
import { checkLinearizable } from '../lin/explain.js';
import { DEFAULT_ELECTION_TIMEOUT_MS, DEFAULT_HEARTBEAT_INTERVAL_MS, formatMessage, step as realStep, type Message, type NodeId, type StepFn } from '../raft/index.js';
import { internalViolation, SafetyChecks, Stop } from './checks.js';
import type { Delivery, SimEvent } from './events.js';
import { FaultInjector, type FaultableCluster } from './fault-injector.js';
import { describeFault } from './faults.js';
import { KvWorkload, type WorkloadEnvironment } from './kv-workload.js';
import { latencySampler, type Sampler } from './latency.js';
import type { InvariantCheck } from './monitor.js';
import { Network } from './network.js';
import { EventQueue } from './queue.js';
import type { SimTraceEvent } from './recording.js';
import type { SimResult, SimStats, Violation } from './result.js';
import { Rng } from './rng.js';
import type { Scenario } from './scenario.js';
import { SimulatedNode, type NodeWorld } from './simulated-node.js';

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


/** The ids of a cluster of `n` servers: `s1`..`s9`, or `s01`.. from ten on (so index order is sorted order, as the core sorts members). */
export function serverIds(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => (n >= 10 ? `s${String(i + 1).padStart(2, '0')}` : `s${i + 1}`));
}

/** One run: the event queue and clock, and what the nodes, the fault injector and the clients share. */
class Simulation implements NodeWorld, FaultableCluster<SimulatedNode>, WorkloadEnvironment {
  private readonly queue = new EventQueue<SimEvent>();
  private time = 0;
  readonly servers: readonly NodeId[];
  readonly nodes: readonly SimulatedNode[];
  readonly clusterSize: number;
  readonly network: Network;
  readonly checks: SafetyChecks;
  readonly faults: FaultInjector<SimulatedNode>;
  private readonly workload: KvWorkload;
  private readonly rngTimers: Rng;
  private readonly rngDisk: Rng;
  private readonly diskLatency: Sampler;
  private readonly electionTimeoutRange: { readonly min: number; readonly max: number };
  readonly heartbeatIntervalMs: number;
  private readonly log: ((line: string) => void) | null;
  readonly logging: boolean;
  private readonly recordEvent: ((event: SimTraceEvent) => void) | null;
  stoppingStep: RecordedStep | null = null;
  private isHealed = false;
  /** When some node last started an election (a `Timeout` step), and the elections started after the heal. */
  private lastElectionAt = -Infinity;
  private readonly electionsAfterHeal: string[] = [];
  private readonly maxElectionsAfterHeal: number;
  /**
   * How long a leader must go unchallenged to count as stable: the longest election timeout on the slowest
   * clock, so a follower whose timer the leader does not reset has fired by then.
   */
  private readonly stableLeaderMs: number;
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
    this.log = options.log ?? null;
    this.logging = this.log !== null;
    this.recordEvent = options.record ?? null;
    this.electionTimeoutRange = options.electionTimeoutMs ?? DEFAULT_ELECTION_TIMEOUT_MS;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.maxElectionsAfterHeal = options.maxElectionsAfterHeal ?? DEFAULT_MAX_ELECTIONS_AFTER_HEAL;
    this.diskLatency = latencySampler(scenario.disk);
    const root = new Rng(scenario.seed);
    const rngNetwork = root.fork();
    this.rngTimers = root.fork();
    this.rngDisk = root.fork();
    const rngFaults = root.fork();
    const rngDrift = root.fork();
    this.clusterSize = scenario.nodes;
    this.servers = serverIds(scenario.nodes);
    const settings = {
      stepFn: options.stepFn ?? realStep,
      recorder: this.recordEvent,
      electionEntry: scenario.noopOnElection ? NOOP : null,
      kvDefect: options.kvDefect ?? null,
      decode: sharedDecoder(),
    };
    this.nodes = this.servers.map(
      (id, i) => new SimulatedNode(i, id, 1 + rngDrift.uniform(-scenario.maxDrift, scenario.maxDrift), this, settings),
    );
    this.network = new Network(scenario.nodes, scenario.network, rngNetwork);
    // Clock-drift faults end at the heal; from then on each node runs at its base rate.
    this.stableLeaderMs = Math.max(...this.nodes.map((node) => this.electionTimeoutRange.max / node.baseRate));
    const initial = this.nodes.map((node) => node.host.state);
    const invariants = options.checkInvariants === false ? null : (options.invariantCheck ?? 'incremental');
    const durability = (options.checkDurability ?? options.checkInvariants) !== false;
    this.checks = new SafetyChecks(this.servers, initial, { invariants, durability }, this);
    this.faults = new FaultInjector(scenario.faults, scenario.healAtMs, this, rngFaults);
    this.workload = new KvWorkload(scenario.workload, scenario.healAtMs, this);
  }

  // ---------------------------------------------------------------- what the parts share

  now(): number {
    return this.time;
  }

  healed(): boolean {
    return this.isHealed;
  }

  // Hot paths test `this.logging` before calling: the check here cannot spare building the text.
  say(who: string, text: string): void {
    if (this.log !== null) this.log(`${this.time.toFixed(3).padStart(10)} ms  ${who.padEnd(6)}${text}`);
  }

  schedule(at: number, event: SimEvent): void {
    this.queue.push(at, event);
  }

  electionTimeoutMs(): number {
    return this.rngTimers.uniform(this.electionTimeoutRange.min, this.electionTimeoutRange.max);
  }

  diskLatencyMs(): number {
    return this.diskLatency(this.rngDisk);
  }

  scheduleFaultEnd(fault: number, atMs: number): void {
    this.queue.push(atMs, { kind: 'fault-end', fault });
  }

  setTimer(client: number, at: number, token: number): void {
    this.queue.push(at, { kind: 'client', client, token });
  }

  // ---------------------------------------------------------------- run

  run(): SimResult {
    const scenario = this.scenario;
    const n = this.nodes.length;
    const maxEvents = this.options.maxEvents ?? 5_000_000;
    this.say('sim', `${n} nodes, seed ${scenario.seed}, heal at ${scenario.healAtMs} ms, liveness bound ${scenario.livenessBoundMs} ms`);
    scenario.faults.forEach((fault, i) => {
      this.say('sim', `fault ${i}: ${describeFault(fault, n)}`);
      this.queue.push(fault.atMs, { kind: 'fault-start', fault: i });
    });
    this.queue.push(scenario.healAtMs, { kind: 'heal' });
    for (const node of this.nodes) node.host.start();
    this.workload.start();
    let violation: Violation | null = null;
    const deadline = scenario.healAtMs + scenario.livenessBoundMs;
    try {
      for (;;) {
        const next = this.queue.pop();
        if (next === undefined) throw new Stop(internalViolation(this, 'the event queue ran dry'));
        if (next.time > deadline) {
          this.time = deadline;
          throw new Stop(this.livenessFailure());
        }
        this.time = next.time;
        this.stats.events++;
        if (this.stats.events > maxEvents) throw new Stop(internalViolation(this, `more than ${maxEvents} events`));
        this.dispatch(next.item);
        if (this.isHealed && this.workload.done && this.hasStableLeader()) break;
      }
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      violation = e.violation;
    }
    this.stats.endMs = this.time;
    this.stats.faultsStarted = this.faults.started;
    // The recording ends as if every queued write had completed: what the nodes did is all in it.
    if (this.recordEvent !== null) {
      for (const node of this.nodes) for (const recorded of node.host.stepsAwaitingDisk()) this.recordEvent(recorded);
      if (this.stoppingStep !== null) this.recordEvent(this.stoppingStep);
    }
    this.stats.checks = this.checks.invariantChecks;
    const history = this.workload.history();
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
    return { violation, stats: this.stats, history, writeLatencies: this.workload.writeLatencies };
  }

  /**
   * One handler per event kind. A mapped type over `SimEvent['kind']` makes this exhaustive at compile time
   * like a ts-pattern `match(...).exhaustive()`; it is a table rather than a match because this is the
   * innermost loop, where building a matcher per event cost about a third of the simulator's time.
   */
  private readonly handlers: { readonly [K in SimEvent['kind']]: (event: Extract<SimEvent, { kind: K }>) => void } = {
    raft: (event) => this.deliverMessage(event.to, event.from, event.message),
    request: (event) => {
      this.stats.clientMessages++;
      this.nodes[event.to]!.host.clientRequest(event.request);
    },
    response: (event) => this.workload.responded(event.client, event.response),
    election: (event) => this.nodes[event.node]!.electionTimerFired(event.token),
    heartbeat: (event) => this.nodes[event.node]!.heartbeatFired(event.incarnation, event.term),
    disk: (event) => this.nodes[event.node]!.diskDone(event.incarnation),
    client: (event) => this.workload.timerFired(event.client, event.token),
    'fault-start': (event) => this.faults.start(event.fault),
    'fault-end': (event) => this.faults.end(event.fault),
    restart: (event) => this.nodes[event.node]!.restartDue(event.incarnation),
    heal: () => this.heal(),
  };

  private dispatch(event: SimEvent): void {
    (this.handlers[event.kind] as (event: SimEvent) => void)(event);
  }

  private heal(): void {
    this.isHealed = true;
    this.say('sim', 'HEAL: every fault stops, crashed nodes restart');
    this.faults.heal();
    for (const node of this.nodes) {
      if (!node.host.up) this.queue.push(this.time, { kind: 'restart', node: node.index, incarnation: node.host.incarnation });
    }
  }

  // ---------------------------------------------------------------- nodes

  /** The live leader of the highest term, if any. */
  leader(): SimulatedNode | null {
    let best: SimulatedNode | null = null;
    for (const node of this.nodes) {
      const state = node.host.state;
      if (node.host.up && state.role === 'Leader' && (best === null || state.currentTerm > best.host.state.currentTerm)) best = node;
    }
    return best;
  }

  /** Crash `node` for `downMs` (restarting at the heal at the latest, while faults last). */
  crash(node: SimulatedNode, downMs: number, why: string, landed = false): void {
    const host = node.host;
    if (!host.up) return;
    const writes = host.writesInFlight;
    if (writes > 0) this.stats.crashesMidWrite++;
    this.stats.crashes++;
    if (this.logging) {
      const inFlight = writes > 0 ? (landed ? ', the first lands' : ', all lost') : '';
      this.say(node.id, `CRASH (${why}) as ${describeNodeState(host.state)}; ${writes} write(s) in flight${inFlight}`);
    }
    host.crash(landed);
    const at = this.isHealed ? this.time + downMs : Math.min(this.time + downMs, this.scenario.healAtMs);
    this.queue.push(at, { kind: 'restart', node: node.index, incarnation: host.incarnation });
  }

  /** Count an election that `node` has just started; after the heal, more than the bound is a liveness violation. */
  electionStarted(node: SimulatedNode): void {
    this.lastElectionAt = this.time;
    if (!this.isHealed) return;
    this.stats.electionsAfterHeal++;
    this.electionsAfterHeal.push(`${node.id} t${node.host.state.currentTerm} at ${this.time.toFixed(3)} ms`);
    if (this.electionsAfterHeal.length <= this.maxElectionsAfterHeal) return;
    throw new Stop({
      kind: 'liveness',
      message: `faults stopped at ${this.scenario.healAtMs} ms, and ${this.electionsAfterHeal.length} elections have started since without a stable leader (at most ${this.maxElectionsAfterHeal} allowed): ${this.electionsAfterHeal.join(', ')}. Nodes: ${this.nodeStates()}`,
      atMs: this.time,
    });
  }

  /**
   * Whether a live node leads the highest term any live node is in and nobody has started an election for
   * {@link stableLeaderMs}: faults have stopped, so a leader that stays unchallenged that long stays.
   */
  private hasStableLeader(): boolean {
    if (this.time - this.lastElectionAt < this.stableLeaderMs) return false;
    const leader = this.leader();
    return leader !== null && this.nodes.every((node) => !node.host.up || node.host.state.currentTerm <= leader.host.state.currentTerm);
  }

  private nodeStates(): string {
    return this.nodes.map((node) => `${node.id} ${node.host.up ? describeNodeState(node.host.state) : 'down'}`).join('; ');
  }

  private livenessFailure(): Violation {
    const pending = this.workload.pending();
    const stuck =
      pending.length > 0
        ? `operations are still pending: ${pending.join(', ')}`
        : `there is no stable leader (none has gone ${this.stableLeaderMs.toFixed(0)} ms without an election starting; the last started at ${this.lastElectionAt.toFixed(3)} ms)`;
    return {
      kind: 'liveness',
      message: `faults stopped at ${this.scenario.healAtMs} ms, but ${this.scenario.livenessBoundMs} ms later ${stuck}. Nodes: ${this.nodeStates()}`,
      atMs: this.time,
    };
  }

  // ---------------------------------------------------------------- network

  sendMessage(from: number, message: Message): void {
    const to = this.indexOf(message.to);
    this.send(from, to, { kind: 'raft', to, from, message });
  }

  sendRequest(client: number, node: number, request: KvRequest): void {
    const from = this.nodes.length + client;
    this.send(from, node, { kind: 'request', to: node, from, request });
  }

  answerClient(from: number, response: KvResponse): void {
    const client = this.workload.indexOf(response.client);
    if (client < 0) return;
    this.send(from, this.nodes.length + client, { kind: 'response', client, from, response });
  }

  /** Put `delivery` on the wire from endpoint `from` to `to`: the network decides whether it arrives, when, and how often. */
  private send(from: number, to: number, delivery: Delivery): void {
    this.stats.sent++;
    const fate = this.network.fate(from, to);
    if (fate.length === 0) {
      this.stats.dropped++;
      if (delivery.kind === 'raft') this.recordNetwork('DropMessage', delivery.message, 'lost by the network');
      if (this.logging) this.say(this.endpointName(from), `lost: ${this.describeDelivery(delivery)}`);
      return;
    }
    if (fate.length > 1) {
      this.stats.duplicated++;
      if (delivery.kind === 'raft') for (let copy = 1; copy < fate.length; copy++) this.recordNetwork('DuplicateMessage', delivery.message, 'copied by the network');
    }
    if (this.logging && (this.options.verbose === true || fate.length > 1)) {
      this.say(this.endpointName(from), `${fate.length > 1 ? 'sent twice' : 'sent'}: ${this.describeDelivery(delivery)}`);
    }
    // Events are never changed once made, so a duplicate can share its original's.
    for (const delay of fate) this.queue.push(this.time + delay, delivery);
  }

  private deliverMessage(to: number, from: number, message: Message): void {
    const node = this.nodes[to]!;
    if (!node.host.up || this.network.isBlocked(from, to)) {
      this.stats.dropped++;
      this.recordNetwork('DropMessage', message, node.host.up ? 'cut off by a partition' : `${node.id} is down`);
      if (this.logging) this.say(node.id, `dropped (${node.host.up ? 'partition' : 'node down'}): ${formatMessage(message)}`);
      return;
    }
    this.stats.delivered++;
    node.host.receive(message);
  }

  /** A message the network (or a node) lost or copied, in the recording. */
  private recordNetwork(name: 'DropMessage' | 'DuplicateMessage', message: Message, why: string): void {
    this.recordEvent?.({ kind: 'network', atMs: this.time, label: { name, message }, why });
  }

  private describeDelivery(delivery: Delivery): string {
    switch (delivery.kind) {
      case 'raft':
        return formatMessage(delivery.message);
      case 'request': {
        const request = delivery.request;
        return `request ${request.client}#${request.seq} (attempt ${request.attempt}) ${formatOp(request.op)} to s${delivery.to + 1}`;
      }
      case 'response': {
        const response = delivery.response;
        return `answer ${response.client}#${response.seq} ${response.type === 'ok' ? formatResult(response.result) : response.type}`;
      }
      default:
        return unreachable(delivery, 'delivery');
    }
  }

  private endpointName(endpoint: number): string {
    const n = this.nodes.length;
    return endpoint < n ? this.servers[endpoint]! : this.workload.nameOf(endpoint - n);
  }

  private indexOf(id: NodeId): number {
    const i = this.servers.indexOf(id);
    if (i < 0) throw new Stop(internalViolation(this, `a message names ${id}, not a member`));
    return i;
  }
}

/**
 * Run one scenario to its end: until faults have stopped, every client is done and a leader is stable (no
 * election started for the longest election timeout), or a violation. Pure function of `(scenario,
 * options)`: the same inputs give the same result and the same event log.
 */
export function simulate(scenario: Scenario, options: SimOptions = {}): SimResult {
  return new Simulation(scenario, options).run();
}
