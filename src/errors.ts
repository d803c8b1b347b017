/**
 * Errors a user can act on, each with a documented exit code (see the README's "Exit codes").
 *
 * @module
 */

/** Process exit codes shared by every command of the workbench. */
export const ExitCode = {
  /** Everything checked came out as expected. */
  OK: 0,
  /** A check ran and failed: a model's outcome was not the expected one. */
  CHECK_FAILED: 1,
  /** The command line was wrong: unknown option or model name, bad value. */
  USAGE: 2,
  /** The environment is not ready: Java missing or too old, TLC jar missing or corrupt. */
  ENVIRONMENT: 3,
  /** A spec or model config has an error (SANY parse/semantic error, bad .cfg). */
  SPEC_ERROR: 4,
  /** TLC itself failed: crash, out of memory, killed, or an error evaluating the spec. */
  TLC_FAILURE: 5,
  /** TLC did not finish within the time limit. */
  TIMEOUT: 6,
  /** A bug in the workbench itself (an unexpected error, printed with its stack). */
  INTERNAL: 70,
  /** Interrupted: Ctrl-C, SIGTERM, SIGHUP, or the parent process went away. */
  INTERRUPTED: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An expected failure: printed as one message (what happened, why, what to do) without a stack
 * trace, and mapped to an exit code.
 */
export class WorkbenchError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    /** What the user can do about it. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'WorkbenchError';
  }

  /** The message and hint as printed to the user. */
  format(): string {
    return this.hint ? `${this.message}\n  ${this.hint}` : this.message;
  }
}
