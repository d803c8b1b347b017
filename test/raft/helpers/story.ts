/**
 * A tiny cluster driver for scenario tests, in the spirit of etcd's interaction tests: every step is named
 * in the spec's vocabulary, messages move only when the story says so, and every step is checked against
 * all invariant mirrors, so a story that passes also proves the invariants held throughout.
 */
import {
  bagEntries,
  checkStateInvariants,
  checkStepInvariants,
  clusterStep,
  EMPTY_HISTORY,
  formatLabel,
  handleInputFor,
  initialCluster,
  labelOf,
  recordCommits,
  violations,
  type ActionLabel,
  type ClusterSnapshot,
  type CommitHistory,
  type Input,
  type Message,
  type MessageType,
  type NodeId,
  type NodeState,
  type Outputs,
  type StepFn,
  step,
} from '../../../src/raft/index.js';

/** Which messages a delivery/drop applies to; every given field must match. */
export interface MessageFilter {
  from?: NodeId | NodeId[];
  to?: NodeId | NodeId[];
  type?: MessageType;
}

function matches(m: Message, f: MessageFilter): boolean {
  const one = (want: NodeId | NodeId[] | undefined, have: NodeId) =>
    want === undefined || (Array.isArray(want) ? want.includes(have) : want === have);
  return one(f.from, m.from) && one(f.to, m.to) && (f.type === undefined || f.type === m.type);
}

/** A cluster plus its commit history and a transcript of the labels taken. */
export class Story {
  transcript: string[] = [];

  constructor(
    public cluster: ClusterSnapshot,
    public history: CommitHistory = EMPTY_HISTORY,
    /** The node core; a deliberately broken one (src/raft/defects.ts) for negative controls. */
    private readonly stepFn: StepFn = step,
  ) {}

  /** A story starting from the spec's `Init` for `servers`. */
  static of(...servers: NodeId[]): Story {
    return new Story(initialCluster(servers));
  }

  /** A story whose nodes run `stepFn` instead of the real core. */
  static withCore(stepFn: StepFn, ...servers: NodeId[]): Story {
    return new Story(initialCluster(servers), EMPTY_HISTORY, stepFn);
  }

  /** An independent copy to explore an alternative future (cheap: states are immutable). */
  branch(): Story {
    const s = new Story(this.cluster, this.history, this.stepFn);
    s.transcript = [...this.transcript];
    return s;
  }

  /** The current state of a node. */
  node(id: NodeId): NodeState {
    const s = this.cluster.nodes[id];
    if (s === undefined) throw new Error(`no node ${id}`);
    return s;
  }

  /** Take a labelled action; throws (with the reason) if it is not enabled or breaks an invariant. */
  take(label: ActionLabel): Outputs | null {
    const before = this.cluster;
    const r = clusterStep(before, label, this.stepFn);
    if (r.notEnabled !== null) throw new Error(`${formatLabel(label)} refused: ${r.notEnabled.reason}`);
    this.cluster = r.cluster;
    this.history = recordCommits(this.history, before, r.cluster, label);
    this.transcript.push(formatLabel(label));
    const broken = violations([
      ...checkStateInvariants(this.cluster, this.history),
      ...checkStepInvariants(before, this.cluster, label),
    ]);
    if (broken.length > 0) throw new Error(broken.map((b) => b.violation).join('\n'));
    return r.outputs;
  }

  /** `node` takes `input`; returns its outputs. */
  act(node: NodeId, input: Input): Outputs {
    return this.take(labelOf(node, input))!;
  }

  /** `node` tries `input`; returns the refusal (or null, having taken the step). */
  attempt(node: NodeId, input: Input): string | null {
    const r = clusterStep(this.cluster, labelOf(node, input));
    if (r.notEnabled !== null) return r.notEnabled.reason;
    this.take(labelOf(node, input));
    return null;
  }

  /** Distinct messages in flight that match, in canonical order. */
  inFlight(filter: MessageFilter = {}): Message[] {
    return bagEntries(this.cluster.messages)
      .map((e) => e.message)
      .filter((m) => matches(m, filter));
  }

  /** Copies in flight of messages that match. */
  copies(filter: MessageFilter = {}): number {
    return bagEntries(this.cluster.messages)
      .filter((e) => matches(e.message, filter))
      .reduce((n, e) => n + e.count, 0);
  }

  /** Deliver one copy of each matching message currently in flight; returns how many were delivered. */
  deliver(filter: MessageFilter = {}): number {
    const ms = this.inFlight(filter);
    for (const m of ms) this.take(labelOf(m.to, handleInputFor(m)));
    return ms.length;
  }

  /** Deliver matching messages, including the replies they cause, until none match (bounded). */
  deliverAll(filter: MessageFilter = {}): void {
    for (let round = 0; round < 100; round++) if (this.deliver(filter) === 0) return;
    throw new Error('deliverAll did not quiesce');
  }

  /** Drop every copy of every matching message (a partition, or plain loss). */
  drop(filter: MessageFilter = {}): number {
    let n = 0;
    for (const e of bagEntries(this.cluster.messages)) {
      if (!matches(e.message, filter)) continue;
      for (let i = 0; i < e.count; i++) this.take({ name: 'DropMessage', message: e.message });
      n += e.count;
    }
    return n;
  }

  /** Add one copy of every matching message (the network duplicates it). */
  duplicate(filter: MessageFilter = {}): number {
    const ms = this.inFlight(filter);
    for (const m of ms) this.take({ name: 'DuplicateMessage', message: m });
    return ms.length;
  }

  /**
   * Elect `id`: it times out (possibly several times, to get past terms where voters already voted), the
   * voters' requests and replies are delivered, and it becomes leader. Messages to or from anyone outside
   * `voters` are dropped, as if partitioned.
   */
  elect(id: NodeId, voters: NodeId[]): void {
    const reach = [id, ...voters];
    for (let attempt = 0; attempt < 5; attempt++) {
      this.act(id, { type: 'Timeout' });
      this.drop({ from: id, type: 'RequestVoteRequest', to: this.cluster.servers.filter((s) => !reach.includes(s)) });
      this.deliver({ from: id, to: voters, type: 'RequestVoteRequest' });
      this.deliver({ from: voters, to: id, type: 'RequestVoteResponse' });
      if (this.node(id).role === 'Leader') return;
      if (this.node(id).role === 'Candidate' && this.attempt(id, { type: 'BecomeLeader' }) === null) return;
    }
    throw new Error(`${id} could not be elected by ${voters.join(', ')}`);
  }

  /** Leader sends `AppendEntries` to `peer` and the exchange is delivered, until the peer matches its log. */
  replicate(leader: NodeId, peer: NodeId, upTo = this.node(leader).log.length): void {
    for (let i = 0; i < 50; i++) {
      if ((this.node(leader).matchIndex[peer] ?? 0) >= upTo) return;
      this.act(leader, { type: 'AppendEntries', peer });
      this.deliver({ from: leader, to: peer, type: 'AppendEntriesRequest' });
      this.deliver({ from: peer, to: leader, type: 'AppendEntriesResponse' });
      if (this.node(leader).role !== 'Leader') throw new Error(`${leader} stopped being leader while replicating`);
    }
    throw new Error(`${leader} could not bring ${peer} up to ${upTo}`);
  }

  /** A node's log as `t<term>:<value>` strings, for readable assertions. */
  logOf(id: NodeId): string[] {
    return Array.from(this.node(id).log, (e) => `t${e.term}:${e.value}`);
  }

  /** The transcript lines since the last call (so each story paragraph can assert its own steps). */
  takeTranscript(): string[] {
    const out = this.transcript;
    this.transcript = [];
    return out;
  }
}
