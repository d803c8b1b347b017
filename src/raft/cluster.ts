/**
 * A whole cluster as the spec sees it (every node's state plus the bag of messages in flight), and the
 * spec's `Next` relation over it: `clusterStep` takes one labelled action, `enabledActions` lists them all.
 *
 * Drivers own the cluster value; this module only gives them the spec's transition rules, so trace replay,
 * the simulator and the tests all move a cluster the same way.
 *
 * @module
 */
import {
  bagAdd,
  bagAddAll,
  bagCount,
  bagEntries,
  bagRemove,
  bagRemoveKeyed,
  EMPTY_BAG,
  messageKey,
  type MessageBag,
} from './bag.js';
import { unreachable } from '../exhaustive.js';
import type { Input, NotEnabledCode, Outputs, StepResult } from './inputs.js';
import { Inputs } from './inputs.js';
import { formatLabel, formatMessage, labelOf, targetOf, type ActionLabel } from './labels.js';
import { initialNodeState, normalizeServers } from './state.js';
import { handleInputFor, isEnabled, step } from './step.js';
import type { NodeId, NodeState, Value } from './types.js';

/** Every node's state and the messages in flight: exactly what the spec's variables describe. */
export interface ClusterSnapshot {
  /** Sorted member ids (the spec's `Server`). */
  readonly servers: readonly NodeId[];
  readonly nodes: Readonly<Record<NodeId, NodeState>>;
  readonly messages: MessageBag;
}

/** The spec's `Init`: every node a fresh Follower, nothing in flight. */
export function initialCluster(servers: readonly NodeId[]): ClusterSnapshot {
  const members = normalizeServers(servers);
  const nodes: Record<NodeId, NodeState> = {};
  for (const id of members) nodes[id] = initialNodeState(id, members);
  return { servers: members, nodes, messages: EMPTY_BAG };
}

/** Why a labelled action cannot be taken in a cluster. */
export interface ClusterRefusal {
  readonly code:
    | NotEnabledCode
    | 'UnknownNode'
    | 'MessageNotInFlight'
    | 'PeerMismatch'
    | 'NotAStep';
  readonly reason: string;
}

/** The result of one cluster-level action. */
export interface ClusterStepResult {
  readonly cluster: ClusterSnapshot;
  /** The stepping node's outputs; `null` for network actions and refusals. */
  readonly outputs: Outputs | null;
  /** Set when the action is not enabled; `cluster` is then the unchanged input. */
  readonly notEnabled: ClusterRefusal | null;
}

/** The node step function `clusterStep` uses; injectable so tests can run a deliberately broken core. */
export type StepFn = (state: NodeState, input: Input) => StepResult;

function refused(cluster: ClusterSnapshot, code: ClusterRefusal['code'], reason: string): ClusterStepResult {
  return { cluster, outputs: null, notEnabled: { code, reason } };
}

/**
 * Take one spec action. A node action steps that node; a `Handle*` action additionally consumes one copy
 * of its message, which must be in flight, addressed to `node` and sent by `peer`. Messages the step sends
 * join the bag. `DropMessage` / `DuplicateMessage` change only the bag.
 */
export function clusterStep(cluster: ClusterSnapshot, label: ActionLabel, stepFn: StepFn = step): ClusterStepResult {
  // A switch, not ts-pattern, and the label is formatted only for a refusal: this runs for every step.
  const target = targetOf(label);
  switch (target.kind) {
    case 'init':
      return refused(cluster, 'NotAStep', 'Init labels the initial state; it is not a step');
    case 'network': {
      if (bagCount(cluster.messages, target.message) === 0) {
        return refused(cluster, 'MessageNotInFlight', `${formatLabel(label)} is not enabled: that message is not in flight`);
      }
      const messages =
        target.name === 'DropMessage' ? bagRemove(cluster.messages, target.message) : bagAdd(cluster.messages, target.message);
      return { cluster: { ...cluster, messages }, outputs: null, notEnabled: null };
    }
    case 'node':
      return nodeStep(cluster, label, target.node, target.input, stepFn);
    default:
      return unreachable(target, 'label target');
  }
}

function nodeStep(cluster: ClusterSnapshot, label: ActionLabel, node: NodeId, input: Input, stepFn: StepFn): ClusterStepResult {
  const state = cluster.nodes[node];
  if (state === undefined) {
    return refused(cluster, 'UnknownNode', `${formatLabel(label)} is not enabled: ${node} is not a cluster member`);
  }
  let messages = cluster.messages;
  if ('message' in input) {
    const m = input.message;
    if ('peer' in label && label.peer !== m.from) {
      return refused(cluster, 'PeerMismatch', `${formatLabel(label)} is inconsistent: peer ${label.peer} but the message is from ${m.from}`);
    }
    const key = messageKey(m);
    if (!messages.has(key)) {
      return refused(cluster, 'MessageNotInFlight', `${formatLabel(label)} is not enabled: ${formatMessage(m)} is not in flight`);
    }
    messages = bagRemoveKeyed(messages, key);
  }
  const result = stepFn(state, input);
  if (result.outputs.notEnabled !== null) {
    return { cluster, outputs: result.outputs, notEnabled: result.outputs.notEnabled };
  }
  return {
    cluster: {
      ...cluster,
      nodes: { ...cluster.nodes, [node]: result.state },
      messages: bagAddAll(messages, result.outputs.messages),
    },
    outputs: result.outputs,
    notEnabled: null,
  };
}

/**
 * Every action enabled in `cluster` (the spec's `Next`, unrolled), in a deterministic order: node actions
 * per node, then for each distinct message in flight its delivery, drop and duplication. `values` is the
 * spec's `Value` set offered to `ClientRequest`. `duplicates` can be turned off to keep the bag finite in
 * long random runs.
 */
export function enabledActions(
  cluster: ClusterSnapshot,
  values: readonly Value[],
  options: { duplicates?: boolean } = {},
): ActionLabel[] {
  const out: ActionLabel[] = [];
  for (const id of cluster.servers) {
    const state = cluster.nodes[id];
    if (state === undefined) continue;
    const inputs: Input[] = [
      Inputs.Timeout(),
      Inputs.Restart(),
      Inputs.BecomeLeader(),
      ...values.map((v) => Inputs.ClientRequest(v)),
      ...cluster.servers.filter((p) => p !== id).map((p) => Inputs.AppendEntries(p)),
      Inputs.AdvanceCommitIndex(),
    ];
    for (const input of inputs) if (isEnabled(state, input)) out.push(labelOf(id, input));
  }
  for (const { message } of bagEntries(cluster.messages)) {
    const dest = cluster.nodes[message.to];
    const handle = handleInputFor(message);
    if (dest !== undefined && isEnabled(dest, handle)) out.push(labelOf(message.to, handle));
    out.push({ name: 'DropMessage', message });
    if (options.duplicates !== false) out.push({ name: 'DuplicateMessage', message });
  }
  return out;
}
