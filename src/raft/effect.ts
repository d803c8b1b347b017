/**
 * The internal result of one protocol handler. Handlers report only what they decide (messages, client
 * replies, timer hint); `step` derives the persisted and committed outputs by comparing before and after,
 * so those can never drift from the state itself.
 *
 * @module
 */
import type { ClientReply, InputType, NotEnabled, NotEnabledCode } from './inputs.js';
import type { Message } from './messages.js';
import { updateNode } from './state.js';
import type { NodeId, NodeState, Term } from './types.js';

/** What a handler produced. */
export interface Effect {
  readonly state: NodeState;
  readonly messages: readonly Message[];
  readonly replies: readonly ClientReply[];
  readonly resetElectionTimer: boolean;
}

/** Build an `Effect`; omitted parts are empty. */
export function effect(
  state: NodeState,
  parts: { messages?: readonly Message[]; replies?: readonly ClientReply[]; resetElectionTimer?: boolean } = {},
): Effect {
  return {
    state,
    messages: parts.messages ?? [],
    replies: parts.replies ?? [],
    resetElectionTimer: parts.resetElectionTimer ?? false,
  };
}

/** Build a `NotEnabled` refusal. */
export function refuse(code: NotEnabledCode, input: InputType, node: NodeId, reason: string): NotEnabled {
  return { code, input, node, reason };
}

/**
 * The spec's term rule, applied first by every `Handle*` action: a message from a newer term makes the node
 * a Follower of that term with no vote. Nothing else changes (in particular `votesGranted`, `nextIndex` and
 * `matchIndex` keep their values, as in the spec; they are only read again after being reset).
 */
export function observeTerm(state: NodeState, term: Term): { state: NodeState; steppedDown: boolean } {
  if (term <= state.currentTerm) return { state, steppedDown: false };
  return {
    state: updateNode(state, { currentTerm: term, role: 'Follower', votedFor: null, leaderHint: null }),
    steppedDown: true,
  };
}
