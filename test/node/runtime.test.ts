// The node runtime in this process (three nodes on loopback, real sockets, real fsync): redirects, the
// client's three outcomes, and hostile input that closes a connection with a logged reason while the node
// goes on serving.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KvConnection, queryStatus } from '../../src/node/client.js';
import type { ClusterConfig } from '../../src/node/config.js';
import { freePorts, localConfig } from '../../src/node/local-cluster.js';
import { type NodeEvent, NodeRuntime } from '../../src/node/runtime.js';
import { encodeFrame, type Frame } from '../../src/node/wire.js';
import { collect, dial, until } from './helpers/sockets.js';
import { eventually } from './helpers/cluster.js';

interface Started {
  readonly config: ClusterConfig;
  readonly runtimes: Map<string, NodeRuntime>;
  readonly logs: string[];
  readonly events: NodeEvent[];
}

let current: { dir: string; runtimes: NodeRuntime[] } | null = null;

afterEach(async () => {
  if (current === null) return;
  await Promise.all(current.runtimes.map((r) => r.stop('test over')));
  await rm(current.dir, { recursive: true, force: true });
  current = null;
});

async function startCluster(requestTimeoutMs = 3000): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), 'runtime-'));
  const config = localConfig('inproc', await freePorts(6));
  const logs: string[] = [];
  const events: NodeEvent[] = [];
  const runtimes = new Map<string, NodeRuntime>();
  current = { dir, runtimes: [] };
  for (const m of config.members) {
    const runtime = await NodeRuntime.start({
      config,
      id: m.id,
      dataDir: join(dir, m.id),
      record: null,
      electionTimeoutMs: { min: 150, max: 300 },
      heartbeatMs: 50,
      clockRate: 1,
      requestTimeoutMs,
      defect: null,
      log: (line) => logs.push(line),
      emit: (event) => events.push(event),
    });
    runtimes.set(m.id, runtime);
    current.runtimes.push(runtime);
  }
  return { config, runtimes, logs, events };
}

async function leaderOf(started: Started): Promise<string> {
  return eventually('a leader', 10_000, async () => [...started.runtimes.values()].find((r) => r.status().role === 'Leader')?.id ?? null);
}

describe('the node runtime', () => {
  it('answers a client at a follower with a redirect to the leader; the client follows it', async () => {
    const started = await startCluster();
    const leader = await leaderOf(started);
    const follower = started.config.members.find((m) => m.id !== leader)?.id as string;
    const client = new KvConnection({ members: started.config.members, firstNode: follower });
    try {
      const put = await client.put('k', 'v', { timeoutMs: 10_000 });
      expect(put).toMatchObject({ type: 'ok', node: leader, attempts: 2 });
      expect(await client.get('k', { timeoutMs: 10_000 })).toMatchObject({ type: 'ok', result: { type: 'get', value: 'v' } });
    } finally {
      client.close();
    }
    expect(started.events.filter((e) => e.event === 'leader').map((e) => e.id)).toContain(leader);
    const status = await queryStatus(started.config.members.find((m) => m.id === follower)?.client as { host: string; port: number });
    expect(status).toMatchObject({ id: follower, role: 'Follower', leader, pid: process.pid });
  });

  it("a client's outcomes: indeterminate when the leader took the request but cannot commit it, fail when nobody can take it", async () => {
    const started = await startCluster(300);
    const leader = await leaderOf(started);
    for (const [id, runtime] of started.runtimes) if (id !== leader) await runtime.stop('test: majority down');
    const client = new KvConnection({ members: started.config.members, firstNode: leader });
    try {
      const lost = await client.put('k', 'v', { timeoutMs: 1500 });
      expect(lost).toMatchObject({ type: 'indeterminate' });
      await started.runtimes.get(leader)?.stop('test: all down');
      const refused = await client.put('k', 'w', { timeoutMs: 500 });
      expect(refused).toMatchObject({ type: 'fail', attempts: 0 });
    } finally {
      client.close();
    }
  });

  it('closes a connection that sends garbage, an oversized frame, a stranger or the wrong kind of frame, logs why, and goes on serving', async () => {
    const started = await startCluster();
    const leader = await leaderOf(started);
    const member = started.config.members.find((m) => m.id === leader);
    if (member === undefined) throw new Error('no leader member');
    const hostile: [string, number, Buffer][] = [
      ['garbage', member.peer.port, Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 5])],
      ['oversized', member.client.port, Buffer.from([0xff, 0xff, 0xff, 0xff])],
      ['stranger', member.peer.port, frame({ kind: 'hello', version: 1, from: 's9', to: leader, cluster: { clusterId: 'other', members: ['s9'] } })],
      ['a hello on the client port', member.client.port, frame({ kind: 'hello', version: 1, from: 's1', to: leader, cluster: { clusterId: 'inproc', members: ['s1', 's2', 's3'] } })],
      ['request on the peer port', member.peer.port, frame({ kind: 'request', client: 'c1', seq: 1, attempt: 1, op: { type: 'get', key: 'k' } })],
    ];
    for (const [what, port, bytes] of hostile) {
      const socket = await dial(port);
      const seen = collect(socket);
      socket.write(bytes);
      await until(() => seen.closed(), `the node to close the ${what} connection`);
      expect(seen.bytes().toString('utf8'), what).toMatch(/"kind":"refused"/);
    }
    const logged = started.logs.join('\n');
    expect(logged).toMatch(/closed the link from .*: protocol error \(not-json\)/);
    expect(logged).toMatch(/closed the connection of client .*: protocol error \(oversized\): a frame announces 4294967295 bytes/);
    expect(logged).toMatch(/refused a connection from .*: s9 belongs to cluster other \(s9\)/);
    expect(logged).toMatch(/refused a hello frame on the client port/);
    expect(logged).toMatch(/refused a client on the peer port/);
    const client = new KvConnection({ members: started.config.members, firstNode: leader });
    try {
      expect(await client.put('still', 'here', { timeoutMs: 10_000 })).toMatchObject({ type: 'ok', node: leader });
    } finally {
      client.close();
    }
  });
});

function frame(f: Frame): Buffer {
  const bytes = encodeFrame(f);
  if (!bytes.ok) throw new Error(bytes.error.reason);
  return bytes.value;
}
