/**
 * What a node accepts on a connection it was dialed on. The first frame says what the connection is:
 * a `hello` makes it a link from a peer node (checked against this node's cluster identity), a `request`
 * makes it a client's. After that, a peer may send only Raft messages from itself to this node, and a
 * client only requests. Anything else is refused with a reason, for the caller to send back (a `refused`
 * frame) and log before closing the connection.
 *
 * @module
 */
import { match } from 'ts-pattern';
import type { Message, NodeId } from '../raft/index.js';
import { type ClusterIdentity, type Frame, type HelloFrame, type RequestFrame, WIRE_VERSION, formatIdentity, sameIdentity } from './wire.js';

/** A node as its own configuration describes it. */
export interface LocalNode {
  readonly nodeId: NodeId;
  readonly cluster: ClusterIdentity;
}

/** The hello `local` sends first on a connection it dials to `peer`. */
export function helloFrom(local: LocalNode, peer: NodeId): HelloFrame {
  return { kind: 'hello', version: WIRE_VERSION, from: local.nodeId, to: peer, cluster: local.cluster };
}

/** Why `local` refuses `hello`, or `null` when it accepts the peer. */
export function checkHello(hello: HelloFrame, local: LocalNode): string | null {
  const ours = local.cluster;
  if (hello.cluster.clusterId !== ours.clusterId) {
    return `${hello.from} belongs to cluster ${formatIdentity(hello.cluster)}, this is ${local.nodeId} of cluster ${formatIdentity(ours)}`;
  }
  if (!ours.members.includes(hello.from)) {
    return `${hello.from} is not a member of cluster ${formatIdentity(ours)}; a node joins only through a configuration listing it`;
  }
  if (!sameIdentity(hello.cluster, ours)) {
    return `${hello.from} is configured with members ${hello.cluster.members.join(', ')}, ${local.nodeId} with ${ours.members.join(', ')}; every node needs the same membership`;
  }
  if (hello.from === local.nodeId) return `${hello.from} dialed itself: its configuration gives its own id to another address`;
  if (hello.to !== local.nodeId) return `${hello.from} meant to reach ${hello.to} but reached ${local.nodeId}: check the addresses in its configuration`;
  return null;
}

/** What the connection's latest frame means for the node. */
export type InboundEvent =
  /** A peer completed its handshake; Raft messages from it follow. */
  | { readonly type: 'peer'; readonly peer: NodeId }
  | { readonly type: 'raft'; readonly message: Message }
  | { readonly type: 'request'; readonly request: RequestFrame }
  /** A client asks how the node is. */
  | { readonly type: 'status' }
  /** The other end gave up on this connection, and said why. */
  | { readonly type: 'refused-by-remote'; readonly reason: string }
  /** Refuse the connection: send this reason back, log it, close. */
  | { readonly type: 'refuse'; readonly reason: string };

type Phase = { readonly is: 'new' } | { readonly is: 'peer'; readonly peer: NodeId } | { readonly is: 'client' } | { readonly is: 'refused' };

/** The rules of one accepted connection (see the module comment). */
export class InboundSession {
  private phase: Phase = { is: 'new' };

  constructor(private readonly local: LocalNode) {}

  /** The peer this connection comes from, once its hello was accepted. */
  get peer(): NodeId | null {
    return this.phase.is === 'peer' ? this.phase.peer : null;
  }

  /** The next frame of the connection. After a `refuse`, every later frame is refused too. */
  receive(frame: Frame): InboundEvent {
    const phase = this.phase;
    if (phase.is === 'refused') {
      return frame.kind === 'refused' ? { type: 'refused-by-remote', reason: frame.reason } : refuse('the connection was already refused');
    }
    const event = match(frame)
      .with({ kind: 'hello' }, (hello): InboundEvent => {
        if (phase.is !== 'new') return refuse('a hello came after the connection had started');
        const problem = checkHello(hello, this.local);
        if (problem !== null) return refuse(problem);
        this.phase = { is: 'peer', peer: hello.from };
        return { type: 'peer', peer: hello.from };
      })
      .with({ kind: 'raft' }, ({ message }): InboundEvent => {
        if (phase.is !== 'peer') return refuse(`a Raft message came before a hello (on a ${phase.is === 'client' ? 'client' : 'new'} connection)`);
        if (message.from !== phase.peer) return refuse(`${phase.peer} sent a ${message.type} claiming to come from ${message.from}`);
        if (message.to !== this.local.nodeId) return refuse(`${phase.peer} sent ${this.local.nodeId} a ${message.type} addressed to ${message.to}`);
        return { type: 'raft', message };
      })
      .with({ kind: 'request' }, (request): InboundEvent => {
        if (phase.is === 'peer') return refuse(`${phase.peer} sent a client request on a link between nodes`);
        if (phase.is === 'new') this.phase = { is: 'client' };
        return { type: 'request', request };
      })
      .with({ kind: 'status' }, (): InboundEvent => {
        if (phase.is === 'peer') return refuse(`${phase.peer} asked for a status on a link between nodes`);
        if (phase.is === 'new') this.phase = { is: 'client' };
        return { type: 'status' };
      })
      .with({ kind: 'response' }, (): InboundEvent => refuse('a node does not take responses; it answers requests'))
      .with({ kind: 'status-reply' }, (): InboundEvent => refuse('a node does not take status replies; it answers status requests'))
      .with({ kind: 'refused' }, ({ reason }): InboundEvent => ({ type: 'refused-by-remote', reason }))
      .exhaustive();
    if (event.type === 'refuse') this.phase = { is: 'refused' };
    return event;
  }
}

function refuse(reason: string): InboundEvent {
  return { type: 'refuse', reason };
}
