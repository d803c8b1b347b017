/**
 * A tiny fake world for node hosts: an environment that only remembers what it was asked (writes, sends,
 * timers), a service replica that remembers what it applied and answered, and a hand-cranked cluster of
 * hosts whose writes and messages a test completes and delivers one at a time or all at once.
 */
import { NodeHost, type NodeEnvironment, type NodeHostOptions } from '../../src/host/node-host.js';
import type { ServiceReplica } from '../../src/host/service.js';
import type { NodeTraceEvent } from '../../src/host/trace-events.js';
import type { CommittedEntry, Message, NodeId, PersistUpdate, Term } from '../../src/raft/index.js';

/** Remembers every request of its host; does nothing on its own. */
export class FakeEnvironment implements NodeEnvironment {
  time = 0;
  /** Writes handed over and not yet completed by the test, oldest first. */
  readonly writes: { readonly update: PersistUpdate; readonly incarnation: number }[] = [];
  readonly sent: Message[] = [];
  electionTimersArmed = 0;
  readonly heartbeatsArmed: Term[] = [];
  resets = 0;

  now(): number {
    return this.time;
  }

  persist(update: PersistUpdate, incarnation: number): void {
    this.writes.push({ update, incarnation });
  }

  send(message: Message): void {
    this.sent.push(message);
  }

  armElectionTimer(): void {
    this.electionTimersArmed++;
  }

  armHeartbeatTimer(term: Term): void {
    this.heartbeatsArmed.push(term);
  }

  reset(): void {
    this.resets++;
    this.writes.length = 0;
  }

  /** The messages sent so far, as `Type->to`, and forget them. */
  takeSent(): string[] {
    return this.sent.splice(0).map((m) => `${m.type}->${m.to}`);
  }
}

/** What a fake replica did. */
export type ReplicaEvent = { readonly kind: 'applied'; readonly entry: CommittedEntry } | { readonly kind: 'answered'; readonly request: string; readonly leaderHint?: NodeId | null };

/** A service whose requests are their own log values; it answers a request it accepted once it applies it. */
export class FakeReplica implements ServiceReplica<string> {
  readonly events: ReplicaEvent[] = [];
  private readonly waiting = new Set<string>();

  command(request: string): string {
    return request;
  }

  accepted(request: string): void {
    this.waiting.add(request);
  }

  redirect(request: string, leaderHint: NodeId | null): void {
    this.events.push({ kind: 'answered', request, leaderHint });
  }

  apply(entry: CommittedEntry): void {
    this.events.push({ kind: 'applied', entry });
    if (this.waiting.delete(entry.value)) this.events.push({ kind: 'answered', request: entry.value });
  }
}

/** One node of a fake cluster. */
export interface FakeNode {
  readonly id: NodeId;
  readonly host: NodeHost<string>;
  readonly environment: FakeEnvironment;
  /** Every replica its host built, the current one last. */
  readonly replicas: FakeReplica[];
}

/** A cluster of hosts in fake environments, cranked by hand. */
export class FakeCluster {
  readonly nodes: FakeNode[];
  /** What the hosts recorded, in order. */
  readonly recorded: NodeTraceEvent[] = [];

  constructor(
    readonly servers: readonly NodeId[] = ['s1', 's2', 's3'],
    options: Partial<Pick<NodeHostOptions<string>, 'electionEntry' | 'stepFn'>> = {},
  ) {
    this.nodes = servers.map((id) => {
      const environment = new FakeEnvironment();
      const replicas: FakeReplica[] = [];
      const host = new NodeHost<string>({
        id,
        servers,
        environment,
        service: () => {
          const replica = new FakeReplica();
          replicas.push(replica);
          return replica;
        },
        recorder: (event) => this.recorded.push(event),
        electionEntry: options.electionEntry ?? null,
        stepFn: options.stepFn,
      });
      return { id, host, environment, replicas };
    });
  }

  node(id: NodeId): FakeNode {
    const node = this.nodes.find((n) => n.id === id);
    if (node === undefined) throw new RangeError(`no node ${id}`);
    return node;
  }

  /** Complete every write `id` has handed over, oldest first. */
  completeWrites(id: NodeId): void {
    const node = this.node(id);
    for (let write = node.environment.writes.shift(); write !== undefined; write = node.environment.writes.shift()) node.host.writeDurable(write.incarnation);
  }

  /** Deliver every message `id` has sent so far to its addressee (a node that is down drops it). */
  deliverFrom(id: NodeId): void {
    for (const message of this.node(id).environment.sent.splice(0)) this.node(message.to).host.receive(message);
  }

  /** Complete writes and deliver messages until nothing is left to do. */
  settle(): void {
    for (let round = 0; round < 1000; round++) {
      const busy = this.nodes.some((n) => n.environment.writes.length > 0 || n.environment.sent.length > 0);
      if (!busy) return;
      for (const n of this.nodes) this.completeWrites(n.id);
      for (const n of this.nodes) this.deliverFrom(n.id);
    }
    throw new Error('the fake cluster did not settle in 1000 rounds');
  }

  /** `id` times out and wins the election with every other node's vote. */
  elect(id: NodeId): FakeNode {
    const node = this.node(id);
    node.host.electionTimeout();
    this.settle();
    if (node.host.state.role !== 'Leader') throw new Error(`${id} did not become leader`);
    return node;
  }
}
