/**
 * Action labels: the spec's `action` variable (`[name |-> "Timeout", node |-> s1]`) as a TS value, with
 * readable messages. Converting between a label and a node input is how trace replay drives the core and
 * how simulators describe what they did in the spec's own words.
 *
 * @module
 */
import { match } from 'ts-pattern';
import type { Input } from './inputs.js';
import { Inputs } from './inputs.js';
import { unreachable } from '../exhaustive.js';
import type {
  AppendEntriesRequest,
  AppendEntriesResponse,
  Message,
  RequestVoteRequest,
  RequestVoteResponse,
} from './messages.js';
import type { NodeId, Value } from './types.js';

/** A node action with only the `node` parameter. */
export interface NodeOnlyLabel<N extends string> {
  readonly name: N;
  readonly node: NodeId;
}

/** A `Handle*` action: `node` consumes one copy of `message`, which came from `peer`. */
export interface HandleLabel<N extends string, M extends Message> {
  readonly name: N;
  readonly node: NodeId;
  readonly peer: NodeId;
  readonly message: M;
}

/** A network action on one message. */
export interface NetworkLabel<N extends string> {
  readonly name: N;
  readonly message: Message;
}

/** Every value of the spec's `action` variable, parameters named as in the vocabulary. */
export type ActionLabel =
  | { readonly name: 'Init' }
  | NodeOnlyLabel<'Timeout'>
  | NodeOnlyLabel<'Restart'>
  | NodeOnlyLabel<'BecomeLeader'>
  | NodeOnlyLabel<'AdvanceCommitIndex'>
  | { readonly name: 'ClientRequest'; readonly node: NodeId; readonly value: Value }
  | { readonly name: 'AppendEntries'; readonly node: NodeId; readonly peer: NodeId }
  | HandleLabel<'HandleRequestVoteRequest', RequestVoteRequest>
  | HandleLabel<'HandleRequestVoteResponse', RequestVoteResponse>
  | HandleLabel<'HandleAppendEntriesRequest', AppendEntriesRequest>
  | HandleLabel<'HandleAppendEntriesResponse', AppendEntriesResponse>
  | NetworkLabel<'DropMessage'>
  | NetworkLabel<'DuplicateMessage'>;

/** The spec's action names. */
export type ActionName = ActionLabel['name'];

/** The label of `node` taking `input`. */
export function labelOf(node: NodeId, input: Input): ActionLabel {
  // Switches, not ts-pattern, here and in `targetOf`: they run for every step (see exhaustive.ts).
  switch (input.type) {
    case 'Timeout':
    case 'Restart':
    case 'BecomeLeader':
    case 'AdvanceCommitIndex':
      return { name: input.type, node };
    case 'ClientRequest':
      return { name: 'ClientRequest', node, value: input.value };
    case 'AppendEntries':
      return { name: 'AppendEntries', node, peer: input.peer };
    case 'HandleRequestVoteRequest':
      return { name: input.type, node, peer: input.message.from, message: input.message };
    case 'HandleRequestVoteResponse':
      return { name: input.type, node, peer: input.message.from, message: input.message };
    case 'HandleAppendEntriesRequest':
      return { name: input.type, node, peer: input.message.from, message: input.message };
    case 'HandleAppendEntriesResponse':
      return { name: input.type, node, peer: input.message.from, message: input.message };
    default:
      return unreachable(input, 'input');
  }
}

/** What a label asks for: a node step, a network step, or nothing (`Init` is not a step). */
export type LabelTarget =
  | { readonly kind: 'node'; readonly node: NodeId; readonly input: Input }
  | { readonly kind: 'network'; readonly name: 'DropMessage' | 'DuplicateMessage'; readonly message: Message }
  | { readonly kind: 'init' };

/** Split a label into the node and the input that the core understands (the inverse of `labelOf`). */
export function targetOf(label: ActionLabel): LabelTarget {
  switch (label.name) {
    case 'Init':
      return { kind: 'init' };
    case 'Timeout':
    case 'Restart':
    case 'BecomeLeader':
    case 'AdvanceCommitIndex':
      return node(label.node, { type: label.name });
    case 'ClientRequest':
      return node(label.node, Inputs.ClientRequest(label.value));
    case 'AppendEntries':
      return node(label.node, Inputs.AppendEntries(label.peer));
    case 'HandleRequestVoteRequest':
      return node(label.node, Inputs.HandleRequestVoteRequest(label.message));
    case 'HandleRequestVoteResponse':
      return node(label.node, Inputs.HandleRequestVoteResponse(label.message));
    case 'HandleAppendEntriesRequest':
      return node(label.node, Inputs.HandleAppendEntriesRequest(label.message));
    case 'HandleAppendEntriesResponse':
      return node(label.node, Inputs.HandleAppendEntriesResponse(label.message));
    case 'DropMessage':
    case 'DuplicateMessage':
      return { kind: 'network', name: label.name, message: label.message };
    default:
      return unreachable(label, 'action label');
  }
}

function node(id: NodeId, input: Input): LabelTarget {
  return { kind: 'node', node: id, input };
}

/** A one-line rendering of a label for logs and failure reports (`HandleRequestVoteRequest(s2, s1)`). */
export function formatLabel(label: ActionLabel): string {
  return match(label)
    .with({ name: 'Init' }, () => 'Init')
    .with(
      { name: 'Timeout' },
      { name: 'Restart' },
      { name: 'BecomeLeader' },
      { name: 'AdvanceCommitIndex' },
      (l) => `${l.name}(${l.node})`,
    )
    .with({ name: 'ClientRequest' }, (l) => `ClientRequest(${l.node}, ${l.value})`)
    .with({ name: 'AppendEntries' }, (l) => `AppendEntries(${l.node}, ${l.peer})`)
    .with(
      { name: 'HandleRequestVoteRequest' },
      { name: 'HandleRequestVoteResponse' },
      { name: 'HandleAppendEntriesRequest' },
      { name: 'HandleAppendEntriesResponse' },
      (l) => `${l.name}(${l.node}, ${l.peer}, ${formatMessage(l.message)})`,
    )
    .with({ name: 'DropMessage' }, { name: 'DuplicateMessage' }, (l) => `${l.name}(${formatMessage(l.message)})`)
    .exhaustive();
}

/** A compact one-line rendering of a message, e.g. `AppendEntriesRequest s1->s2 t2 prev=1/1 [t2:v1] c=1`. */
export function formatMessage(m: Message): string {
  const head = `${m.type} ${m.from}->${m.to} t${m.term}`;
  return match(m)
    .with({ type: 'RequestVoteRequest' }, (x) => `${head} last=${x.lastLogIndex}/${x.lastLogTerm}`)
    .with({ type: 'RequestVoteResponse' }, (x) => `${head} ${x.voteGranted ? 'granted' : 'refused'}`)
    .with(
      { type: 'AppendEntriesRequest' },
      (x) =>
        `${head} prev=${x.prevLogIndex}/${x.prevLogTerm} [${x.entries.map((e) => `t${e.term}:${e.value}`).join(' ')}] c=${x.commitIndex}`,
    )
    .with({ type: 'AppendEntriesResponse' }, (x) => `${head} ${x.success ? 'ok' : 'fail'} match=${x.matchIndex}`)
    .exhaustive();
}
