/**
 * A loopback TCP proxy for one directed link between two nodes: it listens on 127.0.0.1 and forwards every
 * connection to a target port on 127.0.0.1, and the nemesis changes what it does at run time (Jepsen-style
 * partitions without touching the host's firewall):
 *
 * - `pass`: bytes flow both ways as they come.
 * - `drop`: every open connection is cut; new ones are refused (reset at once) or blackholed (accepted,
 *   read and discarded, never forwarded: the dialer sees a connection that never answers).
 * - `delay(ms)`: bytes are forwarded `ms` after they arrived, in the order they arrived (a later, shorter
 *   delay never overtakes bytes already waiting).
 * - `one-way`: bytes flow in one direction only; the other direction's bytes are read and discarded.
 *
 * "To target" is the direction of the link (the dialer `a` to the target `b`); "from target" is `b`'s
 * answers on the same connections.
 *
 * Bytes are never cut mid-stream: a change of mode that starts or stops discarding a direction cuts the
 * open connections, so every connection discards either nothing or everything in a direction, and framed
 * protocols on top see whole frames or a closed connection. Changing between `pass` and `delay` keeps them.
 *
 * Buffers are bounded: when a direction of a connection holds `maxBufferedBytes` (waiting out a delay or
 * unread by the receiver), the proxy stops reading its source until it drains, so TCP flow control pushes
 * back on the sender. Closing the proxy closes every socket it holds.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { match } from 'ts-pattern';

/** The loopback address every proxy listens on and forwards to. */
export const LOOPBACK = '127.0.0.1';

/** A direction of the proxied link. */
export type LinkDirection = 'to-target' | 'from-target';

/** What the proxy does; see the module comment. */
export type LinkMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'drop'; readonly newConnections: 'refuse' | 'blackhole' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'one-way'; readonly deliver: LinkDirection };

/** `pass`, `drop (blackhole)`, `delay 200ms`, `one-way to-target`. */
export function formatLinkMode(mode: LinkMode): string {
  return match(mode)
    .with({ kind: 'pass' }, () => 'pass')
    .with({ kind: 'drop' }, (m) => `drop (${m.newConnections})`)
    .with({ kind: 'delay' }, (m) => `delay ${m.ms}ms`)
    .with({ kind: 'one-way' }, (m) => `one-way ${m.deliver}`)
    .exhaustive();
}

/** Time for delays; the real clock by default, a manual one in tests. */
export interface LinkScheduler {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_SCHEDULER: LinkScheduler = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** How to start a proxy. */
export interface LinkProxyOptions {
  /** The port on 127.0.0.1 to forward to. */
  readonly targetPort: number;
  /** The port on 127.0.0.1 to listen on (default 0: any free port, see {@link LinkProxy.port}). */
  readonly listenPort?: number;
  /** Bytes one direction of one connection may hold before its source is paused (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** The starting mode (default `pass`). */
  readonly mode?: LinkMode;
  readonly scheduler?: LinkScheduler;
}

/** Counters since the proxy started. */
export interface LinkStats {
  readonly accepted: number;
  readonly refused: number;
  readonly blackholed: number;
  /** Connections cut by a change of mode. */
  readonly cut: number;
  /** Connections whose target could not be reached. */
  readonly targetFailures: number;
  readonly open: number;
  /** Bytes the proxy holds right now, waiting out a delay. */
  readonly waitingBytes: number;
  readonly forwardedBytes: Readonly<Record<LinkDirection, number>>;
  readonly droppedBytes: Readonly<Record<LinkDirection, number>>;
  /** The most bytes one direction of one connection held at once. */
  readonly peakBufferedBytes: number;
}

const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

function checkMode(mode: LinkMode): LinkMode {
  if (mode.kind === 'delay' && !(Number.isFinite(mode.ms) && mode.ms >= 0)) throw new RangeError(`a delay must be a number of ms >= 0, got ${mode.ms}`);
  return mode;
}

function discards(mode: LinkMode, direction: LinkDirection): boolean {
  return match(mode)
    .with({ kind: 'pass' }, { kind: 'delay' }, () => false)
    .with({ kind: 'drop' }, () => true)
    .with({ kind: 'one-way' }, (m) => m.deliver !== direction)
    .exhaustive();
}

function delayOf(mode: LinkMode): number {
  return mode.kind === 'delay' ? mode.ms : 0;
}

/** One proxy; see the module comment. */
export class LinkProxy {
  private current: LinkMode;
  private readonly pipes = new Set<Pipe>();
  private readonly holes = new Set<Socket>();
  private closing: Promise<void> | null = null;
  private readonly counters = {
    accepted: 0,
    refused: 0,
    blackholed: 0,
    cut: 0,
    targetFailures: 0,
    forwardedBytes: { 'to-target': 0, 'from-target': 0 },
    droppedBytes: { 'to-target': 0, 'from-target': 0 },
    peakBufferedBytes: 0,
  };
  readonly maxBufferedBytes: number;
  readonly scheduler: LinkScheduler;

  private constructor(
    private readonly server: Server,
    /** The port the proxy listens on. */
    readonly port: number,
    readonly targetPort: number,
    options: LinkProxyOptions,
  ) {
    this.current = checkMode(options.mode ?? { kind: 'pass' });
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.scheduler = options.scheduler ?? REAL_SCHEDULER;
    server.on('connection', (socket) => this.accept(socket));
  }

  /** A proxy listening on 127.0.0.1, forwarding to 127.0.0.1:`targetPort`. */
  static async start(options: LinkProxyOptions): Promise<LinkProxy> {
    // Half-open allowed, so a FIN is forwarded after the bytes still waiting out a delay, not before them.
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listenPort ?? 0, LOOPBACK, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // A listening server's later errors (none are expected on loopback) must not crash the process.
    server.on('error', () => undefined);
    return new LinkProxy(server, (server.address() as AddressInfo).port, options.targetPort, options);
  }

  /** The current mode. */
  get mode(): LinkMode {
    return this.current;
  }

  /** Counters (a copy). */
  get stats(): LinkStats {
    const c = this.counters;
    let waitingBytes = 0;
    for (const pipe of this.pipes) waitingBytes += pipe.waitingBytes;
    return { ...c, open: this.pipes.size + this.holes.size, waitingBytes, forwardedBytes: { ...c.forwardedBytes }, droppedBytes: { ...c.droppedBytes } };
  }

  /** Change the mode; see the module comment for which changes cut open connections. */
  setMode(mode: LinkMode): void {
    const previous = this.current;
    this.current = checkMode(mode);
    const directions: LinkDirection[] = ['to-target', 'from-target'];
    if (directions.some((d) => discards(previous, d) !== discards(mode, d))) {
      for (const pipe of [...this.pipes]) {
        this.counters.cut++;
        pipe.destroy();
      }
    }
    if (mode.kind !== 'drop' || mode.newConnections !== 'blackhole') {
      for (const hole of [...this.holes]) hole.destroy();
    }
  }

  pass(): void {
    this.setMode({ kind: 'pass' });
  }

  drop(newConnections: 'refuse' | 'blackhole' = 'blackhole'): void {
    this.setMode({ kind: 'drop', newConnections });
  }

  delay(ms: number): void {
    this.setMode({ kind: 'delay', ms });
  }

  oneWay(deliver: LinkDirection): void {
    this.setMode({ kind: 'one-way', deliver });
  }

  /** Stop listening and close every connection; resolves once the listening socket is closed. */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const pipe of [...this.pipes]) pipe.destroy();
      for (const hole of [...this.holes]) hole.destroy();
    }
    return this.closing;
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.closing !== null) {
      client.destroy();
      return;
    }
    const mode = this.current;
    if (mode.kind === 'drop') {
      if (mode.newConnections === 'refuse') {
        this.counters.refused++;
        client.resetAndDestroy();
        return;
      }
      this.counters.blackholed++;
      this.holes.add(client);
      client.on('data', (chunk: Buffer) => (this.counters.droppedBytes['to-target'] += chunk.length));
      client.on('close', () => this.holes.delete(client));
      client.resume();
      return;
    }
    this.counters.accepted++;
    const upstream = connect({ port: this.targetPort, host: LOOPBACK, allowHalfOpen: true });
    upstream.on('error', () => undefined);
    let connected = false;
    upstream.once('connect', () => (connected = true));
    const pipe = new Pipe(this, client, upstream, () => {
      this.pipes.delete(pipe);
      if (!connected) this.counters.targetFailures++;
    });
    this.pipes.add(pipe);
  }

  /** Called by pipes. */
  countForwarded(direction: LinkDirection, bytes: number): void {
    this.counters.forwardedBytes[direction] += bytes;
  }

  /** Called by pipes. */
  countDropped(direction: LinkDirection, bytes: number): void {
    this.counters.droppedBytes[direction] += bytes;
  }

  /** Called by pipes. */
  notePeak(bytes: number): void {
    if (bytes > this.counters.peakBufferedBytes) this.counters.peakBufferedBytes = bytes;
  }
}

/** One proxied connection: the dialer's socket, the socket to the target, and a {@link Flow} each way. */
class Pipe {
  private readonly flows: readonly Flow[];
  private done = false;

  constructor(
    proxy: LinkProxy,
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly onClosed: () => void,
  ) {
    this.flows = [new Flow(proxy, 'to-target', client, upstream), new Flow(proxy, 'from-target', upstream, client)];
    // A socket closes once both its directions are done, or on a reset; either way the connection is over.
    for (const s of [client, upstream]) s.on('close', () => this.destroy());
    client.resume();
  }

  get waitingBytes(): number {
    return this.flows.reduce((sum, f) => sum + f.waitingBytes, 0);
  }

  destroy(): void {
    if (this.done) return;
    this.done = true;
    for (const f of this.flows) f.stop();
    this.client.destroy();
    this.upstream.destroy();
    this.onClosed();
  }
}

interface Pending {
  readonly due: number;
  readonly chunk: Buffer;
}

/** One direction of a connection: reads its source, holds bytes for the delay, writes them in order. */
class Flow {
  private readonly queue: Pending[] = [];
  private queued = 0;
  private timer: unknown = null;
  private ended = false;
  private stopped = false;

  constructor(
    private readonly proxy: LinkProxy,
    private readonly direction: LinkDirection,
    private readonly source: Socket,
    private readonly dest: Socket,
  ) {
    source.on('data', (chunk: Buffer) => this.onData(chunk));
    source.on('end', () => {
      this.ended = true;
      this.flush();
    });
    dest.on('drain', () => this.flush());
  }

  get waitingBytes(): number {
    return this.queued;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.proxy.scheduler.clearTimeout(this.timer);
    this.timer = null;
    if (this.queued > 0) this.proxy.countDropped(this.direction, this.queued);
    this.queue.length = 0;
    this.queued = 0;
  }

  private onData(chunk: Buffer): void {
    if (this.stopped) return;
    const mode = this.proxy.mode;
    if (discards(mode, this.direction)) {
      this.proxy.countDropped(this.direction, chunk.length);
      return;
    }
    this.queue.push({ due: this.proxy.scheduler.now() + delayOf(mode), chunk });
    this.queued += chunk.length;
    this.flush();
  }

  private flush(): void {
    if (this.stopped) return;
    const now = this.proxy.scheduler.now();
    // Only the head is ever released: bytes queued later under a shorter delay wait behind it, so the stream keeps its order.
    while (this.queue.length > 0 && (this.queue[0] as Pending).due <= now) {
      const { chunk } = this.queue.shift() as Pending;
      this.queued -= chunk.length;
      this.dest.write(chunk);
      this.proxy.countForwarded(this.direction, chunk.length);
    }
    const head = this.queue[0];
    if (head !== undefined && this.timer === null) {
      this.timer = this.proxy.scheduler.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, Math.max(0, head.due - now));
    }
    if (this.queue.length === 0 && this.ended && !this.dest.writableEnded) this.dest.end();
    const held = this.queued + this.dest.writableLength;
    this.proxy.notePeak(held);
    if (held >= this.proxy.maxBufferedBytes) this.source.pause();
    else if (!this.ended) this.source.resume();
  }
}
