/**
 * Checks of what each node keeps on disk, run after every step beside the invariant mirrors (the spec has
 * no disk, so these have no TLA+ operator; they state what its `Restart` takes for granted):
 *
 * - `DurableStateMatches`: what the node has asked to persist so far (its disk, plus the writes still
 *   queued) holds its current term, vote and log. A step that changes one of them without asking for the
 *   write is caught at that step, before any crash makes it matter.
 * - `TermMonotonicAcrossRestarts`: a node comes back from a crash with at least the term on its disk.
 * - `OneVotePerTerm`: a node never votes for two candidates in one term, across restarts too. The votes
 *   remembered are those that reached the disk (only those can have been sent: a driver releases a step's
 *   messages after its write), so a vote lost with its write in a crash may be cast again.
 *
 * A driver reports each step with its `persist` output, each write that completes, and each crash with
 * what survived it. A driver with a synchronous disk (the random-schedule tests, trace replay) says so,
 * and every write counts as complete when its step is taken.
 *
 * @module
 */
import {
  type ActionLabel,
  applyPersist,
  formatLabel,
  holdsNode,
  type Input,
  labelOf,
  type NodeId,
  type NodeState,
  type PersistedState,
  persistedOf,
  type PersistUpdate,
  type Term,
} from '../raft/index.js';

/** The names of the durability checks. */
export type DurabilityCheck = 'DurableStateMatches' | 'TermMonotonicAcrossRestarts' | 'OneVotePerTerm';

/** Every durability check, in the order a step is checked. */
export const DURABILITY_CHECKS: readonly DurabilityCheck[] = ['TermMonotonicAcrossRestarts', 'OneVotePerTerm', 'DurableStateMatches'];

/** A broken durability check. */
export interface DurabilityViolation {
  readonly name: DurabilityCheck;
  /** A sentence naming the node, the step and the values involved. */
  readonly message: string;
}

/** How the driver's disk behaves. */
export interface DurabilityOptions {
  /** Every write is on disk once its step is taken (no queue, nothing lost in a crash). */
  readonly synchronousDisk: boolean;
}

const show = (vote: NodeId | null): string => vote ?? 'nobody';

function violation(name: DurabilityCheck, message: string): DurabilityViolation {
  return { name, message: `${name} violated: ${message}` };
}

/** What the monitor keeps per node. */
interface NodeRecord {
  /** Its disk with the queued writes applied: what it has asked to persist and not lost. */
  asked: PersistedState;
  /** Per term, the candidate its disk recorded a vote for. */
  readonly votes: Map<Term, NodeId>;
}

/** The durability checks over a cluster, fed by its driver. */
export class DurabilityMonitor {
  private readonly nodes = new Map<NodeId, NodeRecord>();
  private readonly synchronousDisk: boolean;

  /** @param initial every node's state at the start, each with exactly that on its disk. */
  constructor(initial: readonly NodeState[], options: DurabilityOptions) {
    this.synchronousDisk = options.synchronousDisk;
    for (const node of initial) {
      const record: NodeRecord = { asked: persistedOf(node), votes: new Map() };
      this.nodes.set(node.id, record);
      remember(node.id, record, record.asked);
    }
  }

  /**
   * A node took the step `action` (its label, or the input it was given), reaching `after`, and asked for
   * `persist` to be written. Returns the first broken check, in the order of {@link DURABILITY_CHECKS}.
   */
  step(after: NodeState, action: ActionLabel | Input, persist: PersistUpdate | null): DurabilityViolation | null {
    const id = after.id;
    const record = this.record(id);
    const disk = record.asked;
    const restart = 'type' in action ? action.type === 'Restart' : action.name === 'Restart';
    // Most steps write nothing and leave term, vote and log as they were: then every verdict is the last one.
    if (persist === null && !restart && disk.log === after.log && disk.hardState.currentTerm === after.currentTerm && disk.hardState.votedFor === after.votedFor) {
      return null;
    }
    if (restart && after.currentTerm < disk.hardState.currentTerm) {
      return violation(
        'TermMonotonicAcrossRestarts',
        `${id} comes back from a crash in term ${after.currentTerm}, but its disk holds term ${disk.hardState.currentTerm}`,
      );
    }
    const asked = applyPersist(disk, persist);
    if (after.votedFor !== null) {
      const earlier = record.votes.get(after.currentTerm);
      if (earlier !== undefined && earlier !== after.votedFor) {
        return violation(
          'OneVotePerTerm',
          `after ${describe(id, action)}, ${id} votes for ${after.votedFor} in term ${after.currentTerm}, but its disk already recorded a vote for ${earlier} in that term`,
        );
      }
    }
    if (!holdsNode(asked, after)) {
      record.asked = asked;
      return violation('DurableStateMatches', `after ${describe(id, action)}, ${id} ${mismatch(asked, after)}: a crash now would lose it`);
    }
    // Equal now, so keep the node's own log: the next comparison starts from versions of one backing.
    record.asked = asked.log === after.log ? asked : { hardState: asked.hardState, log: after.log };
    if (this.synchronousDisk && persist?.hardState != null) remember(id, record, asked);
    return null;
  }

  /** A write of `node` completed: `disk` is what its disk holds now. Returns a broken `OneVotePerTerm`, if any. */
  written(node: NodeId, disk: PersistedState): DurabilityViolation | null {
    return remember(node, this.record(node), disk);
  }

  /** `node` crashed: its queued writes are lost and `disk` is what survived. */
  crashed(node: NodeId, disk: PersistedState): DurabilityViolation | null {
    const record = this.record(node);
    record.asked = disk;
    return remember(node, record, disk);
  }

  private record(node: NodeId): NodeRecord {
    const record = this.nodes.get(node);
    if (record === undefined) throw new RangeError(`the durability monitor knows no node ${node}`);
    return record;
  }
}

/** Records the vote `disk` holds; a second candidate for the same term breaks `OneVotePerTerm`. */
function remember(node: NodeId, record: NodeRecord, disk: PersistedState): DurabilityViolation | null {
  const { currentTerm, votedFor } = disk.hardState;
  if (votedFor === null) return null;
  const earlier = record.votes.get(currentTerm);
  if (earlier === undefined) record.votes.set(currentTerm, votedFor);
  else if (earlier !== votedFor) {
    return violation('OneVotePerTerm', `${node}'s disk records a vote for ${votedFor} in term ${currentTerm}, but it already recorded one for ${earlier} in that term`);
  }
  return null;
}

/** The step as one line; built only for a message, since the simulator checks every step. */
function describe(node: NodeId, action: ActionLabel | Input): string {
  return formatLabel('type' in action ? labelOf(node, action) : action);
}

/** What differs between the node and what it asked to persist, in words. */
function mismatch(disk: PersistedState, node: NodeState): string {
  const { currentTerm, votedFor } = disk.hardState;
  if (currentTerm !== node.currentTerm) return `is in term ${node.currentTerm}, but what it asked to persist holds term ${currentTerm}`;
  if (votedFor !== node.votedFor) return `votes for ${show(node.votedFor)} in term ${node.currentTerm}, but what it asked to persist holds a vote for ${show(votedFor)}`;
  const common = disk.log.commonPrefixLength(node.log);
  return `holds ${node.log.length} log entries, but what it asked to persist holds ${disk.log.length}, the first ${common} of them the same`;
}
