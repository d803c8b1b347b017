/**
 * Durable storage in one file per node, replaced atomically on every save:
 * write a temp file, fsync it, rename it over the real file, fsync the directory. At every instant the
 * real file is either the old complete state or the new complete state, so a crash mid-save never loses
 * an acknowledged term, vote or entry. The whole state is rewritten each time: simple and obviously
 * atomic, at a cost proportional to the log, which suits a workbench (a production log would use a WAL).
 *
 * @module
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import type { PersistUpdate } from '../raft/index.js';
import { decodeState, encodeState } from './codec.js';
import { StorageFailedError, StorageIOError } from './errors.js';
import { applyPersistUpdate, INITIAL_PERSISTENT_STATE, type PersistentState, type Storage } from './types.js';

/** An open file being written. */
export interface WritableFile {
  /** Write all of `data` at the current end of the file. */
  write(data: Uint8Array): Promise<void>;
  /** Flush the file's contents to stable storage (fsync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The few filesystem operations `FileStorage` needs. Injectable so tests can simulate crashes (a write cut
 * short, an fsync that never happened) without touching a real disk.
 */
export interface FileSystem {
  /** The file's bytes, or `null` when it does not exist. */
  readFile(path: string): Promise<Uint8Array | null>;
  /** Create or truncate `path` for writing. */
  openForWrite(path: string): Promise<WritableFile>;
  /** Atomically replace `to` with `from`. */
  rename(from: string, to: string): Promise<void>;
  /** Make the directory's entries (the rename) durable. */
  syncDir(dir: string): Promise<void>;
}

/** The real filesystem, through `node:fs`. */
export const nodeFileSystem: FileSystem = {
  async readFile(path) {
    try {
      return await fsp.readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  },
  async openForWrite(path) {
    const handle = await fsp.open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC, 0o600);
    return {
      async write(data) {
        let offset = 0;
        // A single write may be partial; loop until everything is handed to the kernel.
        while (offset < data.length) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => fsp.rename(from, to),
  async syncDir(dir) {
    const handle = await fsp.open(dir, fsConstants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/**
 * Replace the file at `path` with `bytes` so that a crash leaves either the old or the new file whole: write
 * `<path>.tmp`, fsync it, rename it over `path`, fsync the directory. Failures are `StorageIOError`s naming
 * the step.
 */
export async function replaceFileAtomically(fs: FileSystem, path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await io('create', tmp, () => fs.openForWrite(tmp));
  try {
    await io('write', tmp, () => file.write(bytes));
    await io('sync', tmp, () => file.sync());
  } finally {
    await file.close().catch(() => undefined);
  }
  await io('rename', `${tmp} -> ${path}`, () => fs.rename(tmp, path));
  const dir = dirname(path);
  await io('sync directory', dir, () => fs.syncDir(dir));
}

async function io<T>(operation: string, path: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new StorageIOError(operation, path, e);
  }
}

/** `Storage` in a single file at `path`, replaced atomically (see the module comment). */
export class FileStorage implements Storage {
  private current: PersistentState | null = null;
  private failed = false;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param path the state file; its directory must exist. `<path>.tmp` is used while saving.
   * @param fs the filesystem (default: the real one).
   */
  constructor(
    readonly path: string,
    private readonly fs: FileSystem = nodeFileSystem,
  ) {}

  /** Where a save stages the new state before renaming it into place. */
  get tempPath(): string {
    return `${this.path}.tmp`;
  }

  /**
   * Read the state file. A missing file means a fresh node. A leftover temp file from a crashed save is
   * ignored: that save never resolved, so nothing in it was acknowledged. Throws `StorageCorruptError` or
   * `StorageIOError` with an actionable message.
   */
  async load(): Promise<PersistentState> {
    return this.enqueue(async () => {
      let bytes: Uint8Array | null;
      try {
        bytes = await this.fs.readFile(this.path);
      } catch (e) {
        throw new StorageIOError('read', this.path, e);
      }
      const state = bytes === null ? INITIAL_PERSISTENT_STATE : decodeState(bytes, this.path);
      this.current = state;
      this.failed = false;
      return state;
    });
  }

  /** Apply `update` and replace the file atomically; resolves once the new state is durable. */
  async save(update: PersistUpdate): Promise<void> {
    return this.enqueue(async () => {
      if (this.failed) throw new StorageFailedError(this.path);
      const base = this.current ?? (await this.readForSave());
      const next = applyPersistUpdate(base, update);
      try {
        await replaceFileAtomically(this.fs, this.path, encodeState(next));
      } catch (e) {
        this.failed = true;
        throw e;
      }
      this.current = next;
    });
  }

  private async readForSave(): Promise<PersistentState> {
    let bytes: Uint8Array | null;
    try {
      bytes = await this.fs.readFile(this.path);
    } catch (e) {
      throw new StorageIOError('read', this.path, e);
    }
    return bytes === null ? INITIAL_PERSISTENT_STATE : decodeState(bytes, this.path);
  }

  /** Saves and loads run one at a time, in call order, so two saves never interleave their writes. */
  private enqueue<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
