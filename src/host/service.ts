/**
 * The service a node host replicates, seen from one node: what a client request becomes in the log, and
 * what applying a committed entry does. The host owns one replica per incarnation of its node (the state
 * is volatile: a restarted node builds a fresh replica and re-applies its log from index 1), and calls it
 * in log order. The KV store (`kv-replica.ts`) is one such service; another (the quorum store's, a
 * register, a counter) plugs in the same way.
 *
 * @module
 */
import type { CommittedEntry, NodeId, Value } from '../raft/index.js';

/** One node's replica of the replicated service, for requests of type `Request`. */
export interface ServiceReplica<Request> {
  /** The log value that carries `request`. */
  command(request: Request): Value;
  /** The leader appended `request` to its log: answer its client once the entry is applied here. */
  accepted(request: Request): void;
  /** This node cannot take `request` (it is not the leader): tell the client, naming the leader if known. */
  redirect(request: Request, leaderHint: NodeId | null): void;
  /**
   * Apply the next committed entry (entries come in log order, without gaps) and answer whoever waits for
   * it. Throws when handed an entry out of order: that is a bug of the driver, not of the service.
   */
  apply(entry: CommittedEntry): void;
}

/** Builds the replica of a node, at its start and at each restart. */
export type ServiceFactory<Request> = (node: NodeId) => ServiceReplica<Request>;
