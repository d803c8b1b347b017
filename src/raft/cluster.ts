/**
 * A whole cluster as the spec sees it (every node's state plus the bag of messages in flight), and the
 * spec's `Next` relation over it: `clusterStep` takes one labelled action, `enabledActions` lists them all.
 *
 * Drivers own the cluster value; this module only gives them the spec's transition rules, so trace replay,
 * the simulator and the tests all move a cluster the same way.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { bagAdd, bagAddAll, bagCount, bagEntries, bagRemove, EMPTY_BAG, type MessageBag } from './bag.js';
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
  const target = targetOf(label);
  const what = formatLabel(label);
  return match(target)
    .with({ kind: 'init' }, () => refused(cluster, 'NotAStep', 'Init labels the initial state; it is not a step'))
    .with({ kind: 'network' }, (t) => {
      if (bagCount(cluster.messages, t.message) === 0) {
        return refused(cluster, 'MessageNotInFlight', `${what} is not enabled: that message is not in flight`);
      }
      const messages =
        t.name === 'DropMessage' ? bagRemove(cluster.messages, t.message) : bagAdd(cluster.messages, t.message);
      return { cluster: { ...cluster, messages }, outputs: null, notEnabled: null };
    })
    .with({ kind: 'node' }, (t) => {
      const state = cluster.nodes[t.node];
      if (state === undefined) {
        return refused(cluster, 'UnknownNode', `${what} is not enabled: ${t.node} is not a cluster member`);
      }
      let messages = cluster.messages;
      if ('message' in t.input) {
        const m = t.input.message;
        if ('peer' in label && label.peer !== m.from) {
          return refused(cluster, 'PeerMismatch', `${what} is inconsistent: peer ${label.peer} but the message is from ${m.from}`);
        }
        if (bagCount(messages, m) === 0) {
          return refused(cluster, 'MessageNotInFlight', `${what} is not enabled: ${formatMessage(m)} is not in flight`);
        }
        messages = bagRemove(messages, m);
      }
      const result = stepFn(state, t.input);
      if (result.outputs.notEnabled !== null) {
        return { cluster, outputs: result.outputs, notEnabled: result.outputs.notEnabled };
      }
      return {
        cluster: {
          ...cluster,
          nodes: { ...cluster.nodes, [t.node]: result.state },
          messages: bagAddAll(messages, result.outputs.messages),
        },
        outputs: result.outputs,
        notEnabled: null,
      };
    })
    .exhaustive();
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
