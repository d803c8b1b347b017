/**
 * Renaming servers in Raft's spec states and labels: what the state-graph check needs to read a model
 * with `SYMMETRY Permutations(Server)`, whose graph keeps one state per class of states equal up to a
 * renaming of the servers.
 *
 * @module
 */
import { type ActionLabel, canonicalJson, diskOf, type DurableCluster, type NodeId, type SpecMessage, type SpecState, messageFromSpec, NIL, sortSpecBag, toSpecMessage } from '../../raft/index.js';
import { unreachable } from '../../exhaustive.js';

type Rename = ReadonlyMap<string, string>;

function renamed(rename: Rename, id: NodeId): NodeId {
  return rename.get(id) ?? id;
}

/** A record over servers with its keys renamed (and inserted in sorted order, as `toSpecState` does). */
function renameKeys<V>(rename: Rename, record: Readonly<Record<NodeId, V>>, value: (v: V) => V = (v) => v): Record<NodeId, V> {
  const entries = Object.entries(record).map(([id, v]): [NodeId, V] => [renamed(rename, id), value(v)]);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

function renameMessage(rename: Rename, m: SpecMessage): SpecMessage {
  return { ...m, msource: renamed(rename, m.msource), mdest: renamed(rename, m.mdest) };
}

/**
 * A text equal for equal spec states and different for different ones: Raft's `stateKey`. Written out
 * for Raft's shape rather than through `canonicalJson`, because the state-graph check keys every
 * state it reaches (several per edge). Sets are sorted and the bag is in `sortSpecBag` order in every
 * `SpecState`, whether read from a trace, renamed or made by `toSpecState`.
 */
export function specStateKey(state: SpecState): string {
  const servers = Object.keys(state.currentTerm).sort();
  let out = '';
  for (const id of servers) {
    out += `${id}:${state.currentTerm[id]},${state.role[id]},${state.votedFor[id]},${state.commitIndex[id]};`;
    for (const e of state.log[id] ?? []) out += `${e.term}/${JSON.stringify(e.value)},`;
    out += `;${(state.votesGranted[id] ?? []).join(',')};`;
    const next = state.nextIndex[id] ?? {};
    const matched = state.matchIndex[id] ?? {};
    for (const j of servers) out += `${next[j]}/${matched[j]},`;
    out += '|';
  }
  for (const { message, count } of state.messages) out += `${canonicalJson(message)}*${count}|`;
  return out;
}

/**
 * The nodes whose disk does not hold what their memory does after a step (`durableClusterStep` keeps a
 * disk apart only then), as one sentence; `null` when every disk holds its node. A restart would bring
 * such a node back in another state than the spec's `Restart` keeps.
 */
export function unsettledDisks(cluster: DurableCluster): string | null {
  const apart = Object.keys(cluster.disks ?? {}).sort();
  if (apart.length === 0) return null;
  const parts = apart.map((id) => {
    const disk = diskOf(cluster, id);
    const node = cluster.nodes[id];
    if (disk === undefined || node === undefined) return id;
    const held = `term ${disk.hardState.currentTerm}, vote ${disk.hardState.votedFor ?? NIL}, ${disk.log.length} entries`;
    const memory = `term ${node.currentTerm}, vote ${node.votedFor ?? NIL}, ${node.log.length} entries`;
    return `${id}'s disk holds ${held}, its memory ${memory}`;
  });
  return `after the step ${parts.join('; ')}: the step did not write what it changed, so a restart would not bring it back`;
}

/** The servers of a spec state. */
export function specServers(state: SpecState): NodeId[] {
  return Object.keys(state.currentTerm).sort();
}

/** `state` with every server renamed by `rename` (servers it does not name keep their names). */
export function renameSpecState(state: SpecState, rename: Rename): SpecState {
  return {
    currentTerm: renameKeys(rename, state.currentTerm),
    role: renameKeys(rename, state.role),
    votedFor: renameKeys(rename, state.votedFor, (v) => (v === NIL ? v : renamed(rename, v))),
    log: renameKeys(rename, state.log),
    commitIndex: renameKeys(rename, state.commitIndex),
    votesGranted: renameKeys(rename, state.votesGranted, (ids) => ids.map((id) => renamed(rename, id)).sort()),
    nextIndex: renameKeys(rename, state.nextIndex, (row) => renameKeys(rename, row)),
    matchIndex: renameKeys(rename, state.matchIndex, (row) => renameKeys(rename, row)),
    messages: sortSpecBag(state.messages.map((e) => ({ message: renameMessage(rename, e.message), count: e.count }))),
  };
}

/** `label` with every server renamed by `rename`. */
export function renameActionLabel(label: ActionLabel, rename: Rename): ActionLabel {
  const message = (m: Parameters<typeof toSpecMessage>[0]) => messageFromSpec(renameMessage(rename, toSpecMessage(m)));
  // A switch, not ts-pattern: it runs for every step the state-graph check offers.
  switch (label.name) {
    case 'Init':
      return label;
    case 'Timeout':
    case 'Restart':
    case 'BecomeLeader':
    case 'AdvanceCommitIndex':
      return { name: label.name, node: renamed(rename, label.node) };
    case 'ClientRequest':
      return { ...label, node: renamed(rename, label.node) };
    case 'AppendEntries':
      return { ...label, node: renamed(rename, label.node), peer: renamed(rename, label.peer) };
    case 'HandleRequestVoteRequest':
    case 'HandleRequestVoteResponse':
    case 'HandleAppendEntriesRequest':
    case 'HandleAppendEntriesResponse':
      return { ...label, node: renamed(rename, label.node), peer: renamed(rename, label.peer), message: message(label.message) } as ActionLabel;
    case 'DropMessage':
    case 'DuplicateMessage':
      return { ...label, message: message(label.message) } as ActionLabel;
    default:
      return unreachable(label, 'action label');
  }
}
