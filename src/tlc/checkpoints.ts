/**
 * Where a checkpointed model run keeps TLC's state (`check-spec --checkpoint-minutes`), and which of its
 * checkpoints a `--resume` continues from (TLC's `-recover`).
 *
 * TLC writes each run into a folder of its own, named by its start time, under the metadir it is given;
 * a checkpoint leaves `*.chkpt` files there. A run that finishes empties its folder.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.js';

/** The folder TLC's state of a checkpointed run of `model` is kept in. */
export function stateDirOf(model: string, root = join(REPO_ROOT, '.cache', 'check-spec', 'states')): string {
  return join(root, model);
}

/** The newest run folder under `stateDir` holding a complete checkpoint, or null. */
export async function latestCheckpoint(stateDir: string): Promise<{ readonly dir: string; readonly at: Date } | null> {
  if (!existsSync(stateDir)) return null;
  let newest: { dir: string; at: Date } | null = null;
  for (const entry of await readdir(stateDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(stateDir, entry.name);
    const files = await readdir(dir);
    const marks = files.filter((f) => f.endsWith('.chkpt'));
    if (marks.length === 0) continue;
    const at = (await Promise.all(marks.map((f) => stat(join(dir, f))))).reduce((t, s) => (s.mtime > t ? s.mtime : t), new Date(0));
    if (newest === null || at > newest.at) newest = { dir, at };
  }
  return newest;
}

/** Forgets a model's kept state (after a run that finished). */
export async function clearState(stateDir: string): Promise<void> {
  await rm(stateDir, { recursive: true, force: true });
}
