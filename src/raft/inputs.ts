/**
 * What goes into `step` (inputs) and what comes out (outputs).
 *
 * Input names are the spec's node-level action names. The spec's `node` parameter is implicit (it is the
 * state being stepped); its `peer` parameter is `peer` for `AppendEntries` and `message.from` for the four
 * `Handle*` inputs. `DropMessage` and `DuplicateMessage` are network actions, so they are not inputs here;
 * `clusterStep` in `cluster.ts` models them.
 *
 * @module
 */
import type {
  AppendEntriesRequest,
  AppendEntriesResponse,
  Message,
  RequestVoteRequest,
  RequestVoteResponse,
} from './messages.js';
import type { HardState, Index, LogEntry, NodeId, NodeState, Term, Value } from './types.js';

/** The election timer fired (only a Follower or Candidate reacts). */
export interface TimeoutInput {
  readonly type: 'Timeout';
}
/** The node crashed and came back with its durable state (term, vote, log). */
export interface RestartInput {
  readonly type: 'Restart';
}
/** Internal: a Candidate with a strict majority of votes takes office. */
export interface BecomeLeaderInput {
  readonly type: 'BecomeLeader';
}
/** A client asks this node to append `value`. */
export interface ClientRequestInput {
  readonly type: 'ClientRequest';
  readonly value: Value;
}
/** The leader's per-peer send opportunity (driven by the heartbeat timer or by new entries). */
export interface AppendEntriesInput {
  readonly type: 'AppendEntries';
  readonly peer: NodeId;
}
/** Internal: the leader commits the highest index a majority holds (subject to the Figure 8 rule). */
export interface AdvanceCommitIndexInput {
  readonly type: 'AdvanceCommitIndex';
}
/** Handle one copy of a `RequestVoteRequest` addressed to this node. */
export interface HandleRequestVoteRequestInput {
  readonly type: 'HandleRequestVoteRequest';
  readonly message: RequestVoteRequest;
}
/** Handle one copy of a `RequestVoteResponse` addressed to this node. */
export interface HandleRequestVoteResponseInput {
  readonly type: 'HandleRequestVoteResponse';
  readonly message: RequestVoteResponse;
}
/** Handle one copy of an `AppendEntriesRequest` addressed to this node. */
export interface HandleAppendEntriesRequestInput {
  readonly type: 'HandleAppendEntriesRequest';
  readonly message: AppendEntriesRequest;
}
/** Handle one copy of an `AppendEntriesResponse` addressed to this node. */
export interface HandleAppendEntriesResponseInput {
  readonly type: 'HandleAppendEntriesResponse';
  readonly message: AppendEntriesResponse;
}

/** Every input `step` accepts; `type` is the spec action name. */
export type Input =
  | TimeoutInput
  | RestartInput
  | BecomeLeaderInput
  | ClientRequestInput
  | AppendEntriesInput
  | AdvanceCommitIndexInput
  | HandleRequestVoteRequestInput
  | HandleRequestVoteResponseInput
  | HandleAppendEntriesRequestInput
  | HandleAppendEntriesResponseInput;

/** The spec's node-level action names. */
export type InputType = Input['type'];

/** The inputs that carry a received message. */
export type HandleInput =
  | HandleRequestVoteRequestInput
  | HandleRequestVoteResponseInput
  | HandleAppendEntriesRequestInput
  | HandleAppendEntriesResponseInput;

/** The message each `Handle*` input carries: the spec's `Handle<mtype>` naming, as one table. */
export const MESSAGE_TYPE_OF_HANDLE_INPUT = {
  HandleRequestVoteRequest: 'RequestVoteRequest',
  HandleRequestVoteResponse: 'RequestVoteResponse',
  HandleAppendEntriesRequest: 'AppendEntriesRequest',
  HandleAppendEntriesResponse: 'AppendEntriesResponse',
} as const satisfies Readonly<Record<HandleInput['type'], Message['type']>>;

/** Input constructors, so call sites read like the spec (`Inputs.AppendEntries('s2')`). */
export const Inputs = {
  Timeout: (): TimeoutInput => ({ type: 'Timeout' }),
  Restart: (): RestartInput => ({ type: 'Restart' }),
  BecomeLeader: (): BecomeLeaderInput => ({ type: 'BecomeLeader' }),
  ClientRequest: (value: Value): ClientRequestInput => ({ type: 'ClientRequest', value }),
  AppendEntries: (peer: NodeId): AppendEntriesInput => ({ type: 'AppendEntries', peer }),
  AdvanceCommitIndex: (): AdvanceCommitIndexInput => ({ type: 'AdvanceCommitIndex' }),
  HandleRequestVoteRequest: (message: RequestVoteRequest): HandleRequestVoteRequestInput => ({
    type: 'HandleRequestVoteRequest',
    message,
  }),
  HandleRequestVoteResponse: (message: RequestVoteResponse): HandleRequestVoteResponseInput => ({
    type: 'HandleRequestVoteResponse',
    message,
  }),
  HandleAppendEntriesRequest: (message: AppendEntriesRequest): HandleAppendEntriesRequestInput => ({
    type: 'HandleAppendEntriesRequest',
    message,
  }),
  HandleAppendEntriesResponse: (message: AppendEntriesResponse): HandleAppendEntriesResponseInput => ({
    type: 'HandleAppendEntriesResponse',
    message,
  }),
} as const;

/** Why an input was refused. Codes are stable (tests and the replay harness match on them). */
export type NotEnabledCode =
  | 'NotFollowerOrCandidate'
  | 'NotCandidate'
  | 'NoMajority'
  | 'NotLeader'
  | 'NothingToCommit'
  | 'UnknownPeer'
  | 'WrongDestination'
  | 'MessageTypeMismatch';

/**
 * An input the spec would not allow in this state. The state is returned unchanged, so a replay harness
 * can report "the implementation refused a step the spec took" with `reason` as the explanation.
 */
export interface NotEnabled {
  readonly code: NotEnabledCode;
  readonly input: InputType;
  readonly node: NodeId;
  /** One sentence for a human: what was asked, and which condition failed. */
  readonly reason: string;
}

/**
 * A change to the durable log: drop every entry at `fromIndex` and after, then append `entries`.
 * One shape covers both an append (`fromIndex` = old length + 1) and the repair of a conflicting suffix.
 */
export interface LogWrite {
  readonly fromIndex: Index;
  readonly entries: readonly LogEntry[];
}

/**
 * What must reach stable storage before any message of the same step is sent (etcd's `Ready` contract).
 * Present only when something durable changed.
 */
export interface PersistUpdate {
  /** The new term and vote, when either changed. */
  readonly hardState: HardState | null;
  /** The log change, when the log changed. */
  readonly logWrite: LogWrite | null;
}

/** An entry that became committed on this node in this step, for the application to apply in order. */
export interface CommittedEntry {
  readonly index: Index;
  readonly term: Term;
  readonly value: Value;
}

/** A leader took the client's value; the client is answered for real once `index`/`term` is committed. */
export interface AcceptedReply {
  readonly type: 'Accepted';
  readonly value: Value;
  readonly index: Index;
  readonly term: Term;
}

/** This node is not the leader; retry at `leaderHint` if it is known. */
export interface NotLeaderReply {
  readonly type: 'NotLeader';
  readonly value: Value;
  readonly leaderHint: NodeId | null;
}

/** An answer to a `ClientRequest`. */
export type ClientReply = AcceptedReply | NotLeaderReply;

/**
 * Everything a step asks the driver to do, in this order: persist, then send, then apply committed
 * entries and answer clients (sending before persisting could let a vote or an ack outlive a crash that
 * erased it).
 */
export interface Outputs {
  /** Messages to put on the network, in a deterministic order. */
  readonly messages: readonly Message[];
  /** Durable changes; `null` when nothing durable changed. */
  readonly persist: PersistUpdate | null;
  /** Entries newly committed on this node, ascending by index. */
  readonly committed: readonly CommittedEntry[];
  /** Answers to client requests. */
  readonly replies: readonly ClientReply[];
  /**
   * True when a driver that models time should restart this node's election timer with a fresh random
   * timeout (a vote was granted, a current leader was heard, the node started an election or restarted,
   * or it stepped down to a newer term). The core itself never looks at time.
   */
  readonly resetElectionTimer: boolean;
  /**
   * Set when the input was refused. The state is then unchanged and nothing is sent, persisted or committed;
   * a refused `ClientRequest` still carries its `NotLeader` reply so the client can be redirected.
   */
  readonly notEnabled: NotEnabled | null;
}

/** The result of one `step`. */
export interface StepResult {
  readonly state: NodeState;
  readonly outputs: Outputs;
}
