/**
 * Recording a run of the quorum store's simulator (`sim.ts`) as an implementation trace
 * (`src/validate/format.ts`), for TLC to check against `specs/QuorumKV.tla` (`npm run validate-trace`).
 *
 * The spec takes a request and its answer as one step (`Replicate(m, answered)`: the replica stores the
 * Put and, when answered, the coordinator counts its acknowledgement; `Answer(m, answered)` likewise for a
 * Get); the simulator sends the Ack or the Answer as a message of its own, with its own latency and loss.
 * The recorder places each such pair where the spec can take it:
 * - a **Replicate** at the Put's delivery (the replica's store changes then, and others may see it). It is
 *   `answered` when the coordinator counted the Ack, whenever that came; an Ack that was lost, reached a
 *   coordinator that was down or had stopped counting, or never arrived is the spec's lost answer. The
 *   line is written once the Ack's fate is known.
 * - an **Answer** at the Answer's arrival when it counted and the replica still held what it answered
 *   (so the coordinator's read changes in the order it really did); otherwise at the Get's delivery.
 * - a hand-off and an anti-entropy round are atomic exchanges in the simulator too: one line each, at the
 *   node that starts it (the home replica's, or the peer's, new store shows on its next line).
 *
 * The client records are the spec's `writes` and `reads`, logged by entry where a step changes one:
 * - `writes[v]` at its Write, at each Replicate whose Ack counted and at the coordinator's crash, each
 *   time only when the acknowledgements the coordinator had counted are exactly those the log has placed
 *   so far (two Acks may arrive in the other order than their Puts; then the entry is left out and TLC
 *   fills it in).
 * - `reads[i]` likewise at its Read, at each counted Answer and at the coordinator's crash, but for its
 *   `ackedBefore`: a history variable of the spec, not state of the store, which the recorder could only
 *   work out from the log itself, and which would grow the log quadratically with the run.
 *
 * What is not recorded: the client's timeouts (not a step of the spec), writes and reads no home replica
 * was up to coordinate (the spec's coordinator is always up), the history variables `seen` and
 * `ackedBefore`, and the
 * network's `side`, which the spec numbers from the walk's first node (a split is logged as the nodes not
 * on that node's side). A run with a join or leave cannot be recorded: `Reconfigure` and `Stream` are not
 * in the spec.
 *
 * @module
 */
import type { ItfJson } from '../trace/itf-value.js';
import { headerLine } from '../validate/format.js';
import type { KvSimObservation } from './sim.js';
import type { Durable, GetMessage, Hint, KVConfig, KVNode, Message, NodeId, PutMessage, Version } from './types.js';
import { versionKey } from './versions.js';

/** A run the spec cannot describe (a membership change). */
export class UnrecordableRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnrecordableRunError';
  }
}

type Json = ItfJson;
const set = (elements: readonly Json[]): Json => ({ '#set': [...elements] });
const map = (entries: readonly (readonly [Json, Json])[]): Json => ({ '#map': entries.map(([k, v]) => [k, v]) });

interface Entry {
  readonly atMs: number;
  readonly label: { readonly name: string; readonly [field: string]: Json };
  readonly vars?: Json;
  readonly sent?: readonly Json[];
  readonly note?: string;
  /** The message the step consumes, and those it sends (keys), for the pass over the log's final order. */
  readonly consumes?: string;
  readonly sentKeys?: readonly string[];
  /** A delivery that changed nothing at the replica (a second copy of a read repair is one). */
  readonly noop?: boolean;
  /** Resolved when the answer's fate is known (a Replicate that waits for its Ack). */
  answered?: boolean;
  /** A write's record as the coordinator had it after this step (Write, a counted Ack, a crash). */
  writes?: Map<string, { readonly status: string; readonly coord: NodeId; readonly acks: readonly NodeId[] }>;
  /** A read's record as the coordinator had it after this step (Read, a counted Answer, a crash). */
  reads?: Map<number, { readonly status: string; readonly coord: NodeId; readonly from: readonly NodeId[]; readonly result: readonly Version[] }>;
}

const sorted = (xs: Iterable<NodeId>): NodeId[] => [...new Set(xs)].sort();
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && sorted(a).join(' ') === sorted(b).join(' ');

/** Writes a run's steps as NDJSON lines of the implementation-trace format (see the module comment). */
export class KvTraceRecorder {
  private readonly entries: (Entry | null)[] = [];
  /** Entries placed just before the entry (or slot) at an index, after the fact. */
  private readonly insertedBefore = new Map<number, Entry[]>();
  /** Where the log placed the last counted answer of each read (a slot's index; just under it when inserted before). */
  private readonly lastCounted = new Map<number, number>();
  /** Copies of each spec message in flight: the spec loses its one message with the last copy. */
  private readonly copies = new Map<string, number>();
  private readonly awaitingAck = new Map<Message, { readonly entry: Entry }>();
  /**
   * Answers on their way back, each with the latest place the log can take it at if it goes there rather
   * than where it counted: the Get's delivery, moved to just before the replica's store first changes.
   */
  private readonly awaitingAnswer = new Map<Message, { slot: number; readonly get: GetMessage; readonly content: string; vars: Json; atMs: number; moved: boolean }>();
  /** The fallback and value of each hand-off under way, logged when the home replica stores it. */
  private handingOff: { readonly from: NodeId; readonly to: NodeId; readonly value: string } | null = null;
  /** The replies of a Sync under way: initiator -> peer. */
  private readonly syncing = new Map<NodeId, NodeId>();
  private readonly running = new Map<NodeId, KVNode>();
  private readonly disks = new Map<NodeId, Durable>();
  private readonly up = new Map<NodeId, boolean>();
  private maxClock = 0;
  private lines: string[] | null = null;

  constructor(
    private readonly config: KVConfig,
    private readonly source: ItfJson,
  ) {
    if ((config.pending ?? []).length > 0) throw new UnrecordableRunError('the key has pending replicas: a membership change is not in specs/QuorumKV.tla');
    for (const n of config.walk) {
      this.disks.set(n, { store: [], hints: [], clock: 0 });
      this.up.set(n, true);
    }
  }

  private version(v: Version): Json {
    return { val: v.value, ts: v.ts, by: v.by, vv: Object.fromEntries(this.config.walk.map((n) => [n, v.vv[n] ?? 0])) };
  }

  private hint(h: Hint): Json {
    return { for: h.for, ver: this.version(h.version) };
  }

  private message(m: PutMessage | GetMessage): Json {
    return m.type === 'Put'
      ? { type: 'Put', from: m.from, to: m.to, ver: this.version(m.version), hint: m.hint ?? 'None', repair: m.repair }
      : { type: 'Get', from: m.from, to: m.to, read: m.read };
  }

  private key(m: PutMessage | GetMessage): string {
    return m.type === 'Put' ? JSON.stringify(['Put', m.from, m.to, versionKey(m.version, this.config.walk), m.hint, m.repair]) : JSON.stringify(['Get', m.from, m.to, m.read]);
  }

  private contentKey(versions: readonly Version[]): string {
    return versions.map((v) => versionKey(v, this.config.walk)).sort().join('|');
  }

  private nodeVars(d: Durable, up: boolean): Json {
    this.maxClock = Math.max(this.maxClock, d.clock);
    return { store: set(d.store.map((v) => this.version(v))), hints: set(d.hints.map((h) => this.hint(h))), clock: d.clock, up };
  }

  private varsOf(n: NodeId): Json {
    return this.nodeVars(this.running.get(n) ?? (this.disks.get(n) as Durable), this.up.get(n) === true);
  }

  private place(entry: Entry): Entry {
    this.entries.push(entry);
    return entry;
  }

  private specMessages(messages: readonly Message[]): (PutMessage | GetMessage)[] {
    return messages.filter((m): m is PutMessage | GetMessage => m.type === 'Put' || m.type === 'Get');
  }

  /** A copy of a spec message is gone without being delivered: the spec loses it with the last copy. */
  private lose(m: PutMessage | GetMessage, atMs: number, why: string): void {
    const key = this.key(m);
    const left = (this.copies.get(key) ?? 1) - 1;
    this.copies.set(key, left);
    if (left > 0) return;
    this.place({ atMs, label: { name: 'DropMessage', node: m.to, peer: m.from, message: this.message(m) }, consumes: key, note: why });
  }

  /** A copy of a spec message is delivered. */
  private consume(m: PutMessage | GetMessage): string {
    const key = this.key(m);
    this.copies.set(key, (this.copies.get(key) ?? 1) - 1);
    return key;
  }

  readonly observe = (o: KvSimObservation): void => {
    if (this.lines !== null) throw new Error('the recording is finished');
    switch (o.kind) {
      case 'send':
        return this.onSend(o.message, o.lost, o.atMs);
      case 'deliver':
        if (!o.delivered) this.onUndelivered(o.message, o.atMs);
        return;
      case 'step':
        if (this.contentKey(o.before.store) !== this.contentKey(o.after.store)) this.closeWindows((get) => get.to === o.node, o.atMs, () => this.nodeVars(o.before, true));
        this.running.set(o.node, o.after);
        this.disks.set(o.node, { store: o.after.store, hints: o.after.hints, clock: o.after.clock });
        return this.onStep(o);
      case 'crash': {
        this.closeWindows((get) => get.to === o.node || get.from === o.node, o.atMs, (r) => this.varsOf(r));
        const node = this.running.get(o.node);
        this.running.delete(o.node);
        this.up.set(o.node, false);
        this.disks.set(o.node, o.disk);
        const writes = new Map((node?.pendingWrites ?? []).map((w) => [w.value, { status: 'unknown', coord: o.node, acks: sorted(w.acks) }] as const));
        const reads = new Map((node?.pendingReads ?? []).map((r) => [r.read, { status: 'unknown', coord: o.node, from: sorted(r.answered), result: r.result }] as const));
        this.place({ atMs: o.atMs, label: { name: 'Crash', node: o.node }, vars: this.nodeVars(o.disk, false), writes, reads });
        return;
      }
      case 'restart':
        this.up.set(o.node, true);
        this.disks.set(o.node, o.disk);
        this.place({ atMs: o.atMs, label: { name: 'Restart', node: o.node }, vars: this.nodeVars(o.disk, true) });
        return;
      case 'split': {
        // The spec numbers the sides from the walk's first node: the split moves the nodes not on its side.
        const first = this.config.walk[0] as NodeId;
        const moved = o.side.includes(first) ? this.config.walk.filter((n) => !o.side.includes(n)) : [...o.side];
        this.closeWindows((get) => moved.includes(get.to) !== moved.includes(get.from), o.atMs, (r) => this.varsOf(r));
        this.place({ atMs: o.atMs, label: { name: 'Split', nodes: set(sorted(moved)) } });
        return;
      }
      case 'heal':
        this.place({ atMs: o.atMs, label: { name: 'Heal' } });
        return;
      default:
        o satisfies never;
    }
  };

  /**
   * An answer on its way back can go no later than here in the log: its replica's store is about to change,
   * or the replica and the coordinator are about to be unable to talk (the spec's Answer needs both).
   */
  private closeWindows(closes: (get: GetMessage) => boolean, atMs: number, vars: (replica: NodeId) => Json): void {
    for (const waiting of this.awaitingAnswer.values()) {
      if (waiting.moved || !closes(waiting.get)) continue;
      this.entries.push(null);
      waiting.slot = this.entries.length - 1;
      waiting.vars = vars(waiting.get.to);
      waiting.atMs = atMs;
      waiting.moved = true;
    }
  }

  private onSend(m: Message, lost: boolean, atMs: number): void {
    if (m.type === 'Put' || m.type === 'Get') {
      const key = this.key(m);
      this.copies.set(key, (this.copies.get(key) ?? 0) + 1);
      if (lost) this.lose(m, atMs, 'lost by the network');
      return;
    }
    if (lost) this.answerLost(m);
  }

  private onUndelivered(m: Message, atMs: number): void {
    if (m.type === 'Put' || m.type === 'Get') this.lose(m, atMs, 'its ends could not talk (down or split apart)');
    else this.answerLost(m);
  }

  /** An Ack or Answer that never reaches a coordinator counting it: the spec's `answered = FALSE`. */
  private answerLost(m: Message): void {
    const ack = this.awaitingAck.get(m);
    if (ack !== undefined) {
      ack.entry.answered = false;
      this.awaitingAck.delete(m);
    }
    const answer = this.awaitingAnswer.get(m);
    if (answer !== undefined) {
      this.awaitingAnswer.delete(m);
      this.entries[answer.slot] = this.answerEntry(answer.get, answer.atMs, answer.vars, false, []);
    }
  }

  private answerEntry(get: GetMessage, atMs: number, vars: Json, answered: boolean, sent: readonly Message[], reads?: Entry['reads']): Entry {
    return {
      atMs,
      answered,
      consumes: this.key(get),
      sentKeys: this.specMessages(sent).map((x) => this.key(x)),
      label: { name: 'Answer', node: get.to, peer: get.from, read: get.read, answered },
      vars,
      sent: this.specMessages(sent).map((x) => this.message(x)),
      ...(reads === undefined ? {} : { reads }),
    };
  }

  private onStep(o: Extract<KvSimObservation, { kind: 'step' }>): void {
    const { node, input, before, after, outputs, atMs } = o;
    const sent = () => this.specMessages(outputs.messages).map((m) => this.message(m));
    switch (input.type) {
      case 'ClientWrite': {
        const acked = outputs.replies.some((r) => r.type === 'WriteAcked');
        const unavailable = outputs.replies.some((r) => r.type === 'WriteUnavailable');
        const status = unavailable ? 'unavailable' : acked ? 'acked' : 'pending';
        const writes: Entry['writes'] = new Map([[input.value, { status, coord: node, acks: unavailable ? [] : [node] }]]);
        this.place({ atMs, label: { name: 'Write', node, value: input.value }, vars: this.varsOf(node), sent: sent(), sentKeys: this.specMessages(outputs.messages).map((m) => this.key(m)), writes });
        return;
      }
      case 'ClientRead': {
        const reply = outputs.replies[0];
        const pending = after.pendingReads.find((r) => r.read === input.read);
        const record =
          reply?.type === 'ReadUnavailable'
            ? { status: 'unavailable', coord: node, from: [], result: [] }
            : reply?.type === 'ReadDone'
              ? { status: 'done', coord: node, from: sorted(reply.answered), result: reply.result }
              : { status: 'pending', coord: node, from: sorted(pending?.answered ?? []), result: pending?.result ?? [] };
        this.place({ atMs, label: { name: 'Read', node, read: input.read }, vars: this.varsOf(node), sent: sent(), sentKeys: this.specMessages(outputs.messages).map((m) => this.key(m)), reads: new Map([[input.read, record]]) });
        return;
      }
      case 'HandOff':
        // Logged when the home replica stores the version (the same instant: an atomic exchange).
        this.handingOff = { from: node, to: input.hintFor, value: input.value };
        return;
      case 'AntiEntropy':
        return;
      case 'Tick':
        this.place({ atMs, label: { name: 'Tick', node }, vars: this.varsOf(node) });
        return;
      case 'Reconfigure':
      case 'Stream':
        throw new UnrecordableRunError(`${node} took a ${input.type} input: a membership change is not in specs/QuorumKV.tla, so a run with one cannot be validated`);
      case 'Receive':
        return this.onReceive(o, input.message);
      default:
        input satisfies never;
    }
  }

  private onReceive(o: Extract<KvSimObservation, { kind: 'step' }>, m: Message): void {
    const { node, before, after, outputs, atMs } = o;
    switch (m.type) {
      case 'Put': {
        const ack = outputs.messages.find((x) => x.type === 'Ack');
        const consumes = this.consume(m);
        const noop = this.contentKey(before.store) === this.contentKey(after.store) && before.hints.length === after.hints.length && ack === undefined;
        const entry = this.place({ atMs, label: { name: 'Replicate', node, peer: m.from, value: m.version.value, repair: m.repair, answered: false }, vars: this.varsOf(node), sent: [], consumes, noop });
        if (m.repair || ack === undefined) entry.answered = false;
        else this.awaitingAck.set(ack, { entry });
        return;
      }
      case 'Get': {
        this.consume(m);
        const answer = outputs.messages.find((x) => x.type === 'Answer');
        this.entries.push(null);
        if (answer === undefined) throw new Error(`${node} did not answer a Get`);
        this.awaitingAnswer.set(answer, { slot: this.entries.length - 1, get: m, content: this.contentKey(before.store), vars: this.varsOf(node), atMs, moved: false });
        return;
      }
      case 'Ack': {
        const waiting = this.awaitingAck.get(m);
        if (waiting === undefined) return;
        this.awaitingAck.delete(m);
        const pending = before.pendingWrites.find((w) => w.value === m.value);
        waiting.entry.answered = pending !== undefined;
        if (pending === undefined) return;
        const acked = outputs.replies.some((r) => r.type === 'WriteAcked');
        const acks = sorted([...pending.acks, m.from]);
        waiting.entry.writes = new Map([[m.value, { status: acked ? 'acked' : 'pending', coord: node, acks }]]);
        return;
      }
      case 'Answer': {
        const waiting = this.awaitingAnswer.get(m);
        if (waiting === undefined) return;
        this.awaitingAnswer.delete(m);
        const pending = before.pendingReads.find((r) => r.read === m.read);
        if (pending === undefined) {
          this.entries[waiting.slot] = this.answerEntry(waiting.get, waiting.atMs, waiting.vars, false, []);
          return;
        }
        const done = outputs.replies.find((r) => r.type === 'ReadDone');
        const now = after.pendingReads.find((r) => r.read === m.read);
        const record =
          done?.type === 'ReadDone'
            ? { status: 'done', coord: node, from: sorted(done.answered), result: done.result }
            : { status: 'pending', coord: node, from: sorted(now?.answered ?? []), result: now?.result ?? [] };
        const reads: Entry['reads'] = new Map([[m.read, record]]);
        const replica = waiting.get.to;
        const holds = this.running.get(replica) ?? this.disks.get(replica);
        // Another answer of this read that can go no later than an earlier point, and may still count: this
        // one goes before it (at its own Get's delivery or later), so the log counts them in the same order.
        const closed = [...this.awaitingAnswer.values()].filter((a) => a.moved && a.get.from === node && a.get.read === m.read).map((a) => a.slot);
        const limit = closed.length === 0 ? null : Math.min(...closed);
        const last = this.lastCounted.get(m.read) ?? -1;
        if (!waiting.moved && limit !== null && waiting.slot < limit && last < limit - 0.5) {
          this.lastCounted.set(m.read, limit - 0.5);
          const before = this.insertedBefore.get(limit) ?? [];
          // Only the store is the same as there (the replica's clock and hints may have moved on since).
          const store = holds === undefined ? [] : holds.store;
          before.push(this.answerEntry(waiting.get, atMs, { store: set(store.map((v) => this.version(v))) }, true, outputs.messages, reads));
          this.insertedBefore.set(limit, before);
        } else if (!waiting.moved && holds !== undefined && this.contentKey(holds.store) === waiting.content) {
          // The replica still holds what it answered: the step goes where the coordinator counted it.
          this.place(this.answerEntry(waiting.get, atMs, this.varsOf(replica), true, outputs.messages, reads));
          this.lastCounted.set(m.read, this.entries.length - 1);
        } else {
          this.entries[waiting.slot] = this.answerEntry(waiting.get, waiting.atMs, waiting.vars, true, outputs.messages, reads);
          this.lastCounted.set(m.read, Math.max(last, waiting.slot));
        }
        return;
      }
      case 'HandOff': {
        const h = this.handingOff;
        this.handingOff = null;
        if (h === null || h.from !== m.from || h.to !== node) throw new Error(`${node} received a hand-off from ${m.from} that no HandOff step started`);
        this.place({ atMs, label: { name: 'HandOff', node: m.from, peer: node, value: h.value }, vars: this.varsOf(m.from) });
        return;
      }
      case 'Sync':
        if (outputs.messages.some((x) => x.type === 'SyncReply')) this.syncing.set(m.from, node);
        return;
      case 'SyncReply': {
        const peer = this.syncing.get(node);
        this.syncing.delete(node);
        if (peer === undefined) return;
        this.place({ atMs, label: { name: 'AntiEntropy', node, peer }, vars: this.varsOf(node) });
        return;
      }
      case 'Stream':
        throw new UnrecordableRunError(`${node} received a Stream: a membership change is not in specs/QuorumKV.tla, so a run with one cannot be validated`);
      default:
        m satisfies never;
    }
  }

  /** The trace's lines (header first), once the run is over: answers still in flight were lost. */
  finish(): readonly string[] {
    if (this.lines !== null) return this.lines;
    for (const { entry } of this.awaitingAck.values()) entry.answered = false;
    for (const a of this.awaitingAnswer.values()) this.entries[a.slot] = this.answerEntry(a.get, a.atMs, a.vars, false, []);
    const entries = this.inSpecOrder(this.entries.flatMap((e, i) => [...(this.insertedBefore.get(i) ?? []), ...(e === null ? [] : [e])]));
    const globals = this.clientRecords(entries);
    const name = (e: Entry) => e.label.name;
    const lossy = entries.some((e) => name(e) === 'DropMessage' || ((name(e) === 'Replicate' || name(e) === 'Answer') && e.answered === false && e.label['repair'] !== true));
    const values = entries.filter((e) => name(e) === 'Write').map((e) => e.label['value'] as string);
    const reads = entries.filter((e) => name(e) === 'Read').map((e) => e.label['read'] as number);
    const c = this.config;
    const header = headerLine({
      protocol: 'quorum-kv',
      constants: {
        Node: set([...c.walk].sort()),
        Pref: [...c.walk],
        N: c.n,
        R: c.r,
        W: c.w,
        Mode: c.mode,
        Resolution: c.resolution,
        Value: set(values.sort()),
        Reads: set(reads.sort((a, b) => a - b)),
        MaxClock: this.maxClock + 1,
        MaxSplits: entries.filter((e) => name(e) === 'Split').length,
        MaxCrashes: entries.filter((e) => name(e) === 'Crash').length,
        Lossy: lossy,
        OneClient: false,
      },
      modelValues: ['None'],
      source: this.source,
    });
    const lines = entries.map((e, i) => {
      const label = name(e) === 'Replicate' ? { ...e.label, answered: e.answered ?? false } : e.label;
      const g = globals[i] as Record<string, Json>;
      return JSON.stringify({
        seq: i + 1,
        atMs: Math.round(e.atMs * 1000) / 1000,
        action: label,
        ...(e.vars === undefined ? {} : { vars: e.vars }),
        ...(Object.keys(g).length === 0 ? {} : { globals: g }),
        ...(e.sent === undefined ? {} : { sent: set(e.sent) }),
        ...(e.note === undefined ? {} : { note: e.note }),
      });
    });
    this.lines = [header, ...lines];
    return this.lines;
  }

  /**
   * The spec's network is a set: a message sent while an equal one is in flight is the same message, and
   * the log's order is not the order of sending (an Answer can go before its repair Puts left). So the
   * log's own order decides: a copy whose message the log no longer has in flight is dropped if its loss
   * or its delivery changed nothing (a second copy of a read repair); anything else stays, for TLC to judge.
   */
  private inSpecOrder(entries: readonly Entry[]): Entry[] {
    const inFlight = new Set<string>();
    return entries.filter((e) => {
      if (e.consumes !== undefined && !inFlight.delete(e.consumes)) {
        if (e.label.name === 'DropMessage' || (e.noop === true && e.answered !== true)) return false;
      }
      for (const key of e.sentKeys ?? []) inFlight.add(key);
      return true;
    });
  }

  /**
   * The entries of `writes` and `reads` each event logs: the coordinator's record where the log has placed
   * exactly the acknowledgements (answers) it had counted.
   */
  private clientRecords(entries: readonly Entry[]): Record<string, Json>[] {
    const counted = (e: Entry) => e.answered === true;
    // A write's coordinator and the acknowledgements placed so far, in log order.
    const placedAcks = new Map<string, NodeId[]>();
    const out: Record<string, Json>[] = entries.map(() => ({}));
    const writeLogs = entries.map(() => [] as [Json, Json][]);
    entries.forEach((e, i) => {
      if (e.label.name === 'Write') placedAcks.set(e.label['value'] as string, [e.label['node'] as NodeId]);
      if (e.label.name === 'Replicate' && counted(e)) placedAcks.get(e.label['value'] as string)?.push(e.label['node'] as NodeId);
      for (const [value, w] of e.writes ?? []) {
        const placed = e.label.name === 'Write' ? w.acks : (placedAcks.get(value) ?? []);
        if (e.label.name === 'Replicate' && !counted(e)) continue;
        if (sameSet(placed, w.acks)) (writeLogs[i] as [Json, Json][]).push([value, { status: w.status, coord: w.coord, acks: set(w.acks) }]);
      }
    });
    const placedFrom = new Map<number, NodeId[]>();
    entries.forEach((e, i) => {
      if (e.label.name === 'Read') placedFrom.set(e.label['read'] as number, [e.label['node'] as NodeId]);
      if (e.label.name === 'Answer' && counted(e)) placedFrom.get(e.label['read'] as number)?.push(e.label['node'] as NodeId);
      const readLogs: [Json, Json][] = [];
      for (const [read, r] of e.reads ?? []) {
        const placed = e.label.name === 'Read' ? r.from : (placedFrom.get(read) ?? []);
        if (!sameSet(placed, r.from) && r.status !== 'unavailable') continue;
        readLogs.push([read, { status: r.status, coord: r.coord, from: set(r.from), result: set(r.result.map((v) => this.version(v))) }]);
      }
      const g = out[i] as Record<string, Json>;
      if ((writeLogs[i] as [Json, Json][]).length > 0) g['writes'] = map(writeLogs[i] as [Json, Json][]);
      if (readLogs.length > 0) g['reads'] = map(readLogs);
    });
    return out;
  }
}
