import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Inputs, RaftLog, restoreNodeState, step, initialNodeState, type PersistUpdate } from '../../src/raft/index.js';
import {
  applyPersistUpdate,
  encodeState,
  FileStorage,
  INITIAL_PERSISTENT_STATE,
  StorageCorruptError,
  StorageFailedError,
  StorageIOError,
  type FileSystem,
  type PersistentState,
  type Storage,
} from '../../src/storage/index.js';
import { CrashableFileSystem, SimulatedCrash } from './helpers/crash-fs.js';

const PATH = '/data/s1.state';

const A: PersistUpdate = {
  hardState: { currentTerm: 2, votedFor: 's1' },
  logWrite: { fromIndex: 1, entries: [{ term: 1, value: 'v1' }, { term: 2, value: 'v2' }] },
};
const stateA: PersistentState = { hardState: A.hardState!, log: RaftLog.from(A.logWrite!.entries) };
const B: PersistUpdate = {
  hardState: { currentTerm: 3, votedFor: 's2' },
  logWrite: { fromIndex: 2, entries: [{ term: 3, value: 'v3' }] },
};
const stateB: PersistentState = { hardState: B.hardState!, log: RaftLog.from([{ term: 1, value: 'v1' }, { term: 3, value: 'v3' }]) };

async function diskWithA(): Promise<CrashableFileSystem> {
  const fs = new CrashableFileSystem();
  await new FileStorage(PATH, fs).save(A);
  return fs;
}

describe('FileStorage on the real filesystem', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'raft-storage-'));
    dirs.push(d);
    return d;
  };

  it('starts empty, saves, and loads what it saved in a new process-like instance', async () => {
    const path = join(tempDir(), 's1.state');
    expect(await new FileStorage(path).load()).toEqual(INITIAL_PERSISTENT_STATE);
    const storage = new FileStorage(path);
    await storage.save(A);
    await storage.save(B);
    expect(await new FileStorage(path).load()).toEqual(stateB);
    expect(readFileSync(path, 'utf8')).toMatch(/^raft-state v1 sha256=[0-9a-f]{64} bytes=\d+\n\{/);
  });

  it('ignores a temp file left behind by a crashed save', async () => {
    const dir = tempDir();
    const path = join(dir, 's1.state');
    await new FileStorage(path).save(A);
    writeFileSync(`${path}.tmp`, 'half a state');
    expect(await new FileStorage(path).load()).toEqual(stateA);
    await new FileStorage(path).save(B);
    expect(readdirSync(dir)).toEqual(['s1.state']);
  });

  it('explains a missing directory instead of throwing a raw error', async () => {
    const path = join(tempDir(), 'no-such-dir', 's1.state');
    const error = await new FileStorage(path).save(A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageIOError);
    expect((error as Error).message).toMatch(/Could not create Raft state at .*s1.state.tmp: ENOENT.*What to do: check that the directory exists/);
  });
});

describe('FileStorage crash safety (simulated disk)', () => {
  it('writes temp, fsyncs it, renames it into place, then fsyncs the directory', async () => {
    const fs = new CrashableFileSystem();
    await new FileStorage(PATH, fs).save(A);
    expect(fs.journal.map((op) => op.split(' ')[0])).toEqual(['read', 'open', 'write', 'sync', 'close', 'rename', 'syncDir']);
    expect(fs.journal).toContain(`rename ${PATH}.tmp ${PATH}`);
    expect(fs.journal).toContain('syncDir /data');
  });

  it('keeps the last acknowledged state when a write is cut short after any number of bytes', async () => {
    const length = encodeState(stateB).length;
    for (let n = 0; n < length; n++) {
      const fs = await diskWithA();
      fs.crashAfterBytes(n);
      const storage = new FileStorage(PATH, fs);
      await storage.load();
      const error = await storage.save(B).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(StorageIOError);
      expect((error as StorageIOError).cause).toBeInstanceOf(SimulatedCrash);
      fs.crash();
      // B was never acknowledged: A, the last acknowledged state, is what loads.
      expect(await new FileStorage(PATH, fs).load(), `crash after ${n} bytes`).toEqual(stateA);
    }
  });

  it.each(['sync', 'rename', 'syncDir'] as const)('keeps the acknowledged state when the crash comes before %s', async (point) => {
    const fs = await diskWithA();
    fs.crashAt(point);
    await expect(new FileStorage(PATH, fs).save(B)).rejects.toThrow(StorageIOError);
    fs.crash();
    expect(await new FileStorage(PATH, fs).load()).toEqual(stateA);
  });

  it('never loses an acknowledged save, even if power fails right after', async () => {
    const fs = await diskWithA();
    await new FileStorage(PATH, fs).save(B);
    fs.crash();
    expect(await new FileStorage(PATH, fs).load()).toEqual(stateB);
  });

  it('survives a crash during the very first save: the node starts fresh', async () => {
    const fs = new CrashableFileSystem();
    fs.crashAfterBytes(10);
    await expect(new FileStorage(PATH, fs).save(A)).rejects.toThrow(/simulated crash after writing 10/);
    fs.crash();
    expect(await new FileStorage(PATH, fs).load()).toEqual(INITIAL_PERSISTENT_STATE);
  });

  it('refuses further saves after a failed one until the node reloads', async () => {
    const fs = await diskWithA();
    const storage = new FileStorage(PATH, fs);
    fs.crashAt('rename');
    await expect(storage.save(B)).rejects.toThrow(StorageIOError);
    fs.crash();
    await expect(storage.save(B)).rejects.toThrow(StorageFailedError);
    await expect(storage.save(B)).rejects.toThrow(/restart the node from Storage.load/);
    expect(await storage.load()).toEqual(stateA);
    await storage.save(B);
    expect(await new FileStorage(PATH, fs).load()).toEqual(stateB);
  });

  it('serializes concurrent saves in call order', async () => {
    const fs = new CrashableFileSystem();
    const storage = new FileStorage(PATH, fs);
    await Promise.all([storage.save(A), storage.save(B)]);
    expect(await new FileStorage(PATH, fs).load()).toEqual(stateB);
  });

  describe('negative controls: the crash test catches unsafe storage', () => {
    /** Writes the real file in place: the obvious, wrong way. */
    class InPlaceStorage implements Storage {
      constructor(private readonly fs: FileSystem) {}
      async load(): Promise<PersistentState> {
        return new FileStorage(PATH, this.fs).load();
      }
      async save(update: PersistUpdate): Promise<void> {
        const base = await this.load();
        const next = applyPersistUpdate(base, update);
        const file = await this.fs.openForWrite(PATH);
        await file.write(encodeState(next));
        await file.sync();
        await file.close();
        await this.fs.syncDir('/data');
      }
    }

    it('an in-place writer loses the acknowledged state on a torn write', async () => {
      const fs = new CrashableFileSystem();
      await new InPlaceStorage(fs).save(A);
      fs.crashAfterBytes(20);
      await expect(new InPlaceStorage(fs).save(B)).rejects.toThrow(SimulatedCrash);
      fs.crash();
      // The torn file is either gone or unreadable: A, which was acknowledged, is lost.
      const loaded = await new FileStorage(PATH, fs).load().catch((e: unknown) => e);
      expect(loaded).not.toEqual(stateA);
    });

    it('a disk that ignores fsync loses an acknowledged save', async () => {
      const fs = await diskWithA();
      fs.fsyncIsNoop = true;
      await new FileStorage(PATH, fs).save(B);
      fs.crash();
      expect(await new FileStorage(PATH, fs).load()).not.toEqual(stateB);
    });
  });
});

describe('a corrupt or unreadable state file', () => {
  const good = encodeState(stateA);
  const text = Buffer.from(good).toString('utf8');
  const [header, body] = [text.slice(0, text.indexOf('\n')), text.slice(text.indexOf('\n') + 1)];
  /** A well-formed header (valid checksum and length) around a bad body. */
  const withBody = (b: string): string => {
    return `raft-state v1 sha256=${createHash('sha256').update(b).digest('hex')} bytes=${Buffer.byteLength(b)}\n${b}`;
  };

  it.each([
    ['an empty file', '', /has no header line/],
    ['a foreign file', '{"hello": "world"}\n', /is not a Raft state header/],
    ['a newer format', text.replace('raft-state v1', 'raft-state v2'), /uses format v2, this build reads only v1/],
    ['a truncated body', text.slice(0, -5), /truncated or padded: the header promises \d+ bytes of body, the file has \d+/],
    ['a flipped byte', `${header}\n${body.replace('v1', 'v9')}`, /checksum does not match its contents/],
    ['bad JSON under a valid checksum', withBody('{"currentTerm": 1,'), /body is not valid JSON/],
    ['a negative term', withBody('{"currentTerm":-1,"votedFor":null,"log":[]}'), /currentTerm is -1, not a natural number/],
    ['a numeric vote', withBody('{"currentTerm":1,"votedFor":7,"log":[]}'), /votedFor is 7/],
    ['a log that is not a list', withBody('{"currentTerm":1,"votedFor":null,"log":{}}'), /log is not an array/],
    ['a bad log entry', withBody('{"currentTerm":1,"votedFor":null,"log":[{"term":1}]}'), /log entry 1 is \{"term":1\}/],
    ['a non-object body', withBody('42'), /body is not an object/],
  ])('reports %s clearly: what, why, what to do', async (_name, contents, problem) => {
    const fs = new CrashableFileSystem();
    fs.plant(PATH, Buffer.from(contents, 'utf8'));
    const error = await new FileStorage(PATH, fs).load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageCorruptError);
    const message = (error as Error).message;
    expect(message).toContain(`Raft state file ${PATH} is unreadable`);
    expect(message).toMatch(problem);
    expect(message).toMatch(/What to do: restore the file from a backup/);
    expect(message).toMatch(/Do not just delete the file/);
    expect((error as StorageCorruptError).code).toBe('RAFT_STATE_CORRUPT');
    // Saving on top of a corrupt file is refused the same way, never silently overwritten.
    await expect(new FileStorage(PATH, fs).save(B)).rejects.toThrow(StorageCorruptError);
  });

  it('reports a read failure as an I/O problem', async () => {
    const failing = new CrashableFileSystem();
    failing.readFile = async () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    const error = await new FileStorage(PATH, failing).load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageIOError);
    expect((error as Error).message).toMatch(/Could not read Raft state at \/data\/s1.state: EACCES: permission denied/);
    await expect(new FileStorage(PATH, failing).save(A)).rejects.toThrow(StorageIOError);
  });
});

describe('a node restarted from storage', () => {
  it('comes back with the term, vote and log it persisted, and nothing else', async () => {
    const fs = new CrashableFileSystem();
    const storage = new FileStorage(PATH, fs);
    let node = initialNodeState('s1', ['s1', 's2', 's3']);
    const inputs = [
      Inputs.Timeout(),
      Inputs.HandleRequestVoteResponse({ type: 'RequestVoteResponse', term: 1, from: 's2', to: 's1', voteGranted: true }),
      Inputs.BecomeLeader(),
      Inputs.ClientRequest('v1'),
      Inputs.ClientRequest('v2'),
    ];
    for (const input of inputs) {
      const r = step(node, input);
      if (r.outputs.persist !== null) await storage.save(r.outputs.persist);
      node = r.state;
    }
    fs.crash();
    const loaded = await new FileStorage(PATH, fs).load();
    const restored = restoreNodeState('s1', node.servers, loaded.hardState, loaded.log);
    expect(restored).toEqual(step(node, Inputs.Restart()).state);
  });
});
