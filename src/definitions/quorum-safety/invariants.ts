/**
 * TypeScript mirrors of `specs/QuorumSafety.tla`'s invariants, with the spec's operator names, over the
 * abstract state the refinement mapping reads off a Raft cluster ({@link "definitions/quorum-safety/refinement"}).
 * Each returns `null` when it holds, else a sentence naming the servers and terms involved.
 *
 * @module
 */
import { NONE, type QuorumState } from './refinement.js';

/** Every variable holds a value of the expected type (terms within `maxTerm`, votes for servers or None). */
export function TypeOK(state: QuorumState, maxTerm: number): string | null {
  const servers = Object.keys(state.currentTerm);
  for (const s of servers) {
    const term = state.currentTerm[s] as number;
    if (!Number.isSafeInteger(term) || term < 0 || term > maxTerm) return `currentTerm[${s}] = ${term} is not in 0..${maxTerm}`;
    const vote = state.votedFor[s] as string;
    if (vote !== NONE && !servers.includes(vote)) return `votedFor[${s}] = ${vote} is neither a server nor ${NONE}`;
    if ((state.votesReceived[s] ?? []).some((v) => !servers.includes(v))) return `votesReceived[${s}] holds a non-server`;
  }
  if (state.elected.length !== maxTerm) return `elected has ${state.elected.length} terms, not ${maxTerm}`;
  return null;
}

/** A server's vote in a term goes to at most one candidate: every vote a candidate holds is cast for it. */
export function OneVotePerTerm(state: QuorumState): string | null {
  for (const c of Object.keys(state.role)) {
    if (state.role[c] !== 'Candidate' && state.role[c] !== 'Leader') continue;
    for (const v of state.votesReceived[c] ?? []) {
      if (state.currentTerm[v] === state.currentTerm[c] && state.votedFor[v] !== c) {
        return `${c} holds ${v}'s vote for term ${state.currentTerm[c]}, but ${v} voted for ${state.votedFor[v]}`;
      }
    }
  }
  return null;
}

/** No split brain: in every term at most one server ever becomes leader. */
export function NoSplitBrain(state: QuorumState): string | null {
  const t = state.elected.findIndex((leaders) => leaders.length > 1);
  return t < 0 ? null : `term ${t + 1} had ${state.elected[t]?.length} leaders: ${state.elected[t]?.join(', ')}`;
}
