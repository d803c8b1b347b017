/**
 * The single entry point of the pure core: `step(state, input)`. It checks the input is enabled (the spec's
 * guard), runs the matching handler, and derives the durable and committed outputs from the state change.
 *
 * @module
 */
import type { Effect } from './effect.js';
import { refuse } from './effect.js';
import {
  becomeLeader,
  becomeLeaderGuard,
  handleRequestVoteRequest,
  handleRequestVoteResponse,
  timeout,
  timeoutGuard,
} from './election.js';
import { unreachable } from '../exhaustive.js';
import type { CommittedEntry, HandleInput, Input, NotEnabled, Outputs, PersistUpdate, StepResult } from './inputs.js';
import { Inputs, MESSAGE_TYPE_OF_HANDLE_INPUT } from './inputs.js';
import { diffLog } from './log.js';
import type { Message } from './messages.js';
import {
  advanceCommitIndex,
  advanceCommitIndexGuard,
  appendEntries,
  appendEntriesGuard,
  clientRequest,
  clientRequestGuard,
  handleAppendEntriesRequest,
  handleAppendEntriesResponse,
  notLeaderReply,
} from './replication.js';
import { restoreNodeState } from './state.js';
import type { NodeState } from './types.js';

/** Outputs of a step that did nothing. */
export const NO_OUTPUTS: Outputs = {
  messages: [],
  persist: null,
  committed: [],
  replies: [],
  resetElectionTimer: false,
  notEnabled: null,
};

/**
 * A `Handle*` input is enabled when its message is addressed to this node, comes from another member,
 * and has the type the action name promises. (Whether the message is actually in flight is the network's
 * business: `clusterStep` checks that.) The type check exists for inputs built from untyped trace JSON.
 */
function handleGuard(state: NodeState, input: HandleInput): NotEnabled | null {
  const m = input.message;
  const expected = MESSAGE_TYPE_OF_HANDLE_INPUT[input.type];
  if (m.type === expected && m.to === state.id && m.from !== state.id && state.servers.includes(m.from)) return null;
  // Refused: only now is it worth building the explanation.
  const call = `${input.type}(${state.id}, ${m.from})`;
  if (m.type !== expected) {
    return refuse('MessageTypeMismatch', input.type, state.id, `${call} is not enabled: it carries a ${m.type}, not a ${expected}`);
  }
  if (m.to !== state.id) {
    return refuse('WrongDestination', input.type, state.id, `${call} is not enabled: the message is addressed to ${m.to}`);
  }
  return refuse(
    'UnknownPeer',
    input.type,
    state.id,
    `${call} is not enabled: ${m.from} is not another member of [${state.servers.join(', ')}]`,
  );
}

/**
 * Why `input` is not enabled in `state`, or `null` when it is. Mirrors the enabling conditions of the
 * spec's actions one for one, so a replay harness can tell "the implementation refused a step the spec
 * took" apart from "the implementation took it differently".
 */
export function whyNotEnabled(state: NodeState, input: Input): NotEnabled | null {
  // A switch, not ts-pattern: this runs for every step (see exhaustive.ts).
  switch (input.type) {
    case 'Timeout':
      return timeoutGuard(state);
    case 'Restart':
      return null;
    case 'BecomeLeader':
      return becomeLeaderGuard(state);
    case 'ClientRequest':
      return clientRequestGuard(state, input.value);
    case 'AppendEntries':
      return appendEntriesGuard(state, input.peer);
    case 'AdvanceCommitIndex':
      return advanceCommitIndexGuard(state);
    case 'HandleRequestVoteRequest':
    case 'HandleRequestVoteResponse':
    case 'HandleAppendEntriesRequest':
    case 'HandleAppendEntriesResponse':
      return handleGuard(state, input);
    default:
      return unreachable(input, 'input');
  }
}

/** Whether the spec's action for `input` is enabled in `state`. */
export function isEnabled(state: NodeState, input: Input): boolean {
  return whyNotEnabled(state, input) === null;
}

function run(state: NodeState, input: Input): Effect {
  switch (input.type) {
    case 'Timeout':
      return timeout(state);
    case 'Restart':
      return {
        state: restoreNodeState(state.id, state.servers, state, state.log),
        messages: [],
        replies: [],
        resetElectionTimer: true,
      };
    case 'BecomeLeader':
      return becomeLeader(state);
    case 'ClientRequest':
      return clientRequest(state, input.value);
    case 'AppendEntries':
      return appendEntries(state, input.peer);
    case 'AdvanceCommitIndex':
      return advanceCommitIndex(state);
    case 'HandleRequestVoteRequest':
      return handleRequestVoteRequest(state, input.message);
    case 'HandleRequestVoteResponse':
      return handleRequestVoteResponse(state, input.message);
    case 'HandleAppendEntriesRequest':
      return handleAppendEntriesRequest(state, input.message);
    case 'HandleAppendEntriesResponse':
      return handleAppendEntriesResponse(state, input.message);
    default:
      return unreachable(input, 'input');
  }
}

function persistDiff(before: NodeState, after: NodeState): PersistUpdate | null {
  const hardChanged = before.currentTerm !== after.currentTerm || before.votedFor !== after.votedFor;
  const hardState = hardChanged ? { currentTerm: after.currentTerm, votedFor: after.votedFor } : null;
  const logWrite = diffLog(before.log, after.log);
  return hardState === null && logWrite === null ? null : { hardState, logWrite };
}

const NONE_COMMITTED: readonly CommittedEntry[] = [];

function newlyCommitted(before: NodeState, after: NodeState): readonly CommittedEntry[] {
  if (after.commitIndex <= before.commitIndex) return NONE_COMMITTED;
  const out: CommittedEntry[] = [];
  // After a Restart commitIndex drops to 0 (it is volatile); nothing is newly committed by that.
  for (let index = before.commitIndex + 1; index <= after.commitIndex; index++) {
    const entry = after.log.entry(index);
    if (entry !== undefined) out.push({ index, term: entry.term, value: entry.value });
  }
  return out;
}

/**
 * Apply one input to one node. Pure: the same state and input always give the same result, and `state` is
 * never modified. When the input is not enabled, the same `state` object comes back with
 * `outputs.notEnabled` explaining why (a refused `ClientRequest` also carries a `NotLeader` reply).
 */
export function step(state: NodeState, input: Input): StepResult {
  const refused = whyNotEnabled(state, input);
  if (refused !== null) {
    const replies = input.type === 'ClientRequest' ? [notLeaderReply(state, input.value)] : [];
    return { state, outputs: { ...NO_OUTPUTS, replies, notEnabled: refused } };
  }
  const done = run(state, input);
  return {
    state: done.state,
    outputs: {
      messages: done.messages,
      persist: persistDiff(state, done.state),
      committed: newlyCommitted(state, done.state),
      replies: done.replies,
      resetElectionTimer: done.resetElectionTimer,
      notEnabled: null,
    },
  };
}

/** Convenience for drivers: step the `Handle*` input that matches the message's type. */
export function receive(state: NodeState, message: Message): StepResult {
  return step(state, handleInputFor(message));
}

/** The `Handle*` input for a message (the spec's `Handle<mtype>` action). */
export function handleInputFor(message: Message): HandleInput {
  switch (message.type) {
    case 'RequestVoteRequest':
      return Inputs.HandleRequestVoteRequest(message);
    case 'RequestVoteResponse':
      return Inputs.HandleRequestVoteResponse(message);
    case 'AppendEntriesRequest':
      return Inputs.HandleAppendEntriesRequest(message);
    case 'AppendEntriesResponse':
      return Inputs.HandleAppendEntriesResponse(message);
    default:
      return unreachable(message, 'message');
  }
}

/** Concatenate the outputs of consecutive steps of one node (the first refusal, if any, is kept). */
export function mergeOutputs(a: Outputs, b: Outputs): Outputs {
  return {
    messages: [...a.messages, ...b.messages],
    persist: mergePersist(a.persist, b.persist),
    committed: [...a.committed, ...b.committed],
    replies: [...a.replies, ...b.replies],
    resetElectionTimer: a.resetElectionTimer || b.resetElectionTimer,
    notEnabled: a.notEnabled ?? b.notEnabled,
  };
}

function mergePersist(a: PersistUpdate | null, b: PersistUpdate | null): PersistUpdate | null {
  if (a === null) return b;
  if (b === null) return a;
  const hardState = b.hardState ?? a.hardState;
  if (a.logWrite === null || b.logWrite === null) return { hardState, logWrite: b.logWrite ?? a.logWrite };
  // Apply b on top of a: b keeps a's entries that lie before its own starting point.
  const first = a.logWrite;
  const second = b.logWrite;
  if (second.fromIndex <= first.fromIndex) return { hardState, logWrite: second };
  const kept = first.entries.slice(0, second.fromIndex - first.fromIndex);
  return { hardState, logWrite: { fromIndex: first.fromIndex, entries: [...kept, ...second.entries] } };
}

/**
 * The internal actions (`BecomeLeader`, `AdvanceCommitIndex`) enabled in `state`. Trace replay fires them
 * one at a time, as the spec does; real drivers and simulators fire them eagerly with `stabilize`.
 */
export function enabledInternalInputs(state: NodeState): Input[] {
  const candidates: Input[] = [Inputs.BecomeLeader(), Inputs.AdvanceCommitIndex()];
  return candidates.filter((i) => isEnabled(state, i));
}

/**
 * Fire enabled internal actions until none is left, merging their outputs. Terminates because each one
 * strictly raises something bounded (role to Leader once; commitIndex up to the log length).
 */
export function stabilize(state: NodeState): StepResult {
  let current = state;
  let outputs = NO_OUTPUTS;
  for (let next = enabledInternalInputs(current)[0]; next !== undefined; next = enabledInternalInputs(current)[0]) {
    const r = step(current, next);
    current = r.state;
    outputs = mergeOutputs(outputs, r.outputs);
  }
  return { state: current, outputs };
}

/**
 * The inputs a leader's heartbeat timer fires: one `AppendEntries` per other member. Empty for a
 * non-leader. A driver also calls this right after `BecomeLeader` to announce the new leader at once.
 */
export function heartbeatInputs(state: NodeState): Input[] {
  if (state.role !== 'Leader') return [];
  return state.servers.filter((p) => p !== state.id).map((p) => Inputs.AppendEntries(p));
}
