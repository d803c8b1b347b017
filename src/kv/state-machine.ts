/**
 * The replicated key-value state machine: what every node applies, in log order, to committed entries.
 *
 * Exactly-once: each client has a session holding the number and result of its last applied request. A
 * command whose `seq` equals the session's is a retry (or a network duplicate) of a request that already
 * took effect: it is not applied again, and its recorded result is returned so the retrying client still
 * gets an answer. A lower `seq` is a straggler from a request the client has given up on: ignored. Clients
 * have at most one request outstanding, so one slot per client is enough (the Raft thesis, section 6.3).
 *
 * Reads go through the log like writes (see `src/kv/index.ts` for why), so `get` is applied here too.
 *
 * @module
 */
import { unreachable } from '../exhaustive.js';
import type { Index } from '../raft/index.js';
import { decodeCommand, type KvCommand, type KvResult } from './command.js';

/** Deliberately broken state machines, for negative controls. */
export type KvDefect = 'apply-retries-twice';

/** The KV defect names, for `--kv-defect` options. */
export const KV_DEFECT_NAMES: readonly KvDefect[] = ['apply-retries-twice'];

/** What applying one entry did. */
export type ApplyOutcome =
  | { readonly kind: 'noop' }
  | { readonly kind: 'applied'; readonly command: KvCommand; readonly result: KvResult }
  /** A retry of the session's last request: not applied again; the first result is returned. */
  | { readonly kind: 'duplicate'; readonly command: KvCommand; readonly result: KvResult }
  /** An older request of a client that has moved on: ignored, nobody waits for it. */
  | { readonly kind: 'stale'; readonly command: KvCommand }
  | { readonly kind: 'garbage'; readonly value: string };

interface Session {
  readonly seq: number;
  readonly result: KvResult;
}

/** One replica's key-value state. Volatile: a restarted node rebuilds it by re-applying the log from index 1. */
export class KvStateMachine {
  private readonly data = new Map<string, string>();
  private readonly sessions = new Map<string, Session>();
  private applied: Index = 0;

  /**
   * @param defect a deliberately broken variant (negative controls only).
   * @param decode how log values become commands (a `sharedDecoder()` lets replicas share the parsing).
   */
  constructor(
    private readonly defect: KvDefect | null = null,
    private readonly decode: (value: string) => KvCommand | null | undefined = decodeCommand,
  ) {}

  /** The index of the last applied entry. */
  get appliedIndex(): Index {
    return this.applied;
  }

  /** The current value of `key` (`null` when absent). */
  read(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Every key and value, sorted by key (for reports and tests). */
  snapshot(): [string, string][] {
    return [...this.data.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Apply the committed entry at `index`. Entries must come in order without gaps; anything else means the
   * driver lost or replayed a commit, so it throws `RangeError`.
   */
  apply(index: Index, value: string): ApplyOutcome {
    if (index !== this.applied + 1) {
      throw new RangeError(`KV replica applied up to ${this.applied} was handed entry ${index}: entries must be applied in order`);
    }
    this.applied = index;
    const command = this.decode(value);
    if (command === undefined) return { kind: 'garbage', value };
    if (command === null) return { kind: 'noop' };
    const session = this.sessions.get(command.client);
    if (this.defect !== 'apply-retries-twice' && session !== undefined) {
      if (command.seq === session.seq) return { kind: 'duplicate', command, result: session.result };
      if (command.seq < session.seq) return { kind: 'stale', command };
    }
    const result = this.execute(command);
    this.sessions.set(command.client, { seq: command.seq, result });
    return { kind: 'applied', command, result };
  }

  private execute(c: KvCommand): KvResult {
    const op = c.op;
    // A switch, not ts-pattern: every replica executes every committed command (see src/exhaustive.ts).
    switch (op.type) {
      case 'put':
        this.data.set(op.key, op.value);
        return { type: 'put' };
      case 'get':
        return { type: 'get', value: this.read(op.key) };
      case 'cas': {
        const ok = this.read(op.key) === op.expected;
        if (ok) this.data.set(op.key, op.value);
        return { type: 'cas', ok };
      }
      default:
        return unreachable(op, 'KV operation');
    }
  }
}
