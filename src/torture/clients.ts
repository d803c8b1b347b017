/**
 * The torture run's clients: each a sequential process issuing put, get and compare-and-set on a few
 * keys, as fast as its answers come (with a little think time), recording every operation in the
 * history. Values are unique (`c3.17`: client and sequence number), so a read names the write it saw.
 *
 * After an operation whose outcome is unknown (`info`) the client carries on under a new client id, as
 * Jepsen starts a new process: the old request may still be applied at any time, and the new id keeps
 * the node's deduplication of the two apart.
 *
 * @module
 */
import type { KvOp } from '../kv/command.js';
import { Rng } from '../sim/rng.js';
import type { Completion, HistoryRecorder } from './history.js';

/** One client's connection to the cluster (the node's client API behind an adapter). */
export interface KvCaller {
  /** Run `op` (redirects and retries with the same request id inside), resolving within about `timeoutMs`. */
  call(op: KvOp, timeoutMs: number): Promise<Completion>;
  close(): void;
}

/** Opens a connection for the client id given. */
export type CallerFactory = (clientId: string) => KvCaller;

/** How the clients behave. */
export interface WorkloadOptions {
  readonly clients: number;
  /** Keys `k0` .. `k<keys-1>`. */
  readonly keys: number;
  /** How long an operation may take before the client records it as `info` (default 2,000 ms). */
  readonly opTimeoutMs: number;
  /** Think time between a client's operations, [min, max) ms (default [2, 20)). */
  readonly thinkMs?: readonly [number, number];
  /** Share of reads and of compare-and-sets (default 0.4 and 0.25; the rest are puts). */
  readonly readShare?: number;
  readonly casShare?: number;
}

/** Sleep that an abort cuts short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Run `options.clients` clients until `stopAt()` (checked before each operation) or `signal`. Resolves once
 * every client's last operation has completed (each is bounded by its timeout).
 */
export async function runClients(
  options: WorkloadOptions,
  seed: number,
  connect: CallerFactory,
  recorder: HistoryRecorder,
  keepGoing: () => boolean,
  signal?: AbortSignal,
): Promise<void> {
  const root = new Rng(seed ^ 0x5bd1e995);
  const rngs = Array.from({ length: options.clients }, () => root.fork());
  await Promise.all(rngs.map((rng, i) => runClient(`c${i + 1}`, rng, options, connect, recorder, keepGoing, signal)));
}

async function runClient(
  name: string,
  rng: Rng,
  options: WorkloadOptions,
  connect: CallerFactory,
  recorder: HistoryRecorder,
  keepGoing: () => boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  const [thinkMin, thinkMax] = options.thinkMs ?? [2, 20];
  const readShare = options.readShare ?? 0.4;
  const casShare = options.casShare ?? 0.25;
  // What this client last saw in each key: a compare-and-set expects it, so some of them succeed.
  const seen = new Map<string, string | null>();
  let incarnation = 1;
  let id = name;
  let caller = connect(id);
  let seq = 0;
  try {
    while (keepGoing() && !signal?.aborted) {
      const key = `k${rng.int(options.keys)}`;
      const draw = rng.float();
      const value = `${id}.${++seq}`;
      const op: KvOp =
        draw < readShare
          ? { type: 'get', key }
          : draw < readShare + casShare
            ? { type: 'cas', key, expected: seen.get(key) ?? null, value }
            : { type: 'put', key, value };
      recorder.invoke(id, op);
      const completion = await callBounded(caller, op, options.opTimeoutMs);
      recorder.complete(id, completion);
      if (completion.type === 'ok') {
        const r = completion.result;
        if (r.type === 'get') seen.set(key, r.value);
        else if (op.type === 'put' || (op.type === 'cas' && r.type === 'cas' && r.ok)) seen.set(key, value);
      } else if (completion.type === 'info') {
        caller.close();
        id = `${name}r${++incarnation}`;
        caller = connect(id);
        seq = 0;
      }
      await sleep(rng.uniform(thinkMin, thinkMax), signal);
    }
  } finally {
    caller.close();
  }
}

/** The caller's answer, or `info` should it not answer within the timeout plus a margin (a safety net). */
async function callBounded(caller: KvCaller, op: KvOp, timeoutMs: number): Promise<Completion> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Completion>((resolve) => {
    timer = setTimeout(() => resolve({ type: 'info', reason: `no answer within ${timeoutMs} ms` }), timeoutMs + 500);
  });
  try {
    return await Promise.race([
      caller.call(op, timeoutMs).catch((error: unknown): Completion => ({ type: 'info', reason: `client error: ${error instanceof Error ? error.message : String(error)}` })),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
