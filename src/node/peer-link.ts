/**
 * The link a node dials to one peer, for its own messages to that peer (each direction of a pair of nodes
 * has its own connection: a node sends on the links it dialed and receives on those it accepted).
 *
 * The link dials, says hello, and from then on carries Raft frames. When the connection fails or is
 * refused it dials again after a capped, jittered exponential backoff, for as long as the link is open.
 * A message sent while the link is down, or that the socket's backlog cannot take, is dropped: Raft
 * tolerates lost messages (a lost request is resent by the next heartbeat or election), and a node's
 * memory must not grow with a partition.
 *
 * @module
 */
import { connect } from 'node:net';
import type { Message, NodeId } from '../raft/index.js';
import { type Address, formatAddress } from './config.js';
import { type CloseReason, FramedSocket, formatCloseReason } from './framed-socket.js';
import { helloFrom, type LocalNode } from './handshake.js';

/** How a link redials. */
export interface BackoffOptions {
  /** The first wait after a failure (default 50 ms). */
  readonly initialMs?: number;
  /** The longest wait (default 1000 ms). */
  readonly maxMs?: number;
}

/** What a link reports to its node. */
export interface PeerLinkEvents {
  /** The link is up (connected, hello sent). */
  up(peer: NodeId): void;
  /** The link went down or a dial failed; `reason` says why. Called once per failure, not per retry of the same kind. */
  down(peer: NodeId, reason: string): void;
}

/** Counters for status lines and tests. */
export interface PeerLinkStats {
  readonly sent: number;
  /** Messages dropped: link down, backlog full, or frame too large. */
  readonly dropped: number;
  readonly connects: number;
}

/** The link to one peer; see the module comment. */
export class PeerLink {
  private framed: FramedSocket | null = null;
  private connected = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private lastReason: string | null = null;
  private sentCount = 0;
  private droppedCount = 0;
  private connectCount = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly local: LocalNode,
    readonly peer: NodeId,
    private readonly address: Address,
    private readonly events: PeerLinkEvents,
    backoff: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = backoff.initialMs ?? 50;
    this.maxMs = backoff.maxMs ?? 1000;
  }

  /** Whether the link is connected (a message sent now leaves, unless the backlog is full). */
  get up(): boolean {
    return this.connected;
  }

  get stats(): PeerLinkStats {
    return { sent: this.sentCount, dropped: this.droppedCount, connects: this.connectCount };
  }

  /** Start dialling. */
  open(): void {
    if (!this.closed && this.framed === null && this.retryTimer === null) this.dial();
  }

  /** Send `message` if the link is up; returns whether it left (a dropped message is counted). */
  send(message: Message): boolean {
    if (this.framed === null || !this.connected) {
      this.droppedCount++;
      return false;
    }
    const result = this.framed.send({ kind: 'raft', message });
    if (result.sent) this.sentCount++;
    else this.droppedCount++;
    return result.sent;
  }

  /** Close the link for good. */
  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.framed?.close('the node is stopping');
    this.framed = null;
    this.connected = false;
  }

  private dial(): void {
    const socket = connect({ host: this.address.host, port: this.address.port });
    const framed = new FramedSocket(socket, {
      frame: (frame) => {
        // The accepting end never sends on this connection, except a refusal.
        if (frame.kind === 'refused') framed.close(`${this.peer} refused the link: ${frame.reason}`);
        else framed.refuse(`a ${frame.kind} frame on a link ${this.local.nodeId} dialed; the accepting end only receives`);
      },
      closed: (reason) => this.lost(framed, reason),
    });
    this.framed = framed;
    socket.once('connect', () => {
      if (this.framed !== framed || framed.closed) return;
      framed.send(helloFrom(this.local, this.peer));
      this.connected = true;
      this.connectCount++;
      this.failures = 0;
      this.lastReason = null;
      this.events.up(this.peer);
    });
  }

  private lost(framed: FramedSocket, reason: CloseReason): void {
    if (this.framed !== framed) return;
    this.framed = null;
    const wasUp = this.connected;
    this.connected = false;
    if (this.closed) return;
    const text = reason.type === 'local' ? reason.reason : `${formatAddress(this.address)}: ${formatCloseReason(reason)}`;
    // A peer that stays down would fill the log with one line per retry: report each new kind of failure once.
    const kind = text.replace(/\d+/g, '#');
    if (wasUp || kind !== this.lastReason) this.events.down(this.peer, text);
    this.lastReason = kind;
    this.failures++;
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures - 1, 20));
    const wait = ceiling / 2 + (this.random() * ceiling) / 2;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed) this.dial();
    }, wait);
  }
}
