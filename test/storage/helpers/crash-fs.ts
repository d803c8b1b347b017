/**
 * A simulated disk for crash tests. It keeps, for every file, what was written and what was fsynced, and
 * for the directory, which names exist and which were made durable by a directory fsync. `crash()` throws
 * away everything not durable, like a power cut; `crashAfterBytes(n)` makes the n+1-th byte written fail
 * mid-write (a torn write), after which every operation fails until the crash is taken.
 */
import type { FileSystem, WritableFile } from '../../../src/storage/index.js';

interface Inode {
  data: Uint8Array;
  synced: Uint8Array;
}

/** Thrown by the simulated disk when the planned crash point is reached. */
export class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = 'SimulatedCrash';
  }
}

/** Operations a crash can be planned right before. */
export type CrashPoint = 'sync' | 'rename' | 'syncDir';

/** The simulated disk; see the module comment for its crash model. */
export class CrashableFileSystem implements FileSystem {
  private names = new Map<string, Inode>();
  private durableNames = new Map<string, Inode>();
  private bytesLeft = Infinity;
  private crashBefore: CrashPoint | null = null;
  private dead = false;
  /** Every operation, for asserting the order of the durable-write protocol. */
  readonly journal: string[] = [];
  /** Set to model a disk that lies about fsync (a negative control). */
  fsyncIsNoop = false;

  /** Fail the write that would take the total written bytes past `n` (writing its first bytes first). */
  crashAfterBytes(n: number): void {
    this.bytesLeft = n;
  }

  /** Fail just before the next operation of this kind. */
  crashAt(point: CrashPoint): void {
    this.crashBefore = point;
  }

  /** Power cut: forget all non-durable data and names; the disk works again afterwards. */
  crash(): void {
    const survivors = new Map<string, Inode>();
    for (const [name, inode] of this.durableNames) {
      inode.data = inode.synced.slice();
      survivors.set(name, inode);
    }
    this.names = survivors;
    this.durableNames = new Map(survivors);
    this.bytesLeft = Infinity;
    this.crashBefore = null;
    this.dead = false;
  }

  /** Put bytes on disk directly (durably), e.g. to plant a corrupt file. */
  plant(path: string, data: Uint8Array): void {
    const inode = { data: data.slice(), synced: data.slice() };
    this.names.set(path, inode);
    this.durableNames.set(path, inode);
  }

  /** The current (not necessarily durable) bytes of a file. */
  peek(path: string): Uint8Array | undefined {
    return this.names.get(path)?.data;
  }

  private check(op: string, point?: CrashPoint): void {
    if (this.dead) throw new SimulatedCrash(`(disk is down) during ${op}`);
    if (point !== undefined && this.crashBefore === point) {
      this.dead = true;
      throw new SimulatedCrash(`before ${op}`);
    }
    this.journal.push(op);
  }

  async readFile(path: string): Promise<Uint8Array | null> {
    this.check(`read ${path}`);
    return this.names.get(path)?.data.slice() ?? null;
  }

  async openForWrite(path: string): Promise<WritableFile> {
    this.check(`open ${path}`);
    // An existing file is truncated in place, and pessimistically the truncation reaches the disk at once
    // (metadata journalled before the new data: the classic zero-length-file failure). A new file gets a
    // new inode whose name is not durable until the directory is synced.
    const existing = this.names.get(path);
    const inode: Inode = existing ?? { data: new Uint8Array(0), synced: new Uint8Array(0) };
    inode.data = new Uint8Array(0);
    inode.synced = new Uint8Array(0);
    this.names.set(path, inode);
    return {
      write: async (data) => {
        this.check(`write ${path} ${data.length}`);
        const n = Math.min(data.length, this.bytesLeft);
        inode.data = concat(inode.data, data.subarray(0, n));
        this.bytesLeft -= n;
        if (n < data.length) {
          this.dead = true;
          throw new SimulatedCrash(`after writing ${n} of ${data.length} bytes to ${path}`);
        }
      },
      sync: async () => {
        this.check(`sync ${path}`, 'sync');
        if (!this.fsyncIsNoop) inode.synced = inode.data.slice();
      },
      close: async () => {
        this.check(`close ${path}`);
      },
    };
  }

  async rename(from: string, to: string): Promise<void> {
    this.check(`rename ${from} ${to}`, 'rename');
    const inode = this.names.get(from);
    if (inode === undefined) throw new Error(`ENOENT: ${from}`);
    this.names.delete(from);
    this.names.set(to, inode);
  }

  async syncDir(dir: string): Promise<void> {
    this.check(`syncDir ${dir}`, 'syncDir');
    if (!this.fsyncIsNoop) this.durableNames = new Map(this.names);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
