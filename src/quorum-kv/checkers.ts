/**
 * Jepsen-style checkers over a finished simulator run (`sim.ts`): the spec's `NoStaleRead` on the client
 * history, `NoLostAckedWrite` on the replicas after the heal and a quiet period, sibling counts, time to
 * convergence, availability during the partition, and linearizability of the key as a register.
 *
 * Supersession is the spec's: a write `y` supersedes `v` when `y`'s coordinator had seen `v` (the `seen`
 * history variable), whatever the conflict resolution kept.
 *
 * @module
 */
import { IMPOSSIBLE, type Model, type Operation, checkLinearizable } from '../lin/index.js';
import type { ClientOp, KvSimRun, ReadOp } from './sim.js';
import type { KVConfig } from './types.js';

/** `v`, or a write that had seen it, is among `values` (the spec's `Covers`). */
export function covers(values: readonly string[], v: string, seen: Readonly<Record<string, readonly string[]>>): boolean {
  return values.some((x) => x === v || (seen[x]?.includes(v) ?? false));
}

export interface StaleRead {
  readonly read: ReadOp;
  /** Writes acknowledged before the read began that it neither returned nor saw superseded. */
  readonly missing: readonly string[];
}

/** Reads that missed a write acknowledged before they began (`NoStaleRead`). */
export function staleReads(run: KvSimRun): StaleRead[] {
  const out: StaleRead[] = [];
  for (const op of run.history) {
    if (op.kind !== 'read' || op.outcome !== 'ok') continue;
    const missing = op.ackedBefore.filter((v) => !covers(op.values, v, run.seen));
    if (missing.length > 0) out.push({ read: op, missing });
  }
  return out;
}

/** Acknowledged writes that no replica's store or hints keep or supersede at the end (`NoLostAckedWrite`). */
export function lostAckedWrites(run: KvSimRun): string[] {
  const held = Object.keys(run.finalStores).map((n) => [...(run.finalStores[n] ?? []), ...(run.finalHints[n] ?? []).map((h) => h.version)].map((x) => x.value));
  return run.history
    .filter((op) => op.kind === 'write' && op.outcome === 'ok')
    .map((op) => (op as Extract<ClientOp, { kind: 'write' }>).value)
    .filter((v) => !held.some((values) => covers(values, v, run.seen)));
}

/** The properties the spec claims for a configuration (its model configs check them with TLC). */
export interface Claims {
  /** Strict quorums that intersect, and version vectors (LWW may keep an older write over a newer one). */
  readonly noStaleRead: boolean;
  /** Version vectors: a version is dropped only for one that descends from it. */
  readonly noLostAckedWrite: boolean;
}

export function claimsOf(config: KVConfig): Claims {
  const vv = config.resolution === 'VV';
  return { noStaleRead: vv && config.mode === 'CP' && config.r + config.w > config.n, noLostAckedWrite: vv };
}

export type LinVerdict = 'linearizable' | 'not-linearizable' | 'unknown' | 'not-checked';

/** The checker figures of one run. */
export interface KvFigures {
  readonly writes: number;
  readonly writesAcked: number;
  readonly reads: number;
  readonly readsAnswered: number;
  /** Operations invoked while the network was split (null without a partition). */
  readonly partition: { readonly writes: number; readonly writesAcked: number; readonly reads: number; readonly readsAnswered: number } | null;
  readonly staleReads: number;
  readonly lostAckedWrites: number;
  readonly lostValues: readonly string[];
  readonly maxSiblings: number;
  readonly meanSiblings: number;
  /** From the heal (or the end of the workload, if later) to the first time the home replicas agree; null if never. */
  readonly convergenceMs: number | null;
  readonly linearizable: LinVerdict;
}

export interface FigureOptions {
  /** Check linearizability (a search; off by default in bulk runs). */
  readonly lin?: boolean;
}

export function figuresOf(run: KvSimRun, options: FigureOptions = {}): KvFigures {
  const writes = run.history.filter((o) => o.kind === 'write');
  const reads = run.history.filter((o): o is ReadOp => o.kind === 'read');
  const answered = reads.filter((o) => o.outcome === 'ok');
  const p = run.schedule.partition;
  const during = (o: ClientOp) => p !== null && o.call >= p.startMs && o.call < p.healMs;
  const lost = lostAckedWrites(run);
  const siblings = answered.map((o) => o.values.length);
  return {
    writes: writes.length,
    writesAcked: writes.filter((o) => o.outcome === 'ok').length,
    reads: reads.length,
    readsAnswered: answered.length,
    partition:
      p === null
        ? null
        : {
            writes: writes.filter(during).length,
            writesAcked: writes.filter((o) => during(o) && o.outcome === 'ok').length,
            reads: reads.filter(during).length,
            readsAnswered: reads.filter((o) => during(o) && o.outcome === 'ok').length,
          },
    staleReads: staleReads(run).length,
    lostAckedWrites: lost.length,
    lostValues: lost,
    maxSiblings: Math.max(0, ...siblings),
    meanSiblings: siblings.length === 0 ? 0 : siblings.reduce((a, b) => a + b, 0) / siblings.length,
    convergenceMs: run.convergedAtMs === null ? null : run.convergedAtMs - run.convergeFromMs,
    linearizable: options.lin === true ? linearizability(run) : 'not-checked',
  };
}

/** The claimed properties a run violates, as sentences (empty when it keeps them). */
export function violations(run: KvSimRun, figures: KvFigures): string[] {
  const claims = claimsOf(run.config);
  const out: string[] = [];
  if (claims.noStaleRead && figures.staleReads > 0) {
    const first = staleReads(run)[0]!;
    out.push(`NoStaleRead: ${figures.staleReads} stale read(s); e.g. read #${first.read.id} at ${first.read.call.toFixed(2)} ms by ${first.read.client} missed ${first.missing.join(', ')}`);
  }
  if (claims.noLostAckedWrite && figures.lostAckedWrites > 0) out.push(`NoLostAckedWrite: acknowledged ${figures.lostValues.join(', ')} neither held nor superseded anywhere`);
  return out;
}

type RegisterInput = { readonly type: 'write'; readonly value: string } | { readonly type: 'read' };
type RegisterOutput = { readonly type: 'write' } | { readonly type: 'read'; readonly value: string | null };

/** The key as a register: a read returns the last value written, `null` before any. */
export const registerModel: Model<string | null, RegisterInput, RegisterOutput> = {
  init: null,
  step(state, input, output) {
    if (input.type === 'write') return output === undefined || output.type === 'write' ? input.value : IMPOSSIBLE;
    if (output === undefined) return state;
    return output.type === 'read' && output.value === state ? state : IMPOSSIBLE;
  },
  key: (state) => (state === null ? '\u0000' : state),
  inputKey: (input) => (input.type === 'write' ? `w ${input.value}` : 'r'),
  readOnly: (input) => input.type === 'read',
  describeInput: (input) => (input.type === 'write' ? `write(${input.value})` : 'read()'),
  describeOutput: (output) => (output.type === 'write' ? 'ok' : `-> ${output.value ?? 'nothing'}`),
  describeState: (state) => (state === null ? 'no value' : `the value ${state}`),
};

/**
 * The run's history as register operations, or null when a read returned siblings (a register has one
 * value). An unavailable operation is a definite failure: the coordinator stored and sent nothing.
 */
export function registerHistory(run: KvSimRun): Operation<RegisterInput, RegisterOutput>[] | null {
  const ops: Operation<RegisterInput, RegisterOutput>[] = [];
  for (const o of run.history) {
    if (o.kind === 'read' && o.outcome === 'ok' && o.values.length > 1) return null;
    const status = o.outcome === 'ok' ? 'ok' : o.outcome === 'unavailable' ? 'fail' : 'timeout';
    const input: RegisterInput = o.kind === 'write' ? { type: 'write', value: o.value } : { type: 'read' };
    const output: RegisterOutput | undefined = status !== 'ok' ? undefined : o.kind === 'write' ? { type: 'write' } : { type: 'read', value: o.values[0] ?? null };
    ops.push({ id: ops.length, process: o.client, input, status, output, call: o.call, ret: status === 'timeout' ? Infinity : o.ret });
  }
  return ops;
}

export function linearizability(run: KvSimRun, maxExplored = 500_000): LinVerdict {
  const ops = registerHistory(run);
  if (ops === null) return 'not-checked';
  return checkLinearizable(registerModel, ops, { maxExplored, explain: false }).outcome;
}
