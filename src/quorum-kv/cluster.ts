/**
 * A deterministic cluster of quorum-store nodes, driven one spec action at a time (trace replay, the
 * enabledness check). It owns what the core does not: who is up, the network's two sides, the messages
 * in flight, each node's disk, and the client-side records of writes and reads the spec's history
 * variables describe. A replica's answer travels back in the same step as the request, as in the spec:
 * `Replicate(m, answered)` delivers the Put and, when answered, the replica's Ack; `Answer` likewise for
 * a Get and its Answer; `HandOff` and `AntiEntropy` are atomic exchanges.
 *
 * @module
 */
import { match } from 'ts-pattern';
import type { KVCore } from './node.js';
import { freshNode } from './node.js';
import type { Durable, GetMessage, KVConfig, KVNode, Message, NodeId, Outputs, PutMessage, Version } from './types.js';
import { versionKey } from './versions.js';

export type WriteStatus = 'unwritten' | 'pending' | 'acked' | 'unavailable' | 'unknown';
export type ReadStatus = 'idle' | 'pending' | 'done' | 'unavailable' | 'unknown';

/** A client's record of a write (`writes[v]`); a pending write's acks are its coordinator's. */
export interface WriteRecord {
  readonly status: WriteStatus;
  readonly coord: NodeId | null;
  readonly acks: readonly NodeId[];
}

/** A client's record of a read (`reads[i]`). */
export interface ReadRecord {
  readonly status: ReadStatus;
  readonly coord: NodeId | null;
  readonly from: readonly NodeId[];
  readonly result: readonly Version[];
  readonly ackedBefore: readonly string[];
}

/** The network and client side of a model: lossy or not, one write at a time or not. */
export interface ClusterConfig extends KVConfig {
  readonly lossy: boolean;
  readonly oneClient: boolean;
}

/** A message that stays in flight between steps. */
export type InFlight = PutMessage | GetMessage;

export interface Cluster {
  readonly config: ClusterConfig;
  /** Running nodes; a crashed node has only its disk. */
  readonly nodes: Readonly<Record<NodeId, KVNode | undefined>>;
  readonly disks: Readonly<Record<NodeId, Durable>>;
  readonly up: Readonly<Record<NodeId, boolean>>;
  readonly side: Readonly<Record<NodeId, 0 | 1>>;
  readonly splits: number;
  readonly crashes: number;
  /** Sorted by {@link messageKey}, each once (the spec's `msgs` is a set). */
  readonly network: readonly InFlight[];
  readonly writes: Readonly<Record<string, WriteRecord>>;
  readonly reads: Readonly<Record<number, ReadRecord>>;
  /** The writes each write's coordinator had seen (history). */
  readonly seen: Readonly<Record<string, readonly string[]>>;
}

/** The spec's actions with their parameters (the action label). */
export type KVAction =
  | { readonly type: 'Write'; readonly node: NodeId; readonly value: string }
  | { readonly type: 'Read'; readonly node: NodeId; readonly read: number }
  | { readonly type: 'Replicate'; readonly node: NodeId; readonly peer: NodeId; readonly value: string; readonly repair: boolean; readonly answered: boolean }
  | { readonly type: 'Answer'; readonly node: NodeId; readonly peer: NodeId; readonly read: number; readonly answered: boolean }
  | { readonly type: 'DropMessage'; readonly message: InFlight }
  | { readonly type: 'HandOff'; readonly node: NodeId; readonly peer: NodeId; readonly value: string }
  | { readonly type: 'AntiEntropy'; readonly node: NodeId; readonly peer: NodeId }
  | { readonly type: 'Split'; readonly nodes: readonly NodeId[] }
  | { readonly type: 'Heal' }
  | { readonly type: 'Crash'; readonly node: NodeId }
  | { readonly type: 'Restart'; readonly node: NodeId }
  | { readonly type: 'Tick'; readonly node: NodeId };

export type ClusterStep = { readonly cluster: Cluster; readonly refused?: undefined } | { readonly refused: string };

export function messageKey(m: InFlight, walk: readonly NodeId[]): string {
  return m.type === 'Put' ? JSON.stringify(['Put', m.from, m.to, versionKey(m.version, walk), m.hint, m.repair]) : JSON.stringify(['Get', m.from, m.to, m.read]);
}

/** A cluster where nothing has happened: every node up, empty, on side 0. */
export function initialCluster(config: ClusterConfig, values: readonly string[], reads: readonly number[]): Cluster {
  const each = <T>(f: (n: NodeId) => T) => Object.fromEntries(config.walk.map((n) => [n, f(n)]));
  return {
    config,
    nodes: each((n) => freshNode(n, config)),
    disks: each(() => ({ store: [], hints: [], clock: 0 })),
    up: each(() => true),
    side: each(() => 0 as const),
    splits: 0,
    crashes: 0,
    network: [],
    writes: Object.fromEntries(values.map((v) => [v, { status: 'unwritten', coord: null, acks: [] }])),
    reads: Object.fromEntries(reads.map((i) => [i, { status: 'idle', coord: null, from: [], result: [], ackedBefore: [] }])),
    seen: Object.fromEntries(values.map((v) => [v, []])),
  };
}

export function canTalk(c: Cluster, a: NodeId, b: NodeId): boolean {
  return c.up[a] === true && c.up[b] === true && c.side[a] === c.side[b];
}

/** What a node holds on disk or, running, in memory (the same: every change is persisted). */
export function durableOf(c: Cluster, n: NodeId): Durable {
  return c.nodes[n] ?? (c.disks[n] as Durable);
}

/** A mutable working copy of a cluster for one action. */
class Work {
  nodes: Record<NodeId, KVNode | undefined>;
  disks: Record<NodeId, Durable>;
  network: Map<string, InFlight>;
  writes: Record<string, WriteRecord>;
  reads: Record<number, ReadRecord>;
  seen: Record<string, readonly string[]>;
  constructor(
    readonly base: Cluster,
    readonly core: KVCore,
  ) {
    this.nodes = { ...base.nodes };
    this.disks = { ...base.disks };
    this.network = new Map(base.network.map((m) => [messageKey(m, base.config.walk), m]));
    this.writes = { ...base.writes };
    this.reads = { ...base.reads };
    this.seen = { ...base.seen };
  }

  /** Steps a running node; throws {@link Refusal} when the core refuses. Returns the messages it sends. */
  step(n: NodeId, input: Parameters<KVCore['step']>[1]): readonly Message[] {
    const node = this.nodes[n];
    if (node === undefined) throw new Refusal(`${n} is down`);
    const result = this.core.step(node, input);
    if (result.refused !== undefined) throw new Refusal(result.refused);
    this.nodes[n] = result.node;
    this.apply(n, result.outputs);
    return result.outputs.messages;
  }

  private apply(n: NodeId, outputs: Outputs): void {
    if (outputs.persist !== null) this.disks[n] = outputs.persist;
    for (const reply of outputs.replies) {
      match(reply)
        .with({ type: 'WriteAcked' }, (r) => (this.writes[r.value] = { status: 'acked', coord: n, acks: r.acks }))
        .with({ type: 'WriteUnavailable' }, (r) => (this.writes[r.value] = { status: 'unavailable', coord: n, acks: [] }))
        .with({ type: 'ReadDone' }, (r) => (this.reads[r.read] = { ...this.recordOf(r.read), status: 'done', coord: n, from: r.answered, result: r.result }))
        .with({ type: 'ReadUnavailable' }, (r) => (this.reads[r.read] = { ...this.recordOf(r.read), status: 'unavailable', coord: n, from: [], result: [] }))
        .exhaustive();
    }
  }

  private recordOf(read: number): ReadRecord {
    const r = this.reads[read];
    if (r === undefined) throw new Refusal(`read ${read} is not one of the model's reads`);
    return r;
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) {
      if (m.type === 'Put' || m.type === 'Get') this.network.set(messageKey(m, this.base.config.walk), m);
      else throw new Refusal(`a ${m.type} message is only ever answered within its step`);
    }
  }

  cluster(over: Partial<Cluster> = {}): Cluster {
    const network = [...this.network.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, m]) => m);
    return { ...this.base, nodes: this.nodes, disks: this.disks, network, writes: this.writes, reads: this.reads, seen: this.seen, ...over };
  }
}

class Refusal extends Error {}

/** The messages of `sent` addressed to `to` (the answer the driver delivers in the same step), and the rest. */
function split(sent: readonly Message[], to: NodeId, type: Message['type']): [Message[], Message[]] {
  return [sent.filter((m) => m.to === to && m.type === type), sent.filter((m) => !(m.to === to && m.type === type))];
}

/** Performs one spec action on the cluster with `core`; a step the spec would not take here is refused. */
export function perform(c: Cluster, action: KVAction, core: KVCore): ClusterStep {
  try {
    return { cluster: performOrThrow(c, action, core) };
  } catch (e) {
    if (e instanceof Refusal) return { refused: e.message };
    throw e;
  }
}

function reachableFrom(c: Cluster, n: NodeId): NodeId[] {
  return c.config.walk.filter((m) => canTalk(c, n, m));
}

function performOrThrow(c: Cluster, action: KVAction, core: KVCore): Cluster {
  const work = new Work(c, core);
  const needUp = (n: NodeId) => {
    if (c.up[n] !== true) throw new Refusal(`${n} is down`);
  };
  const needTalk = (a: NodeId, b: NodeId) => {
    if (!canTalk(c, a, b)) throw new Refusal(`${a} and ${b} cannot talk`);
  };
  return match(action)
    .with({ type: 'Write' }, ({ node, value }) => {
      needUp(node);
      const record = c.writes[value];
      if (record === undefined) throw new Refusal(`${value} is not one of the model's values`);
      if (record.status !== 'unwritten') throw new Refusal(`${value} was already written`);
      if (c.config.oneClient && Object.values(c.writes).some((w) => w.status === 'pending')) throw new Refusal('the one client waits for its write in progress');
      const before = durableOf(c, node).store;
      work.send(work.step(node, { type: 'ClientWrite', value, reachable: reachableFrom(c, node) }));
      if (work.writes[value]?.status === 'unwritten') work.writes[value] = { status: 'pending', coord: node, acks: [] };
      if (work.writes[value]?.status !== 'unavailable') {
        work.seen[value] = [...new Set(before.flatMap((x) => [x.value, ...(c.seen[x.value] ?? [])]))].sort();
      }
      return work.cluster();
    })
    .with({ type: 'Read' }, ({ node, read }) => {
      needUp(node);
      const record = c.reads[read];
      if (record === undefined) throw new Refusal(`read ${read} is not one of the model's reads`);
      if (record.status !== 'idle') throw new Refusal(`read ${read} has already begun`);
      const ackedBefore = Object.entries(c.writes).filter(([, w]) => w.status === 'acked').map(([v]) => v).sort();
      work.reads[read] = { ...record, coord: node, ackedBefore };
      work.send(work.step(node, { type: 'ClientRead', read, reachable: reachableFrom(c, node) }));
      if (work.reads[read]?.status === 'idle') work.reads[read] = { ...work.reads[read]!, status: 'pending' };
      return work.cluster();
    })
    .with({ type: 'Replicate' }, (a) => {
      const m = c.network.find((x): x is PutMessage => x.type === 'Put' && x.to === a.node && x.from === a.peer && x.version.value === a.value && x.repair === a.repair);
      if (m === undefined) throw new Refusal(`no Put of ${a.value} from ${a.peer} to ${a.node} is in flight`);
      needTalk(m.from, m.to);
      if (!a.answered && !c.config.lossy && !m.repair) throw new Refusal('the network loses no answer');
      work.network.delete(messageKey(m, c.config.walk));
      const [acks, rest] = split(work.step(m.to, { type: 'Receive', message: m }), m.from, 'Ack');
      work.send(rest);
      if (a.answered) {
        if (acks.length === 0) throw new Refusal(`${m.to} does not answer this Put`);
        for (const ack of acks) work.send(work.step(m.from, { type: 'Receive', message: ack }));
      }
      return work.cluster();
    })
    .with({ type: 'Answer' }, (a) => {
      const m = c.network.find((x): x is GetMessage => x.type === 'Get' && x.to === a.node && x.from === a.peer && x.read === a.read);
      if (m === undefined) throw new Refusal(`no Get of read ${a.read} from ${a.peer} to ${a.node} is in flight`);
      needTalk(m.from, m.to);
      if (!a.answered && !c.config.lossy) throw new Refusal('the network loses no answer');
      work.network.delete(messageKey(m, c.config.walk));
      const [answers, rest] = split(work.step(m.to, { type: 'Receive', message: m }), m.from, 'Answer');
      work.send(rest);
      if (a.answered) {
        if (answers.length === 0) throw new Refusal(`${m.to} does not answer this Get`);
        for (const answer of answers) work.send(work.step(m.from, { type: 'Receive', message: answer }));
      }
      return work.cluster();
    })
    .with({ type: 'DropMessage' }, ({ message }) => {
      if (!c.config.lossy) throw new Refusal('the network loses no message');
      const key = messageKey(message, c.config.walk);
      if (!work.network.delete(key)) throw new Refusal('no such message is in flight');
      return work.cluster();
    })
    .with({ type: 'HandOff' }, ({ node, peer, value }) => {
      needTalk(node, peer);
      const [handed, rest] = split(work.step(node, { type: 'HandOff', hintFor: peer, value }), peer, 'HandOff');
      work.send(rest);
      for (const h of handed) work.send(work.step(peer, { type: 'Receive', message: h }));
      return work.cluster();
    })
    .with({ type: 'AntiEntropy' }, ({ node, peer }) => {
      needTalk(node, peer);
      const [syncs, rest] = split(work.step(node, { type: 'AntiEntropy', peer }), peer, 'Sync');
      work.send(rest);
      let replied = false;
      for (const s of syncs) {
        const [replies, more] = split(work.step(peer, { type: 'Receive', message: s }), node, 'SyncReply');
        work.send(more);
        for (const r of replies) {
          replied = true;
          work.send(work.step(node, { type: 'Receive', message: r }));
        }
      }
      if (!replied) throw new Refusal(`${node} and ${peer} hold the same versions: nothing to exchange`);
      return work.cluster();
    })
    .with({ type: 'Split' }, ({ nodes }) => {
      if (Object.values(c.side).some((s) => s !== 0)) throw new Refusal('the network is already split');
      if (nodes.length === 0) throw new Refusal('a split moves at least one node');
      // Side 0 is, by convention, the side of the walk's first node.
      if (nodes.includes(c.config.walk[0]!)) throw new Refusal("the walk's first node stays on side 0");
      const side = Object.fromEntries(c.config.walk.map((n) => [n, nodes.includes(n) ? 1 : 0])) as Record<NodeId, 0 | 1>;
      return work.cluster({ side, splits: c.splits + 1 });
    })
    .with({ type: 'Heal' }, () => {
      if (Object.values(c.side).every((s) => s === 0)) throw new Refusal('the network is whole');
      return work.cluster({ side: Object.fromEntries(c.config.walk.map((n) => [n, 0])) as Record<NodeId, 0 | 1> });
    })
    .with({ type: 'Crash' }, ({ node }) => {
      const running = c.nodes[node];
      if (c.up[node] !== true || running === undefined) throw new Refusal(`${node} is down`);
      // The clients of what it coordinated never learn the outcome.
      for (const w of running.pendingWrites) work.writes[w.value] = { status: 'unknown', coord: node, acks: w.acks };
      for (const r of running.pendingReads) work.reads[r.read] = { ...work.reads[r.read]!, status: 'unknown', from: r.answered, result: r.result };
      work.nodes[node] = undefined;
      return work.cluster({ up: { ...c.up, [node]: false }, crashes: c.crashes + 1 });
    })
    .with({ type: 'Restart' }, ({ node }) => {
      if (c.up[node] !== false) throw new Refusal(`${node} is running`);
      work.nodes[node] = core.restart(node, c.config, c.disks[node]!);
      return work.cluster({ up: { ...c.up, [node]: true } });
    })
    .with({ type: 'Tick' }, ({ node }) => {
      if (c.up[node] === true) {
        work.step(node, { type: 'Tick' });
        return work.cluster();
      }
      // A stopped node's clock runs on too: tick it as it will come back from disk, and keep it down.
      const result = core.step(core.restart(node, c.config, c.disks[node]!), { type: 'Tick' });
      if (result.refused !== undefined) throw new Refusal(result.refused);
      if (result.outputs.persist !== null) work.disks[node] = result.outputs.persist;
      return work.cluster();
    })
    .exhaustive();
}
