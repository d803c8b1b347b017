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
 * @module
 */
import { layoutOf } from '../ring/index.js';
import { latencySampler } from '../sim/latency.js';
import { Rng } from '../sim/rng.js';
import { EventQueue } from '../sim/queue.js';
import type { LatencyModel } from '../sim/scenario.js';
import { KV_DEFECTS } from './defects.js';
import { KV_CORE, type KVCore, freshNode } from './node.js';
import { configForKey } from './ring-config.js';
import { homeReplicas } from './targets.js';
import type { Durable, Hint, Input, KVConfig, KVNode, Message, Mode, NodeId, Reply, Resolution, Version } from './types.js';
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
}

/** What a run's faults are drawn from. */
export interface ScheduleShape {
  readonly partitionChance: number;
  readonly crashChance: number;
  readonly maxLossRate: number;
  /** Each clock's rate is drawn from `1 ± maxDrift`. */
  readonly maxDrift: number;
  /** Each clock's offset is drawn from `0 .. maxOffsetMs`. */
  readonly maxOffsetMs: number;
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
  readonly stats: { readonly events: number; readonly messages: number; readonly lost: number; readonly coreSteps: number };
}

/** The faults of one run, drawn from `seed`. */
export function generateSchedule(seed: number, walk: readonly NodeId[], horizonMs: number, shape: ScheduleShape = DEFAULT_SHAPE): FaultSchedule {
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
  return { partition, crashes, lossRate: rng.uniform(0, shape.maxLossRate), clocks };
}

/** The key's config: a plain walk n1..nN when the cluster is the N home replicas, else the key's walk on a ring. */
export function simConfig(o: Pick<KvSimOptions, 'n' | 'r' | 'w' | 'mode' | 'resolution' | 'nodes'>): KVConfig {
  const quorums = { n: o.n, r: o.r, w: o.w, mode: o.mode, resolution: o.resolution };
  const members = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
  if (!(Number.isInteger(o.nodes) && o.nodes >= o.n)) throw new RangeError(`nodes = ${o.nodes}: expected an integer >= N = ${o.n}`);
  if (o.nodes === o.n) {
    if (!(o.r >= 1 && o.r <= o.n && o.w >= 1 && o.w <= o.n)) throw new RangeError(`R = ${o.r}, W = ${o.w}: each must be in 1 .. N = ${o.n}`);
    return { walk: members, ...quorums };
  }
  return configForKey(layoutOf(members, 64), 'key', quorums);
}

type SimEvent =
  | { readonly type: 'deliver'; readonly message: Message }
  | { readonly type: 'client'; readonly client: number }
  | { readonly type: 'timeout'; readonly op: ClientOp }
  | { readonly type: 'split' }
  | { readonly type: 'heal' }
  | { readonly type: 'crash'; readonly node: NodeId }
  | { readonly type: 'restart'; readonly node: NodeId }
  | { readonly type: 'handoff' }
  | { readonly type: 'antiEntropy' };

/** Runs one simulation to the end. Equal options give equal runs. */
export function runKvSim(options: KvSimOptions): KvSimRun {
  const config = simConfig(options);
  const core = options.core ?? (options.defect === undefined ? KV_CORE : KV_DEFECTS[options.defect]?.core);
  if (core === undefined) throw new RangeError(`no defective core named ${options.defect} (known: ${Object.keys(KV_DEFECTS).join(', ')})`);
  const { walk } = config;
  const home = homeReplicas(config);
  const horizon = options.workloadMs;
  const schedule = options.schedule ?? generateSchedule(options.seed, walk, horizon, options.shape ?? DEFAULT_SHAPE);
  const root = new Rng(options.seed);
  const netRng = root.fork();
  const clientRng = root.fork();
  const repairRng = root.fork();
  const sample = latencySampler(options.latency);
  const queue = new EventQueue<SimEvent>();

  const nodes = new Map<NodeId, KVNode | undefined>(walk.map((n) => [n, freshNode(n, config)]));
  const disks = new Map<NodeId, Durable>(walk.map((n) => [n, { store: [], hints: [], clock: 0 }]));
  const ticksGiven = new Map<NodeId, number>(walk.map((n) => [n, 0]));
  const side = new Map<NodeId, 0 | 1>(walk.map((n) => [n, 0]));
  const seen: Record<string, readonly string[]> = {};
  const history: ClientOp[] = [];
  const openWrites = new Map<string, WriteOp>();
  const openReads = new Map<number, ReadOp>();
  const ackedValues: string[] = [];
  const stats = { events: 0, messages: 0, lost: 0, coreSteps: 0 };
  let now = 0;

  const isUp = (n: NodeId) => nodes.get(n) !== undefined;
  const canTalk = (a: NodeId, b: NodeId) => isUp(a) && isUp(b) && side.get(a) === side.get(b);
  const reachableFrom = (c: NodeId) => walk.filter((m) => canTalk(c, m));

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
    for (const reply of result.outputs.replies) onReply(reply);
    return result.outputs.messages;
  };

  const send = (messages: readonly Message[]) => {
    for (const m of messages) {
      stats.messages++;
      if (netRng.chance(schedule.lossRate)) {
        stats.lost++;
        continue;
      }
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
      send(step(coordinator, { type: 'ClientWrite', value, reachable: reachableFrom(coordinator) }));
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
    for (const f of walk) {
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
    return home.every((h) => sameVersions(disks.get(h)!.store, first, walk));
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
  for (let t = options.handoffEveryMs; ; t += options.handoffEveryMs) {
    queue.push(t, { type: 'handoff' });
    if (t > horizon + options.quietMs + (p?.healMs ?? 0)) break;
  }
  for (let t = options.antiEntropyEveryMs / 2; ; t += options.antiEntropyEveryMs) {
    queue.push(t, { type: 'antiEntropy' });
    if (t > horizon + options.quietMs + (p?.healMs ?? 0)) break;
  }
  for (let c = 0; c < options.clients; c++) queue.push(clientRng.uniform(0, options.thinkMs), { type: 'client', client: c });

  const lastRestart = Math.max(0, ...schedule.crashes.map((c) => c.restartMs));
  const convergeFromMs = Math.max(p?.healMs ?? 0, options.workloadMs, lastRestart);
  const endMs = convergeFromMs + options.quietMs;
  let convergedAtMs: number | null = null;

  for (;;) {
    const next = queue.pop();
    if (next === undefined || next.time > endMs) break;
    now = next.time;
    stats.events++;
    const e = next.item;
    // An exhaustive switch, not ts-pattern: this loop runs once per event of every simulated run.
    switch (e.type) {
      case 'deliver':
        if (canTalk(e.message.from, e.message.to)) send(step(e.message.to, { type: 'Receive', message: e.message }));
        break;
      case 'client':
        startOp(e.client);
        break;
      case 'timeout':
        if (e.op.kind === 'write' ? openWrites.get(e.op.value) === e.op : openReads.get(e.op.read) === e.op) finish(e.op, 'timeout');
        break;
      case 'split':
        for (const n of walk) side.set(n, p!.side.includes(n) ? 1 : 0);
        break;
      case 'heal':
        for (const n of walk) side.set(n, 0);
        break;
      case 'crash':
        // What it was coordinating is lost; its clients time out.
        if (isUp(e.node)) nodes.set(e.node, undefined);
        break;
      case 'restart':
        if (!isUp(e.node)) nodes.set(e.node, core.restart(e.node, config, disks.get(e.node)!));
        break;
      case 'handoff':
        handOffRound();
        break;
      case 'antiEntropy':
        antiEntropyRound();
        break;
      default:
        e satisfies never;
    }
    if (convergedAtMs === null && now >= convergeFromMs && homeAgree()) convergedAtMs = now;
  }
  for (const op of [...openWrites.values(), ...openReads.values()]) op.ret = endMs;

  return {
    options,
    config,
    schedule,
    history,
    seen,
    finalStores: Object.fromEntries(walk.map((n) => [n, disks.get(n)!.store])),
    finalHints: Object.fromEntries(walk.map((n) => [n, disks.get(n)!.hints])),
    convergeFromMs,
    convergedAtMs,
    endMs,
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
  return `npm run kv-sim -- ${args.join(' ')}`;
}
