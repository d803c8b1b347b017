/**
 * A sequential KV client that retries. It keeps one request outstanding; every attempt of a request
 * carries the same id `(client, seq)`, so the service applies it once however many copies reach the log.
 * On "not leader" it follows the hint; on silence it tries the next node. Before the heal time it gives up
 * after `maxAttempts` and records a timeout (outcome unknown); afterwards it retries for ever, which is what
 * lets the simulator check liveness.
 *
 * The client does no I/O itself: a {@link ClientHost} (the simulator) sends, sets timers and keeps the
 * history.
 *
 * @module
 */
import { unreachable } from '../exhaustive.js';
import type { HistoryEvent } from '../lin/history.js';
import type { KvOp, KvResult } from './command.js';

/** A client's request, as sent to a node. */
export interface KvRequest {
  readonly client: string;
  readonly seq: number;
  /** 1 for the first attempt; retries count up. Only for logs: the id is `(client, seq)`. */
  readonly attempt: number;
  readonly op: KvOp;
}

/** A node's answer. */
export type KvResponse =
  | { readonly type: 'ok'; readonly client: string; readonly seq: number; readonly result: KvResult }
  | { readonly type: 'not-leader'; readonly client: string; readonly seq: number; readonly leaderHint: number | null };

/** What the client needs from its environment. */
export interface ClientHost {
  readonly nodes: number;
  now(): number;
  /** Whether faults have stopped (then the client never gives up). */
  healed(): boolean;
  send(node: number, request: KvRequest): void;
  /** Call `client.onTimer(token)` at `at`. */
  setTimer(at: number, token: number): void;
  record(event: HistoryEvent<KvOp, KvResult>): void;
}

/** One planned operation, before values are chosen. */
export type PlannedOp = { readonly kind: 'put' | 'get' | 'cas'; readonly key: string };

/** Client settings. */
export interface ClientConfig {
  readonly id: string;
  readonly ops: readonly PlannedOp[];
  readonly startMs: number;
  readonly thinkMs: number;
  readonly retryAfterMs: number;
  readonly maxAttempts: number;
  /** Wait before asking again when a node says "not leader" without naming one. */
  readonly noLeaderBackoffMs: number;
  /** The node to try first. */
  readonly firstGuess: number;
}

interface Pending {
  readonly seq: number;
  readonly op: KvOp;
  attempts: number;
}

/** One client; see the module comment. */
export class KvClient {
  private next = 0;
  private seq = 0;
  private pending: Pending | null = null;
  private guess: number;
  private token = 0;
  private redirected = false;
  private readonly lastSeen = new Map<string, string | null>();
  /** Operations completed with an answer. */
  okCount = 0;
  /** Operations given up on. */
  timeoutCount = 0;

  /** @param config settings; @param host the environment. */
  constructor(
    readonly config: ClientConfig,
    private readonly host: ClientHost,
  ) {
    this.guess = config.firstGuess % host.nodes;
  }

  /** Whether every planned operation has completed or been given up. */
  get done(): boolean {
    return this.pending === null && this.next >= this.config.ops.length;
  }

  /** The operation in flight, for liveness reports. */
  get inFlight(): { seq: number; op: KvOp; attempts: number } | null {
    return this.pending;
  }

  /** Schedule the first operation. */
  start(): void {
    this.timer(this.config.startMs);
  }

  private timer(at: number): void {
    this.token++;
    this.host.setTimer(at, this.token);
  }

  private begin(): void {
    const plan = this.config.ops[this.next];
    if (plan === undefined) return;
    this.next++;
    this.seq++;
    const fresh = `${this.config.id}.${this.seq}`;
    const op = this.operation(plan, fresh);
    this.pending = { seq: this.seq, op, attempts: 0 };
    this.redirected = false;
    this.host.record({ type: 'invoke', process: this.config.id, time: this.host.now(), input: op });
    this.attempt();
  }

  private operation(plan: PlannedOp, fresh: string): KvOp {
    // Switches, not ts-pattern, in this class: it runs once or twice per simulated operation (see src/exhaustive.ts).
    switch (plan.kind) {
      case 'put':
        return { type: 'put', key: plan.key, value: fresh };
      case 'get':
        return { type: 'get', key: plan.key };
      case 'cas':
        return { type: 'cas', key: plan.key, expected: this.lastSeen.get(plan.key) ?? null, value: fresh };
      default:
        return unreachable(plan.kind, 'planned operation');
    }
  }

  private attempt(): void {
    const p = this.pending;
    if (p === null) return;
    p.attempts++;
    this.host.send(this.guess, { client: this.config.id, seq: p.seq, attempt: p.attempts, op: p.op });
    this.timer(this.host.now() + this.config.retryAfterMs);
  }

  /** A timer set by this client fired. */
  onTimer(token: number): void {
    if (token !== this.token) return;
    const p = this.pending;
    if (p === null) {
      this.begin();
      return;
    }
    if (p.attempts >= this.config.maxAttempts && !this.host.healed()) {
      this.giveUp();
      return;
    }
    // After a redirect the target is already chosen; after silence the node may be down or cut off: try the next.
    if (this.redirected) this.redirected = false;
    else this.guess = (this.guess + 1) % this.host.nodes;
    this.attempt();
  }

  /**
   * Stops retrying the current request and records it as timed out. Not a definite failure: an earlier
   * attempt, or a duplicated copy of this one, may still commit.
   */
  private giveUp(): void {
    this.pending = null;
    this.timeoutCount++;
    this.host.record({ type: 'timeout', process: this.config.id, time: this.host.now() });
    this.timer(this.host.now() + this.config.thinkMs);
  }

  /** A node answered. Answers to anything but the current request (late copies, old requests) are ignored. */
  onResponse(response: KvResponse): void {
    const p = this.pending;
    if (p === null || response.seq !== p.seq) return;
    switch (response.type) {
      case 'ok':
        this.pending = null;
        this.okCount++;
        this.remember(p.op, response.result);
        this.host.record({ type: 'ok', process: this.config.id, time: this.host.now(), output: response.result });
        this.timer(this.host.now() + this.config.thinkMs);
        return;
      case 'not-leader': {
        if (p.attempts >= this.config.maxAttempts && !this.host.healed()) {
          this.giveUp();
          return;
        }
        const hint = response.leaderHint;
        const hinted = hint !== null && hint !== this.guess;
        this.guess = hinted ? hint : (this.guess + 1) % this.host.nodes;
        this.redirected = true;
        this.timer(this.host.now() + (hinted ? 0 : this.config.noLeaderBackoffMs));
        return;
      }
      default:
        unreachable(response, 'KV response');
    }
  }

  private remember(op: KvOp, result: KvResult): void {
    switch (op.type) {
      case 'put':
        this.lastSeen.set(op.key, op.value);
        return;
      case 'get':
        this.lastSeen.set(op.key, result.type === 'get' ? result.value : null);
        return;
      case 'cas':
        if (result.type === 'cas' && result.ok) this.lastSeen.set(op.key, op.value);
        return;
      default:
        unreachable(op, 'KV operation');
    }
  }
}
