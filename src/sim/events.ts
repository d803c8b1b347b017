/**
 * The simulator's events: what its queue holds, each at a virtual time.
 *
 * @module
 */
import type { KvRequest, KvResponse } from '../kv/client.js';
import type { Message, Term } from '../raft/index.js';

/** One scheduled event. Nodes and clients are numbered: nodes `0..n-1`, clients after them on the network. */
export type SimEvent =
  /** A Raft message reaches node `to`. */
  | { readonly kind: 'raft'; readonly to: number; readonly from: number; readonly message: Message }
  /** A client's request reaches node `to`. */
  | { readonly kind: 'request'; readonly to: number; readonly from: number; readonly request: KvRequest }
  /** A node's answer reaches client `client`. */
  | { readonly kind: 'response'; readonly client: number; readonly from: number; readonly response: KvResponse }
  /** A node's election timer, as armed under `token` (a newer arming makes it stale). */
  | { readonly kind: 'election'; readonly node: number; readonly token: number }
  /** A leader's heartbeat timer, armed in `incarnation` as leader of `term`. */
  | { readonly kind: 'heartbeat'; readonly node: number; readonly incarnation: number; readonly term: Term }
  /** The oldest write of the node's `incarnation` is durable. */
  | { readonly kind: 'disk'; readonly node: number; readonly incarnation: number }
  /** A client's timer. */
  | { readonly kind: 'client'; readonly client: number; readonly token: number }
  | { readonly kind: 'fault-start'; readonly fault: number }
  | { readonly kind: 'fault-end'; readonly fault: number }
  /** A crashed node comes back (unless it crashed again since `incarnation`). */
  | { readonly kind: 'restart'; readonly node: number; readonly incarnation: number }
  /** Every fault stops. */
  | { readonly kind: 'heal' };

/** The events that travel over the network. */
export type Delivery = Extract<SimEvent, { kind: 'raft' | 'request' | 'response' }>;
