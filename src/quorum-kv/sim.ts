/**
 * A deterministic, seeded, virtual-time simulator of one key's replicas, driving the spec's core
 * ({@link KV_CORE}) the way a real deployment would: messages take a latency drawn from a model and may be
 * lost, the network splits at one time and heals at another, nodes crash and restart from disk, each node's
 * LWW clock ticks with its own drifting local clock, hinted handoff and anti-entropy run periodically, and
 * sequential clients issue writes of unique values and reads with a timeout. The run is a client history
 * (what `checkers.ts` judges) plus the final replicas and the `seen` history variable of the spec.
 *
 * A hand-off and an anti-entropy round are atomic exchanges, as in the spec (`HandOff`, `AntiEntropy`):
 * a real store keeps a hint until the home replica acknowledges it, which the spec abstracts this way.
 * Put, Ack, Get and Answer travel separately, each with its own latency and chance of loss.
 *
 * A node may join the ring or a member leave it mid-run (`membership.ts`): the driver recomputes the
 * key's walk from the ring, gives every node the walk with the pending replica, runs stream rounds until
 * one moved enough, and only then switches reads and acknowledgements to the new home replicas.
 *
 * @module
 */
import { layoutOf } from '../ring/index.js';
import { latencySampler } from '../sim/latency.js';
import { Rng } from '../sim/rng.js';
import { EventQueue } from '../sim/queue.js';
import type { LatencyModel } from '../sim/scenario.js';
import { KV_DEFECTS } from './defects.js';
import { type MembershipChange, type MembershipDefect, type MembershipPlan, type MembershipReport, SIM_KEY, SIM_VNODES, joinerName, planMembership, reportOf, ringConfig, streamComplete } from './membership.js';
import { KV_CORE, type KVCore, freshNode } from './node.js';
import { configForKey } from './ring-config.js';
import { homeReplicas, pendingReplicas } from './targets.js';
import type { Durable, Hint, Input, KVConfig, KVNode, Message, Mode, NodeId, Outputs, Reply, Resolution, Version } from './types.js';
import { sameVersions } from './versions.js';

/** One node's local clock: `offsetMs + rate * t` at virtual time `t`. */
export interface NodeClock {
  readonly offsetMs: number;
  readonly rate: number;
}

/** What goes wrong in a run, fixed before it starts (so a schedule can be printed, stored and replayed). */
export interface FaultSchedule {
  /** The network splits at `startMs` (the nodes of `side` apart from the rest) and heals at `healMs`. */
  readonly partition: { readonly startMs: number; readonly healMs: number; readonly side: readonly NodeId[] } | null;
  readonly crashes: readonly { readonly node: NodeId; readonly atMs: number; readonly restartMs: number }[];
  /** Probability that one message is lost. */
  readonly lossRate: number;
  readonly clocks: Readonly<Record<NodeId, NodeClock>>;
  /** A node joins or a member leaves (absent or null: the membership stays as it is). */
  readonly membership?: MembershipChange | null;
}

export interface KvSimOptions {
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly mode: Mode;
  readonly resolution: Resolution;
  /** Cluster size; more than N places the key on a hash ring of this many nodes (`configForKey`). */
  readonly nodes: number;
  readonly seed: number;
  readonly clients: number;
  /** Clients start operations until this time. */
  readonly workloadMs: number;
  /** After the workload and the heal, the run goes on this long with only repair running. */
  readonly quietMs: number;
  readonly latency: LatencyModel;
  readonly timeoutMs: number;
  /** A client waits up to this long (uniform) between operations. */
  readonly thinkMs: number;
  readonly writeShare: number;
  /** A node's LWW clock ticks every this many ms of its own local time. */
  readonly tickEveryMs: number;
  readonly handoffEveryMs: number;
  readonly antiEntropyEveryMs: number;
  /** The faults; generated from the seed by {@link generateSchedule} with `shape` when absent. */
  readonly schedule?: FaultSchedule;
  readonly shape?: ScheduleShape;
  /** The core the nodes run (a defective one for a negative control). */
  readonly core?: KVCore;
  /** A defective core by name (`KV_DEFECTS`), when `core` is absent. */
  readonly defect?: string;
  /** A membership change at a given time, in place of the schedule's. */
  readonly membership?: MembershipChange;
  /** A deliberately wrong membership transition (a negative control). */
  readonly membershipDefect?: MembershipDefect;
  /** How often a moving range's stream round runs (default {@link STREAM_EVERY_MS}). */
  readonly streamEveryMs?: number;
  /** How long after a change the first stream round starts (default {@link RING_DELAY_MS}). */
  readonly ringDelayMs?: number;
  /** Told everything the run does, as it does it (a recorder, `recording.ts`); observing changes nothing. */
  readonly observe?: (observation: KvSimObservation) => void;
}

/**
 * What an observer of a run is told: every core step that took (with the node before and after, and its
 * outputs), every message handed to the network (and whether the network lost it at once), every
 * delivery of a message (or its loss, when its ends cannot talk), and the faults as they happen. Messages
 * are the simulator's own objects, so an observer can follow one from its sending to its delivery.
 */
export type KvSimObservation =
  | { readonly kind: 'step'; readonly atMs: number; readonly node: NodeId; readonly input: Input; readonly before: KVNode; readonly after: KVNode; readonly outputs: Outputs }
  | { readonly kind: 'send'; readonly atMs: number; readonly message: Message; readonly lost: boolean }
  | { readonly kind: 'deliver'; readonly atMs: number; readonly message: Message; readonly delivered: boolean }
  | { readonly kind: 'crash' | 'restart'; readonly atMs: number; readonly node: NodeId; readonly disk: Durable }
  | { readonly kind: 'split'; readonly atMs: number; readonly side: readonly NodeId[] }
  | { readonly kind: 'heal'; readonly atMs: number };

export const STREAM_EVERY_MS = 2;
/**
 * Cassandra announces a pending range and waits (its ring delay) before streaming, so that every
 * coordinator already writes to the pending replica when the stream's snapshot is taken; here every node
 * learns the walk at once, and the wait is the window in which writes reach the pending replica directly.
 */
export const RING_DELAY_MS = 5;

/** What a run's faults are drawn from. */
export interface ScheduleShape {
  readonly partitionChance: number;
  readonly crashChance: number;
  readonly maxLossRate: number;
  /** Each clock's rate is drawn from `1 ± maxDrift`. */
  readonly maxDrift: number;
  /** Each clock's offset is drawn from `0 .. maxOffsetMs`. */
  readonly maxOffsetMs: number;
  /** Chance of a node joining or (when there are more than N) a member leaving mid-run; absent: never. */
  readonly membershipChance?: number;
}

export const DEFAULT_SHAPE: ScheduleShape = { partitionChance: 0.8, crashChance: 0.3, maxLossRate: 0.05, maxDrift: 0.01, maxOffsetMs: 5 };

export const DEFAULT_SIM: Omit<KvSimOptions, 'n' | 'r' | 'w' | 'mode' | 'resolution' | 'nodes' | 'seed'> = {
  clients: 3,
  workloadMs: 60,
  quietMs: 60,
  latency: { kind: 'shifted-exponential', minMs: 0.5, tailMeanMs: 0.5 },
  timeoutMs: 10,
  thinkMs: 4,
  writeShare: 0.5,
  tickEveryMs: 1,
  handoffEveryMs: 10,
  antiEntropyEveryMs: 10,
};

/** How a client's operation ended: acknowledged / answered, refused by the store, or not known in time. */
export type OpOutcome = 'ok' | 'unavailable' | 'timeout';

export interface WriteOp {
  readonly kind: 'write';
  readonly id: number;
  readonly client: string;
  readonly coordinator: NodeId | null;
  readonly value: string;
  readonly call: number;
  ret: number;
  outcome: OpOutcome;
}

export interface ReadOp {
  readonly kind: 'read';
  readonly id: number;
  /** The read's id in the core's messages. */
  readonly read: number;
  readonly client: string;
  readonly coordinator: NodeId | null;
  readonly call: number;
  ret: number;
  outcome: OpOutcome;
  /** The values the read returned (its siblings), sorted. */
  values: readonly string[];
  /** The writes whose clients had seen them acknowledged when this read began (the spec's `ackedBefore`). */
  readonly ackedBefore: readonly string[];
}

export type ClientOp = WriteOp | ReadOp;

/** A finished run. */
export interface KvSimRun {
  readonly options: KvSimOptions;
  readonly config: KVConfig;
  readonly schedule: FaultSchedule;
  /** Client operations in the order they were invoked. */
  readonly history: readonly ClientOp[];
  /** The writes each write's coordinator had seen (the spec's history variable). */
  readonly seen: Readonly<Record<string, readonly string[]>>;
  /** Each node's store and hints at the end (from disk for a node that is down). */
  readonly finalStores: Readonly<Record<NodeId, readonly Version[]>>;
  readonly finalHints: Readonly<Record<NodeId, readonly Hint[]>>;
  /** From when convergence is timed: the heal, or the end of the workload if later. */
  readonly convergeFromMs: number;
  /** The first time at or after `convergeFromMs` when every home replica held the same versions; null if never. */
  readonly convergedAtMs: number | null;
  readonly endMs: number;
  /** The membership change and its transition; null without one. */
  readonly membership: MembershipReport | null;
  readonly stats: { readonly events: number; readonly messages: number; readonly lost: number; readonly coreSteps: number };
}

/** The faults of one run, drawn from `seed`; a member leaves only when there are more than `n`. */
export function generateSchedule(seed: number, walk: readonly NodeId[], horizonMs: number, shape: ScheduleShape = DEFAULT_SHAPE, n = walk.length): FaultSchedule {
  const rng = new Rng(seed ^ 0x5eed);
  const clocks = Object.fromEntries(walk.map((n) => [n, { offsetMs: rng.uniform(0, shape.maxOffsetMs), rate: 1 + rng.uniform(-shape.maxDrift, shape.maxDrift) }]));
  let partition: FaultSchedule['partition'] = null;
  if (rng.chance(shape.partitionChance)) {
    const startMs = rng.uniform(0, horizonMs * 0.5);
    const healMs = startMs + rng.uniform(horizonMs * 0.1, horizonMs * 0.5);
    const side = walk.filter(() => rng.chance(0.5));
    if (side.length > 0 && side.length < walk.length) partition = { startMs, healMs, side };
  }
  const crashes: FaultSchedule['crashes'][number][] = [];
  if (rng.chance(shape.crashChance)) {
    const atMs = rng.uniform(0, horizonMs * 0.7);
    crashes.push({ node: rng.pick(walk), atMs, restartMs: atMs + rng.uniform(1, horizonMs * 0.3) });
  }
  const schedule: FaultSchedule = { partition, crashes, lossRate: rng.uniform(0, shape.maxLossRate), clocks };
  // Drawn last, and only when asked, so every earlier draw (and so every existing seed's faults) stays as it was.
  const chance = shape.membershipChance ?? 0;
  if (!(chance > 0 && rng.chance(chance))) return schedule;
  const atMs = rng.uniform(horizonMs * 0.1, horizonMs * 0.7);
  if (walk.length > n && rng.chance(0.5)) return { ...schedule, membership: { kind: 'leave', node: rng.pick(walk), atMs } };
  const node = joinerName(walk);
  const clock = { offsetMs: rng.uniform(0, shape.maxOffsetMs), rate: 1 + rng.uniform(-shape.maxDrift, shape.maxDrift) };
  return { ...schedule, clocks: { ...clocks, [node]: clock }, membership: { kind: 'join', node, atMs } };
}

/** The key's config: a plain walk n1..nN when the cluster is the N home replicas, else the key's walk on a ring. */
export function simConfig(o: Pick<KvSimOptions, 'n' | 'r' | 'w' | 'mode' | 'resolution' | 'nodes'>): KVConfig {
  const quorums = { n: o.n, r: o.r, w: o.w, mode: o.mode, resolution: o.resolution };
  const members = simMembers(o.nodes);
  if (!(Number.isInteger(o.nodes) && o.nodes >= o.n)) throw new RangeError(`nodes = ${o.nodes}: expected an integer >= N = ${o.n}`);
  if (o.nodes === o.n) {
    if (!(o.r >= 1 && o.r <= o.n && o.w >= 1 && o.w <= o.n)) throw new RangeError(`R = ${o.r}, W = ${o.w}: each must be in 1 .. N = ${o.n}`);
    return { walk: members, ...quorums };
  }
  return configForKey(layoutOf(members, SIM_VNODES), SIM_KEY, quorums);
}

/** The cluster's members, n1..nK. */
export const simMembers = (nodes: number): NodeId[] => Array.from({ length: nodes }, (_, i) => `n${i + 1}`);

type SimEvent =
  | { readonly type: 'deliver'; readonly message: Message }
  | { readonly type: 'client'; readonly client: number }
  | { readonly type: 'timeout'; readonly op: ClientOp }
  | { readonly type: 'split' }
  | { readonly type: 'heal' }
  | { readonly type: 'crash'; readonly node: NodeId }
  | { readonly type: 'restart'; readonly node: NodeId }
  | { readonly type: 'handoff' }
  | { readonly type: 'antiEntropy' }
  | { readonly type: 'membership' }
  | { readonly type: 'stream' };

/** Runs one simulation to the end. Equal options give equal runs. */
export function runKvSim(options: KvSimOptions): KvSimRun {
  const legacyConfig = simConfig(options);
  const core = options.core ?? (options.defect === undefined ? KV_CORE : KV_DEFECTS[options.defect]?.core);
  if (core === undefined) throw new RangeError(`no defective core named ${options.defect} (known: ${Object.keys(KV_DEFECTS).join(', ')})`);
  const horizon = options.workloadMs;
  const generated = options.schedule ?? generateSchedule(options.seed, legacyConfig.walk, horizon, options.shape ?? DEFAULT_SHAPE, options.n);
  const change = options.membership ?? generated.membership ?? null;
  const schedule: FaultSchedule = change === null ? generated : { ...generated, membership: change };
  const quorums = { n: options.n, r: options.r, w: options.w, mode: options.mode, resolution: options.resolution };
  const initialMembers = simMembers(options.nodes);
  // With a membership change the key is always placed on the ring (also when the cluster is just its N replicas).
  const plan: MembershipPlan | null = change === null ? null : planMembership(initialMembers, quorums, change);
  let config = plan === null ? legacyConfig : plan.before;
  let home = homeReplicas(config);
  /** The nodes serving now (a joiner from its join on, a leaver until it leaves). */
  const members: NodeId[] = [...config.walk];
  const root = new Rng(options.seed);
  const netRng = root.fork();
  const clientRng = root.fork();
  const repairRng = root.fork();
  const streamRng = root.fork();
  const sample = latencySampler(options.latency);
  const queue = new EventQueue<SimEvent>();

  const nodes = new Map<NodeId, KVNode | undefined>(members.map((n) => [n, freshNode(n, config)]));
  const disks = new Map<NodeId, Durable>(members.map((n) => [n, { store: [], hints: [], clock: 0 }]));
  /** The config each node last learned: a node down at a change learns the new one when it restarts. */
  const known = new Map<NodeId, KVConfig>(members.map((n) => [n, config]));
  const ticksGiven = new Map<NodeId, number>(members.map((n) => [n, 0]));
  const side = new Map<NodeId, 0 | 1>(members.map((n) => [n, 0]));
  const seen: Record<string, readonly string[]> = {};
  const history: ClientOp[] = [];
  const openWrites = new Map<string, WriteOp>();
  const openReads = new Map<number, ReadOp>();
  const ackedValues: string[] = [];
  const stats = { events: 0, messages: 0, lost: 0, coreSteps: 0 };
  const report = plan === null ? null : reportOf(plan, options.membershipDefect ?? null);
  // Widened on purpose: closures change it, which TypeScript's narrowing of a literal initialiser cannot see.
  let transition = 'before' as 'before' | 'streaming' | 'switched';
  let now = 0;
  const observe = options.observe;

  const isUp = (n: NodeId) => nodes.get(n) !== undefined;
  const canTalk = (a: NodeId, b: NodeId) => isUp(a) && isUp(b) && side.get(a) === side.get(b);
  const reachableFrom = (c: NodeId) => members.filter((m) => canTalk(c, m));

  const finish = (op: ClientOp, outcome: OpOutcome) => {
    op.outcome = outcome;
    op.ret = now;
    if (op.kind === 'write') {
      openWrites.delete(op.value);
      if (outcome === 'ok') ackedValues.push(op.value);
    } else openReads.delete(op.read);
    scheduleNext(Number(op.client.slice(1)));
  };

  const onReply = (reply: Reply) => {
    switch (reply.type) {
      case 'WriteAcked': {
        const op = openWrites.get(reply.value);
        if (op !== undefined) finish(op, 'ok');
        return;
      }
      case 'WriteUnavailable': {
        const op = openWrites.get(reply.value);
        if (op !== undefined) finish(op, 'unavailable');
        return;
      }
      case 'ReadDone': {
        const op = openReads.get(reply.read);
        if (op === undefined) return;
        op.values = reply.result.map((v) => v.value).sort();
        finish(op, 'ok');
        return;
      }
      case 'ReadUnavailable': {
        const op = openReads.get(reply.read);
        if (op !== undefined) finish(op, 'unavailable');
        return;
      }
      default:
        return reply satisfies never;
    }
  };

  /** Steps a running node and applies its outputs: persist, reply to clients, return its messages. */
  const step = (n: NodeId, input: Input): readonly Message[] => {
    const node = nodes.get(n);
    if (node === undefined) return [];
    stats.coreSteps++;
    const result = core.step(node, input);
    if (result.refused !== undefined) throw new Error(`the simulator drove ${n} into a step the core refuses (${input.type}): ${result.refused}`);
    nodes.set(n, result.node);
    if (result.outputs.persist !== null) disks.set(n, result.outputs.persist);
    observe?.({ kind: 'step', atMs: now, node: n, input, before: node, after: result.node, outputs: result.outputs });
    for (const reply of result.outputs.replies) onReply(reply);
    return result.outputs.messages;
  };

  const send = (messages: readonly Message[]) => {
    for (const m of messages) {
      stats.messages++;
      if (netRng.chance(schedule.lossRate)) {
        stats.lost++;
        observe?.({ kind: 'send', atMs: now, message: m, lost: true });
        continue;
      }
      observe?.({ kind: 'send', atMs: now, message: m, lost: false });
      queue.push(now + sample(netRng), { type: 'deliver', message: m });
    }
  };

  /** Delivers a message at once when its ends can talk (an atomic exchange); returns the receiver's messages. */
  const exchange = (m: Message): readonly Message[] => (canTalk(m.from, m.to) ? step(m.to, { type: 'Receive', message: m }) : []);

  const localTime = (n: NodeId) => {
    const c = schedule.clocks[n] ?? { offsetMs: 0, rate: 1 };
    return c.offsetMs + c.rate * now;
  };

  // The LWW clock only matters when a node writes, so a node's ticks up to its local time are given just
  // before it coordinates a write: the same Tick inputs, in the same order relative to its writes.
  const catchUpClock = (n: NodeId) => {
    if (config.resolution !== 'LWW') return;
    const due = Math.floor(localTime(n) / options.tickEveryMs);
    let given = ticksGiven.get(n) ?? 0;
    for (; given < due; given++) step(n, { type: 'Tick' });
    ticksGiven.set(n, given);
  };

  let opCount = 0;
  let readCount = 0;
  let valueCount = 0;
  const clientHome = (client: number): NodeId | null => {
    for (let k = 0; k < home.length; k++) {
      const c = home[(client + k) % home.length]!;
      if (isUp(c)) return c;
    }
    return null;
  };

  function scheduleNext(client: number): void {
    const at = now + clientRng.uniform(0, options.thinkMs);
    if (at < options.workloadMs) queue.push(at, { type: 'client', client });
  }

  const startOp = (client: number) => {
    const name = `c${client}`;
    const coordinator = clientHome(client);
    const isWrite = clientRng.chance(options.writeShare);
    if (isWrite) {
      const value = `v${++valueCount}`;
      const op: WriteOp = { kind: 'write', id: opCount++, client: name, coordinator, value, call: now, ret: now, outcome: 'timeout' };
      history.push(op);
      if (coordinator === null) return finish(op, 'unavailable');
      openWrites.set(value, op);
      queue.push(now + options.timeoutMs, { type: 'timeout', op });
      catchUpClock(coordinator);
      const before = nodes.get(coordinator)!.store;
      seen[value] = [...new Set(before.flatMap((x) => [x.value, ...(seen[x.value] ?? [])]))].sort();
      const puts = step(coordinator, { type: 'ClientWrite', value, reachable: reachableFrom(coordinator) });
      if (report !== null && puts.some((m) => pendingReplicas(config).includes(m.to))) report.writesToPending++;
      send(puts);
      if (op.outcome === 'unavailable') delete seen[value];
    } else {
      const read = ++readCount;
      const op: ReadOp = { kind: 'read', id: opCount++, read, client: name, coordinator, call: now, ret: now, outcome: 'timeout', values: [], ackedBefore: [...ackedValues].sort() };
      history.push(op);
      if (coordinator === null) return finish(op, 'unavailable');
      openReads.set(read, op);
      queue.push(now + options.timeoutMs, { type: 'timeout', op });
      send(step(coordinator, { type: 'ClientRead', read, reachable: reachableFrom(coordinator) }));
    }
  };

  const handOffRound = () => {
    for (const f of [...members]) {
      const node = nodes.get(f);
      if (node === undefined) continue;
      for (const h of node.hints) {
        if (!canTalk(f, h.for)) continue;
        for (const m of step(f, { type: 'HandOff', hintFor: h.for, value: h.version.value })) send(exchange(m));
      }
    }
  };

  const antiEntropyRound = () => {
    for (const a of home) {
      if (!isUp(a)) continue;
      const peers = home.filter((b) => b !== a && canTalk(a, b));
      if (peers.length === 0) continue;
      const b = repairRng.pick(peers);
      for (const sync of step(a, { type: 'AntiEntropy', peer: b })) for (const reply of exchange(sync)) send(exchange(reply));
    }
  };

  const homeAgree = () => {
    const first = disks.get(home[0]!)!.store;
    return home.every((h) => sameVersions(disks.get(h)!.store, first, config.walk));
  };

  /** Every serving node learns `next` (a node that is down learns it when it restarts). */
  const reconfigure = (next: KVConfig) => {
    config = next;
    home = homeReplicas(next);
    for (const n of [...members]) {
      if (!isUp(n)) continue;
      known.set(n, next);
      send(step(n, { type: 'Reconfigure', config: next }));
    }
  };

  const startServing = (n: NodeId, with_: KVConfig) => {
    members.push(n);
    nodes.set(n, freshNode(n, with_));
    disks.set(n, { store: [], hints: [], clock: 0 });
    known.set(n, with_);
    ticksGiven.set(n, 0);
    side.set(n, 0);
  };

  const stopServing = (n: NodeId) => {
    members.splice(members.indexOf(n), 1);
    nodes.set(n, undefined);
    report!.leftAtMs = now;
  };

  /** Reads and acknowledgements move to the new home replicas; a leaver stops serving. */
  const switchOver = () => {
    reconfigure(plan!.after);
    if (plan!.change.kind === 'leave') stopServing(plan!.change.node);
    transition = 'switched';
    report!.switchedAtMs = now;
    convergeFromMs = Math.max(convergeFromMs, now);
    endMs = convergeFromMs + options.quietMs;
    convergedAtMs = null;
    extendPeriodic(endMs);
  };

  const leaverHandedOff = () => plan!.change.kind !== 'leave' || plan!.oldHome.includes(plan!.change.node) || (nodes.get(plan!.change.node)?.hints.length ?? 0) === 0;

  const beginChange = () => {
    const p = plan!;
    if (options.membershipDefect === 'switch-before-stream') {
      if (p.change.kind === 'join') startServing(p.change.node, p.after);
      switchOver();
      return;
    }
    if (p.change.kind === 'join') startServing(p.change.node, p.during);
    reconfigure(p.during);
    transition = 'streaming';
    queue.push(now + (options.ringDelayMs ?? RING_DELAY_MS), { type: 'stream' });
  };

  /** Each old home replica streams to the entering one; one round that moved enough switches the key. */
  const streamRound = () => {
    const p = plan!;
    const r = report!;
    const streamed = new Set<NodeId>();
    const anyReplica = options.membershipDefect === 'stream-from-any-replica';
    if (p.entering.length > 0) r.streamRounds++;
    for (const e of p.entering) {
      // The defect streams from one replica that stays home, whichever answers first, and switches on it.
      const sources = anyReplica ? p.oldHome.filter((s) => !p.leavingHome.includes(s) && canTalk(s, e)).slice(0, 1) : p.oldHome;
      for (const s of sources) {
        if (s === e) continue;
        if (!canTalk(s, e)) {
          r.streamsUnreachable++;
          continue;
        }
        for (const m of step(s, { type: 'Stream', peer: e })) {
          r.streamsSent++;
          if (streamRng.chance(schedule.lossRate)) {
            r.streamsLost++;
            continue;
          }
          if (m.type === 'Stream') r.versionsStreamed += m.versions.length;
          send(exchange(m));
          streamed.add(s);
        }
      }
    }
    if ((anyReplica ? p.entering.length === 0 || streamed.size > 0 : streamComplete(p, streamed)) && leaverHandedOff()) switchOver();
    else queue.push(now + (options.streamEveryMs ?? STREAM_EVERY_MS), { type: 'stream' });
  };

  // The schedule.
  const p = schedule.partition;
  if (p !== null) {
    queue.push(p.startMs, { type: 'split' });
    queue.push(p.healMs, { type: 'heal' });
  }
  for (const c of schedule.crashes) {
    queue.push(c.atMs, { type: 'crash', node: c.node });
    queue.push(c.restartMs, { type: 'restart', node: c.node });
  }
  let nextHandoffMs = options.handoffEveryMs;
  let nextAntiEntropyMs = options.antiEntropyEveryMs / 2;
  /** Periodic repair up to `untilMs` (and one round past it), continuing where the last call stopped. */
  function extendPeriodic(untilMs: number): void {
    for (let last = -Infinity; last <= untilMs; nextHandoffMs += options.handoffEveryMs) {
      queue.push(nextHandoffMs, { type: 'handoff' });
      last = nextHandoffMs;
    }
    for (let last = -Infinity; last <= untilMs; nextAntiEntropyMs += options.antiEntropyEveryMs) {
      queue.push(nextAntiEntropyMs, { type: 'antiEntropy' });
      last = nextAntiEntropyMs;
    }
  }
  extendPeriodic(horizon + options.quietMs + (p?.healMs ?? 0));
  for (let c = 0; c < options.clients; c++) queue.push(clientRng.uniform(0, options.thinkMs), { type: 'client', client: c });
  if (change !== null) queue.push(change.atMs, { type: 'membership' });

  const lastRestart = Math.max(0, ...schedule.crashes.map((c) => c.restartMs));
  let convergeFromMs = Math.max(p?.healMs ?? 0, options.workloadMs, lastRestart, change?.atMs ?? 0);
  let endMs = convergeFromMs + options.quietMs;
  let convergedAtMs: number | null = null;
  // A stream that has not finished keeps the run going, up to a bound (then the report says it never did).
  const streamLimitMs = endMs + 10 * (options.workloadMs + options.quietMs);

  for (;;) {
    const next = queue.pop();
    if (next === undefined || next.time > (transition === 'streaming' ? streamLimitMs : endMs)) break;
    now = next.time;
    stats.events++;
    const e = next.item;
    // An exhaustive switch, not ts-pattern: this loop runs once per event of every simulated run.
    switch (e.type) {
      case 'deliver':
        observe?.({ kind: 'deliver', atMs: now, message: e.message, delivered: canTalk(e.message.from, e.message.to) });
        if (canTalk(e.message.from, e.message.to)) send(step(e.message.to, { type: 'Receive', message: e.message }));
        break;
      case 'client':
        startOp(e.client);
        break;
      case 'timeout':
        if (e.op.kind === 'write' ? openWrites.get(e.op.value) === e.op : openReads.get(e.op.read) === e.op) finish(e.op, 'timeout');
        break;
      case 'split':
        for (const n of members) side.set(n, p!.side.includes(n) ? 1 : 0);
        observe?.({ kind: 'split', atMs: now, side: members.filter((n) => side.get(n) === 1) });
        break;
      case 'heal':
        for (const n of members) side.set(n, 0);
        observe?.({ kind: 'heal', atMs: now });
        break;
      case 'crash':
        // What it was coordinating is lost; its clients time out.
        if (isUp(e.node)) {
          nodes.set(e.node, undefined);
          observe?.({ kind: 'crash', atMs: now, node: e.node, disk: disks.get(e.node)! });
        }
        break;
      case 'restart':
        if (!isUp(e.node) && members.includes(e.node)) {
          nodes.set(e.node, core.restart(e.node, known.get(e.node)!, disks.get(e.node)!));
          observe?.({ kind: 'restart', atMs: now, node: e.node, disk: disks.get(e.node)! });
          if (known.get(e.node) !== config) {
            known.set(e.node, config);
            send(step(e.node, { type: 'Reconfigure', config }));
          }
        }
        break;
      case 'handoff':
        handOffRound();
        break;
      case 'antiEntropy':
        antiEntropyRound();
        break;
      case 'membership':
        beginChange();
        break;
      case 'stream':
        if (transition === 'streaming') streamRound();
        break;
      default:
        e satisfies never;
    }
    if (convergedAtMs === null && now >= convergeFromMs && transition !== 'streaming' && homeAgree()) convergedAtMs = now;
  }
  if (transition === 'streaming') endMs = now;
  for (const op of [...openWrites.values(), ...openReads.values()]) op.ret = endMs;

  return {
    options,
    config,
    schedule,
    history,
    seen,
    finalStores: Object.fromEntries(members.map((n) => [n, disks.get(n)!.store])),
    finalHints: Object.fromEntries(members.map((n) => [n, disks.get(n)!.hints])),
    convergeFromMs,
    convergedAtMs,
    endMs,
    membership: report,
    stats,
  };
}

/** The `npm run kv-sim` command line that replays a run of `o` (a generated schedule; options left at their defaults are left out). */
export function kvSimCommand(o: KvSimOptions): string {
  const args = [`--seed ${o.seed}`, `--mode ${o.mode}`, `--resolution ${o.resolution}`, `--n ${o.n}`, `--r ${o.r}`, `--w ${o.w}`, `--nodes ${o.nodes}`];
  if (o.clients !== DEFAULT_SIM.clients) args.push(`--clients ${o.clients}`);
  if (o.workloadMs !== DEFAULT_SIM.workloadMs) args.push(`--workload-ms ${o.workloadMs}`);
  if (o.quietMs !== DEFAULT_SIM.quietMs) args.push(`--quiet-ms ${o.quietMs}`);
  const offset = o.shape?.maxOffsetMs ?? DEFAULT_SHAPE.maxOffsetMs;
  if (offset !== DEFAULT_SHAPE.maxOffsetMs) args.push(`--max-offset-ms ${offset}`);
  if (o.defect !== undefined) args.push(`--defect ${o.defect}`);
  const change = o.membership;
  if (change !== undefined) args.push(change.kind === 'join' ? `--join-at ${change.atMs}` : `--leave ${change.node} --leave-at ${change.atMs}`);
  if (o.shape?.membershipChance !== undefined) args.push(`--membership-chance ${o.shape.membershipChance}`);
  if (o.membershipDefect !== undefined) args.push(`--membership-defect ${o.membershipDefect}`);
  return `npm run kv-sim -- ${args.join(' ')}`;
}
