/**
 * Starting the programs the workbench depends on (TLC's JVM, SANY, Maven) so that none of them outlives
 * the command that started it: each runs under a guardian process (`guardian.mjs` in this folder) that
 * kills it, and deletes its scratch folders, as soon as the command is gone, however the command ended.
 * Stopping goes through the guardian too: SIGTERM, then SIGKILL after a grace period.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { REPO_ROOT } from '../paths.js';

/** The guardian script; a file of the checkout, whether this module runs under tsx or compiled. */
export const GUARDIAN_SCRIPT = join(REPO_ROOT, 'src', 'process', 'guardian.mjs');

/** How long a program gets to exit after SIGTERM before it is killed outright. */
export const DEFAULT_GRACE_MS = 3000;

/** What to start. */
export interface GuardedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Folders the program writes into that must not survive the command (TLC's metadir, a trace batch
   * being written). The caller deletes them on a normal end; the guardian does when the caller is gone.
   */
  readonly scratch?: readonly string[];
  /** SIGTERM-to-SIGKILL grace (default {@link DEFAULT_GRACE_MS}). */
  readonly graceMs?: number;
}

/** How a guarded program ended. */
export interface GuardedExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all (`ENOENT`: no such command, `EACCES` ...). */
  readonly spawnError?: { readonly code: string; readonly message: string };
}

/** A running program. */
export interface GuardedProcess {
  /** The program's standard output and error (it writes to them directly). */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the program has ended and its output has been read to the end. */
  readonly exited: Promise<GuardedExit>;
  /** Asks the program to stop: SIGTERM, then SIGKILL after the grace period. Safe to call repeatedly. */
  stop(): void;
}

interface GuardianReport {
  readonly pid?: number;
  readonly spawnError?: { readonly code: string; readonly message: string };
  readonly exit?: { readonly code: number | null; readonly signal: NodeJS.Signals | null };
}

/** Starts `command` under a guardian. Never throws for the program's own failures: see {@link GuardedExit}. */
export function startGuarded(command: GuardedCommand): GuardedProcess {
  const graceMs = command.graceMs ?? DEFAULT_GRACE_MS;
  const guardian = spawn(
    process.execPath,
    [
      GUARDIAN_SCRIPT,
      JSON.stringify({ command: command.command, args: command.args, cwd: command.cwd, scratch: command.scratch ?? [], graceMs }),
    ],
    // stdin: the liveness pipe (never written); fd 3: the guardian's reports. The program gets the
    // guardian's environment.
    { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: command.env ?? process.env },
  );
  let programPid: number | undefined;
  let programExit: GuardianReport['exit'];
  let spawnError: GuardianReport['spawnError'];
  let pending = '';
  const reports = guardian.stdio[3] as Readable;
  reports.setEncoding('utf8');
  reports.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      let report: GuardianReport;
      try {
        report = JSON.parse(line) as GuardianReport;
      } catch {
        continue;
      }
      if (report.pid !== undefined) programPid = report.pid;
      if (report.exit !== undefined) programExit = report.exit;
      if (report.spawnError !== undefined) spawnError = report.spawnError;
    }
  });
  // The program holds the report pipe open as long as it runs; an error on it says nothing about the program.
  reports.on('error', () => {});
  guardian.stdin.on('error', () => {});

  let stopTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (guardian.exitCode !== null || guardian.signalCode !== null || stopTimer !== undefined) return;
    guardian.kill('SIGTERM');
    // Should the guardian itself not end the program in time, end both.
    stopTimer = setTimeout(() => killProgramAndGuardian(), graceMs * 2);
    stopTimer.unref();
  };
  const killProgramAndGuardian = () => {
    if (programPid !== undefined && programExit === undefined) {
      try {
        process.kill(programPid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    guardian.kill('SIGKILL');
  };

  const exited = new Promise<GuardedExit>((resolve) => {
    guardian.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ code: null, signal: null, spawnError: { code: error.code ?? 'UNKNOWN', message: `could not start the guardian (${process.execPath}): ${error.message}` } });
    });
    guardian.on('exit', () => {
      // Killed from outside, the guardian could not end its program: do it here, then let the streams close.
      if (programExit === undefined && spawnError === undefined && programPid !== undefined) {
        try {
          process.kill(programPid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    });
    guardian.on('close', (code, signal) => {
      clearTimeout(stopTimer);
      guardian.stdin.destroy();
      if (spawnError !== undefined) return resolve({ code: null, signal: null, spawnError });
      if (programExit !== undefined) return resolve(programExit);
      resolve({ code, signal });
    });
  });
  return { stdout: guardian.stdout, stderr: guardian.stderr, exited, stop };
}

/** What {@link collectOutput} returns: the exit and everything the program printed. */
export interface CollectedOutput extends GuardedExit {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end under a guardian and collects its output (for short runs: `java -version`, SANY, mvn). */
export async function collectOutput(command: GuardedCommand & { readonly signal?: AbortSignal }): Promise<CollectedOutput> {
  const child = startGuarded(command);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const onAbort = () => child.stop();
  if (command.signal?.aborted) onAbort();
  else command.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const end = await child.exited;
    return { ...end, stdout, stderr };
  } finally {
    command.signal?.removeEventListener('abort', onAbort);
  }
}
