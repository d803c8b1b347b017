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
  return match(input)
    .with({ type: 'Timeout' }, () => ({ name: 'Timeout' as const, node }))
    .with({ type: 'Restart' }, () => ({ name: 'Restart' as const, node }))
    .with({ type: 'BecomeLeader' }, () => ({ name: 'BecomeLeader' as const, node }))
    .with({ type: 'AdvanceCommitIndex' }, () => ({ name: 'AdvanceCommitIndex' as const, node }))
    .with({ type: 'ClientRequest' }, (i) => ({ name: 'ClientRequest' as const, node, value: i.value }))
    .with({ type: 'AppendEntries' }, (i) => ({ name: 'AppendEntries' as const, node, peer: i.peer }))
    .with({ type: 'HandleRequestVoteRequest' }, (i) => ({
      name: i.type,
      node,
      peer: i.message.from,
      message: i.message,
    }))
    .with({ type: 'HandleRequestVoteResponse' }, (i) => ({
      name: i.type,
      node,
      peer: i.message.from,
      message: i.message,
    }))
    .with({ type: 'HandleAppendEntriesRequest' }, (i) => ({
      name: i.type,
      node,
      peer: i.message.from,
      message: i.message,
    }))
    .with({ type: 'HandleAppendEntriesResponse' }, (i) => ({
      name: i.type,
      node,
      peer: i.message.from,
      message: i.message,
    }))
    .exhaustive();
}

/** What a label asks for: a node step, a network step, or nothing (`Init` is not a step). */
export type LabelTarget =
  | { readonly kind: 'node'; readonly node: NodeId; readonly input: Input }
  | { readonly kind: 'network'; readonly name: 'DropMessage' | 'DuplicateMessage'; readonly message: Message }
  | { readonly kind: 'init' };

/** Split a label into the node and the input that the core understands (the inverse of `labelOf`). */
export function targetOf(label: ActionLabel): LabelTarget {
  return match(label)
    .with({ name: 'Init' }, () => ({ kind: 'init' as const }))
    .with({ name: 'Timeout' }, (l) => node(l.node, Inputs.Timeout()))
    .with({ name: 'Restart' }, (l) => node(l.node, Inputs.Restart()))
    .with({ name: 'BecomeLeader' }, (l) => node(l.node, Inputs.BecomeLeader()))
    .with({ name: 'AdvanceCommitIndex' }, (l) => node(l.node, Inputs.AdvanceCommitIndex()))
    .with({ name: 'ClientRequest' }, (l) => node(l.node, Inputs.ClientRequest(l.value)))
    .with({ name: 'AppendEntries' }, (l) => node(l.node, Inputs.AppendEntries(l.peer)))
    .with({ name: 'HandleRequestVoteRequest' }, (l) => node(l.node, Inputs.HandleRequestVoteRequest(l.message)))
    .with({ name: 'HandleRequestVoteResponse' }, (l) => node(l.node, Inputs.HandleRequestVoteResponse(l.message)))
    .with({ name: 'HandleAppendEntriesRequest' }, (l) => node(l.node, Inputs.HandleAppendEntriesRequest(l.message)))
    .with({ name: 'HandleAppendEntriesResponse' }, (l) => node(l.node, Inputs.HandleAppendEntriesResponse(l.message)))
    .with({ name: 'DropMessage' }, { name: 'DuplicateMessage' }, (l) => ({
      kind: 'network' as const,
      name: l.name,
      message: l.message,
    }))
    .exhaustive();
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
