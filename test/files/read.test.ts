// Reading files from a shared corpus: one helper that refuses what cannot be a text file of a sane
// size (checked before reading), a JSON parser whose errors say what and where but never echo the
// file, and a containment check for paths a file names.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { FileReadError, JsonSyntaxError, MAX_INPUT_BYTES, parseJson, readTextFile, resolveInside } from '../../src/files/read.js';

const dir = () => mkdtempSync(join(tmpdir(), 'files-read-'));

async function readError(path: string, options: Partial<Parameters<typeof readTextFile>[1]> = {}): Promise<FileReadError> {
  try {
    await readTextFile(path, { maxBytes: MAX_INPUT_BYTES, what: 'test file', ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(FileReadError);
    expect(e).toBeInstanceOf(WorkbenchError);
    return e as FileReadError;
  }
  throw new Error('expected a FileReadError');
}

describe('readTextFile', () => {
  it('reads a UTF-8 text file', async () => {
    const d = dir();
    writeFileSync(join(d, 'a.txt'), 'héllo\n');
    expect(await readTextFile(join(d, 'a.txt'), { maxBytes: 100, what: 'test file' })).toBe('héllo\n');
  });

  it('a missing file: says so, with the exit code of a bad input (4) unless told otherwise', async () => {
    const d = dir();
    const e = await readError(join(d, 'nope.json'), { shown: 'nope.json' });
    expect(e.message).toBe('Test file nope.json does not exist.');
    expect(e.reason).toBe('missing');
    expect(e.exitCode).toBe(ExitCode.SPEC_ERROR);
    expect((await readError(join(d, 'nope.json'), { exitCode: ExitCode.USAGE })).exitCode).toBe(ExitCode.USAGE);
  });

  it('a file over the limit: refused before reading, naming the limit', async () => {
    const d = dir();
    const big = join(d, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_INPUT_BYTES + 1); // sparse: stat says 64 MiB + 1, nothing to read
    const e = await readError(big, { shown: 'big.json' });
    expect(e.reason).toBe('too-large');
    expect(e.message).toBe('Test file big.json is 67,108,865 bytes, more than the limit of 64 MiB.');
    writeFileSync(join(d, 'small.txt'), '0123456789');
    expect((await readError(join(d, 'small.txt'), { maxBytes: 9 })).message).toMatch(/is 10 bytes, more than the limit of 9 bytes\.$/);
  });

  it('a folder or a FIFO is not a file (and a FIFO does not block the read)', async () => {
    const d = dir();
    mkdirSync(join(d, 'sub'));
    expect((await readError(join(d, 'sub'), { shown: 'sub' })).message).toBe('Test file sub is a folder, not a file.');
    if (process.platform === 'win32') return;
    execFileSync('mkfifo', [join(d, 'pipe')]);
    const e = await readError(join(d, 'pipe'), { shown: 'pipe' });
    expect(e.reason).toBe('not-a-file');
    expect(e.message).toBe('Test file pipe is not a regular file (a FIFO).');
  });

  it('bytes that are not UTF-8 text are refused without echoing them', async () => {
    const d = dir();
    writeFileSync(join(d, 'bin'), Buffer.from([0x7b, 0xff, 0xfe, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54]));
    const e = await readError(join(d, 'bin'), { shown: 'bin' });
    expect(e.message).toBe('Test file bin is not UTF-8 text.');
  });

  it('a symbolic link to a file is followed (containment is the caller\'s business: resolveInside)', async () => {
    const d = dir();
    writeFileSync(join(d, 'target.txt'), 'x');
    symlinkSync(join(d, 'target.txt'), join(d, 'link.txt'));
    expect(await readTextFile(join(d, 'link.txt'), { maxBytes: 10, what: 'test file' })).toBe('x');
  });
});

describe('parseJson', () => {
  const error = (text: string): JsonSyntaxError => {
    try {
      parseJson(text);
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      return e as JsonSyntaxError;
    }
    throw new Error('expected a JsonSyntaxError');
  };

  it('parses JSON, keeping "__proto__" an own key rather than a prototype', () => {
    const v = parseJson('{"a": [1, {"__proto__": {"polluted": true}}]}') as { a: [number, Record<string, unknown>] };
    expect(v.a[0]).toBe(1);
    expect(Object.hasOwn(v.a[1], '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('says what is wrong and where (line, column), never what the file holds', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
    const e = error(passwd);
    expect(e.message).toBe('malformed JSON at line 1, column 1: a value cannot start with this character');
    expect(e.message).not.toMatch(/root|daemon|bash/);
    expect(error('{\n  "a": 1,\n  "b" 2\n}').message).toBe('malformed JSON at line 3, column 7: expected ":" after a property name');
    expect(error('{"a": 1 "SECRET"}').message).toBe('malformed JSON at line 1, column 9: expected "," or "}" after a property value');
    expect(error('[1, 2').message).toBe('malformed JSON at line 1, column 6: the text ends inside an array');
    expect(error('{"a": "SECRET').message).toBe('malformed JSON at line 1, column 7: unterminated string');
    expect(error('{"a": 1} SECRET').message).toBe('malformed JSON at line 1, column 10: text after the JSON value');
    expect(error('').message).toBe('malformed JSON at line 1, column 1: the text is empty');
    expect(error('[01]').message).toBe('malformed JSON at line 1, column 3: a number has a leading zero');
    expect(error('["a\\qSECRET"]').message).toBe('malformed JSON at line 1, column 4: unknown escape in a string');
    for (const text of ['{"a": 1 "SECRET"}', '{"a": "SECRET', '{"a": 1} SECRET', '["a\\qSECRET"]']) expect(error(text).message).not.toMatch(/SECRET/);
    expect(error('[1,\n2,\n3\n').line).toBe(4);
  });

  it('deeply nested JSON parses or fails without overflowing the stack', () => {
    const n = 200_000;
    expect(() => parseJson('['.repeat(n) + ']'.repeat(n))).not.toThrow();
    expect(error('['.repeat(n) + ']'.repeat(n - 1)).message).toMatch(/the text ends inside an array/);
  });
});

describe('resolveInside', () => {
  it('resolves a relative path inside the folder to its real path', async () => {
    const d = dir();
    mkdirSync(join(d, 'raft'));
    writeFileSync(join(d, 'raft', 't.json'), '{}');
    const r = await resolveInside(d, 'raft/t.json');
    expect(r).toEqual({ path: join(await import('node:fs/promises').then((fs) => fs.realpath(d)), 'raft', 't.json') });
  });

  it.each([
    ['/etc/passwd', 'is an absolute path'],
    ['C:\\Windows\\win.ini', 'is an absolute path'],
    ['\\\\server\\share\\x', 'is an absolute path'],
    ['../../../../etc/passwd', 'climbs out of the folder with ".."'],
    ['raft/../../x', 'climbs out of the folder with ".."'],
    ['raft\\..\\x', 'climbs out of the folder with ".."'],
    ['', 'is empty'],
    ['a\0b', 'contains a NUL character'],
  ])('refuses %j: %s', async (entry, problem) => {
    expect(await resolveInside(dir(), entry)).toEqual({ problem, reason: 'outside' });
  });

  it('refuses a symbolic link that leads out of the folder, and says when the file does not exist', async () => {
    const outside = dir();
    writeFileSync(join(outside, 'secret.json'), '{}');
    const d = dir();
    symlinkSync(join(outside, 'secret.json'), join(d, 'link.json'));
    symlinkSync(outside, join(d, 'linkdir'));
    expect(await resolveInside(d, 'link.json')).toEqual({ problem: 'leads outside the folder (through a symbolic link)', reason: 'outside' });
    expect(await resolveInside(d, 'linkdir/secret.json')).toEqual({ problem: 'leads outside the folder (through a symbolic link)', reason: 'outside' });
    expect(await resolveInside(d, 'missing.json')).toEqual({ problem: 'does not exist', reason: 'missing' });
    symlinkSync(join(outside, 'gone.json'), join(d, 'dangling.json'));
    expect(await resolveInside(d, 'dangling.json')).toEqual({ problem: 'does not exist', reason: 'missing' });
  });

  it('the folder itself may be reached through a symbolic link', async () => {
    const real = dir();
    writeFileSync(join(real, 't.json'), '{}');
    const holder = dir();
    symlinkSync(real, join(holder, 'traces'));
    expect(await resolveInside(join(holder, 'traces'), 't.json')).toHaveProperty('path');
  });
});
