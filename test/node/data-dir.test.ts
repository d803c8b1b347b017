import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { DATA_DIR_FILES, DataDir, DataDirError, type DataDirOptions } from '../../src/node/data-dir.js';
import { RaftLog } from '../../src/raft/index.js';
import { encodeState } from '../../src/storage/index.js';
import { CLUSTER } from './helpers/wire-arbitraries.js';

const roots: string[] = [];
const opened: DataDir[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function newDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'node-data-'));
  roots.push(root);
  return join(root, 's1');
}

async function open(options: DataDirOptions): Promise<DataDir> {
  const d = await DataDir.open(options);
  opened.push(d);
  return d;
}

async function refusal(options: DataDirOptions): Promise<DataDirError> {
  const e = await DataDir.open(options).then(
    (d) => {
      opened.push(d);
      return null;
    },
    (err: unknown) => err,
  );
  if (!(e instanceof DataDirError)) throw new Error(`expected a DataDirError, got ${String(e)}`);
  return e;
}

/** Every file of the directory with its bytes, to show a refusal changed nothing. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
}

const s1 = (dir: string): DataDirOptions => ({ dir, nodeId: 's1', cluster: CLUSTER });

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid as number;
  await new Promise((r) => child.once('exit', r));
  return pid;
}

describe('a node data directory', () => {
  it('is created on first open, and gives back on reopening what the node saved', async () => {
    const dir = newDir();
    const first = await open(s1(dir));
    expect(first.created).toBe(true);
    expect(first.state.hardState).toEqual({ currentTerm: 0, votedFor: null });
    await first.storage.save({ hardState: { currentTerm: 3, votedFor: 's2' }, logWrite: { fromIndex: 1, entries: [{ term: 2, value: 'c1#1 put k0 c1.1' }] } });
    await first.close();
    expect(readdirSync(dir).sort()).toEqual([DATA_DIR_FILES.meta, DATA_DIR_FILES.state]);

    const again = await open(s1(dir));
    expect(again.created).toBe(false);
    expect(again.state.hardState).toEqual({ currentTerm: 3, votedFor: 's2' });
    expect([...again.state.log]).toEqual([{ term: 2, value: 'c1#1 put k0 c1.1' }]);
    expect(readFileSync(join(dir, DATA_DIR_FILES.lock), 'utf8')).toBe(`${process.pid}\n`);
  });

  it.each<[string, Partial<DataDirOptions>, DataDirError['problem'], RegExp]>([
    ['another node', { nodeId: 's2' }, 'other-node', /belongs to node s1 of cluster demo \(s1, s2, s3\), not to s2/],
    ['another cluster', { cluster: { clusterId: 'prod', members: ['s1', 's2', 's3'] } }, 'other-cluster', /belongs to s1 of cluster demo \(s1, s2, s3\), but this node is configured for cluster prod \(s1, s2, s3\)/],
    ['other members', { cluster: { clusterId: 'demo', members: ['s1', 's2', 's3', 's4'] } }, 'other-cluster', /configured for cluster demo \(s1, s2, s3, s4\)/],
  ])('refuses to open as %s, changing nothing', async (_name, change, problem, message) => {
    const dir = newDir();
    await (await open(s1(dir))).close();
    const before = snapshot(dir);
    const e = await refusal({ ...s1(dir), ...change });
    expect(e.problem).toBe(problem);
    expect(e.message).toMatch(message);
    expect(e.exitCode).toBe(ExitCode.USAGE);
    expect(snapshot(dir)).toEqual(before);
    // The refusal released the lock: the rightful node opens it.
    await open(s1(dir));
  });

  it('refuses a corrupt state file with a clear message, overwriting nothing', async () => {
    const dir = newDir();
    const d = await open(s1(dir));
    await d.storage.save({ hardState: { currentTerm: 5, votedFor: 's1' }, logWrite: null });
    await d.close();
    const path = join(dir, DATA_DIR_FILES.state);
    const bytes = readFileSync(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 0x01, bytes.length - 3);
    writeFileSync(path, bytes);
    const before = snapshot(dir);
    const e = await refusal(s1(dir));
    expect(e.problem).toBe('corrupt');
    expect(e.exitCode).toBe(ExitCode.SPEC_ERROR);
    expect(e.message).toMatch(/Raft state file .*raft.state is unreadable: its checksum does not match its contents/);
    expect(e.message).toMatch(/Do not just delete the file/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses corrupt metadata, and a state that votes for a stranger', async () => {
    const dir = newDir();
    await (await open(s1(dir))).close();
    const meta = join(dir, DATA_DIR_FILES.meta);
    const good = readFileSync(meta);
    writeFileSync(meta, Buffer.from(good.toString('utf8').replace('"s1"', '"s9"')));
    const e = await refusal(s1(dir));
    expect([e.problem, e.exitCode]).toEqual(['corrupt', ExitCode.SPEC_ERROR]);
    expect(e.message).toMatch(/Node metadata .*node.meta is unreadable: its checksum does not match/);

    writeFileSync(meta, good);
    writeFileSync(join(dir, DATA_DIR_FILES.state), encodeState({ hardState: { currentTerm: 1, votedFor: 's9' }, log: RaftLog.from([]) }));
    const stranger = await refusal(s1(dir));
    expect(stranger.problem).toBe('corrupt');
    expect(stranger.message).toMatch(/records a vote for s9, who is not a member of cluster demo/);
  });

  it('refuses a directory that is not a data directory', async () => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const foreign = await refusal(s1(dir));
    expect([foreign.problem, foreign.exitCode]).toEqual(['not-a-data-dir', ExitCode.USAGE]);
    expect(foreign.message).toMatch(/is not a node's data directory and is not empty \(it holds notes.txt\)/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);

    rmSync(join(dir, 'notes.txt'));
    writeFileSync(join(dir, DATA_DIR_FILES.state), encodeState({ hardState: { currentTerm: 1, votedFor: null }, log: RaftLog.from([]) }));
    expect((await refusal(s1(dir))).message).toMatch(/holds a Raft state file \(raft.state\) but no node.meta/);

    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    expect((await refusal(s1(file))).message).toMatch(/is not a directory/);
  });

  it('refuses a configuration that does not name this node, before touching the disk', async () => {
    const dir = newDir();
    await expect(DataDir.open({ dir, nodeId: 's4', cluster: CLUSTER })).rejects.toThrow(/s4 is not a member of cluster demo \(s1, s2, s3\)/);
    await expect(DataDir.open({ dir, nodeId: 's1', cluster: { clusterId: 'demo', members: ['s1', 's1'] } })).rejects.toThrow(/listed twice/);
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });

  it('is opened by one holder at a time, and the lock goes with close', async () => {
    const dir = newDir();
    const d = await open(s1(dir));
    const e = await refusal(s1(dir));
    expect([e.problem, e.exitCode]).toEqual(['locked', ExitCode.USAGE]);
    expect(e.message).toMatch(new RegExp(`is in use by this process \\(pid ${process.pid}\\)`));
    await d.close();
    await open(s1(dir));
  });

  it('of several opens racing for it, exactly one wins, also when they all find a stale lock', async () => {
    const dead = await deadPid();
    // Many rounds: which interleaving of the file operations happens is up to the thread pool.
    for (let round = 0; round < 40; round++) {
      const dir = newDir();
      mkdirSync(dir);
      if (round % 4 !== 0) writeFileSync(join(dir, DATA_DIR_FILES.lock), `${dead}\n`);
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => DataDir.open(s1(dir))));
      const winners = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      opened.push(...winners);
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as DataDirError).message).toMatch(/is in use by this process/);
      expect(readdirSync(dir).filter((f) => f.startsWith(DATA_DIR_FILES.lock))).toEqual([DATA_DIR_FILES.lock]);
      for (const w of opened.splice(0)) await w.close();
    }
  });

  it('refuses a lock held by another live process, and takes it over once that process is gone', async () => {
    const dir = newDir();
    mkdirSync(dir);
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const pid = holder.pid as number;
    try {
      writeFileSync(join(dir, DATA_DIR_FILES.lock), `${pid}\n`);
      const e = await refusal(s1(dir));
      expect(e.message).toMatch(new RegExp(`is in use by process ${pid}\\.`));
      expect(e.hint).toMatch(/Stop that process first/);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    const d = await open(s1(dir));
    expect(d.created).toBe(true);
    expect(readFileSync(join(dir, DATA_DIR_FILES.lock), 'utf8')).toBe(`${process.pid}\n`);
  });

  it('takes over a lock file that names no process', async () => {
    const dir = newDir();
    mkdirSync(dir);
    writeFileSync(join(dir, DATA_DIR_FILES.lock), 'garbage');
    await open(s1(dir));
    expect(readFileSync(join(dir, DATA_DIR_FILES.lock), 'utf8')).toBe(`${process.pid}\n`);
  });
});
