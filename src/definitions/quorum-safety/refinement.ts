/**
 * The refinement mapping from the Raft core to `specs/QuorumSafety.tla`: the abstract election that
 * spec describes, played by real Raft nodes.
 *
 * QuorumSafety is an abstraction of Raft's election. Its state is each server's term, role, vote and
 * the votes a candidate holds, plus the side of a network cut each server is on and the leaders each
 * term had. Its steps are coarser than Raft's, so one abstract step is driven as several core inputs:
 *
 * | QuorumSafety step     | what the driver does with the Raft core                                        |
 * |-----------------------|--------------------------------------------------------------------------------|
 * | `Campaign(c)`         | `Timeout` at `c` (a new term, a vote for itself, a vote request to each peer)    |
 * | `GrantVote(v, c)`     | delivers `c`'s vote request of its current term to `v`, then `v`'s answer to `c`; the step is taken only if `v` granted the vote |
 * | `BecomeLeader(c)`     | `BecomeLeader` at `c`                                                            |
 * | `SwitchSide(s)`       | moves `s` to the other side of the cut: the driver delivers nothing between sides |
 *
 * The abstraction function reads the spec's variables off the cluster: `currentTerm`, `role`,
 * `votedFor` (`None` for no vote) and `votesReceived` (Raft's `votesGranted`) node by node; `side` is
 * the driver's network; `elected` (a history variable) is the driver's record of every `BecomeLeader`.
 * Raft's logs stay empty here (QuorumSafety has none), so every candidate's log is up to date and a
 * vote depends only on terms and earlier votes, as in the spec.
 *
 * A Raft leader needs a strict majority, so only QuorumSafety models whose `Quorum` is a majority are
 * implemented by this core; the others (the spec's split-brain negative control) are refused.
 *
 * @module
 */
import {
  type ClusterSnapshot,
  clusterStep,
  EMPTY_BAG,
  bagAddAll,
  bagCount,
  type Message,
  type NodeId,
  type NodeState,
  quorumSize,
  RaftLog,
  type RequestVoteRequest,
  type Role,
  type StepFn,
} from '../../raft/index.js';
import type { StepOutcome } from '../../protocol/definition.js';

/** QuorumSafety's `None` model value: "has not voted in this term". */
export const NONE = 'None';

/** QuorumSafety's variables (all but the action label), as the definition reads them from a trace. */
export interface QuorumState {
  readonly currentTerm: Readonly<Record<NodeId, number>>;
  readonly role: Readonly<Record<NodeId, Role>>;
  /** A server, or {@link NONE}. */
  readonly votedFor: Readonly<Record<NodeId, string>>;
  /** Sorted. */
  readonly votesReceived: Readonly<Record<NodeId, readonly NodeId[]>>;
  readonly side: Readonly<Record<NodeId, 0 | 1>>;
  /** History: `elected[t - 1]` holds every server that led in term `t` (sorted), for `t` in `1..MaxTerm`. */
  readonly elected: readonly (readonly NodeId[])[];
}

/** The variables compared, in the spec's order. */
export const QUORUM_VARIABLES: readonly (keyof QuorumState)[] = ['currentTerm', 'role', 'votedFor', 'votesReceived', 'side', 'elected'];

/** A QuorumSafety step, with the spec's parameter names (`GrantVote(v, c)` is `node` v, `peer` c). */
export type QuorumLabel =
  | { readonly name: 'Init' }
  | { readonly name: 'Campaign' | 'BecomeLeader' | 'SwitchSide'; readonly node: NodeId }
  | { readonly name: 'GrantVote'; readonly node: NodeId; readonly peer: NodeId };

/** What the driver keeps: a Raft cluster, the network's cut, and the record of elections. */
export interface ElectionRun {
  readonly cluster: ClusterSnapshot;
  readonly side: Readonly<Record<NodeId, 0 | 1>>;
  readonly elected: readonly (readonly NodeId[])[];
}

/** One line for reports. */
export function formatQuorumLabel(label: QuorumLabel): string {
  switch (label.name) {
    case 'Init':
      return 'Init';
    case 'GrantVote':
      return `GrantVote(voter ${label.node}, candidate ${label.peer})`;
    default:
      return `${label.name}(${label.node})`;
  }
}

/** The vote request a candidate sent to `voter` when it started campaigning in its current term. */
function voteRequest(candidate: NodeState, voter: NodeId): RequestVoteRequest {
  return { type: 'RequestVoteRequest', term: candidate.currentTerm, from: candidate.id, to: voter, lastLogTerm: candidate.log.lastTerm, lastLogIndex: candidate.log.length };
}

/**
 * A run of the Raft core in exactly this abstract state: each node with the state's term, role, vote and
 * votes, an empty log; every candidate's vote request to each peer that has not yet voted for it in
 * flight (as its `Timeout` left them), and nothing else.
 */
export function electionRunOf(state: QuorumState): ElectionRun {
  const servers = Object.keys(state.currentTerm).sort();
  const nodes: Record<NodeId, NodeState> = {};
  const requests: Message[] = [];
  for (const id of servers) {
    const votedFor = state.votedFor[id] as string;
    const role = state.role[id] as Role;
    const votes = state.votesReceived[id] as readonly NodeId[];
    const node: NodeState = {
      id,
      servers,
      currentTerm: state.currentTerm[id] as number,
      role,
      votedFor: votedFor === NONE ? null : votedFor,
      log: RaftLog.from([]),
      commitIndex: 0,
      votesGranted: [...votes],
      nextIndex: Object.fromEntries(servers.map((s) => [s, 1])),
      matchIndex: Object.fromEntries(servers.map((s) => [s, 0])),
      leaderHint: role === 'Leader' ? id : null,
    };
    nodes[id] = node;
    if (role === 'Candidate') for (const peer of servers) if (peer !== id && !votes.includes(peer)) requests.push(voteRequest(node, peer));
  }
  return { cluster: { servers, nodes, messages: bagAddAll(EMPTY_BAG, requests) }, side: { ...state.side }, elected: state.elected };
}

/** The abstraction function: the spec's variables, read off the run. */
export function abstractState(run: ElectionRun): QuorumState {
  const { servers, nodes } = run.cluster;
  const per = <T>(f: (n: NodeState) => T) => Object.fromEntries(servers.map((id) => [id, f(nodes[id] as NodeState)]));
  return {
    currentTerm: per((n) => n.currentTerm),
    role: per((n) => n.role),
    votedFor: per((n) => n.votedFor ?? NONE),
    votesReceived: per((n) => [...n.votesGranted].sort()),
    side: run.side,
    elected: run.elected,
  };
}

function with_(run: ElectionRun, cluster: ClusterSnapshot): ElectionRun {
  return { ...run, cluster };
}

/** Takes one QuorumSafety step as the Raft inputs it stands for (see the module comment). */
export function stepElection(run: ElectionRun, label: QuorumLabel, core: StepFn): StepOutcome<ElectionRun> {
  switch (label.name) {
    case 'Init':
      return { refused: 'Init labels the initial state; it is not a step' };
    case 'Campaign': {
      const r = clusterStep(run.cluster, { name: 'Timeout', node: label.node }, core);
      return r.notEnabled !== null ? { refused: r.notEnabled.reason } : { impl: with_(run, r.cluster) };
    }
    case 'BecomeLeader': {
      const r = clusterStep(run.cluster, { name: 'BecomeLeader', node: label.node }, core);
      if (r.notEnabled !== null) return { refused: r.notEnabled.reason };
      const term = (r.cluster.nodes[label.node] as NodeState).currentTerm;
      const elected = [...run.elected];
      while (elected.length < term) elected.push([]);
      elected[term - 1] = [...new Set([...(elected[term - 1] ?? []), label.node])].sort();
      return { impl: { ...run, cluster: r.cluster, elected } };
    }
    case 'SwitchSide': {
      if (!Object.hasOwn(run.side, label.node)) return { refused: `SwitchSide(${label.node}): ${label.node} is not a server` };
      return { impl: { ...run, side: { ...run.side, [label.node]: run.side[label.node] === 0 ? 1 : 0 } } };
    }
    case 'GrantVote':
      return grantVote(run, label.node, label.peer, core);
  }
}

/** `GrantVote(voter, candidate)`: the candidate's request to the voter, and the voter's answer back. */
function grantVote(run: ElectionRun, voter: NodeId, candidate: NodeId, core: StepFn): StepOutcome<ElectionRun> {
  const call = `GrantVote(voter ${voter}, candidate ${candidate})`;
  const c = run.cluster.nodes[candidate];
  if (c === undefined || run.cluster.nodes[voter] === undefined) return { refused: `${call}: not both are servers` };
  if (run.side[voter] !== run.side[candidate]) return { refused: `${call}: they are on different sides of the cut, and the network delivers nothing across it` };
  const request = voteRequest(c, voter);
  if (bagCount(run.cluster.messages, request) === 0) {
    return { refused: `${call}: no vote request of ${candidate} for term ${c.currentTerm} is in flight to ${voter} (${candidate} is not campaigning in that term, or ${voter} has answered it)` };
  }
  const asked = clusterStep(run.cluster, { name: 'HandleRequestVoteRequest', node: voter, peer: candidate, message: request }, core);
  if (asked.notEnabled !== null) return { refused: asked.notEnabled.reason };
  const answer = asked.outputs?.messages.find((m) => m.type === 'RequestVoteResponse' && m.to === candidate);
  if (answer?.type !== 'RequestVoteResponse') return { refused: `${call}: ${voter} did not answer` };
  if (!answer.voteGranted) return { refused: `${call}: ${voter} refused the vote (term ${(asked.cluster.nodes[voter] as NodeState).currentTerm}, voted for ${(asked.cluster.nodes[voter] as NodeState).votedFor ?? 'nobody'})` };
  const counted = clusterStep(asked.cluster, { name: 'HandleRequestVoteResponse', node: candidate, peer: voter, message: answer }, core);
  if (counted.notEnabled !== null) return { refused: counted.notEnabled.reason };
  return { impl: with_(run, counted.cluster) };
}

/** Whether a model's quorum is the one the Raft core implements: a strict majority of the servers. */
export function isMajority(quorum: number, servers: readonly NodeId[]): boolean {
  return quorum === quorumSize(servers);
}
