/**
 * Writing the files a user keeps (trace corpora, summaries, the docs site) so that nothing is lost:
 * new content is written beside the old and renamed into place, so a crash, a full disk or a read-only
 * folder leaves the old version whole; and a folder is only emptied or replaced when a marker the
 * workbench wrote says the workbench owns it. Symbolic links are refused wherever a write or a delete
 * would follow them out of the folder the user named.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';

/** Error codes that mean "this place cannot be written", the environment's fault (exit 3). */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY', 'EBUSY', 'EMFILE']);

/** A write failed for a reason of the environment's: say what could not be written and why. */
export function unwritable(error: unknown, what: string, hint = 'Choose a writable place, or free some space, and run the command again.'): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof Error && code !== undefined && UNWRITABLE.has(code)) {
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the file system is read-only' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    return new WorkbenchError(`Could not write ${what}: ${why} (${code}). Nothing was changed.`, ExitCode.ENVIRONMENT, hint);
  }
  return error;
}

/** A temporary name beside `path`, in the same folder (so a rename to `path` is atomic). */
export function besidePath(path: string, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Refuses `path` when it is a symbolic link: a write through it could land anywhere. */
export async function refuseSymlink(path: string, what: string): Promise<void> {
  let info;
  try {
    info = await lstat(path);
  } catch {
    return; // missing: nothing to follow
  }
  if (info.isSymbolicLink()) {
    throw new WorkbenchError(`${what} ${path} is a symbolic link; refusing to write through it.`, ExitCode.USAGE, 'Replace the link by a real file or folder, or choose another place.');
  }
}

/**
 * Refuses a path below `root` (relative) when the path, or any folder on the way to it, is a symbolic
 * link or leaves `root`.
 */
export async function refuseLinksBelow(root: string, relativePath: string, what: string): Promise<void> {
  const target = resolve(root, relativePath);
  const rel = relative(resolve(root), target);
  if (rel === '' || rel.startsWith('..') || resolve(rel) === rel) {
    throw new WorkbenchError(`${what} ${relativePath} is not inside ${root}.`, ExitCode.USAGE);
  }
  let current = resolve(root);
  for (const part of rel.split(sep)) {
    current = join(current, part);
    await refuseSymlink(current, what);
  }
}

/** Writes a file atomically: the content goes to a temporary file beside it, which is renamed over it. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await refuseSymlink(path, 'The file');
  const temporary = besidePath(path, 'new');
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * {@link writeFileAtomic} for synchronous commands; a failure the environment causes is a
 * `WorkbenchError` (exit 3) naming `what`.
 */
export function writeFileAtomicSync(path: string, content: string | Uint8Array, what: string): void {
  if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true) {
    throw new WorkbenchError(`${what} ${path} is a symbolic link; refusing to write through it.`, ExitCode.USAGE, 'Replace the link by a real file, or choose another place.');
  }
  const temporary = besidePath(path, 'new');
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw unwritable(error, `${what} ${path}`);
  }
}

/**
 * The marker a command writes into a folder it owns. The folder may be emptied and rewritten by that
 * command; a folder without it is somebody else's.
 */
export interface OwnershipMarker {
  /** File name inside the folder, e.g. `.workbench-docs`. */
  readonly file: string;
  /** What wrote it, e.g. `npm run docs`. */
  readonly owner: string;
}

/** Whether `dir` carries `marker` (a regular file, not a link). */
export function isOwned(dir: string, marker: OwnershipMarker): boolean {
  const file = join(dir, marker.file);
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}

/** Writes `marker` into `dir`. */
export async function markOwned(dir: string, marker: OwnershipMarker): Promise<void> {
  await writeFile(
    join(dir, marker.file),
    `This folder was written by \`${marker.owner}\`, which may empty and rewrite it.\nDelete this file to keep the command from touching the folder.\n`,
  );
}

/**
 * Checks that `dir` may be replaced by a command: it is missing, empty, or carries the command's marker;
 * and it is no symbolic link. Throws a usage error (exit 2) naming the folder otherwise.
 */
export async function assertReplaceable(dir: string, marker: OwnershipMarker, option: string): Promise<void> {
  await refuseSymlink(dir, `${option}`);
  if (!existsSync(dir)) return;
  const info = await lstat(dir);
  if (!info.isDirectory()) throw new WorkbenchError(`${option} ${dir} is a file, not a folder.`, ExitCode.USAGE);
  if ((await readdir(dir)).length === 0 || isOwned(dir, marker)) return;
  throw new WorkbenchError(
    `${option} ${dir} is not empty and was not written by \`${marker.owner}\` (it has no ${marker.file} marker); refusing to replace it.`,
    ExitCode.USAGE,
    `Choose an empty or new folder, or delete this one yourself if it is really a stale ${marker.owner} output.`,
  );
}

/**
 * Puts the folder `staged` (written beside `target`, in the same parent) in place of `target`: the old
 * folder is renamed aside, the new one renamed in, then the old one deleted. Between the two renames,
 * `target` is missing for an instant; {@link recoverReplacedDirectory} puts the old one back after a
 * crash there.
 */
export async function replaceDirectory(target: string, staged: string): Promise<void> {
  if (!existsSync(target)) {
    await rename(staged, target);
    return;
  }
  const aside = `${target}.replaced`;
  await rm(aside, { recursive: true, force: true });
  await rename(target, aside);
  try {
    await rename(staged, target);
  } catch (error) {
    await rename(aside, target);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

/** After a crash inside {@link replaceDirectory}: put the old folder back where the new one never arrived. */
export async function recoverReplacedDirectory(target: string): Promise<void> {
  const aside = `${target}.replaced`;
  if (!existsSync(aside)) return;
  if (existsSync(target)) await rm(aside, { recursive: true, force: true });
  else await rename(aside, target);
}

/** Creates `dir` (and parents), refusing a symbolic link at `dir` itself. */
export async function makeDirectory(dir: string): Promise<void> {
  await refuseSymlink(dir, 'The folder');
  await mkdir(dir, { recursive: true });
}
