/**
 * The quorum store's pure core: one node of one key, `step(node, input)` returning the new node and
 * its outputs (messages, client replies, what to persist). No I/O, no clock, no randomness: the driver
 * (`cluster.ts`, a real network) delivers messages, keeps the disk and says whom a coordinator can reach.
 * The rules a defect may break (reconciliation, the write quorum, how a read merges an answer) are
 * parameters of {@link makeCore}; {@link KV_CORE} is the spec's.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { countedAcks, hintFor, homeReplicas, pendingReplicas, reachableTargets } from './targets.js';
import type { Durable, Hint, Input, KVConfig, KVNode, Message, NodeId, Outputs, Reply, StepResult, Version } from './types.js';
import { byHint, covering, reconcile, sameVersions, versionKey } from './versions.js';

/** The rules a core applies; a defective core replaces one. */
export interface CoreRules {
  /** The versions a replica keeps of a set (the spec's `Reconcile`). */
  reconcile(config: KVConfig, versions: readonly Version[]): Version[];
  /** Whether `acks` acknowledgements acknowledge a write (the spec's `Acked`). */
  acked(config: KVConfig, acks: number): boolean;
  /** A read's result after an answer: what the coordinator had, reconciled with what the replica holds. */
  mergeAnswer(config: KVConfig, result: readonly Version[], answer: readonly Version[], rules: CoreRules): Version[];
}

export const SPEC_RULES: CoreRules = {
  reconcile,
  acked: (config, acks) => acks >= config.w,
  mergeAnswer: (config, result, answer, rules) => rules.reconcile(config, [...result, ...answer]),
};

/** What steps nodes: the node step, and a restart from what was on disk. */
export interface KVCore {
  step(node: KVNode, input: Input): StepResult;
  restart(id: NodeId, config: KVConfig, disk: Durable): KVNode;
}

/** A node that has never run. */
export function freshNode(id: NodeId, config: KVConfig): KVNode {
  return { id, config, store: [], hints: [], clock: 0, pendingWrites: [], pendingReads: [] };
}

const durable = (node: KVNode): Durable => ({ store: node.store, hints: node.hints, clock: node.clock });
const sorted = (ids: Iterable<NodeId>): NodeId[] => [...new Set(ids)].sort();

export function makeCore(rules: CoreRules = SPEC_RULES): KVCore {
  const out = (node: KVNode, parts: { messages?: Message[]; replies?: Reply[]; persist?: boolean }): StepResult => ({
    node,
    outputs: { messages: parts.messages ?? [], replies: parts.replies ?? [], persist: parts.persist ? durable(node) : null } satisfies Outputs,
  });

  function clientWrite(node: KVNode, value: string, reachableList: readonly NodeId[]): StepResult {
    const { config } = node;
    if (!homeReplicas(config).includes(node.id)) return { refused: `${node.id} is not a home replica of the key; only a home replica coordinates` };
    if (node.pendingWrites.some((w) => w.value === value)) return { refused: `${node.id} is already writing ${value}` };
    const reachable = new Set(reachableList);
    const targets = reachableTargets(config, reachable);
    if (targets.length < config.w || !targets.includes(node.id)) return out(node, { replies: [{ type: 'WriteUnavailable', value }] });
    const vv = covering(config.walk, node.store);
    const version: Version = { value, ts: node.clock + 1, by: node.id, vv: { ...vv, [node.id]: (vv[node.id] ?? 0) + 1 } };
    const home = homeReplicas(config);
    const messages: Message[] = targets
      .filter((t) => t !== node.id)
      .map((t): Message => ({ type: 'Put', from: node.id, to: t, version, hint: home.includes(t) ? null : hintFor(config, reachable, t), repair: false }));
    // A range being streamed to a pending replica: it gets the write too, so the stream has less to catch up.
    for (const p of pendingReplicas(config)) if (p !== node.id && reachable.has(p)) messages.push({ type: 'Put', from: node.id, to: p, version, hint: null, repair: false });
    const acks = [node.id];
    const done = rules.acked(config, acks.length);
    const next: KVNode = {
      ...node,
      store: rules.reconcile(config, [...node.store, version]),
      clock: node.clock + 1,
      pendingWrites: done ? node.pendingWrites : [...node.pendingWrites, { value, acks }],
    };
    return out(next, { messages, replies: done ? [{ type: 'WriteAcked', value, acks }] : [], persist: true });
  }

  function clientRead(node: KVNode, read: number, reachableList: readonly NodeId[]): StepResult {
    const { config } = node;
    if (!homeReplicas(config).includes(node.id)) return { refused: `${node.id} is not a home replica of the key; only a home replica coordinates` };
    if (node.pendingReads.some((r) => r.read === read)) return { refused: `${node.id} is already running read ${read}` };
    const targets = reachableTargets(config, new Set(reachableList));
    if (targets.length < config.r || !targets.includes(node.id)) return out(node, { replies: [{ type: 'ReadUnavailable', read }] });
    const messages: Message[] = targets.filter((t) => t !== node.id).map((t) => ({ type: 'Get', from: node.id, to: t, read }));
    const answered = [node.id];
    if (answered.length >= config.r) return out(node, { messages, replies: [{ type: 'ReadDone', read, answered, result: node.store }] });
    return out({ ...node, pendingReads: [...node.pendingReads, { read, answered, result: node.store }] }, { messages });
  }

  function receive(node: KVNode, m: Message): StepResult {
    const { config } = node;
    return match(m)
      .with({ type: 'Put' }, (put) => {
        const next: KVNode =
          put.hint === null
            ? { ...node, store: rules.reconcile(config, [...node.store, put.version]) }
            : { ...node, hints: addHint(node.hints, { for: put.hint, version: put.version }, config.walk) };
        // Nobody waits for a read repair's acknowledgement.
        const messages: Message[] = put.repair ? [] : [{ type: 'Ack', from: node.id, to: put.from, value: put.version.value }];
        return out(next, { messages, persist: true });
      })
      .with({ type: 'Ack' }, (ack) => {
        const pending = node.pendingWrites.find((w) => w.value === ack.value);
        if (pending === undefined) return out(node, {});
        const acks = sorted([...pending.acks, ack.from]);
        const counted = countedAcks(config, acks);
        if (rules.acked(config, counted.length)) {
          return out({ ...node, pendingWrites: node.pendingWrites.filter((w) => w !== pending) }, { replies: [{ type: 'WriteAcked', value: ack.value, acks: counted }] });
        }
        return out({ ...node, pendingWrites: node.pendingWrites.map((w) => (w === pending ? { value: w.value, acks } : w)) }, {});
      })
      .with({ type: 'Get' }, (get) => out(node, { messages: [{ type: 'Answer', from: node.id, to: get.from, read: get.read, versions: node.store }] }))
      .with({ type: 'Answer' }, (answer) => {
        const pending = node.pendingReads.find((r) => r.read === answer.read);
        if (pending === undefined) return out(node, {});
        const result = rules.mergeAnswer(config, pending.result, answer.versions, rules);
        const answered = sorted([...pending.answered, answer.from]);
        // Read repair: the replica that answered gets whatever of the merged result it lacks.
        const held = new Set(answer.versions.map((x) => versionKey(x, config.walk)));
        const messages: Message[] = result
          .filter((x) => !held.has(versionKey(x, config.walk)))
          .map((version) => ({ type: 'Put', from: node.id, to: answer.from, version, hint: null, repair: true }));
        if (answered.length >= config.r) {
          return out({ ...node, pendingReads: node.pendingReads.filter((r) => r !== pending) }, { messages, replies: [{ type: 'ReadDone', read: answer.read, answered, result }] });
        }
        return out({ ...node, pendingReads: node.pendingReads.map((r) => (r === pending ? { read: r.read, answered, result } : r)) }, { messages });
      })
      .with({ type: 'HandOff' }, (h) => out({ ...node, store: rules.reconcile(config, [...node.store, h.version]) }, { persist: true }))
      .with({ type: 'Sync' }, (sync) => {
        // Nothing to exchange: no reply, and the initiator learns nothing.
        if (sameVersions(sync.versions, node.store, config.walk)) return out(node, {});
        const merged = rules.reconcile(config, [...node.store, ...sync.versions]);
        return out({ ...node, store: merged }, { messages: [{ type: 'SyncReply', from: node.id, to: sync.from, versions: merged }], persist: true });
      })
      .with({ type: 'SyncReply' }, (reply) => out({ ...node, store: rules.reconcile(config, [...node.store, ...reply.versions]) }, { persist: true }))
      .with({ type: 'Stream' }, (stream) => out({ ...node, store: rules.reconcile(config, [...node.store, ...stream.versions]) }, { persist: true }))
      .exhaustive();
  }

  function step(node: KVNode, input: Input): StepResult {
    return match(input)
      .with({ type: 'ClientWrite' }, (i) => clientWrite(node, i.value, i.reachable))
      .with({ type: 'ClientRead' }, (i) => clientRead(node, i.read, i.reachable))
      .with({ type: 'Receive' }, (i) => (i.message.to === node.id ? receive(node, i.message) : { refused: `a message for ${i.message.to} delivered to ${node.id}` }))
      .with({ type: 'HandOff' }, (i): StepResult => {
        const hint = node.hints.find((h) => h.for === i.hintFor && h.version.value === i.value);
        if (hint === undefined) return { refused: `${node.id} keeps no hint of ${i.value} for ${i.hintFor}` };
        return out({ ...node, hints: node.hints.filter((h) => h !== hint) }, { messages: [{ type: 'HandOff', from: node.id, to: hint.for, version: hint.version }], persist: true });
      })
      .with({ type: 'AntiEntropy' }, (i): StepResult => {
        const home = homeReplicas(node.config);
        if (i.peer === node.id || !home.includes(node.id) || !home.includes(i.peer)) return { refused: 'anti-entropy runs between two distinct home replicas' };
        return out(node, { messages: [{ type: 'Sync', from: node.id, to: i.peer, versions: node.store }] });
      })
      .with({ type: 'Tick' }, (): StepResult => {
        if (node.config.resolution !== 'LWW') return { refused: 'version vectors read no clock' };
        return out({ ...node, clock: node.clock + 1 }, { persist: true });
      })
      .with({ type: 'Reconfigure' }, (i) => reconfigure(node, i.config))
      .with({ type: 'Stream' }, (i): StepResult => {
        if (i.peer === node.id || !pendingReplicas(node.config).includes(i.peer)) return { refused: `${i.peer} is not a pending replica of the key for ${node.id} to stream to` };
        // Hinted versions go too: a leaving fallback's hints must not leave with it.
        const versions = rules.reconcile(node.config, [...node.store, ...node.hints.map((h) => h.version)]);
        return out(node, { messages: [{ type: 'Stream', from: node.id, to: i.peer, versions }] });
      })
      .exhaustive();
  }

  /**
   * The key's walk changed (the driver's ring did). A hint kept for a replica that left the home set is
   * now for the replica that took its place (kept by this node if that is itself), and a write's
   * acknowledgements are counted again: a pending replica that acknowledged it counts once it is home.
   */
  function reconfigure(node: KVNode, config: KVConfig): StepResult {
    const was = node.config;
    if (config.n !== was.n || config.r !== was.r || config.w !== was.w || config.mode !== was.mode || config.resolution !== was.resolution) {
      return { refused: 'a membership change keeps the key\'s N, R, W, mode and resolution' };
    }
    if (!config.walk.includes(node.id)) return { refused: `${node.id} is not in the key's new walk` };
    const oldHome = homeReplicas(was);
    const newHome = homeReplicas(config);
    const left = oldHome.filter((n) => !newHome.includes(n));
    const entered = newHome.filter((n) => !oldHome.includes(n));
    const hints: Hint[] = [];
    const adopted: Version[] = [];
    for (const h of node.hints) {
      const heir = entered[left.indexOf(h.for)];
      if (heir === undefined) hints.push(h);
      else if (heir === node.id) adopted.push(h.version);
      else hints.push({ for: heir, version: h.version });
    }
    const replies: Reply[] = [];
    const pendingWrites = node.pendingWrites.filter((w) => {
      const counted = countedAcks(config, w.acks);
      if (!rules.acked(config, counted.length)) return true;
      replies.push({ type: 'WriteAcked', value: w.value, acks: counted });
      return false;
    });
    const moved = adopted.length > 0 || hints.some((h, i) => h !== node.hints[i]);
    const next: KVNode = {
      ...node,
      config,
      store: adopted.length === 0 ? node.store : rules.reconcile(config, [...node.store, ...adopted]),
      hints: moved ? hints.reduce<Hint[]>((acc, h) => addHint(acc, h, config.walk), []) : node.hints,
      pendingWrites,
    };
    return out(next, { replies, persist: moved });
  }

  return {
    step,
    // A crash loses what the node was coordinating; its store, hints and clock come back from disk.
    restart: (id, config, disk) => ({ ...freshNode(id, config), store: disk.store, hints: disk.hints, clock: disk.clock }),
  };
}

function addHint(hints: readonly Hint[], hint: Hint, walk: readonly NodeId[]): Hint[] {
  const key = (h: Hint) => `${h.for} ${versionKey(h.version, walk)}`;
  return hints.some((h) => key(h) === key(hint)) ? [...hints] : [...hints, hint].sort(byHint);
}

/** The spec's core. */
export const KV_CORE: KVCore = makeCore();
