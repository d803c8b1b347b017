/**
 * Where `npm run cluster` keeps a local cluster, and how `npm run kv` finds the last one started.
 *
 * ```
 * .cache/cluster/<name>/cluster.json   the configuration (addresses of every member)
 * .cache/cluster/<name>/<id>/          each node's data directory (src/node/data-dir.ts)
 * .cache/cluster/<name>/<id>.log       each node's log (its standard error)
 * .cache/cluster/last.json             {"config": "<path of the last cluster's cluster.json>"}
 * ```
 *
 * `WORKBENCH_CLUSTER_HOME` moves `.cache/cluster` elsewhere (tests use it so they leave the user's
 * pointer alone).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/write.js';
import { REPO_ROOT } from '../paths.js';

/** The config file's name inside a cluster folder. */
export const CLUSTER_CONFIG_FILE = 'cluster.json';

/** Where local clusters live. */
export function clusterHome(env: NodeJS.ProcessEnv): string {
  const home = env['WORKBENCH_CLUSTER_HOME'];
  return home !== undefined && home !== '' ? home : join(REPO_ROOT, '.cache', 'cluster');
}

function lastPointer(env: NodeJS.ProcessEnv): string {
  return join(clusterHome(env), 'last.json');
}

/** Remembers `configPath` as the last cluster started. */
export async function rememberLastCluster(env: NodeJS.ProcessEnv, configPath: string): Promise<void> {
  await mkdir(clusterHome(env), { recursive: true });
  await writeFileAtomic(lastPointer(env), `${JSON.stringify({ config: configPath })}\n`);
}

/** The last cluster's config path, or `null` when none was started (or the pointer is unreadable). */
export function lastClusterConfig(env: NodeJS.ProcessEnv): string | null {
  try {
    const json = JSON.parse(readFileSync(lastPointer(env), 'utf8')) as unknown;
    const config = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['config'] : undefined;
    return typeof config === 'string' && config !== '' ? config : null;
  } catch {
    return null;
  }
}
