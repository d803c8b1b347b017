/**
 * The replicated KV store as a {@link ServiceReplica}: a client request becomes an encoded command in the
 * log; the leader that appended it answers the client once it has applied the entry (exactly once, through
 * the state machine's client sessions, see `src/kv/state-machine.ts`).
 *
 * @module
 */
import { encodeCommand, type KvCommand } from '../kv/command.js';
import type { KvRequest, KvResponse } from '../kv/client.js';
import { KvStateMachine, type KvDefect } from '../kv/state-machine.js';
import type { CommittedEntry, NodeId, Value } from '../raft/index.js';
import type { ServiceReplica } from './service.js';

/** How a KV replica is built. */
export interface KvReplicaOptions {
  /** Every member, in order: a redirect names the leader by its position here. */
  readonly servers: readonly NodeId[];
  /** Sends an answer to the client it names. */
  readonly answer: (response: KvResponse) => void;
  /** A deliberately broken state machine (negative controls). */
  readonly defect?: KvDefect | null;
  /** How log values become commands (a `sharedDecoder()` lets the replicas of a cluster share the parsing). */
  readonly decode?: (value: Value) => KvCommand | null | undefined;
}

/** One node's KV replica; see the module comment. */
export class KvReplica implements ServiceReplica<KvRequest> {
  private readonly machine: KvStateMachine;
  /** Per client, the request this node accepted as leader and has not answered yet. */
  private readonly waiting = new Map<string, number>();

  constructor(private readonly options: KvReplicaOptions) {
    this.machine = new KvStateMachine(options.defect ?? null, options.decode);
  }

  /** The state machine (for reports and tests). */
  get stateMachine(): KvStateMachine {
    return this.machine;
  }

  command(request: KvRequest): Value {
    return encodeCommand({ client: request.client, seq: request.seq, op: request.op });
  }

  accepted(request: KvRequest): void {
    this.waiting.set(request.client, request.seq);
  }

  redirect(request: KvRequest, leaderHint: NodeId | null): void {
    this.options.answer({
      type: 'not-leader',
      client: request.client,
      seq: request.seq,
      leaderHint: leaderHint === null ? null : this.options.servers.indexOf(leaderHint),
    });
  }

  apply(entry: CommittedEntry): void {
    const outcome = this.machine.apply(entry.index, entry.value);
    if (outcome.kind !== 'applied' && outcome.kind !== 'duplicate') return;
    const command = outcome.command;
    if (this.waiting.get(command.client) !== command.seq) return;
    this.waiting.delete(command.client);
    this.options.answer({ type: 'ok', client: command.client, seq: command.seq, result: outcome.result });
  }
}
