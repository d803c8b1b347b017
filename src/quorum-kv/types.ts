/**
 * The quorum store's vocabulary (`specs/QuorumKV.tla`): versions, a node's state, the messages nodes
 * exchange, the inputs a node takes and the outputs it returns.
 *
 * @module
 */

export type NodeId = string;
/** CP: strict quorums of the home replicas; AP: sloppy quorums of the first N reachable nodes, with hints. */
export type Mode = 'CP' | 'AP';
/** LWW: newest by (clock, writer's place in the walk); VV: the versions no other version descends from. */
export type Resolution = 'LWW' | 'VV';

/** One key's replication: its preference walk (every node once; the first N are its home replicas). */
export interface KVConfig {
  readonly walk: readonly NodeId[];
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly mode: Mode;
  readonly resolution: Resolution;
  /**
   * Nodes the key's range is moving to while a join or leave streams it (Cassandra's pending ranges): a
   * coordinator also sends them its writes, but their acknowledgements do not count toward W until a
   * `Reconfigure` makes them home replicas. Absent in the spec, which has no membership change.
   */
  readonly pending?: readonly NodeId[];
}

/** A version of the key. A value is written once, so it names its version. */
export interface Version {
  readonly value: string;
  /** The writer's clock when it wrote (LWW's timestamp). */
  readonly ts: number;
  readonly by: NodeId;
  /** A counter for every node of the walk. */
  readonly vv: Readonly<Record<NodeId, number>>;
}

/** A version a fallback keeps for the home replica it stood in for. */
export interface Hint {
  readonly for: NodeId;
  readonly version: Version;
}

/** What a node keeps on disk. Lists are sorted by value (then by `for`). */
export interface Durable {
  readonly store: readonly Version[];
  readonly hints: readonly Hint[];
  readonly clock: number;
}

/** A write this node coordinates that has not yet counted W acknowledgements. */
export interface PendingWrite {
  readonly value: string;
  readonly acks: readonly NodeId[];
}

/** A read this node coordinates that has not yet counted R answers. */
export interface PendingRead {
  readonly read: number;
  readonly answered: readonly NodeId[];
  readonly result: readonly Version[];
}

/** A node: its durable state and what it coordinates (lost in a crash). */
export interface KVNode extends Durable {
  readonly id: NodeId;
  readonly config: KVConfig;
  readonly pendingWrites: readonly PendingWrite[];
  readonly pendingReads: readonly PendingRead[];
}

/** A version to store (`hint` null) or keep as a hint for `hint`; a read repair's is not acknowledged. */
export interface PutMessage {
  readonly type: 'Put';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly version: Version;
  readonly hint: NodeId | null;
  readonly repair: boolean;
}
export interface AckMessage {
  readonly type: 'Ack';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly value: string;
}
export interface GetMessage {
  readonly type: 'Get';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly read: number;
}
export interface AnswerMessage {
  readonly type: 'Answer';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly read: number;
  readonly versions: readonly Version[];
}
/** A fallback hands a hinted version to the home replica it was kept for. */
export interface HandOffMessage {
  readonly type: 'HandOff';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly version: Version;
}
/** Anti-entropy: the initiator's versions, and the peer's merged versions back. */
export interface SyncMessage {
  readonly type: 'Sync' | 'SyncReply';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly versions: readonly Version[];
}
/** A membership change streams a replica's versions (its store and hinted versions) to a pending replica. */
export interface StreamMessage {
  readonly type: 'Stream';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly versions: readonly Version[];
}
export type Message = PutMessage | AckMessage | GetMessage | AnswerMessage | HandOffMessage | SyncMessage | StreamMessage;

/** What a node is asked to do. `reachable`: the nodes the coordinator can talk to now (itself included). */
export type Input =
  | { readonly type: 'ClientWrite'; readonly value: string; readonly reachable: readonly NodeId[] }
  | { readonly type: 'ClientRead'; readonly read: number; readonly reachable: readonly NodeId[] }
  | { readonly type: 'Receive'; readonly message: Message }
  | { readonly type: 'HandOff'; readonly hintFor: NodeId; readonly value: string }
  | { readonly type: 'AntiEntropy'; readonly peer: NodeId }
  | { readonly type: 'Tick' }
  // Membership (not in specs/QuorumKV.tla): the driver owns the ring and tells each node the key's new
  // walk; a replica streams what it holds to a pending replica.
  | { readonly type: 'Reconfigure'; readonly config: KVConfig }
  | { readonly type: 'Stream'; readonly peer: NodeId };

/** An answer to a client. */
export type Reply =
  | { readonly type: 'WriteAcked'; readonly value: string; readonly acks: readonly NodeId[] }
  | { readonly type: 'WriteUnavailable'; readonly value: string }
  | { readonly type: 'ReadDone'; readonly read: number; readonly answered: readonly NodeId[]; readonly result: readonly Version[] }
  | { readonly type: 'ReadUnavailable'; readonly read: number };

export interface Outputs {
  readonly messages: readonly Message[];
  readonly replies: readonly Reply[];
  /** The durable state to write before anything is sent, when the step changed it. */
  readonly persist: Durable | null;
}

export type StepResult = { readonly node: KVNode; readonly outputs: Outputs; readonly refused?: undefined } | { readonly refused: string };
