// Real node processes for the integration tests: a config on free ports, guarded children stopped after
// each test, and bounded waits.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryStatus } from '../../../src/node/client.js';
import { type ClusterConfig, clusterConfigJson } from '../../../src/node/config.js';
import { freePorts, localConfig, type NodeProcess, startNode } from '../../../src/node/local-cluster.js';
import type { NodeStatus } from '../../../src/node/wire.js';

/** A scratch folder with a config of `n` members on free ports. */
export async function scratchCluster(n: number, prefix = 'node-it-'): Promise<{ dir: string; config: ClusterConfig; configPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const config = localConfig('itest', await freePorts(2 * n));
  const configPath = join(dir, 'cluster.json');
  await writeFile(configPath, clusterConfigJson(config));
  return { dir, config, configPath };
}

/** Node processes started by a test, all stopped (and awaited) by {@link ProcessPool.stopAll}. */
export class ProcessPool {
  readonly started: NodeProcess[] = [];

  start(configPath: string, id: string, args: readonly string[] = []): NodeProcess {
    const node = startNode({ configPath, id, args, readyTimeoutMs: 60_000 });
    this.started.push(node);
    return node;
  }

  async stopAll(): Promise<void> {
    for (const node of this.started) node.stop();
    await Promise.all(this.started.map((n) => n.exited));
    this.started.length = 0;
  }
}

export async function removeScratch(dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

/** Polls `test` every 50 ms until it returns a value; throws naming `what` after `ms`. */
export async function eventually<T>(what: string, ms: number, test: () => Promise<T | null | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await test();
      if (value !== null && value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last === null ? '' : ` (last error: ${String(last)})`}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every member's status, `null` for a node that does not answer. */
export async function statuses(config: ClusterConfig): Promise<(NodeStatus | null)[]> {
  return Promise.all(config.members.map((m) => queryStatus(m.client, 500).catch(() => null)));
}
