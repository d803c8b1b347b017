/**
 * A client of a real cluster: put, get and compare-and-set over TCP, with leader redirects and retries.
 *
 * Each call is one request id `(clientId, seq)`, kept by every retry of it, so however many of its copies
 * reach the log it applies once (the state machine's client sessions). A call ends with one of:
 * - `ok`: the node that took it applied it; the operation's result;
 * - `fail`: it was certainly not applied: every copy that reached a node was refused with a redirect
 *   (that node did not take it), and the others never left this process;
 * - `indeterminate`: it may or may not have been applied (a copy was taken, or may have been, and no
 *   answer came in time: a timeout, a lost connection, a leader that stepped down).
 *
 * One call at a time per connection object (a client is sequential); one socket at a time, to the node
 * believed to lead.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { KvOp, KvResult } from '../kv/command.js';
import type { NodeId } from '../raft/index.js';
import { type Address, formatAddress, parseAddress } from './config.js';
import { FramedSocket, formatCloseReason } from './framed-socket.js';
import type { KvOutcome, NodeStatus } from './wire.js';

/** How a call ended; see the module comment. */
export type KvCallResult =
  | { readonly type: 'ok'; readonly result: KvResult; readonly node: NodeId; readonly attempts: number }
  | { readonly type: 'fail'; readonly reason: string; readonly attempts: number }
  | { readonly type: 'indeterminate'; readonly reason: string; readonly attempts: number };

/** A member as a client sees it. */
export interface ClientMember {
  readonly id: NodeId;
  readonly client: Address;
}

/** How a connection is made. */
export interface KvConnectionOptions {
  readonly members: readonly ClientMember[];
  /** The client id (`[A-Za-z0-9.:-]+`); default a random `c-<hex>`. Two live clients must not share one. */
  readonly clientId?: string;
  /** The node to ask first (default: the first member). */
  readonly firstNode?: NodeId;
  /** The first request number (default 1): a client id reused after a restart must continue above its last. */
  readonly firstSeq?: number;
}

/** Options of one call. */
export interface CallOptions {
  /** Give up after this many ms (default 5000). */
  readonly timeoutMs?: number;
}

/** What a connection attempt or a wait gave. */
type Reply = { readonly kind: 'outcome'; readonly outcome: KvOutcome } | { readonly kind: 'closed'; readonly reason: string } | { readonly kind: 'timeout' };

const TOKEN = /^[A-Za-z0-9.:-]+$/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** An open socket to one node, with at most one request waiting on it. */
class NodeSocket {
  private waiter: { readonly seq: number; readonly resolve: (reply: Reply) => void } | null = null;
  closedReason: string | null = null;

  constructor(
    readonly node: NodeId,
    readonly framed: FramedSocket,
    private readonly clientId: string,
  ) {}

  static open(member: ClientMember, clientId: string, members: readonly NodeId[], timeoutMs: number): Promise<NodeSocket | string> {
    return new Promise((resolve) => {
      const socket = connect({ host: member.client.host, port: member.client.port });
      let settled = false;
      const timer = setTimeout(() => done(`no connection to ${member.id} at ${formatAddress(member.client)} within ${Math.round(timeoutMs)} ms`), timeoutMs);
      const done = (value: NodeSocket | string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (typeof value === 'string') node.framed.close(value);
        resolve(value);
      };
      const framed = new FramedSocket(
        socket,
        {
          frame: (frame) => {
            if (frame.kind === 'response') node.answer(frame.client, frame.seq, frame.outcome);
            else if (frame.kind === 'refused') framed.close(`${member.id} refused: ${frame.reason}`);
            else framed.refuse(`a client takes responses, not a ${frame.kind}`);
          },
          closed: (reason) => {
            const text = reason.type === 'local' ? reason.reason : `${member.id} at ${formatAddress(member.client)}: ${formatCloseReason(reason)}`;
            node.lost(text);
            done(text);
          },
        },
        { members },
      );
      const node = new NodeSocket(member.id, framed, clientId);
      socket.once('connect', () => done(node));
    });
  }

  /** Sends the request and waits for its answer, the socket's end, or `timeoutMs`. */
  request(seq: number, attempt: number, op: KvOp, timeoutMs: number): Promise<Reply> {
    if (this.closedReason !== null) return Promise.resolve({ kind: 'closed', reason: this.closedReason });
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout' }), Math.max(1, timeoutMs));
      const finish = (reply: Reply) => {
        clearTimeout(timer);
        if (this.waiter?.seq === seq) this.waiter = null;
        resolve(reply);
      };
      this.waiter = { seq, resolve: finish };
      const sent = this.framed.send({ kind: 'request', client: this.clientId, seq, attempt, op });
      if (!sent.sent) finish({ kind: 'closed', reason: sent.detail });
    });
  }

  answer(client: string, seq: number, outcome: KvOutcome): void {
    // A late answer to an earlier request of this client is nobody's business now.
    if (client !== this.clientId || this.waiter?.seq !== seq) return;
    this.waiter.resolve({ kind: 'outcome', outcome });
  }

  lost(reason: string): void {
    this.closedReason = reason;
    this.waiter?.resolve({ kind: 'closed', reason });
  }

  close(): void {
    this.framed.close('the client is done');
  }
}

/** A sequential client of one cluster; see the module comment. */
export class KvConnection {
  readonly clientId: string;
  private readonly members: readonly ClientMember[];
  private readonly ids: readonly NodeId[];
  private seq: number;
  private busy = false;
  private closed = false;
  private socket: NodeSocket | null = null;
  /** The node to try next: the last leader, a redirect's target, or the next member round the ring. */
  private target: number;

  constructor(options: KvConnectionOptions) {
    if (options.members.length === 0) throw new RangeError('a KvConnection needs at least one member');
    this.members = options.members;
    this.ids = options.members.map((m) => m.id);
    this.clientId = options.clientId ?? `c-${randomBytes(6).toString('hex')}`;
    if (!TOKEN.test(this.clientId)) throw new RangeError(`client id ${JSON.stringify(this.clientId)} must match ${TOKEN}`);
    this.seq = (options.firstSeq ?? 1) - 1;
    const first = options.firstNode === undefined ? 0 : this.ids.indexOf(options.firstNode);
    this.target = first < 0 ? 0 : first;
  }

  /** The request number of the last call. */
  get lastSeq(): number {
    return this.seq;
  }

  put(key: string, value: string, options: CallOptions = {}): Promise<KvCallResult> {
    return this.call({ type: 'put', key, value }, options);
  }

  get(key: string, options: CallOptions = {}): Promise<KvCallResult> {
    return this.call({ type: 'get', key }, options);
  }

  /** Set `key` to `value` if it holds `expected` (`null`: if it is absent). */
  cas(key: string, expected: string | null, value: string, options: CallOptions = {}): Promise<KvCallResult> {
    return this.call({ type: 'cas', key, expected, value }, options);
  }

  /** Close the socket; later calls fail. */
  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = null;
  }

  /** Runs one operation to its end; see the module comment. Throws `RangeError` for a key or value that is not a token. */
  async call(op: KvOp, options: CallOptions = {}): Promise<KvCallResult> {
    for (const text of [op.key, ...(op.type === 'get' ? [] : [op.value]), ...(op.type === 'cas' && op.expected !== null ? [op.expected] : [])]) {
      if (!TOKEN.test(text)) throw new RangeError(`${JSON.stringify(text)} is not a key or value: use letters, digits and . : - only`);
    }
    if (this.busy) throw new Error(`KvConnection ${this.clientId}: one call at a time (the client is sequential)`);
    if (this.closed) return { type: 'fail', reason: 'the connection is closed', attempts: 0 };
    this.busy = true;
    try {
      return await this.run(op, Date.now() + (options.timeoutMs ?? 5000));
    } finally {
      this.busy = false;
    }
  }

  private async run(op: KvOp, deadline: number): Promise<KvCallResult> {
    const seq = ++this.seq;
    let attempts = 0;
    let maybeApplied = false;
    let lastProblem = 'no node answered';
    let waitsWithoutLeader = 0;
    let failedDials = 0;
    while (Date.now() < deadline && !this.closed) {
      const member = this.members[this.target] as ClientMember;
      const socket = await this.socketTo(member, deadline);
      if (typeof socket === 'string') {
        lastProblem = socket;
        this.moveOn();
        // A full round of refused dials: the cluster may be starting; wait a little before the next round.
        if (++failedDials % this.members.length === 0) await sleep(Math.min(200, deadline - Date.now()));
        continue;
      }
      attempts++;
      const reply = await socket.request(seq, attempts, op, deadline - Date.now());
      if (reply.kind === 'timeout') {
        maybeApplied = true;
        lastProblem = `${member.id} did not answer in time`;
        break;
      }
      if (reply.kind === 'closed') {
        // The request may have reached the node before the connection broke.
        maybeApplied = true;
        lastProblem = reply.reason;
        this.dropSocket();
        this.moveOn();
        continue;
      }
      const outcome = reply.outcome;
      if (outcome.type === 'ok') return { type: 'ok', result: outcome.result, node: member.id, attempts };
      if (outcome.type === 'unavailable') {
        maybeApplied = true;
        lastProblem = `${member.id}: ${outcome.reason}`;
        await sleep(Math.min(50, deadline - Date.now()));
        continue;
      }
      // A redirect: that node did not take the request.
      const leader = outcome.leader === null ? -1 : this.ids.indexOf(outcome.leader);
      if (leader >= 0 && leader !== this.target) {
        lastProblem = `${member.id} is not the leader (it named ${outcome.leader})`;
        this.target = leader;
        continue;
      }
      lastProblem = outcome.leader === null ? `${member.id} knows of no leader` : `${member.id} named itself leader but did not take the request`;
      if (outcome.leader === null) this.moveOn();
      waitsWithoutLeader++;
      await sleep(Math.min(20 * 2 ** Math.min(waitsWithoutLeader, 4), deadline - Date.now()));
    }
    if (this.closed) lastProblem = 'the connection was closed';
    return maybeApplied
      ? { type: 'indeterminate', reason: `no answer before the time limit; the request may have been applied (${lastProblem})`, attempts }
      : { type: 'fail', reason: `not applied: ${lastProblem}`, attempts };
  }

  private async socketTo(member: ClientMember, deadline: number): Promise<NodeSocket | string> {
    const current = this.socket;
    if (current !== null && current.node === member.id && current.closedReason === null) return current;
    this.dropSocket();
    const opened = await NodeSocket.open(member, this.clientId, this.ids, Math.max(1, Math.min(1000, deadline - Date.now())));
    if (typeof opened === 'string') return opened;
    if (this.closed) {
      opened.close();
      return 'the connection was closed';
    }
    this.socket = opened;
    return opened;
  }

  private dropSocket(): void {
    this.socket?.close();
    this.socket = null;
  }

  private moveOn(): void {
    this.target = (this.target + 1) % this.members.length;
  }
}

/** A node that could not be asked for its status: unreachable, silent, or answering something else. */
export class StatusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatusError';
  }
}

/** Asks the node at `address` (a client address) for its status; rejects with a {@link StatusError}. */
export function queryStatus(address: Address | string, timeoutMs = 1000): Promise<NodeStatus> {
  const target = typeof address === 'string' ? parseAddress(address) : address;
  if (typeof target === 'string') return Promise.reject(new StatusError(target));
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (result: NodeStatus | string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      framed.close('status received');
      if (typeof result === 'string') reject(new StatusError(result));
      else resolve(result);
    };
    const timer = setTimeout(() => done(`no status from ${formatAddress(target)} within ${timeoutMs} ms`), timeoutMs);
    const socket = connect({ host: target.host, port: target.port });
    const framed = new FramedSocket(socket, {
      frame: (frame) => {
        if (frame.kind === 'status-reply') done(frame.status);
        else done(frame.kind === 'refused' ? `${formatAddress(target)} refused: ${frame.reason}` : `${formatAddress(target)} answered with a ${frame.kind} frame`);
      },
      closed: (reason) => done(`${formatAddress(target)}: ${formatCloseReason(reason)}`),
    });
    socket.once('connect', () => framed.send({ kind: 'status' }));
  });
}
