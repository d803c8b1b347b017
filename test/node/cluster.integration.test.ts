// The newcomer's story on real processes: three nodes over TCP on 127.0.0.1, a put and a get, the leader
// killed with SIGKILL, the value read back from the new leader, the killed node restarted on its data
// directory and rejoining. Every node records its steps; the recordings, merged, must be a behaviour of
// specs/Raft.tla (TLC), kill and restart included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RAFT } from '../../src/definitions/raft/definition.js';
import { KvConnection, queryStatus } from '../../src/node/client.js';
import type { ClusterConfig } from '../../src/node/config.js';
import { mergeNodeTraces } from '../../src/node/trace-merge.js';
import { parseImplTrace } from '../../src/validate/format.js';
import { validateTrace } from '../../src/validate/validate.js';
import { SPECS, tlcToolchain } from '../support/tlc.js';
import { ProcessPool, eventually, removeScratch, scratchCluster, statuses } from './helpers/cluster.js';

const pool = new ProcessPool();
let scratch: { dir: string; config: ClusterConfig; configPath: string } | undefined;

afterAll(async () => {
  await pool.stopAll();
  await removeScratch(scratch?.dir);
});

const record = (id: string) => join(scratch?.dir ?? '', 'rec', `${id}.ndjson`);

describe('a cluster of three node processes', () => {
  it('the newcomer story: put, get, kill -9 the leader, get from the new leader, restart it and see it rejoin', async () => {
    scratch = await scratchCluster(3);
    const { config, configPath, dir } = scratch;
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'rec'));
    const args = (id: string) => ['--record', record(id)];
    const nodes = new Map(config.members.map((m) => [m.id, pool.start(configPath, m.id, args(m.id))]));
    const ready = new Map(await Promise.all([...nodes].map(async ([id, n]) => [id, await n.ready] as const)));
    for (const r of ready.values()) expect(r.restarted).toBe(false);

    const client = new KvConnection({ members: config.members, clientId: 'newcomer' });
    try {
      const put = await client.put('a', '1', { timeoutMs: 20_000 });
      expect(put).toMatchObject({ type: 'ok', result: { type: 'put' } });
      const got = await client.get('a', { timeoutMs: 10_000 });
      expect(got).toMatchObject({ type: 'ok', result: { type: 'get', value: '1' } });
      if (got.type !== 'ok') return;
      const leader = got.node;

      // kill -9 the leader: no chance to close anything.
      process.kill((ready.get(leader) as { pid: number }).pid, 'SIGKILL');
      const exit = await (nodes.get(leader) as { exited: Promise<{ signal: string | null }> }).exited;
      expect(exit.signal).toBe('SIGKILL');

      const again = await client.get('a', { timeoutMs: 20_000 });
      expect(again).toMatchObject({ type: 'ok', result: { type: 'get', value: '1' } });
      if (again.type !== 'ok') return;
      expect(again.node).not.toBe(leader);
      // A write while the old leader is away, for it to catch up on.
      expect(await client.put('b', '2', { timeoutMs: 20_000 })).toMatchObject({ type: 'ok' });

      // Restart it on its data directory: it comes back with its term, vote and log, and rejoins.
      const back = pool.start(configPath, leader, args(leader));
      const readyAgain = await back.ready;
      expect(readyAgain.restarted).toBe(true);
      expect(readyAgain.logLength).toBeGreaterThanOrEqual(2);
      const member = config.members.find((m) => m.id === leader);
      if (member === undefined) throw new Error('no such member');
      const rejoined = await eventually('the restarted node to follow the new leader and apply the write made while it was down', 20_000, async () => {
        const [mine, all] = await Promise.all([queryStatus(member.client, 500), statuses(config)]);
        const lead = all.find((s) => s?.role === 'Leader');
        return lead !== undefined && lead !== null && mine.role === 'Follower' && mine.leader === lead.id && mine.term === lead.term && mine.lastApplied >= 4 ? mine : null;
      });
      expect(rejoined.lastApplied).toBeGreaterThanOrEqual(4);
      // A request id applies once: a second copy of (retry, 1) is answered but not applied again.
      const first = new KvConnection({ members: config.members, clientId: 'retry', firstSeq: 1 });
      const copy = new KvConnection({ members: config.members, clientId: 'retry', firstSeq: 1 });
      try {
        expect(await first.put('c', 'x', { timeoutMs: 10_000 })).toMatchObject({ type: 'ok' });
        expect(await copy.put('c', 'y', { timeoutMs: 10_000 })).toMatchObject({ type: 'ok', result: { type: 'put' } });
      } finally {
        first.close();
        copy.close();
      }
      expect(await client.get('c', { timeoutMs: 10_000 })).toMatchObject({ type: 'ok', result: { type: 'get', value: 'x' } });
    } finally {
      client.close();
      await pool.stopAll();
    }
  });

  it('the run it recorded (kill and restart included), merged, is a behaviour of specs/Raft.tla', async () => {
    expect(scratch).toBeDefined();
    const recordings = (scratch as { config: ClusterConfig }).config.members.map((m) => ({ file: record(m.id), text: readFileSync(record(m.id), 'utf8') }));
    const merged = mergeNodeTraces(recordings);
    expect(merged.nodes.map((n) => n.runs).sort()).toEqual([1, 1, 2]);
    const trace = parseImplTrace(merged.lines.join('\n'), 'merged.ndjson');
    const verdict = await validateTrace(trace, RAFT, { toolchain: await tlcToolchain(), specsDir: SPECS, timeoutMs: 120_000 });
    expect(verdict.kind === 'valid' ? 'valid' : JSON.stringify(verdict).slice(0, 2000)).toBe('valid');
  });
});
