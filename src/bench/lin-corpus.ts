/**
 * Histories for the linearizability benchmark, generated from a seed: what concurrent clients of a real
 * register or key-value store see, in the shape of Jepsen's etcd test.
 *
 * A generated history is a simulation, not a random list. Clients are sequential processes; each
 * operation takes effect atomically at one instant inside its real-time interval (its linearization
 * point), in the order of those instants, so every output is the one a correct store would return. Some
 * operations crash: the client stops waiting and never learns the outcome (Jepsen's `:info`, here a
 * `timeout` that stays open), while the operation takes effect, possibly after the client gave up, or
 * never. As in Jepsen, a client whose operation crashed continues as a new process.
 *
 * - **register**: one key, reads, writes and compare-and-sets of small integers (Jepsen's etcd test: 0-4,
 *   a third each). A compare-and-set whose expected value does not match is a `fail` (etcd answers so,
 *   and Jepsen records `:fail`); a crashed read is a `fail` too (reads are idempotent; Jepsen's client says
 *   so), a crashed write or compare-and-set is a `timeout`.
 * - **kv**: many keys, chosen with a Zipf skew (a few hot keys), with the semantics of this repository's
 *   KV service: a compare-and-set that does not match returns `false`, a crashed operation is a `timeout`.
 *
 * Without an anomaly a history is linearizable by construction. An anomaly is injected at a seeded point
 * and kept only with a certificate that no linearization exists (see {@link staleWitness}), so each
 * history's expected verdict is known without running any checker:
 *
 * - **stale-read**: a read returns a value the key no longer held (a lagging replica answered);
 * - **lost-write**: a write is acknowledged but never applied (a leader lost it in a failover), and a later
 *   read shows the value from before it.
 *
 * @module
 */
import { unreachable } from '../exhaustive.js';
import type { KvOp, KvResult } from '../kv/command.js';
import type { Operation } from '../lin/history.js';

/** An anomaly the generator can inject. */
export type AnomalyKind = 'stale-read' | 'lost-write';

/** The parameters of one generated history. */
export interface Workload {
  readonly kind: 'register' | 'kv';
  readonly seed: number;
  readonly clients: number;
  readonly ops: number;
  /** Keys (1 for a register). */
  readonly keys: number;
  /** Values are drawn from `0 .. values - 1`. */
  readonly values: number;
  /** Chance that an operation crashes (its outcome unknown to the client). */
  readonly crashRate: number;
  /** Zipf exponent of the key choice (0: uniform). */
  readonly skew: number;
  /** Share of reads, writes and compare-and-sets, in that order (normalised). */
  readonly mix: readonly [number, number, number];
  readonly anomaly: AnomalyKind | null;
  /** The key the anomaly goes into (default: any). */
  readonly anomalyKey?: string;
}

/** Where the anomaly went and why the history cannot be linearizable. */
export interface InjectedAnomaly {
  readonly kind: AnomalyKind;
  readonly key: string;
  /** The read that returned an impossible value. */
  readonly read: number;
  /** The write that completed before the read started and whose value the read should have seen (or later). */
  readonly overwrittenBy: number;
  /** For lost-write: the acknowledged write that was never applied. */
  readonly lost?: number;
}

/** A generated history and what was injected into it. */
export interface GeneratedHistory {
  readonly workload: Workload;
  readonly ops: readonly Operation<KvOp, KvResult>[];
  readonly anomaly: InjectedAnomaly | null;
}

type Op = Operation<KvOp, KvResult>;

/** A small seeded generator (mulberry32): the corpus must not change with the platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Times in ms: think time between a client's operations, the service time of an operation, and how long
// a client waits before it gives up (Jepsen's default operation timeout is longer; the ratio matters).
const MEAN_THINK_MS = 2;
const MEAN_LATENCY_MS = 6;
const CLIENT_TIMEOUT_MS = 60;

/** A planned operation: its interval, its linearization point, and whether it takes effect. */
interface Planned {
  readonly id: number;
  readonly process: string;
  readonly input: KvOp;
  readonly call: number;
  readonly ret: number;
  readonly crashed: boolean;
  /** When it takes effect; Infinity when it never does. */
  readonly at: number;
}

/** Generate the history `workload` describes. Throws when an anomaly cannot be placed with a certificate. */
export function generateHistory(workload: Workload): GeneratedHistory {
  const random = seededRandom(workload.seed);
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  const keyWeights = Array.from({ length: workload.keys }, (_, k) => 1 / Math.pow(k + 1, workload.skew));
  const keyTotal = keyWeights.reduce((a, b) => a + b, 0);
  const pickKey = (): string => {
    let r = random() * keyTotal;
    for (let k = 0; k < keyWeights.length; k++) {
      r -= keyWeights[k]!;
      if (r <= 0) return keyName(workload, k);
    }
    return keyName(workload, workload.keys - 1);
  };
  const [reads, writes, cases] = workload.mix;
  const mixTotal = reads + writes + cases;
  const value = () => String(Math.floor(random() * workload.values));
  const pickOp = (key: string): KvOp => {
    const r = random() * mixTotal;
    if (r < reads) return { type: 'get', key };
    if (r < reads + writes) return { type: 'put', key, value: value() };
    return { type: 'cas', key, expected: value(), value: value() };
  };

  const nextCall = Array.from({ length: workload.clients }, () => exp(MEAN_THINK_MS));
  const generation = new Array<number>(workload.clients).fill(0);
  const planned: Planned[] = [];
  for (let id = 0; id < workload.ops; id++) {
    let c = 0;
    for (let i = 1; i < workload.clients; i++) if (nextCall[i]! < nextCall[c]!) c = i;
    const call = nextCall[c]!;
    const latency = 0.2 + exp(MEAN_LATENCY_MS);
    const crashed = random() < workload.crashRate;
    // A crashed operation takes effect half the time, possibly after the client gave up.
    const applies = !crashed || random() < 0.5;
    const at = applies ? call + random() * (crashed ? 2 * CLIENT_TIMEOUT_MS : latency) : Infinity;
    const process = `p${c + generation[c]! * workload.clients}`;
    planned.push({ id, process, input: pickOp(pickKey()), call, ret: crashed ? Infinity : call + latency, crashed, at });
    if (crashed) generation[c]!++;
    nextCall[c] = (crashed ? call + CLIENT_TIMEOUT_MS : call + latency) + exp(MEAN_THINK_MS);
  }

  const honest = execute(workload, planned, null);
  if (workload.anomaly === null) return { workload, ops: honest, anomaly: null };
  const inKey = (key: string) => workload.anomalyKey === undefined || key === workload.anomalyKey;
  const anomaly = workload.anomaly === 'stale-read' ? injectStaleRead(honest, inKey, random) : injectLostWrite(workload, planned, inKey, random);
  if (anomaly === null) throw new RangeError(`no place for a certain ${workload.anomaly} in the history of seed ${workload.seed}; try another seed`);
  return { workload, ops: anomaly.ops, anomaly: anomaly.injected };
}

function keyName(workload: Workload, k: number): string {
  return workload.kind === 'register' ? 'r' : `k${k}`;
}

/** Apply the planned operations at their linearization points and record what each client saw. */
function execute(workload: Workload, planned: readonly Planned[], lost: number | null): Op[] {
  const register = new Map<string, string>();
  const outcome = new Map<number, { output: KvResult | undefined; failed: boolean }>();
  const byPoint = planned.filter((p) => p.at !== Infinity).sort((a, b) => a.at - b.at || a.id - b.id);
  for (const p of byPoint) {
    const current = register.get(p.input.key) ?? null;
    const input = p.input;
    // A switch, not ts-pattern: this runs for every operation of every lost-write candidate (up to 200
    // times 10,000 operations); see src/exhaustive.ts.
    switch (input.type) {
      case 'get':
        outcome.set(p.id, { output: { type: 'get', value: current }, failed: false });
        break;
      case 'put':
        if (p.id !== lost) register.set(input.key, input.value);
        outcome.set(p.id, { output: { type: 'put' }, failed: false });
        break;
      case 'cas': {
        const ok = current === input.expected;
        if (ok && p.id !== lost) register.set(input.key, input.value);
        outcome.set(p.id, { output: { type: 'cas', ok }, failed: workload.kind === 'register' && !ok });
        break;
      }
      default:
        unreachable(input, 'KV operation');
    }
  }
  return planned.map((p): Op => {
    const seen = outcome.get(p.id);
    const base = { id: p.id, process: p.process, input: p.input, call: p.call };
    if (p.crashed) {
      // Jepsen's etcd client: a read that timed out certainly changed nothing, so it is a fail.
      const status = workload.kind === 'register' && p.input.type === 'get' ? 'fail' : 'timeout';
      return { ...base, status, output: undefined, ret: Infinity };
    }
    if (seen === undefined) throw new Error(`operation ${p.id} completed without taking effect`);
    if (seen.failed) return { ...base, status: 'fail', output: undefined, ret: p.ret };
    return { ...base, status: 'ok', output: seen.output, ret: p.ret };
  });
}

/**
 * The value an operation may have left in its key, or undefined when it wrote nothing: a put, a
 * compare-and-set that succeeded or timed out (a failed one did not happen).
 */
function written(o: Op): string | undefined {
  const input = o.input;
  // A switch, not ts-pattern: called for every operation of a key per candidate read (see execute).
  switch (input.type) {
    case 'get':
      return undefined;
    case 'put':
      return o.status === 'fail' ? undefined : input.value;
    case 'cas':
      return o.status === 'timeout' || (o.status === 'ok' && o.output?.type === 'cas' && o.output.ok) ? input.value : undefined;
    default:
      return unreachable(input, 'KV operation');
  }
}

/**
 * A certificate that `read` makes the history non-linearizable: an acknowledged write `w` of its key with
 * another value, completed before `read` started, such that every operation that could have written the
 * value `read` returned (invoked before `read` completed, not failed) completed before `w` started. Then
 * `read` comes after `w`, and whatever wrote its value comes before `w`: the value was overwritten. (The
 * key's absence is written by nothing but the initial state, which comes before everything.)
 */
export function staleWitness(ops: readonly Op[], read: Op): Op | null {
  if (read.input.type !== 'get' || read.status !== 'ok' || read.output?.type !== 'get') return null;
  const key = read.input.key;
  const seen = read.output.value;
  // When the last operation that could have written the value read returned (-Infinity: none could).
  let latestProducer = -Infinity;
  if (seen !== null) {
    for (const o of ops) {
      if (o.input.key !== key || o.call >= read.ret || written(o) !== seen) continue;
      latestProducer = Math.max(latestProducer, o.status === 'timeout' ? Infinity : o.ret);
    }
  }
  for (const w of ops) {
    if (w.input.key !== key || w.status !== 'ok') continue;
    const value = written(w);
    if (value !== undefined && value !== seen && w.ret < read.call && w.call > latestProducer) return w;
  }
  return null;
}

function opsByKey(ops: readonly Op[]): Map<string, Op[]> {
  const byKey = new Map<string, Op[]>();
  for (const o of ops) {
    const list = byKey.get(o.input.key);
    if (list === undefined) byKey.set(o.input.key, [o]);
    else list.push(o);
  }
  return byKey;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function injectStaleRead(ops: readonly Op[], inKey: (key: string) => boolean, random: () => number): { ops: Op[]; injected: InjectedAnomaly } | null {
  const reads = shuffled(
    ops.filter((o) => o.status === 'ok' && o.input.type === 'get' && inKey(o.input.key)),
    random,
  );
  const byKey = opsByKey(ops);
  for (const read of reads.slice(0, 500)) {
    const keyOps = byKey.get(read.input.key)!;
    // Candidate stale values: absence, then what earlier writes of the key wrote.
    const earlier = keyOps.filter((o) => o.status === 'ok' && o.ret < read.call);
    const values = [null, ...shuffled([...new Set(earlier.map(written).filter((v): v is string => v !== undefined))], random)];
    for (const v of values) {
      if (read.output?.type === 'get' && read.output.value === v) continue;
      const changed: Op = { ...read, output: { type: 'get', value: v } };
      const w = staleWitness(
        keyOps.map((o) => (o === read ? changed : o)),
        changed,
      );
      if (w !== null) {
        return { ops: ops.map((o) => (o === read ? changed : o)), injected: { kind: 'stale-read', key: read.input.key, read: read.id, overwrittenBy: w.id } };
      }
    }
  }
  return null;
}

function injectLostWrite(
  workload: Workload,
  planned: readonly Planned[],
  inKey: (key: string) => boolean,
  random: () => number,
): { ops: Op[]; injected: InjectedAnomaly } | null {
  const puts = shuffled(
    planned.filter((p) => !p.crashed && p.input.type === 'put' && inKey(p.input.key)),
    random,
  );
  for (const lost of puts.slice(0, 200)) {
    const ops = execute(workload, planned, lost.id);
    const keyOps = opsByKey(ops).get(lost.input.key)!;
    // The reads soon after the lost write are the ones that can see the value from before it.
    const reads = keyOps.filter((o) => o.input.type === 'get' && o.status === 'ok' && o.call > lost.ret).slice(0, 20);
    for (const read of reads) {
      const w = staleWitness(keyOps, read);
      if (w !== null) return { ops, injected: { kind: 'lost-write', key: lost.input.key, read: read.id, overwrittenBy: w.id, lost: lost.id } };
    }
  }
  return null;
}
