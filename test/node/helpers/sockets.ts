// Real loopback sockets for the node tests: servers on ephemeral ports, and small waiting helpers.
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/** A server on 127.0.0.1 on a free port, handing each accepted socket to `onSocket`. */
export async function listen(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Connected to 127.0.0.1:port. */
export async function dial(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

/** Resolves when `test()` holds, polling every few ms; rejects with `what` after `ms`. */
export async function until(test: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Everything `socket` receives until it closes. */
export function collect(socket: Socket): { bytes: () => Buffer; closed: () => boolean } {
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  return { bytes: () => Buffer.concat(chunks), closed: () => closed };
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
