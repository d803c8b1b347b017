/**
 * A node's data directory: what a real Raft process keeps between runs.
 *
 * ```
 * <dir>/node.meta    which node of which cluster this directory belongs to (checksummed, written once)
 * <dir>/raft.state   the term, vote and log, through FileStorage (atomic replace + fsync, checksummed)
 * <dir>/LOCK         the pid of the process that has the directory open
 * ```
 *
 * Opening checks, before anything is written: that no live process holds the lock (a dead one's lock is
 * taken over); that the directory is this node's, of this cluster with these members (a node started on
 * another node's directory would vote with a stranger's term and log); and that the state file reads back
 * whole. A refusal is a {@link DataDirError} with a message saying what to do and an exit code, and leaves
 * every file as it was.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';
import type { NodeId } from '../raft/index.js';
import {
  type ChecksummedFormat,
  FileStorage,
  type PersistentState,
  StorageCorruptError,
  StorageIOError,
  nodeFileSystem,
  openChecksummed,
  replaceFileAtomically,
  sealChecksummed,
} from '../storage/index.js';
import { type ClusterIdentity, clusterIdProblem, clusterIdentity, formatIdentity, nodeIdProblem, sameIdentity } from './wire.js';

/** The files of a data directory. */
export const DATA_DIR_FILES = { meta: 'node.meta', state: 'raft.state', lock: 'LOCK' } as const;

const META_FORMAT: ChecksummedFormat = { magic: 'raft-node-meta', version: 'v1', what: 'node metadata' };

/** What is wrong with a data directory. */
export type DataDirProblem =
  /** Another live process has it open. */
  | 'locked'
  /** It belongs to another node. */
  | 'other-node'
  /** It belongs to another cluster, or to this cluster with other members. */
  | 'other-cluster'
  /** It is not a node's data directory (not empty, a file, state without metadata). */
  | 'not-a-data-dir'
  /** A file in it cannot be trusted (checksum, format, shape). */
  | 'corrupt'
  /** The operating system refused (permissions, full disk). */
  | 'io';

const EXIT_CODES: Readonly<Record<DataDirProblem, ExitCodeValue>> = {
  // A folder the command may not touch (now, or for this node): the user named the wrong one.
  locked: ExitCode.USAGE,
  'other-node': ExitCode.USAGE,
  'other-cluster': ExitCode.USAGE,
  'not-a-data-dir': ExitCode.USAGE,
  // A file that is wrong, like a malformed trace.
  corrupt: ExitCode.SPEC_ERROR,
  io: ExitCode.ENVIRONMENT,
};

/** A data directory that cannot be opened; its exit code follows from the problem. */
export class DataDirError extends WorkbenchError {
  constructor(
    readonly problem: DataDirProblem,
    readonly dir: string,
    message: string,
    hint?: string,
  ) {
    super(message, EXIT_CODES[problem], hint);
    this.name = 'DataDirError';
  }
}

/** What a node opens its directory as. */
export interface DataDirOptions {
  readonly dir: string;
  readonly nodeId: NodeId;
  readonly cluster: ClusterIdentity;
}

interface Meta {
  readonly nodeId: NodeId;
  readonly cluster: ClusterIdentity;
}

/** An open data directory: the node's storage, the state it starts from, and the lock it holds. */
export class DataDir {
  private open = true;

  private constructor(
    readonly dir: string,
    readonly nodeId: NodeId,
    readonly cluster: ClusterIdentity,
    /** Where the node saves its term, vote and log. */
    readonly storage: FileStorage,
    /** The durable state found on opening (the initial state for a new directory). */
    readonly state: PersistentState,
    /** Whether this open created the directory's metadata (a node's first start). */
    readonly created: boolean,
    private readonly lock: PidLock,
  ) {}

  /** Open (creating when new) the data directory of `nodeId`; see the module comment for what is refused. */
  static async open(options: DataDirOptions): Promise<DataDir> {
    const { dir, nodeId } = options;
    // A bad configuration is the caller's to report (RangeError), before any file is touched.
    const cluster = clusterIdentity(options.cluster.clusterId, options.cluster.members);
    const problem = nodeIdProblem(nodeId) ?? (cluster.members.includes(nodeId) ? null : `${nodeId} is not a member of cluster ${formatIdentity(cluster)}`);
    if (problem !== null) throw new RangeError(problem);
    await makeDirectory(dir);
    const lock = await PidLock.acquire(dir);
    try {
      const created = await checkOrWriteMeta(dir, { nodeId, cluster });
      const storage = new FileStorage(join(dir, DATA_DIR_FILES.state));
      const state = await loadState(dir, storage, cluster);
      return new DataDir(dir, nodeId, cluster, storage, state, created, lock);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  /** Release the lock. The storage must not be used afterwards. */
  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.lock.release();
  }
}

function io(dir: string, doing: string, error: unknown): DataDirError {
  const detail = error instanceof Error ? error.message : String(error);
  return new DataDirError('io', dir, `Could not ${doing} in data directory ${dir}: ${detail}.`, 'Check that the directory is writable by this process and that the disk has space, then start the node again.');
}

function errnoCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

async function makeDirectory(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    if (errnoCode(e) === 'EEXIST' || errnoCode(e) === 'ENOTDIR') {
      throw new DataDirError('not-a-data-dir', dir, `Data directory ${dir} is not a directory.`, 'Name a directory (it is created when missing).');
    }
    throw io(dir, 'create the directory', e);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Metadata

async function readOptional(path: string): Promise<Buffer | null> {
  try {
    return await fsp.readFile(path);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return null;
    throw e;
  }
}

/** Checks the directory is `expected`'s, or makes it so when it is new; returns whether it was new. */
async function checkOrWriteMeta(dir: string, expected: Meta): Promise<boolean> {
  const path = join(dir, DATA_DIR_FILES.meta);
  let bytes: Buffer | null;
  try {
    bytes = await readOptional(path);
  } catch (e) {
    throw io(dir, `read ${DATA_DIR_FILES.meta}`, e);
  }
  if (bytes === null) {
    await refuseForeignContents(dir);
    const body = Buffer.from(JSON.stringify({ nodeId: expected.nodeId, clusterId: expected.cluster.clusterId, members: [...expected.cluster.members] }), 'utf8');
    try {
      await replaceFileAtomically(nodeFileSystem, path, sealChecksummed(META_FORMAT, body));
    } catch (e) {
      throw io(dir, `write ${DATA_DIR_FILES.meta}`, e instanceof StorageIOError ? e.cause : e);
    }
    return true;
  }
  const found = decodeMeta(bytes, dir, path);
  if (found.nodeId !== expected.nodeId) {
    throw new DataDirError(
      'other-node',
      dir,
      `Data directory ${dir} belongs to node ${found.nodeId} of cluster ${formatIdentity(found.cluster)}, not to ${expected.nodeId}.`,
      `Start ${expected.nodeId} with its own data directory; a node started on another's would take over its term, vote and log.`,
    );
  }
  if (!sameIdentity(found.cluster, expected.cluster)) {
    throw new DataDirError(
      'other-cluster',
      dir,
      `Data directory ${dir} belongs to ${found.nodeId} of cluster ${formatIdentity(found.cluster)}, but this node is configured for cluster ${formatIdentity(expected.cluster)}.`,
      'Use the configuration this directory was created with (membership changes are not supported), or give this node a new, empty directory.',
    );
  }
  return false;
}

/** A new directory must hold nothing but what a crashed first start may have left (a temp file, a lock). */
async function refuseForeignContents(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(dir);
  } catch (e) {
    throw io(dir, 'list the directory', e);
  }
  if (entries.includes(DATA_DIR_FILES.state)) {
    throw new DataDirError(
      'not-a-data-dir',
      dir,
      `Data directory ${dir} holds a Raft state file (${DATA_DIR_FILES.state}) but no ${DATA_DIR_FILES.meta} saying which node it belongs to.`,
      `Restore ${DATA_DIR_FILES.meta} from a backup of this directory, or start the node on a new, empty directory.`,
    );
  }
  const own = new Set<string>([DATA_DIR_FILES.lock, `${DATA_DIR_FILES.meta}.tmp`]);
  const foreign = entries.filter((e) => !own.has(e) && !e.startsWith(`${DATA_DIR_FILES.lock}.`));
  if (foreign.length > 0) {
    const listed = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, ... (${foreign.length} in all)` : '');
    throw new DataDirError(
      'not-a-data-dir',
      dir,
      `Data directory ${dir} is not a node's data directory and is not empty (it holds ${listed}).`,
      'Name an empty or missing directory for a new node; nothing in this one was changed.',
    );
  }
}

function decodeMeta(bytes: Uint8Array, dir: string, path: string): Meta {
  const corrupt = (problem: string) =>
    new DataDirError(
      'corrupt',
      dir,
      `Node metadata ${path} is unreadable: ${problem}.`,
      'It says which node and cluster the directory belongs to. Restore it from a backup of this directory; nothing was changed.',
    );
  const json = openChecksummed(bytes, META_FORMAT, corrupt);
  const r = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  const { nodeId, clusterId, members } = r;
  if (typeof nodeId !== 'string' || nodeIdProblem(nodeId) !== null) throw corrupt(`its node id ${JSON.stringify(nodeId)} is not a node id`);
  if (typeof clusterId !== 'string' || clusterIdProblem(clusterId) !== null) throw corrupt(`its cluster id ${JSON.stringify(clusterId)} is not a cluster id`);
  if (!Array.isArray(members) || members.length === 0 || !members.every((m) => typeof m === 'string' && nodeIdProblem(m) === null)) {
    throw corrupt('its members are not a list of node ids');
  }
  return { nodeId, cluster: { clusterId, members: [...(members as string[])].sort() } };
}

async function loadState(dir: string, storage: FileStorage, cluster: ClusterIdentity): Promise<PersistentState> {
  let state: PersistentState;
  try {
    state = await storage.load();
  } catch (e) {
    if (e instanceof StorageCorruptError) throw new DataDirError('corrupt', dir, e.message);
    if (e instanceof StorageIOError) throw new DataDirError('io', dir, e.message);
    throw e;
  }
  const vote = state.hardState.votedFor;
  if (vote !== null && !cluster.members.includes(vote)) {
    throw new DataDirError(
      'corrupt',
      dir,
      `Raft state file ${storage.path} records a vote for ${vote}, who is not a member of cluster ${formatIdentity(cluster)}.`,
      'The file does not belong to this cluster. Restore this directory from a backup; nothing was changed.',
    );
  }
  return state;
}

// ---------------------------------------------------------------------------------------------------------
// The lock

/** Whether a process with this pid exists (this process included). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, but belongs to someone else.
    return errnoCode(e) === 'EPERM';
  }
}

/** The pid a lock file names; `null` when unreadable (then it was not written by a live lock holder); `'gone'` when missing. */
async function lockOwner(path: string): Promise<number | null | 'gone'> {
  const bytes = await readOptional(path);
  if (bytes === null) return 'gone';
  const m = /^(\d+)\n$/.exec(bytes.toString('utf8'));
  const pid = m === null ? NaN : Number(m[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * A lock file holding the owner's pid. It is created complete and atomically (a finished file hard-linked
 * into place, which fails when the name exists), so a reader never sees it half-written, and of several
 * processes linking at once exactly one succeeds.
 *
 * A lock whose process is gone is stale. Removing it is the racy part (between seeing it stale and removing
 * it, another process may have replaced it), so removal happens only under a second lock, `LOCK.takeover`,
 * taken the same way: under it the stale lock cannot change, as no one links over an existing name and no
 * one else removes. Everyone else just retries the link; whoever links first after the removal wins. (A
 * `LOCK.takeover` left by a process that died during a takeover is itself removed as stale, without a third
 * guard: that race needs a crash inside a takeover that lasts milliseconds.)
 */
class PidLock {
  private held = true;

  private constructor(
    readonly path: string,
    private readonly dir: string,
  ) {}

  static async acquire(dir: string): Promise<PidLock> {
    const path = join(dir, DATA_DIR_FILES.lock);
    const mine = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await fsp.writeFile(mine, `${process.pid}\n`, { mode: 0o600 });
    } catch (e) {
      throw io(dir, 'create the lock file', e);
    }
    try {
      for (let attempt = 0; attempt < 200; attempt++) {
        if (await linkOnce(mine, path)) return new PidLock(path, dir);
        const owner = await lockOwner(path);
        if (owner === 'gone') continue;
        if (owner !== null && processAlive(owner)) throw locked(dir, owner);
        // Stale: remove it under the takeover lock, or wait for whoever holds that lock to do so.
        if (!(await removeStale(path, owner, mine))) await new Promise((r) => setTimeout(r, 5));
      }
      throw new DataDirError('locked', dir, `Data directory ${dir} is being opened by other processes at the same time; could not take its lock.`, 'Start one node per data directory.');
    } catch (e) {
      if (e instanceof DataDirError) throw e;
      throw io(dir, 'take the lock', e);
    } finally {
      await fsp.rm(mine, { force: true }).catch(() => undefined);
    }
  }

  /** Removes the lock if it is still this process's. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    try {
      if ((await lockOwner(this.path)) === process.pid) await fsp.rm(this.path, { force: true });
    } catch (e) {
      throw io(this.dir, 'release the lock', e);
    }
  }
}

/** Hard-links the finished file `from` to `to`; false when `to` exists. */
async function linkOnce(from: string, to: string): Promise<boolean> {
  try {
    await fsp.link(from, to);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Removes the lock at `path` if it still names `staleOwner`, holding the takeover lock meanwhile. Returns
 * false when another live process holds the takeover lock (the caller waits and looks again).
 */
async function removeStale(path: string, staleOwner: number | null, mine: string): Promise<boolean> {
  const guard = `${path}.takeover`;
  if (!(await linkOnce(mine, guard))) {
    const holder = await lockOwner(guard);
    if (holder === 'gone') return true;
    if (holder !== null && processAlive(holder)) return false;
    await fsp.rm(guard, { force: true });
    return true;
  }
  try {
    if ((await lockOwner(path)) === staleOwner) await fsp.rm(path, { force: true });
    return true;
  } finally {
    await fsp.rm(guard, { force: true });
  }
}

function locked(dir: string, pid: number): DataDirError {
  const who = pid === process.pid ? `this process (pid ${pid})` : `process ${pid}`;
  return new DataDirError(
    'locked',
    dir,
    `Data directory ${dir} is in use by ${who}.`,
    `Each data directory serves one running node. Stop that process first, or start this node with its own directory. (A lock left by a process that no longer exists is taken over automatically.)`,
  );
}
