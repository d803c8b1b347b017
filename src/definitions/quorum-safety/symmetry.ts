/**
 * Renaming servers in QuorumSafety's states and labels: what the state-graph check needs to read a
 * model with `SYMMETRY Permutations(Server)`, whose graph keeps one state per class of states equal up
 * to a renaming of the servers.
 *
 * A server occurs as a key of every per-server variable, as a vote (`votedFor`), as an element of
 * `votesReceived` and of each term's `elected`, and as a label's `node` and `peer`. `None` and the
 * sides 0 and 1 are not servers and keep their names.
 *
 * @module
 */
import type { NodeId } from '../../raft/index.js';
import { unreachable } from '../../exhaustive.js';
import { NONE, type QuorumLabel, type QuorumState } from './refinement.js';

type Rename = ReadonlyMap<string, string>;

function renamed(rename: Rename, id: NodeId): NodeId {
  return rename.get(id) ?? id;
}

/** A set of servers renamed, sorted again. */
function renameSet(rename: Rename, ids: readonly NodeId[]): NodeId[] {
  const out = ids.map((id) => renamed(rename, id));
  return out.length > 1 ? out.sort() : out;
}

function byNewName(a: readonly [NodeId, NodeId], b: readonly [NodeId, NodeId]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** The servers of a state. */
export function quorumServers(state: QuorumState): NodeId[] {
  return Object.keys(state.currentTerm).sort();
}

/**
 * `state` with every server renamed by `rename` (servers it does not name keep their names), each
 * per-server record keyed in sorted order as `abstractState` writes it. Built in one pass over the
 * servers: a five-server model has 120 renamings of each state, and building each record through
 * `Object.entries`, a sort and `Object.fromEntries` made this most of the check's time (profiled on
 * MCQuorum5).
 */
export function renameQuorumState(state: QuorumState, rename: Rename): QuorumState {
  const order = Object.keys(state.currentTerm).map((id): [NodeId, NodeId] => [renamed(rename, id), id]);
  order.sort(byNewName);
  const currentTerm: Record<NodeId, number> = {};
  const role: Record<NodeId, QuorumState['role'][NodeId]> = {};
  const votedFor: Record<NodeId, string> = {};
  const votesReceived: Record<NodeId, readonly NodeId[]> = {};
  const side: Record<NodeId, 0 | 1> = {};
  for (const [to, from] of order) {
    currentTerm[to] = state.currentTerm[from] as number;
    role[to] = state.role[from] as QuorumState['role'][NodeId];
    const vote = state.votedFor[from] as string;
    votedFor[to] = vote === NONE ? vote : renamed(rename, vote);
    votesReceived[to] = renameSet(rename, state.votesReceived[from] ?? []);
    side[to] = state.side[from] as 0 | 1;
  }
  return { currentTerm, role, votedFor, votesReceived, side, elected: state.elected.map((leaders) => renameSet(rename, leaders)) };
}

/** `label` with every server renamed by `rename`. */
export function renameQuorumLabel(label: QuorumLabel, rename: Rename): QuorumLabel {
  // A switch, not ts-pattern: it runs for every step the state-graph check offers.
  switch (label.name) {
    case 'Init':
      return label;
    case 'Campaign':
    case 'BecomeLeader':
    case 'SwitchSide':
      return { name: label.name, node: renamed(rename, label.node) };
    case 'GrantVote':
      return { name: label.name, node: renamed(rename, label.node), peer: renamed(rename, label.peer) };
    default:
      return unreachable(label, 'action label');
  }
}

/**
 * A text equal for equal states and different for different ones: quorum safety's `stateKey`. Written
 * out for the state's shape rather than through `canonicalJson`, because the state-graph check keys
 * every renaming of every state (120 per state with five servers). Sets are sorted in every
 * `QuorumState`, whether read from a trace, renamed or made by `abstractState`.
 */
export function quorumStateKey(state: QuorumState): string {
  let out = '';
  for (const id of quorumServers(state)) {
    out += `${id}:${state.currentTerm[id]},${state.role[id]},${state.votedFor[id]},${state.side[id]},${(state.votesReceived[id] ?? []).join(' ')};`;
  }
  for (const leaders of state.elected) out += `|${leaders.join(' ')}`;
  return out;
}
