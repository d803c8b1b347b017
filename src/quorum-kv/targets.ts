/**
 * Who a coordinator writes to and reads from (`Targets`, `SloppyTargets`, `HintFor` of the spec).
 *
 * @module
 */
import type { KVConfig, NodeId } from './types.js';

export function homeReplicas(config: KVConfig): readonly NodeId[] {
  return config.walk.slice(0, config.n);
}

/** The nodes a moving range is being streamed to (empty outside a membership change). */
export function pendingReplicas(config: KVConfig): readonly NodeId[] {
  return config.pending ?? [];
}

/** The first N reachable nodes of the walk (a pending replica is never a fallback: it gets every write anyway). */
export function sloppyTargets(config: KVConfig, reachable: ReadonlySet<NodeId>): NodeId[] {
  const pending = pendingReplicas(config);
  return config.walk.filter((n) => reachable.has(n) && !pending.includes(n)).slice(0, config.n);
}

/**
 * The acknowledgements that count toward W: CP counts home replicas only (after a membership change, a
 * replica that left the home set no longer answers reads); AP counts every target but a pending replica.
 */
export function countedAcks(config: KVConfig, acks: readonly NodeId[]): NodeId[] {
  if (config.mode === 'CP') {
    const home = homeReplicas(config);
    return acks.filter((a) => home.includes(a));
  }
  const pending = pendingReplicas(config);
  return acks.filter((a) => !pending.includes(a));
}

/** The replicas a coordinator counts toward a quorum and can reach, in walk order. */
export function reachableTargets(config: KVConfig, reachable: ReadonlySet<NodeId>): NodeId[] {
  const targets = config.mode === 'CP' ? homeReplicas(config) : sloppyTargets(config, reachable);
  return targets.filter((n) => reachable.has(n));
}

/** The home replica fallback `f` stands in for: the k-th unreachable home replica for the k-th fallback. */
export function hintFor(config: KVConfig, reachable: ReadonlySet<NodeId>, f: NodeId): NodeId {
  const home = new Set(homeReplicas(config));
  const fallbacks = sloppyTargets(config, reachable).filter((n) => !home.has(n));
  const missing = homeReplicas(config).filter((n) => !reachable.has(n));
  const target = missing[fallbacks.indexOf(f)];
  if (target === undefined) throw new Error(`${f} is not a fallback of this write`);
  return target;
}
