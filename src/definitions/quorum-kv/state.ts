/**
 * The quorum store's spec state (`specs/QuorumKV.tla`'s variables but the action label), read off a
 * cluster of `src/quorum-kv` (the abstraction function, {@link observeCluster}) and turned back into a
 * cluster in exactly that state ({@link clusterOf}).
 *
 * @module
 */
import {
  type Cluster,
  type ClusterConfig,
  type Hint,
  type InFlight,
  type KVAction,
  type KVCore,
  type KVNode,
  type NodeId,
  type ReadRecord,
  type Version,
  type WriteRecord,
  byValue,
  durableOf,
  messageKey,
  versionKey,
} from '../../quorum-kv/index.js';

/** The spec's variables (but `action`), with the model's constants the state was read under. */
export interface KVSpecState {
  /** The model's constants: the walk, quorums, mode, resolution, whether the network loses messages. */
  readonly config: ClusterConfig;
  readonly values: readonly string[];
  readonly readIds: readonly number[];
  readonly store: Readonly<Record<NodeId, readonly Version[]>>;
  readonly hints: Readonly<Record<NodeId, readonly Hint[]>>;
  readonly clock: Readonly<Record<NodeId, number>>;
  readonly up: Readonly<Record<NodeId, boolean>>;
  readonly side: Readonly<Record<NodeId, 0 | 1>>;
  readonly splits: number;
  readonly crashes: number;
  /** Sorted by `messageKey`. */
  readonly msgs: readonly InFlight[];
  readonly writes: Readonly<Record<string, WriteRecord>>;
  readonly reads: Readonly<Record<number, ReadRecord>>;
  readonly seen: Readonly<Record<string, readonly string[]>>;
}

/** A spec step, or the label of the initial state. */
export type KVLabel = { readonly type: 'Init' } | KVAction;

export const COMPARED = ['store', 'hints', 'clock', 'up', 'side', 'splits', 'crashes', 'msgs', 'writes', 'reads', 'seen'] as const;
export type ComparedVariable = (typeof COMPARED)[number];

/** The abstraction function: the spec's variables for this cluster. */
export function observeCluster(c: Cluster, values: readonly string[], readIds: readonly number[]): KVSpecState {
  const nodes = c.config.walk;
  const each = <T>(f: (n: NodeId) => T): Record<NodeId, T> => Object.fromEntries(nodes.map((n) => [n, f(n)]));
  const coordinator = (n: NodeId | null): KVNode | undefined => (n === null ? undefined : c.nodes[n]);
  const writes = Object.fromEntries(
    values.map((v) => {
      const w = c.writes[v]!;
      if (w.status !== 'pending') return [v, w];
      const pending = coordinator(w.coord)?.pendingWrites.find((p) => p.value === v);
      return [v, { ...w, acks: [...(pending?.acks ?? [])].sort() }];
    }),
  );
  const reads = Object.fromEntries(
    readIds.map((i) => {
      const r = c.reads[i]!;
      if (r.status !== 'pending') return [i, r];
      const pending = coordinator(r.coord)?.pendingReads.find((p) => p.read === i);
      return [i, { ...r, from: [...(pending?.answered ?? [])].sort(), result: [...(pending?.result ?? [])].sort(byValue) }];
    }),
  );
  return {
    config: c.config,
    values,
    readIds,
    store: each((n) => [...durableOf(c, n).store].sort(byValue)),
    hints: each((n) => durableOf(c, n).hints),
    clock: each((n) => durableOf(c, n).clock),
    up: each((n) => c.up[n] === true),
    side: each((n) => c.side[n] ?? 0),
    splits: c.splits,
    crashes: c.crashes,
    msgs: c.network,
    writes,
    reads,
    seen: Object.fromEntries(values.map((v) => [v, c.seen[v] ?? []])),
  };
}

/** The cluster in exactly this spec state: what each running node coordinates is what the records say is pending there. */
export function clusterOf(state: KVSpecState, core: KVCore): Cluster {
  const { config } = state;
  const nodes: Record<NodeId, KVNode | undefined> = {};
  for (const n of config.walk) {
    if (!state.up[n]) {
      nodes[n] = undefined;
      continue;
    }
    const node = core.restart(n, config, { store: state.store[n]!, hints: state.hints[n]!, clock: state.clock[n]! });
    nodes[n] = {
      ...node,
      pendingWrites: state.values.filter((v) => state.writes[v]!.status === 'pending' && state.writes[v]!.coord === n).map((v) => ({ value: v, acks: state.writes[v]!.acks })),
      pendingReads: state.readIds
        .filter((i) => state.reads[i]!.status === 'pending' && state.reads[i]!.coord === n)
        .map((i) => ({ read: i, answered: state.reads[i]!.from, result: state.reads[i]!.result })),
    };
  }
  return {
    config,
    nodes,
    disks: Object.fromEntries(config.walk.map((n) => [n, { store: state.store[n]!, hints: state.hints[n]!, clock: state.clock[n]! }])),
    up: state.up,
    side: state.side,
    splits: state.splits,
    crashes: state.crashes,
    network: state.msgs,
    writes: state.writes,
    reads: state.reads,
    seen: state.seen,
  };
}

/** Each compared variable of a state as canonical text (sets sorted, vectors in walk order). */
export function variableTexts(state: KVSpecState): Record<ComparedVariable, string> {
  const walk = state.config.walk;
  const ver = (v: Version) => versionKey(v, walk);
  const vers = (xs: readonly Version[]) => xs.map(ver).sort();
  const byNode = <T>(f: (n: NodeId) => T) => JSON.stringify(walk.map((n) => [n, f(n)]));
  return {
    store: byNode((n) => vers(state.store[n]!)),
    hints: byNode((n) => state.hints[n]!.map((h) => `${h.for} ${ver(h.version)}`).sort()),
    clock: byNode((n) => state.clock[n]),
    up: byNode((n) => state.up[n]),
    side: byNode((n) => state.side[n]),
    splits: String(state.splits),
    crashes: String(state.crashes),
    msgs: JSON.stringify(state.msgs.map((m) => messageKey(m, walk)).sort()),
    writes: JSON.stringify(state.values.map((v) => {
      const w = state.writes[v]!;
      return [v, w.status, w.coord, [...w.acks].sort()];
    })),
    reads: JSON.stringify(state.readIds.map((i) => {
      const r = state.reads[i]!;
      return [i, r.status, r.coord, [...r.from].sort(), vers(r.result), [...r.ackedBefore].sort()];
    })),
    seen: JSON.stringify(state.values.map((v) => [v, [...state.seen[v]!].sort()])),
  };
}

/** Equal for states equal in every compared variable. */
export function kvStateKey(state: KVSpecState): string {
  const t = variableTexts(state);
  return COMPARED.map((v) => t[v]).join('\n');
}
