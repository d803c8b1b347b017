/**
 * Storage errors a person can act on: each message says what happened, why it matters, and what to do.
 *
 * @module
 */

/** The state file exists but cannot be trusted. Starting anyway could make the node vote twice in a term. */
export class StorageCorruptError extends Error {
  /** Stable code for CLIs to map to an exit status. */
  readonly code = 'RAFT_STATE_CORRUPT';

  /**
   * @param path the file that failed to load.
   * @param problem what is wrong with it, in a clause ("its checksum does not match ...").
   */
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(
      `Raft state file ${path} is unreadable: ${problem}. ` +
        'It holds this node\'s term, vote and log, so the node will not start from a guess. ' +
        'What to do: restore the file from a backup of this node, or, if there is none, remove this node from ' +
        'the cluster and add it back as a new member with an empty state directory. Do not just delete the file: ' +
        'a node that forgets its vote can vote twice in one term and break election safety.',
    );
    this.name = 'StorageCorruptError';
  }
}

/** Reading or writing the state file failed at the OS level (permissions, missing directory, disk full). */
export class StorageIOError extends Error {
  /** Stable code for CLIs to map to an exit status. */
  readonly code = 'RAFT_STATE_IO';

  /**
   * @param operation what storage was doing ("read", "write", "rename", "sync directory").
   * @param path the file or directory involved.
   * @param cause the underlying error.
   */
  constructor(
    readonly operation: string,
    readonly path: string,
    override readonly cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `Could not ${operation} Raft state at ${path}: ${detail}. ` +
        'The last acknowledged state is still intact on disk. What to do: check that the directory exists, ' +
        'is writable by this process and has free space, then restart the node.',
    );
    this.name = 'StorageIOError';
  }
}

/** A previous `save` failed, so the in-process view may be ahead of the disk; the node must reload. */
export class StorageFailedError extends Error {
  /** Stable code for CLIs to map to an exit status. */
  readonly code = 'RAFT_STATE_FAILED';

  /** @param path the state file. */
  constructor(readonly path: string) {
    super(
      `Refusing to save Raft state at ${path}: an earlier save failed, so this node may have acted on state ` +
        'that never reached the disk. What to do: restart the node from Storage.load().',
    );
    this.name = 'StorageFailedError';
  }
}
