// Writing what a user keeps: atomic files, folders replaced only when ours, symbolic links refused.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import {
  assertReplaceable,
  markOwned,
  recoverReplacedDirectory,
  refuseLinksBelow,
  replaceDirectory,
  unwritable,
  writeFileAtomic,
} from '../../src/files/write.js';

const temp = () => mkdtempSync(join(tmpdir(), 'write-'));
const MARKER = { file: '.workbench-test', owner: 'npm run test-command' } as const;

async function refusal(promise: Promise<unknown>): Promise<WorkbenchError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkbenchError);
  return error as WorkbenchError;
}

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temporary file', async () => {
    const dir = temp();
    const file = join(dir, 'summary.json');
    writeFileSync(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['summary.json']);
  });

  it('a write that fails at the rename leaves the target as it was and no temporary file', async () => {
    const dir = temp();
    // A folder where the file should go: the temporary file is written, the rename over a folder fails.
    const target = join(dir, 'summary.json');
    mkdirSync(target);
    writeFileSync(join(target, 'kept.txt'), 'kept');
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['summary.json']);
    expect(readFileSync(join(target, 'kept.txt'), 'utf8')).toBe('kept');
  });

  it('refuses to write through a symbolic link (a dangling one included)', async () => {
    const dir = temp();
    const outside = join(temp(), 'victim.json');
    symlinkSync(outside, join(dir, 'manifest.json'));
    const error = await refusal(writeFileAtomic(join(dir, 'manifest.json'), 'x'));
    expect(error.message).toMatch(/manifest\.json is a symbolic link; refusing to write through it/);
    expect(existsSync(outside)).toBe(false);
  });
});

describe('folders a command may replace', () => {
  it('missing, empty, or carrying the command\'s marker: yes; anything else: a usage error naming the folder', async () => {
    const dir = temp();
    await assertReplaceable(join(dir, 'new'), MARKER, '--out');
    mkdirSync(join(dir, 'empty'));
    await assertReplaceable(join(dir, 'empty'), MARKER, '--out');
    mkdirSync(join(dir, 'ours'));
    await markOwned(join(dir, 'ours'), MARKER);
    writeFileSync(join(dir, 'ours', 'page.html'), '');
    await assertReplaceable(join(dir, 'ours'), MARKER, '--out');
    mkdirSync(join(dir, 'theirs'));
    writeFileSync(join(dir, 'theirs', 'thesis.tex'), '');
    const error = await refusal(assertReplaceable(join(dir, 'theirs'), MARKER, '--out'));
    expect(error.exitCode).toBe(ExitCode.USAGE);
    expect(error.message).toContain('was not written by `npm run test-command` (it has no .workbench-test marker)');
    writeFileSync(join(dir, 'file'), '');
    expect((await refusal(assertReplaceable(join(dir, 'file'), MARKER, '--out'))).message).toContain('is a file, not a folder');
  });

  it('a symbolic link to a folder is refused, even to one of ours', async () => {
    const dir = temp();
    mkdirSync(join(dir, 'ours'));
    await markOwned(join(dir, 'ours'), MARKER);
    symlinkSync(join(dir, 'ours'), join(dir, 'link'));
    expect((await refusal(assertReplaceable(join(dir, 'link'), MARKER, '--out'))).message).toContain('is a symbolic link');
  });

  it('a link anywhere on the way below the folder is refused, and so is a path leaving it', async () => {
    const dir = temp();
    symlinkSync(temp(), join(dir, 'raft'));
    expect((await refusal(refuseLinksBelow(dir, 'raft/tour', 'The trace folder'))).message).toContain(`${join(dir, 'raft')} is a symbolic link`);
    expect((await refusal(refuseLinksBelow(dir, '../elsewhere', 'The trace folder'))).message).toContain('is not inside');
  });
});

describe('replaceDirectory', () => {
  it('puts the staged folder in place of the old one, and a crash between its renames is recovered', async () => {
    const dir = temp();
    const target = join(dir, 'tour');
    mkdirSync(target);
    writeFileSync(join(target, 'old.json'), '');
    const staged = join(dir, '.tour.new');
    mkdirSync(staged);
    writeFileSync(join(staged, 'new.json'), '');
    await replaceDirectory(target, staged);
    expect(readdirSync(target)).toEqual(['new.json']);
    expect(readdirSync(dir)).toEqual(['tour']);
    // As if a crash came after the old folder was renamed aside and before the new one arrived.
    const { renameSync } = await import('node:fs');
    renameSync(target, `${target}.replaced`);
    await recoverReplacedDirectory(target);
    expect(readdirSync(target)).toEqual(['new.json']);
    expect(readdirSync(dir)).toEqual(['tour']);
  });
});

describe('unwritable', () => {
  it.each([
    ['ENOSPC', 'the disk is full'],
    ['EROFS', 'the file system is read-only'],
    ['EACCES', 'permission denied'],
  ])('%s: the environment\'s fault (exit 3), saying what could not be written and that nothing changed', (code, why) => {
    const error = unwritable(Object.assign(new Error(`${code}: something`), { code }), 'the traces of M into out/') as WorkbenchError;
    expect(error).toBeInstanceOf(WorkbenchError);
    expect(error.exitCode).toBe(ExitCode.ENVIRONMENT);
    expect(error.message).toBe(`Could not write the traces of M into out/: ${why} (${code}). Nothing was changed.`);
  });

  it('anything else is passed on as it is', () => {
    const bug = new TypeError('not a file system problem');
    expect(unwritable(bug, 'x')).toBe(bug);
  });
});
