/**
 * Persistence in the loop: what a node's stable storage holds, kept as the accumulation of the `persist`
 * outputs of its steps (never read back from the node's memory), and a node that comes back from a crash
 * with exactly that.
 *
 * The spec's `Restart` keeps `currentTerm`, `votedFor` and `log`, so a driver that restarts a node from its
 * in-memory state can never see a core that forgets to ask for one of them to be written. Replaying
 * `Restart` from the disk instead turns every such omission into a divergence at the next restart of that
 * node (`durableClusterStep`), and the durability checks of `src/sim/durability.ts` catch it at the very
 * step that forgot, in the simulator and in the random-schedule tests.
 *
 * @module
 */
import { clusterStep, type ClusterSnapshot, type ClusterStepResult, type StepFn } from './cluster.js';
import type { PersistUpdate } from './inputs.js';
import type { ActionLabel } from './labels.js';
import { applyLogWrite, type RaftLog } from './log.js';
import { updateNode } from './state.js';
import { step } from './step.js';
import type { HardState, NodeId, NodeState } from './types.js';

/** What a node's stable storage holds: the spec's `Restart` keeps exactly this. */
export interface PersistedState {
  readonly hardState: HardState;
  readonly log: RaftLog;
}

/** What a node that has lost nothing holds on disk: its own term, vote and log. */
export function persistedOf(node: NodeState): PersistedState {
  return { hardState: { currentTerm: node.currentTerm, votedFor: node.votedFor }, log: node.log };
}

/** The disk after one more write: `update` on top of `disk` (the same object when there is nothing to write). */
export function applyPersist(disk: PersistedState, update: PersistUpdate | null): PersistedState {
  if (update === null) return disk;
  return {
    hardState: update.hardState ?? disk.hardState,
    log: update.logWrite === null ? disk.log : applyLogWrite(disk.log, update.logWrite),
  };
}

/** Whether the disk holds the node's term, vote and log. */
export function holdsNode(disk: PersistedState, node: NodeState): boolean {
  return (
    disk.hardState.currentTerm === node.currentTerm &&
    disk.hardState.votedFor === node.votedFor &&
    (disk.log === node.log || disk.log.equals(node.log))
  );
}

/**
 * The node as a crash leaves it for the core's `Restart`: term, vote and log from the disk, nothing else
 * touched (the core's `Restart` resets the volatile rest, so a defect there still shows).
 */
export function bootFromDisk(node: NodeState, disk: PersistedState): NodeState {
  if (holdsNode(disk, node)) return node;
  return updateNode(node, { currentTerm: disk.hardState.currentTerm, votedFor: disk.hardState.votedFor, log: disk.log });
}

/**
 * The disks that do not hold exactly their node's term, vote and log, by node id. A node missing here has
 * written everything it holds (always so for the real core), so replay allocates nothing for it.
 */
export type Disks = Readonly<Record<NodeId, PersistedState>>;

/** A cluster whose nodes write to disks; `disks` as in {@link Disks} (absent: every disk holds its node). */
export interface DurableCluster extends ClusterSnapshot {
  readonly disks?: Disks;
}

/** What node `id` of `cluster` holds on disk. */
export function diskOf(cluster: DurableCluster, id: NodeId): PersistedState | undefined {
  const node = cluster.nodes[id];
  return cluster.disks?.[id] ?? (node === undefined ? undefined : persistedOf(node));
}

/** Whether writing `persist` turns a disk that held `before` into one that holds `after`. */
function writesExactly(before: NodeState, after: NodeState, persist: PersistUpdate | null): boolean {
  const hard = persist?.hardState ?? null;
  if (hard === null) {
    if (before.currentTerm !== after.currentTerm || before.votedFor !== after.votedFor) return false;
  } else if (hard.currentTerm !== after.currentTerm || hard.votedFor !== after.votedFor) return false;
  const write = persist?.logWrite ?? null;
  if (write === null) return before.log === after.log || before.log.equals(after.log);
  return applyLogWrite(before.log, write).equals(after.log);
}

/** The result of {@link durableClusterStep}. */
export interface DurableClusterStepResult extends ClusterStepResult {
  readonly cluster: DurableCluster;
}

/**
 * The spec's step `label` on a cluster with disks: `clusterStep`, except that a `Restart` brings the node
 * back from its disk, and the step's `persist` output is written to the stepping node's disk. A core that
 * leaves something out of its `persist` output then comes back without it.
 */
export function durableClusterStep(cluster: DurableCluster, label: ActionLabel, stepFn: StepFn = step): DurableClusterStepResult {
  let from: DurableCluster = cluster;
  const own = label.name === 'Restart' ? cluster.disks?.[label.node] : undefined;
  if (own !== undefined && label.name === 'Restart') {
    const node = cluster.nodes[label.node];
    if (node !== undefined) from = { servers: cluster.servers, nodes: { ...cluster.nodes, [label.node]: bootFromDisk(node, own) }, messages: cluster.messages, disks: cluster.disks };
  }
  const result = clusterStep(from, label, stepFn);
  if (result.notEnabled !== null) return { cluster, outputs: result.outputs, notEnabled: result.notEnabled };
  if (!('node' in label)) return result;
  const id = label.node;
  const before = from.nodes[id];
  const after = result.cluster.nodes[id];
  if (before === undefined || after === undefined) return result;
  const persist = result.outputs?.persist ?? null;
  const disk = cluster.disks?.[id];
  // The common case, a node whose disk holds it and that wrote exactly what it changed: nothing to keep.
  if (disk === undefined && writesExactly(before, after, persist)) return result;
  const written = applyPersist(disk ?? persistedOf(before), persist);
  const disks: Record<NodeId, PersistedState> = { ...cluster.disks };
  if (holdsNode(written, after)) delete disks[id];
  else disks[id] = written;
  const next: DurableCluster = { servers: result.cluster.servers, nodes: result.cluster.nodes, messages: result.cluster.messages, disks };
  return { cluster: next, outputs: result.outputs, notEnabled: null };
}
