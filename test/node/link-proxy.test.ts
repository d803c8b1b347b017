import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkProxy, type LinkScheduler, formatLinkMode } from '../../src/node/link-proxy.js';
import { closeServer, collect, dial, listen, until } from './helpers/sockets.js';

/** A clock that moves only when the test says so. */
class ManualScheduler implements LinkScheduler {
  private time = 0;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.time += ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= this.time).sort(([, a], [, b]) => a.at - b.at)[0];
      if (due === undefined) return;
      this.timers.delete(due[0]);
      due[1].callback();
    }
  }
}

/** The target `b`: greets each connection with "hi:" and echoes what it gets; remembers what it got. */
async function target(options: { echo: boolean } = { echo: true }) {
  const received: Buffer[] = [];
  const connections: Socket[] = [];
  const { server, port } = await listen((socket) => {
    connections.push(socket);
    socket.on('error', () => undefined);
    if (options.echo) socket.write('hi:');
    socket.on('data', (c: Buffer) => {
      received.push(c);
      if (options.echo) socket.write(c);
    });
  });
  servers.push(server);
  return { port, connections, received: () => Buffer.concat(received).toString('latin1'), receivedBytes: () => received.reduce((n, c) => n + c.length, 0) };
}

const servers: Server[] = [];
const proxies: LinkProxy[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const p of proxies.splice(0)) await p.close();
  for (const s of servers.splice(0)) await closeServer(s);
});

async function proxyTo(port: number, scheduler?: LinkScheduler, maxBufferedBytes?: number): Promise<LinkProxy> {
  const p = await LinkProxy.start({ targetPort: port, ...(scheduler ? { scheduler } : {}), ...(maxBufferedBytes ? { maxBufferedBytes } : {}) });
  proxies.push(p);
  return p;
}

/** The dialer `a`: a socket to the proxy, with everything it receives. */
async function dialer(port: number) {
  const socket = await dial(port);
  sockets.push(socket);
  const got = collect(socket);
  return { socket, text: () => got.bytes().toString('latin1'), closed: got.closed };
}

/** Lets the event loop run a little, for checks that something did not happen. */
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('the link proxy', () => {
  it('passes bytes both ways, on 127.0.0.1', async () => {
    const b = await target();
    const proxy = await proxyTo(b.port);
    expect(proxy.port).not.toBe(b.port);
    const a = await dialer(proxy.port);
    a.socket.write('ping');
    await until(() => a.text() === 'hi:ping', 'the echo');
    expect(b.received()).toBe('ping');
    expect(proxy.stats).toMatchObject({ accepted: 1, open: 1, forwardedBytes: { 'to-target': 4, 'from-target': 7 } });
  });

  it('delays bytes by the set time, keeps their order when the delay shrinks, and keeps connections', async () => {
    const clock = new ManualScheduler();
    const b = await target();
    const proxy = await proxyTo(b.port, clock);
    const a = await dialer(proxy.port);
    await until(() => a.text() === 'hi:', 'the greeting');
    proxy.delay(300);
    a.socket.write('1');
    await until(() => proxy.stats.waitingBytes === 1, 'the proxy to hold the first byte');
    proxy.delay(100);
    a.socket.write('2');
    await until(() => proxy.stats.waitingBytes === 2, 'the proxy to hold both bytes');
    clock.advance(299);
    await settle();
    // '2' is due at 100 but waits behind '1', due at 300.
    expect(b.received()).toBe('');
    clock.advance(1);
    await until(() => b.received() === '12', 'both bytes, in order');
    // The echo is delayed on its way back too.
    await until(() => proxy.stats.waitingBytes === 2, 'the echo to be held');
    expect(a.text()).toBe('hi:');
    clock.advance(100);
    await until(() => a.text() === 'hi:12', 'the delayed echo');
    proxy.pass();
    a.socket.write('3');
    await until(() => a.text() === 'hi:123', 'an undelayed echo on the same connection');
    expect(proxy.stats.cut).toBe(0);
  });

  it('drop cuts open connections and refuses new ones', async () => {
    const b = await target();
    const proxy = await proxyTo(b.port);
    const a = await dialer(proxy.port);
    await until(() => a.text() === 'hi:', 'the greeting');
    proxy.drop('refuse');
    await until(() => a.closed(), 'the open connection to be cut');
    const refused = await dialer(proxy.port).catch(() => null);
    if (refused !== null) await until(() => refused.closed(), 'the new connection to be reset');
    expect(refused?.text() ?? '').toBe('');
    expect(b.connections).toHaveLength(1);
    expect(proxy.stats).toMatchObject({ cut: 1, refused: 1, open: 0 });
    expect(formatLinkMode(proxy.mode)).toBe('drop (refuse)');
  });

  it('drop can blackhole new connections: accepted, never answered, never forwarded', async () => {
    const b = await target();
    const proxy = await proxyTo(b.port);
    proxy.drop('blackhole');
    const a = await dialer(proxy.port);
    a.socket.write('anyone?');
    await until(() => proxy.stats.droppedBytes['to-target'] === 7, 'the bytes to be swallowed');
    await settle();
    expect(a.text()).toBe('');
    expect(a.closed()).toBe(false);
    expect(b.connections).toHaveLength(0);
    // Healing closes the blackholed connection, so the dialer notices and dials again.
    proxy.pass();
    await until(() => a.closed(), 'the blackholed connection to close');
    const again = await dialer(proxy.port);
    again.socket.write('x');
    await until(() => again.text() === 'hi:x', 'a working link');
    expect(proxy.stats).toMatchObject({ blackholed: 1, accepted: 1 });
  });

  it('one-way delivers only towards the target, or only back from it', async () => {
    const b = await target();
    const proxy = await proxyTo(b.port);
    const before = await dialer(proxy.port);
    await until(() => before.text() === 'hi:', 'the greeting');
    proxy.oneWay('to-target');
    await until(() => before.closed(), 'the open connection to be cut when a direction starts dropping');

    const a = await dialer(proxy.port);
    a.socket.write('one');
    await until(() => b.received() === 'one', 'the bytes at the target');
    await settle();
    expect(a.text()).toBe('');
    expect(proxy.stats.droppedBytes['from-target']).toBeGreaterThanOrEqual('hi:one'.length);

    proxy.oneWay('from-target');
    const c = await dialer(proxy.port);
    await until(() => c.text() === 'hi:', 'the greeting from the target');
    c.socket.write('two');
    await until(() => proxy.stats.droppedBytes['to-target'] === 3, 'the bytes to be dropped');
    await settle();
    expect(b.received()).toBe('one');
    expect(c.text()).toBe('hi:');
  });

  it('holds at most its buffer bound, pausing the sender, and loses nothing', async () => {
    const clock = new ManualScheduler();
    const b = await target({ echo: false });
    const max = 256 * 1024;
    const proxy = await proxyTo(b.port, clock, max);
    proxy.delay(50);
    const a = await dialer(proxy.port);
    const total = 8 * 1024 * 1024;
    a.socket.write(Buffer.alloc(total, 7));
    // The proxy fills up to the bound and stops reading; the rest waits in the kernel and in a's socket.
    await until(() => proxy.stats.waitingBytes >= max, 'the buffer to fill');
    await settle();
    expect(proxy.stats.waitingBytes).toBeLessThan(max + 128 * 1024);
    expect(b.receivedBytes()).toBe(0);
    for (let i = 0; i < 2000 && b.receivedBytes() < total; i++) {
      clock.advance(50);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(b.receivedBytes()).toBe(total);
    expect(proxy.stats.peakBufferedBytes).toBeLessThan(max + 128 * 1024);
  });

  it('closes the dialer when the target is down, and counts it', async () => {
    const b = await target();
    const proxy = await proxyTo(b.port);
    await closeServer(servers.pop() as Server);
    const a = await dialer(proxy.port);
    await until(() => a.closed(), 'the connection to close');
    expect(proxy.stats.targetFailures).toBe(1);
  });

  it('closing the proxy closes every socket it holds and stops listening', async () => {
    const b = await target();
    const proxy = await proxyTo(b.port);
    const a = await dialer(proxy.port);
    const c = await dialer(proxy.port);
    await until(() => b.connections.length === 2, 'both target connections');
    await proxy.close();
    await until(() => a.closed() && c.closed(), 'every dialer socket to close');
    await until(() => b.connections.every((s) => s.destroyed), 'every target socket to close');
    await expect(dial(proxy.port)).rejects.toThrow(/ECONNREFUSED/);

    const blackholing = await proxyTo(b.port);
    blackholing.drop('blackhole');
    const hole = await dialer(blackholing.port);
    await until(() => blackholing.stats.open === 1, 'the blackholed connection');
    await blackholing.close();
    await until(() => hole.closed(), 'the blackholed socket to close');
  });
});
