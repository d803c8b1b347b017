/**
 * Who a coordinator writes to and reads from (`Targets`, `SloppyTargets`, `HintFor` of the spec).
 *
 * @module
 */
import type { KVConfig, NodeId } from './types.js';

export function homeReplicas(config: KVConfig): readonly NodeId[] {
  return config.walk.slice(0, config.n);
}

/** The first N reachable nodes of the walk. */
export function sloppyTargets(config: KVConfig, reachable: ReadonlySet<NodeId>): NodeId[] {
  return config.walk.filter((n) => reachable.has(n)).slice(0, config.n);
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
