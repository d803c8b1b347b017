import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FramedSocket, type CloseReason, formatCloseReason } from '../../src/node/framed-socket.js';
import { FrameDecoder } from '../../src/node/frames.js';
import { type Frame, decodeFrame, encodeFrame } from '../../src/node/wire.js';
import type { AppendEntriesRequest } from '../../src/raft/index.js';
import { aeReq, rvReq } from '../support/raft-samples.js';
import { CLUSTER, MEMBERS } from './helpers/wire-arbitraries.js';
import { closeServer, collect, dial, listen, until } from './helpers/sockets.js';

const frames: Frame[] = [
  { kind: 'hello', version: 1, from: 's1', to: 's2', cluster: CLUSTER },
  { kind: 'raft', message: aeReq },
  { kind: 'raft', message: rvReq },
  { kind: 'request', client: 'c1', seq: 7, attempt: 2, op: { type: 'cas', key: 'k0', expected: null, value: 'c1.7' } },
  { kind: 'response', client: 'c1', seq: 7, outcome: { type: 'unavailable', reason: 'no quorum' } },
];

function bytesOf(f: Frame): Buffer {
  const r = encodeFrame(f);
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

/** A server whose accepted sockets are wrapped in FramedSockets recording what they get. */
async function framedServer(options: ConstructorParameters<typeof FramedSocket>[2] = {}) {
  const received: Frame[] = [];
  const closes: CloseReason[] = [];
  const accepted: FramedSocket[] = [];
  const { server, port } = await listen((socket) => {
    accepted.push(new FramedSocket(socket, { frame: (f) => received.push(f), closed: (r) => closes.push(r) }, { members: MEMBERS, ...options }));
  });
  servers.push(server);
  return { port, received, closes, accepted };
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await closeServer(s);
});

async function rawClient(port: number) {
  const socket = await dial(port);
  sockets.push(socket);
  return { socket, got: collect(socket) };
}

/** The frames in what a raw client received. */
function framesIn(bytes: Buffer): Frame[] {
  const d = new FrameDecoder();
  return d.push(bytes).bodies.map((b) => {
    const r = decodeFrame(b);
    if (!r.ok) throw new Error(r.error.reason);
    return r.value;
  });
}

describe('frames over a real socket', () => {
  it('delivers frames packed into one write and frames dribbled a byte at a time', async () => {
    const server = await framedServer();
    const { socket } = await rawClient(server.port);
    socket.write(Buffer.concat(frames.map(bytesOf)));
    await until(() => server.received.length === frames.length, 'the packed frames');
    const dribble = bytesOf(frames[1] as Frame);
    for (const byte of dribble) {
      socket.write(Uint8Array.of(byte));
      await new Promise((r) => setImmediate(r));
    }
    await until(() => server.received.length === frames.length + 1, 'the dribbled frame');
    expect(server.received).toEqual([...frames, frames[1]]);
    expect(server.closes).toEqual([]);
  });

  it('two framed ends talk both ways', async () => {
    const server = await framedServer();
    const socket = await dial(server.port);
    sockets.push(socket);
    const got: Frame[] = [];
    const client = new FramedSocket(socket, { frame: (f) => got.push(f), closed: () => undefined });
    for (const f of frames) expect(client.send(f)).toEqual({ sent: true });
    await until(() => server.received.length === frames.length, 'frames at the server');
    server.accepted[0]?.send({ kind: 'response', client: 'c1', seq: 7, outcome: { type: 'redirect', leader: 's3', address: '127.0.0.1:7103' } });
    await until(() => got.length === 1, 'the response');
    expect(got[0]).toEqual({ kind: 'response', client: 'c1', seq: 7, outcome: { type: 'redirect', leader: 's3', address: '127.0.0.1:7103' } });
    expect(client.stats.framesOut).toBe(frames.length);
  });

  it('closes on an oversized frame, tells the sender why, and keeps the frames before it', async () => {
    const server = await framedServer({ maxFrameBytes: 4096 });
    const { socket, got } = await rawClient(server.port);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(2 * 1024 * 1024);
    socket.write(Buffer.concat([bytesOf(frames[0] as Frame), header, Buffer.alloc(100)]));
    await until(() => got.closed(), 'the connection to close');
    expect(server.received).toEqual([frames[0]]);
    expect(server.closes).toHaveLength(1);
    expect(formatCloseReason(server.closes[0] as CloseReason)).toMatch(/protocol error \(oversized\): a frame announces 2097152 bytes, more than the 4096-byte maximum/);
    expect(framesIn(got.bytes())).toEqual([{ kind: 'refused', reason: 'a frame announces 2097152 bytes, more than the 4096-byte maximum' }]);
  });

  it('closes on a malformed frame with its reason, never throwing', async () => {
    const server = await framedServer();
    const { socket, got } = await rawClient(server.port);
    const body = Buffer.from('{"kind":"raft","message":{"mtype":"RequestVoteRequest"}}');
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(body.length);
    socket.write(Buffer.concat([prefix, body, bytesOf(frames[1] as Frame)]));
    await until(() => got.closed(), 'the connection to close');
    const reason = server.closes[0];
    expect(reason?.type === 'protocol' ? reason.error.code : reason).toBe('bad-frame');
    expect(formatCloseReason(reason as CloseReason)).toMatch(/raft.message: expected fields/);
    // The frame after the bad one was never delivered.
    expect(server.received).toEqual([]);
    expect(framesIn(got.bytes())[0]).toMatchObject({ kind: 'refused' });
  });

  it('reports a stream that ends inside a frame as truncated', async () => {
    const server = await framedServer();
    const { socket } = await rawClient(server.port);
    socket.end(bytesOf(frames[0] as Frame).subarray(0, 10));
    await until(() => server.closes.length === 1, 'the close');
    expect(formatCloseReason(server.closes[0] as CloseReason)).toMatch(/protocol error \(truncated\): the stream ended inside a frame/);
  });

  it('reports a clean close by the other end, and a local close once', async () => {
    const server = await framedServer();
    const { socket } = await rawClient(server.port);
    socket.end(bytesOf(frames[0] as Frame));
    await until(() => server.closes.length === 1, 'the close');
    expect(server.closes).toEqual([{ type: 'remote' }]);

    const closes: CloseReason[] = [];
    const own = await dial(server.port);
    const framed = new FramedSocket(own, { frame: () => undefined, closed: (r) => closes.push(r) });
    framed.close('shutting down');
    framed.close('again');
    await until(() => own.destroyed, 'the socket to be destroyed');
    expect(closes).toEqual([{ type: 'local', reason: 'shutting down' }]);
    expect(framed.send(frames[0] as Frame)).toMatchObject({ sent: false, why: 'closed' });
  });

  it('drops frames instead of queueing without bound when the peer does not read', async () => {
    // The server never reads: the kernel's buffers fill, then the socket's own queue.
    const { server, port } = await listen((socket) => {
      socket.pause();
      sockets.push(socket);
    });
    servers.push(server);
    const socket = await dial(port);
    sockets.push(socket);
    const maxQueuedBytes = 256 * 1024;
    const framed = new FramedSocket(socket, { frame: () => undefined, closed: () => undefined }, { maxQueuedBytes });
    const big: Frame = { kind: 'raft', message: { ...(aeReq as AppendEntriesRequest), entries: [{ term: 1, value: 'v'.repeat(60_000) }] } };
    let dropped = 0;
    for (let i = 0; i < 2000 && dropped === 0; i++) {
      const r = framed.send(big);
      if (!r.sent) {
        expect(r.why).toBe('backlog');
        dropped++;
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(dropped).toBe(1);
    expect(socket.writableLength).toBeLessThan(maxQueuedBytes + 70_000);
    expect(framed.stats.dropped).toBe(1);
  });
});
