// Writing a trace batch into a corpus: beside the old one and renamed into place, the manifest in step
// at every moment a reader can see, nothing tracked deleted unless asked, nothing written through links.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { markOwned } from '../../src/files/write.js';
import { tla } from '../../src/tla/value.js';
import type { Trace } from '../../src/trace/itf-trace.js';
import { type BatchInfo, MANIFEST_FILE, TRACES_MARKER, readManifest, writeBatch } from '../../src/trace/manifest.js';

function trace(steps: number, goal?: string): Trace {
  return {
    meta: {
      format: 'ITF',
      'format-description': 'x',
      spec: 'Toy',
      source: 'specs/Toy.tla',
      model: 'MCToy',
      config: 'specs/traces/MCToy.cfg',
      tlcVersion: '2.18',
      mode: goal === undefined ? 'simulation' : 'scenario',
      ...(goal !== undefined ? { goal } : {}),
      modelValues: [],
      description: 'd',
      regenerate: 'r',
    },
    vars: ['x'],
    states: Array.from({ length: steps + 1 }, (_, i) => ({ index: i, vars: { x: tla.int(i) }, actionTaken: i === 0 ? 'Init' : 'Inc', nondetPicks: {} })),
  };
}

const SIM: BatchInfo = { mode: 'simulation', protocol: 'toy', spec: 'Toy', model: 'MCToy', config: 'specs/traces/MCToy.cfg', tlcVersion: '2.18', seed: '1', regenerate: 'npm run traces' };
const SCENARIO: BatchInfo = { ...SIM, mode: 'scenario' };
const walks = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `walk-${i + 1}`, trace: trace(i + 1) }));

async function refusal(promise: Promise<unknown>): Promise<WorkbenchError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkbenchError);
  return error as WorkbenchError;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) visit(path);
      else out[path] = readFileSync(join(dir, path), 'utf8');
    }
  };
  visit('');
  return out;
}

describe('writeBatch', () => {
  it('writes the traces and the manifest, and marks the folder as a corpus of this command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    const batch = await writeBatch(dir, SIM, walks(3));
    expect(batch).toMatchObject({ count: 3, steps: 6 });
    expect(readdirSync(join(dir, 'toy', 'simulation'))).toEqual(['walk-1.itf.json', 'walk-2.itf.json', 'walk-3.itf.json']);
    expect((await readManifest(dir))?.totals).toEqual({ traces: 3, steps: 6 });
    expect(existsSync(join(dir, TRACES_MARKER.file))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([TRACES_MARKER.file, MANIFEST_FILE, 'toy'].sort());
  });

  it('never deletes a tracked trace unless asked: a smaller batch is refused, --replace replaces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    await writeBatch(dir, SIM, walks(3));
    const before = snapshot(dir);
    const error = await refusal(writeBatch(dir, SIM, walks(1)));
    expect(error.exitCode).toBe(ExitCode.USAGE);
    expect(error.message).toContain('This would delete 2 tracked trace(s) of MCToy (simulation)');
    expect(error.hint).toContain('--replace');
    expect(snapshot(dir)).toEqual(before);
    await writeBatch(dir, SIM, walks(1), { replace: true });
    expect(readdirSync(join(dir, 'toy', 'simulation'))).toEqual(['walk-1.itf.json']);
    expect((await readManifest(dir))?.totals).toEqual({ traces: 1, steps: 1 });
  });

  it('a scenario batch for some goals keeps the other goals\' traces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    await writeBatch(dir, SCENARIO, ['a', 'b', 'c'].map((g) => ({ name: g, trace: trace(2, g) })), { merge: true });
    await writeBatch(dir, SCENARIO, [{ name: 'b', trace: trace(5, 'b') }], { merge: true });
    const manifest = await readManifest(dir);
    expect(manifest?.batches[0]?.traces.map((t) => [t.file, t.steps])).toEqual([
      ['toy/scenario/a.itf.json', 2],
      ['toy/scenario/b.itf.json', 5],
      ['toy/scenario/c.itf.json', 2],
    ]);
    expect(readdirSync(join(dir, 'toy', 'scenario'))).toEqual(['a.itf.json', 'b.itf.json', 'c.itf.json']);
  });

  it('a write that fails half-way leaves the old corpus and manifest exactly as they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    await writeBatch(dir, SIM, walks(3));
    const before = snapshot(dir);
    // A trace whose file name the file system refuses: the failure comes after other files were written.
    const failing = [...walks(3), { name: 'bad\0name', trace: trace(1) }];
    await expect(writeBatch(dir, SIM, failing)).rejects.toThrow();
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a folder that is not a corpus of this command, and links that would lead a write elsewhere', async () => {
    const theirs = mkdtempSync(join(tmpdir(), 'corpus-'));
    writeFileSync(join(theirs, 'thesis.tex'), 'keep');
    expect((await refusal(writeBatch(theirs, SIM, walks(1)))).message).toContain('has no .workbench-traces marker');

    const linkedBatch = mkdtempSync(join(tmpdir(), 'corpus-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'elsewhere-'));
    writeFileSync(join(elsewhere, 'precious'), 'keep');
    // A corpus of ours in which someone put links.
    await markOwned(linkedBatch, TRACES_MARKER);
    symlinkSync(elsewhere, join(linkedBatch, 'toy'));
    expect((await refusal(writeBatch(linkedBatch, SIM, walks(1)))).message).toContain('is a symbolic link');
    expect(readdirSync(elsewhere)).toEqual(['precious']);

    const danglingManifest = mkdtempSync(join(tmpdir(), 'corpus-'));
    const target = join(mkdtempSync(join(tmpdir(), 'elsewhere-')), 'created.json');
    await markOwned(danglingManifest, TRACES_MARKER);
    symlinkSync(target, join(danglingManifest, MANIFEST_FILE));
    expect((await refusal(writeBatch(danglingManifest, SIM, walks(1)))).message).toContain('manifest.json is a symbolic link');
    expect(existsSync(target)).toBe(false);
  });
});

describe('writeBatch on a full disk', () => {
  // A 64 KiB file system of its own; mounting needs root, so elsewhere this says so and is skipped.
  const mount = mkdtempSync(join(tmpdir(), 'full-disk-'));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
  afterAll(() => {
    if (mounted) execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it.skipIf(!mounted)('ENOSPC: exit 3 with what could not be written, and the corpus as it was', async () => {
    mkdirSync(join(mount, 'traces'));
    await writeBatch(join(mount, 'traces'), SIM, walks(2));
    const before = snapshot(join(mount, 'traces'));
    const big = Array.from({ length: 40 }, (_, i) => ({ name: `walk-${i + 1}`, trace: trace(60) }));
    const error = await refusal(writeBatch(join(mount, 'traces'), SIM, big));
    expect(error.exitCode).toBe(ExitCode.ENVIRONMENT);
    expect(error.message).toMatch(/^Could not write the simulation traces of MCToy into .*: the disk is full \(ENOSPC\)\. Nothing was changed\./);
    expect(snapshot(join(mount, 'traces'))).toEqual(before);
  });
});
