/**
 * Reading input files someone else may have written (a shared trace corpus, its manifest, a model
 * config a trace names), so that a bad file is refused with one clear message instead of being read
 * whole, followed somewhere it should not lead, or echoed back to the terminal:
 *
 * - {@link readTextFile}: a regular file of at most `maxBytes` (checked before reading), as UTF-8 text.
 * - {@link parseJson}: JSON whose syntax errors say what and where (line, column), never what the
 *   file holds.
 * - {@link resolveInside}: a relative path a file names, resolved to a real path inside a folder
 *   (no absolute paths, no `..`, no symbolic link leading out).
 *
 * @module
 */
import { type Stats, constants } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, win32 } from 'node:path';
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';

/** The default size limit for a file read whole (a trace, a manifest): 64 MiB. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Why a file could not be read. */
export type FileReadReason = 'missing' | 'too-large' | 'not-a-file' | 'unreadable' | 'not-text';

/** A file could not be read as text; `problem` completes a sentence whose subject is the file. */
export class FileReadError extends WorkbenchError {
  constructor(
    /** The file as named in the message. */
    readonly file: string,
    readonly reason: FileReadReason,
    /** E.g. `does not exist`, `is a folder, not a file`. */
    readonly problem: string,
    what: string,
    exitCode: ExitCodeValue,
    hint?: string,
  ) {
    super(`${what.charAt(0).toUpperCase()}${what.slice(1)} ${file} ${problem}.`, exitCode, hint);
    this.name = 'FileReadError';
  }
}

/** Options of {@link readTextFile}. */
export interface ReadTextOptions {
  /** Larger files are refused before anything is read. */
  readonly maxBytes: number;
  /** What the file is, for messages: `trace file`, `trace manifest`. */
  readonly what: string;
  /** How the file is named in messages (default: the path as given). */
  readonly shown?: string;
  /** The exit code of the error (default 4, {@link ExitCode.SPEC_ERROR}: a bad input file). */
  readonly exitCode?: ExitCodeValue;
  readonly hint?: string;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  return `${n.toLocaleString('en-US')} bytes`;
}

function fileKind(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a file';
}

/**
 * Reads a whole file as UTF-8 text: a regular file (a symbolic link to one is followed) of at most
 * `maxBytes`, checked with `stat` before it is opened and `fstat` before anything is read. Anything else is a {@link FileReadError}
 * saying what is wrong: missing, a folder, a FIFO or device, over the limit, unreadable, not UTF-8.
 */
export async function readTextFile(path: string, options: ReadTextOptions): Promise<string> {
  const shown = options.shown ?? path;
  const exitCode = options.exitCode ?? ExitCode.SPEC_ERROR;
  const fail = (reason: FileReadReason, problem: string): never => {
    throw new FileReadError(shown, reason, problem, options.what, exitCode, options.hint);
  };
  if (path.includes('\0')) fail('missing', 'does not exist');
  const accessFailure = (error: unknown): never => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail('missing', 'does not exist');
    if (code === 'EISDIR') return fail('not-a-file', 'is a folder, not a file');
    if (code === 'EACCES' || code === 'EPERM') return fail('unreadable', `cannot be read: permission denied (${code})`);
    return fail('unreadable', `cannot be read (${code ?? (error as Error).message})`);
  };
  const check = (found: Stats): void => {
    if (found.isDirectory()) fail('not-a-file', 'is a folder, not a file');
    if (!found.isFile()) fail('not-a-file', `is not a regular file (${fileKind(found)})`);
    if (found.size > options.maxBytes) fail('too-large', `is ${found.size.toLocaleString('en-US')} bytes, more than the limit of ${formatBytes(options.maxBytes)}`);
  };
  // stat before open, so a device or FIFO is never even opened; fstat after, for what was opened.
  try {
    check(await stat(path));
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    accessFailure(error);
  }
  let handle: FileHandle;
  try {
    // Non-blocking: should the path have become a FIFO meanwhile, open returns at once instead of waiting for a writer.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return accessFailure(error);
  }
  try {
    const opened = await handle.stat();
    check(opened);
    // Read in chunks up to the limit: a file may grow after the check, and some (/proc) report size 0.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(Math.max(opened.size - total + 1, 64 * 1024), options.maxBytes - total + 1));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > options.maxBytes) fail('too-large', `grew past the limit of ${formatBytes(options.maxBytes)} while being read`);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, total));
    } catch {
      return fail('not-text', 'is not UTF-8 text');
    }
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    return fail('unreadable', `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  } finally {
    await handle.close();
  }
}

/** JSON text does not parse: what is wrong and where. The message never quotes the text. */
export class JsonSyntaxError extends Error {
  constructor(
    /** What is wrong, e.g. `expected "," or "}" after a property value`. */
    readonly problem: string,
    /** 0-based offset into the text (UTF-16 code units). */
    readonly offset: number,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in characters (UTF-16 code units) from the start of the line. */
    readonly column: number,
  ) {
    super(`malformed JSON at line ${line}, column ${column}: ${problem}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * `JSON.parse`, except that a syntax error is a {@link JsonSyntaxError} that locates the error
 * (`JSON.parse`'s own messages quote the text around it, e.g. the first bytes of the file).
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const found = locateJsonError(text) ?? { offset: 0, problem: 'not valid JSON' };
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < found.offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    throw new JsonSyntaxError(found.problem, found.offset, line, found.offset - lineStart + 1);
  }
}

const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * The first syntax error of a JSON text (RFC 8259), or `undefined` when it has none. Only run once
 * `JSON.parse` has failed, to say where; iterative, so any nesting depth is fine. Hand-written:
 * `JSON.parse`'s messages quote the text, and the parsers that locate errors without quoting
 * (jsonc-parser) recurse, so deeply nested input overflows their stack.
 */
function locateJsonError(text: string): { offset: number; problem: string } | undefined {
  let i = 0;
  const stack: ('{' | '[')[] = [];
  const skip = () => {
    while (i < text.length && JSON_WHITESPACE.has(text[i] as string)) i++;
  };
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const error = (problem: string, at = i) => ({ offset: at, problem });
  const endInside = () => error(stack.length === 0 ? 'the text ends where a value should be' : `the text ends inside ${stack[stack.length - 1] === '{' ? 'an object' : 'an array'}`);
  // Scans a string starting at text[i] === '"'; returns an error or advances i past it.
  const string = () => {
    const start = i++;
    for (;;) {
      if (i >= text.length) return error('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return error('a control character in a string must be escaped');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e !== undefined && SIMPLE_ESCAPES.has(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else return error('unknown escape in a string');
      } else i++;
    }
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') {
      i++;
      if (isDigit(text[i])) return error('a number has a leading zero');
    } else if (isDigit(text[i])) while (isDigit(text[i])) i++;
    else return error('a number needs a digit here');
    if (text[i] === '.') {
      i++;
      if (!isDigit(text[i])) return error('a number needs a digit after "."');
      while (isDigit(text[i])) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!isDigit(text[i])) return error('a number needs a digit in its exponent');
      while (isDigit(text[i])) i++;
    }
    return undefined;
  };
  skip();
  if (i >= text.length) return error('the text is empty');
  let expect: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    skip();
    if (expect === 'value') {
      if (i >= text.length) return endInside();
      const c = text[i] as string;
      if (c === '{' || c === '[') {
        stack.push(c);
        i++;
        skip();
        if (text[i] === (c === '{' ? '}' : ']')) {
          stack.pop();
          i++;
          expect = 'after';
        } else expect = c === '{' ? 'key' : 'value';
        continue;
      }
      const failed = c === '"' ? string() : c === '-' || isDigit(c) ? number() : undefined;
      if (failed) return failed;
      if (c !== '"' && c !== '-' && !isDigit(c)) {
        const literal = ['true', 'false', 'null'].find((l) => text.startsWith(l, i));
        if (literal === undefined) return error('a value cannot start with this character');
        i += literal.length;
      }
      expect = 'after';
    } else if (expect === 'key') {
      if (i >= text.length) return endInside();
      if (text[i] !== '"') return error('expected a double-quoted property name');
      const failed = string();
      if (failed) return failed;
      skip();
      if (text[i] !== ':') return i >= text.length ? endInside() : error('expected ":" after a property name');
      i++;
      expect = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i < text.length ? error('text after the JSON value') : undefined;
      if (i >= text.length) return endInside();
      const close = top === '{' ? '}' : ']';
      if (text[i] === ',') {
        i++;
        expect = top === '{' ? 'key' : 'value';
      } else if (text[i] === close) {
        stack.pop();
        i++;
      } else return error(top === '{' ? 'expected "," or "}" after a property value' : 'expected "," or "]" after an array element');
    }
  }
}

/** Where {@link resolveInside} found a path, or why it refused it. */
export type Inside = { readonly path: string } | { readonly problem: string; readonly reason: 'outside' | 'missing' | 'unresolvable' };

/**
 * What makes `entry` unusable as a path relative to a folder, judged by its text alone: empty, a NUL,
 * absolute (POSIX or Windows: `/x`, `C:\x`, `\\server\share`), or a `..` segment. `undefined` when none.
 */
export function relativePathProblem(entry: string): string | undefined {
  if (entry === '') return 'is empty';
  if (entry.includes('\0')) return 'contains a NUL character';
  if (isAbsolute(entry) || win32.isAbsolute(entry)) return 'is an absolute path';
  if (entry.split(/[\\/]/).includes('..')) return 'climbs out of the folder with ".."';
  return undefined;
}

/**
 * Resolves `entry`, a path relative to `folder` that a file names (a manifest's trace, a trace's
 * model config), to its real path, and checks the file lies inside the real `folder`. Refused: an
 * empty path, an absolute one (POSIX or Windows), one with a `..` segment, one with a NUL, and one a
 * symbolic link leads out of the folder. The problem completes "`entry` ...".
 */
export async function resolveInside(folder: string, entry: string): Promise<Inside> {
  const outside = (problem: string): Inside => ({ problem, reason: 'outside' });
  const refused = relativePathProblem(entry);
  if (refused !== undefined) return outside(refused);
  let real: string;
  let realFolder: string;
  try {
    realFolder = await realpath(folder);
    real = await realpath(resolve(folder, entry));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: 'does not exist', reason: 'missing' };
    if (code === 'ELOOP') return { problem: 'is a loop of symbolic links', reason: 'unresolvable' };
    return { problem: `cannot be resolved (${code ?? (error as Error).message})`, reason: 'unresolvable' };
  }
  const rel = relative(realFolder, real);
  if (rel === '..' || rel.startsWith('../') || rel.startsWith('..\\') || isAbsolute(rel)) {
    return outside('leads outside the folder (through a symbolic link)');
  }
  return { path: real };
}
