/**
 * The process around every command (`scripts/*.ts` call {@link runMain}): where relative paths start,
 * what a signal does, `--version`, and the exit code of a bug.
 *
 * - SIGINT, SIGTERM and SIGHUP abort the command's {@link CommandIo.signal}: it stops the programs it
 *   started (through their guardians, see `src/process/`), deletes its temporary files, prints what it
 *   had, and exits 130. A second signal (more than a second later: under `npm run` one Ctrl-C arrives
 *   twice) exits at once; the guardians still stop the programs.
 * - When the parent process goes away (npm killed with SIGKILL, a closed terminal), the command is
 *   aborted the same way: it notices its new parent process id.
 * - An error that is not a {@link WorkbenchError} is a bug: it is printed with its stack and exits 70,
 *   never 1 (which means "a check found a violation").
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { REPO_ROOT } from '../paths.js';
import { TLC_PIN } from '../tlc/pin.js';
import { runCommand } from './args.js';

/** What a command reads and writes, injected so tests can run it in-process. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Where relative paths on the command line start: the folder the user typed the command in. */
  readonly cwd: string;
  /** Whether stderr is a terminal (progress may then redraw one line). */
  readonly interactive: boolean;
  /** Aborted on SIGINT, SIGTERM, SIGHUP or when the parent process is gone. */
  readonly signal: AbortSignal;
}

/** A command: parses its own arguments, resolves to its exit code. */
export type Command = (argv: readonly string[], io: CommandIo) => number | Promise<number>;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The folder the user typed the command in. npm runs a script from the package root and records
 * where it was started in `INIT_CWD`; `npm run traces -- --out mine` typed in `sub/` means `sub/mine`.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return env.npm_lifecycle_event !== undefined && env.INIT_CWD ? env.INIT_CWD : cwd;
}

/** `<command> <version>`, and the TLC it is pinned to. */
export function versionText(name: string): string {
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    // Shown as unknown.
  }
  return `${name} (protocol-workbench ${version}; TLC pinned: ${TLC_PIN.tlcVersion}, ${TLC_PIN.groupId}:${TLC_PIN.artifactId}:${TLC_PIN.version})`;
}

function wantsVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--version' || a === '-V');
}

/** Options of {@link runMain}. */
export interface MainOptions {
  /**
   * Whether the command takes signals itself (default true). A command that computes without yielding
   * to the event loop would never see them: it leaves them to Node's default, which ends the process.
   */
  readonly handlesSignals?: boolean;
}

/** Runs `command` as this process's whole job and sets the exit code. */
export async function runMain(name: string, command: Command, options: MainOptions = {}): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsVersion(argv)) {
    process.stdout.write(`${versionText(name)}\n`);
    return;
  }
  const interrupt = new AbortController();
  const cleanups: (() => void)[] = [];
  if (options.handlesSignals !== false) {
    let received = 0;
    let firstAt = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      // A terminal's Ctrl-C reaches the command twice under `npm run`: directly (same process group) and
      // forwarded by npm. A repeat within a second is that same keypress, not a second request.
      if (received > 0 && Date.now() - firstAt < 1000) return;
      received++;
      if (received === 1) firstAt = Date.now();
      if (received > 1) {
        process.stderr.write(`${name}: ${signal} again: stopping at once.\n`);
        process.exit(ExitCode.INTERRUPTED);
      }
      process.stderr.write(`\n${name}: ${signal}: stopping, cleaning up and reporting what was done (send it again to stop at once) ...\n`);
      interrupt.abort(new WorkbenchError(`interrupted by ${signal}`, ExitCode.INTERRUPTED));
    };
    for (const signal of STOP_SIGNALS) {
      process.on(signal, onSignal);
      cleanups.push(() => process.off(signal, onSignal));
    }
    const parent = process.ppid;
    const watchdog = setInterval(() => {
      if (process.ppid === parent || interrupt.signal.aborted) return;
      interrupt.abort(new WorkbenchError('the parent process is gone', ExitCode.INTERRUPTED));
    }, 1000);
    watchdog.unref();
    cleanups.push(() => clearInterval(watchdog));
  }
  // A reader that went away (`| head`, a dead parent) is no reason to crash; stop quietly instead.
  const onPipeError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    interrupt.abort(new WorkbenchError('the output was closed', ExitCode.INTERRUPTED));
  };
  process.stdout.on('error', onPipeError);
  process.stderr.on('error', onPipeError);

  const io: CommandIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: userCwd(),
    interactive: process.stderr.isTTY === true,
    signal: interrupt.signal,
  };
  try {
    process.exitCode = await runCommand(name, io.stderr, () => command(argv, io));
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`${name}: internal error: ${detail}\n  This is a bug in the workbench, not a problem with your input; please report it with the command line.\n`);
    process.exitCode = ExitCode.INTERNAL;
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}
