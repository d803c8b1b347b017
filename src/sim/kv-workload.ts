/**
 * The simulated KV clients: the scenario's clients and the liveness probe (one write issued when faults
 * stop, retried until it commits), and the history they record for the linearizability check.
 *
 * @module
 */
import { unreachable } from '../exhaustive.js';
import { formatOp, formatResult, type KvOp, type KvResult } from '../kv/command.js';
import { KvClient, type KvRequest, type KvResponse, type PlannedOp } from '../kv/client.js';
import { operationsFromEvents, type HistoryEvent, type Operation } from '../lin/history.js';
import type { SimStats } from './result.js';
import type { ClientWorkload } from './scenario.js';

/** The name of the liveness probe's client. */
export const PROBE = 'probe';

/** What the clients need from the simulation. */
export interface WorkloadEnvironment {
  /** How many nodes the cluster has (clients pick among them by position). */
  readonly clusterSize: number;
  /** Whether anyone reads the event log (lines are only built then). */
  readonly logging: boolean;
  readonly stats: SimStats;
  now(): number;
  /** Whether faults have stopped (then clients never give up). */
  healed(): boolean;
  /** Put `request` on the wire from client `client` to node `node`. */
  sendRequest(client: number, node: number, request: KvRequest): void;
  /** Call `timerFired(client, token)` at `at`. */
  setTimer(client: number, at: number, token: number): void;
  say(who: string, text: string): void;
}

/** The clients of one run; see the module comment. */
export class KvWorkload {
  private readonly clients: KvClient[] = [];
  private readonly indexById = new Map<string, number>();
  private readonly events: HistoryEvent<KvOp, KvResult>[] = [];
  private readonly invokedAt = new Map<string, number>();
  /** Client-observed latency of every successful put and cas, in completion order. */
  readonly writeLatencies: number[] = [];
  /** Whether every client is done; only a client's own events change that, so it is updated after them. */
  private allDone = false;

  /** @param probeAtMs when the liveness probe writes (the heal). */
  constructor(
    private readonly workload: ClientWorkload,
    private readonly probeAtMs: number,
    private readonly environment: WorkloadEnvironment,
  ) {}

  /** Whether every client has finished its operations. */
  get done(): boolean {
    return this.allDone;
  }

  /** Create the clients and schedule their first operations. */
  start(): void {
    const keyName = (key: number): string => `k${key}`;
    this.workload.clients.forEach((plan, i) =>
      this.add(
        `c${i + 1}`,
        plan.ops.map((op) => ({ kind: op.kind, key: keyName(op.key) })),
        plan.startMs,
        plan.thinkMs,
        this.workload.maxAttempts,
      ),
    );
    this.add(PROBE, [{ kind: 'put', key: keyName(0) }], this.probeAtMs, 0, Number.MAX_SAFE_INTEGER);
    this.allDone = this.clients.every((client) => client.done);
  }

  /** The position of the client named `id` (its network endpoint is the cluster size plus that), or -1. */
  indexOf(id: string): number {
    return this.indexById.get(id) ?? -1;
  }

  /** The name of client `index`. */
  nameOf(index: number): string {
    return this.clients[index]?.config.id ?? `client${index}`;
  }

  /** A node's answer reached client `index`. */
  responded(index: number, response: KvResponse): void {
    this.environment.stats.clientMessages++;
    this.clients[index]?.onResponse(response);
    this.allDone = this.clients.every((client) => client.done);
  }

  /** A timer of client `index` fired. */
  timerFired(index: number, token: number): void {
    this.clients[index]?.onTimer(token);
    this.allDone = this.clients.every((client) => client.done);
  }

  /** The history so far, as operations. */
  history(): Operation<KvOp, KvResult>[] {
    return operationsFromEvents(this.events);
  }

  /** The operations still pending, one phrase each (for a liveness report). */
  pending(): string[] {
    return this.clients
      .filter((client) => !client.done)
      .map((client) => {
        const p = client.inFlight;
        return p === null ? `${client.config.id} (between operations)` : `${client.config.id}: ${formatOp(p.op)} (request ${p.seq}, ${p.attempts} attempts)`;
      });
  }

  private add(id: string, ops: PlannedOp[], startMs: number, thinkMs: number, maxAttempts: number): void {
    const index = this.clients.length;
    const environment = this.environment;
    const client = new KvClient(
      { id, ops, startMs, thinkMs, retryAfterMs: this.workload.retryAfterMs, maxAttempts, noLeaderBackoffMs: 20, firstGuess: index },
      {
        nodes: environment.clusterSize,
        now: () => environment.now(),
        healed: () => environment.healed(),
        send: (node, request) => environment.sendRequest(index, node, request),
        setTimer: (at, token) => environment.setTimer(index, at, token),
        record: (event) => this.record(event),
      },
    );
    this.clients.push(client);
    if (!this.indexById.has(id)) this.indexById.set(id, index);
    client.start();
  }

  private record(event: HistoryEvent<KvOp, KvResult>): void {
    this.events.push(event);
    const environment = this.environment;
    // A switch, not ts-pattern: every operation records two events (see src/exhaustive.ts).
    switch (event.type) {
      case 'invoke':
        this.invokedAt.set(event.process, event.time);
        if (environment.logging) environment.say(event.process, `invoke ${formatOp(event.input)}`);
        return;
      case 'ok': {
        environment.stats.opsOk++;
        const began = this.invokedAt.get(event.process) ?? event.time;
        if (event.output.type !== 'get') this.writeLatencies.push(event.time - began);
        if (environment.logging) environment.say(event.process, `ok ${formatResult(event.output)} after ${(event.time - began).toFixed(3)} ms`);
        return;
      }
      case 'fail':
      case 'timeout':
        environment.stats.opsTimedOut++;
        environment.say(event.process, `gives up (${event.type}): outcome unknown`);
        return;
      default:
        unreachable(event, 'history event');
    }
  }
}
