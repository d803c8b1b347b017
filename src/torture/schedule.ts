/**
 * The nemesis schedule of a torture run: which faults happen when, drawn from the seed before the run
 * starts (so a seed fixes the plan, though not what the processes do with it).
 *
 * ```
 * 0 ........ warm-up ........ | faults, one after another, with gaps | ..... quiet period ..... | end
 *                              faultsFromMs                faultsUntilMs                      runMs
 * ```
 *
 * Every fault has an end inside the fault window (`faultsUntilMs`): the nemesis heals it there, and
 * `healAll` heals whatever is left at `faultsUntilMs` anyway, so the quiet period runs on a whole cluster.
 * A fault's target may be `leader`: the nemesis resolves it when the fault starts (a kill of the leader
 * forces an election; a kill of a random node often hits a follower and changes little).
 *
 * @module
 */
import { match } from 'ts-pattern';
import { Rng } from '../sim/rng.js';

/** The kinds of fault the nemesis injects (`--nemesis kill,pause,partition,skew`). */
export const NEMESIS_KINDS = ['kill', 'pause', 'partition', 'skew'] as const;
export type NemesisKind = (typeof NEMESIS_KINDS)[number];

/** A node, by position in the member list (0-based), or whoever leads when the fault starts. */
export type FaultTarget = { readonly kind: 'node'; readonly index: number } | { readonly kind: 'leader' };

/** Which messages a partition loses: between the two sides both ways, or only from `side` to the rest. */
export type PartitionShape = 'both-ways' | 'one-way';

/** One planned fault; times in ms from the start of the workload. */
export type PlannedFault =
  /** `kill -9` the node at `atMs`; restart it on its data directory at `untilMs`. */
  | { readonly kind: 'kill'; readonly target: FaultTarget; readonly atMs: number; readonly untilMs: number }
  /** SIGSTOP at `atMs`, SIGCONT at `untilMs`. */
  | { readonly kind: 'pause'; readonly target: FaultTarget; readonly atMs: number; readonly untilMs: number }
  /**
   * Cut the links between `side` (member positions) and the other members at `atMs` (`one-way`: only the
   * messages from `side` to the others), heal at `untilMs`.
   */
  | { readonly kind: 'partition'; readonly side: readonly number[]; readonly shape: PartitionShape; readonly atMs: number; readonly untilMs: number }
  /** Restart the node with its timers running at `clockRate` times their speed at `atMs`, back to 1 at `untilMs`. */
  | { readonly kind: 'skew'; readonly target: FaultTarget; readonly clockRate: number; readonly atMs: number; readonly untilMs: number };

/** The whole plan of one run. */
export interface NemesisSchedule {
  readonly seed: number;
  readonly nodes: number;
  readonly runMs: number;
  /** Faults start no earlier than this (the cluster settles first). */
  readonly faultsFromMs: number;
  /** Every fault is healed by this time; the quiet period follows. */
  readonly faultsUntilMs: number;
  readonly faults: readonly PlannedFault[];
}

/** What shapes a schedule besides the seed; the defaults suit runs of 20 s to a few minutes. */
export interface ScheduleOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly runMs: number;
  readonly kinds: readonly NemesisKind[];
  /** Faults start after this (default 1,500 ms). */
  readonly warmupMs?: number;
  /** The quiet period at the end (default a quarter of the run, between 3 and 15 s). */
  readonly quietMs?: number;
  /** How long a fault lasts, per kind, [min, max) ms (defaults in {@link DEFAULT_DURATIONS}). */
  readonly durations?: Partial<Readonly<Record<NemesisKind, readonly [number, number]>>>;
  /** Pause between one fault's end and the next's start, [min, max) ms (default [300, 1500)). */
  readonly gapMs?: readonly [number, number];
  /** Chance that a kill, pause or skew targets the leader rather than a random node (default 0.5). */
  readonly leaderBias?: number;
  /** Chance that a partition is one-way (default 0.3). */
  readonly oneWayShare?: number;
}

/** How long each kind of fault lasts by default, [min, max) ms. A kill's time includes the restart's. */
export const DEFAULT_DURATIONS: Readonly<Record<NemesisKind, readonly [number, number]>> = {
  kill: [1000, 3000],
  pause: [500, 2500],
  partition: [1000, 4000],
  skew: [2000, 5000],
};

/** The clock rates a skew draws from: clearly slower or faster than real time, never 1. */
export const SKEW_RATES: readonly number[] = [0.5, 0.67, 1.5, 2];

/** The default quiet period of a run of `runMs`. */
export function defaultQuietMs(runMs: number): number {
  return Math.min(15_000, Math.max(3000, Math.round(runMs / 4)));
}

/**
 * The plan of a run. Faults follow one another (each healed before the next starts), so every fault in
 * the report has a window of its own and availability during it is attributable. Throws `RangeError` when
 * the run is too short to hold a warm-up, one fault and the quiet period.
 */
export function planSchedule(options: ScheduleOptions): NemesisSchedule {
  const { seed, nodes, runMs, kinds } = options;
  if (!Number.isSafeInteger(nodes) || nodes < 1) throw new RangeError(`a cluster needs at least 1 node, not ${nodes}`);
  const warmupMs = options.warmupMs ?? 1500;
  const quietMs = options.quietMs ?? defaultQuietMs(runMs);
  const faultsUntilMs = runMs - quietMs;
  const gap = options.gapMs ?? [300, 1500];
  const leaderBias = options.leaderBias ?? 0.5;
  const oneWayShare = options.oneWayShare ?? 0.3;
  const durations = { ...DEFAULT_DURATIONS, ...options.durations };
  const base = { seed, nodes, runMs, faultsFromMs: warmupMs, faultsUntilMs };
  if (kinds.length === 0) return { ...base, faults: [] };
  const shortest = Math.min(...kinds.map((k) => durations[k][0]));
  if (faultsUntilMs - warmupMs < shortest) {
    throw new RangeError(`a run of ${runMs} ms leaves ${Math.max(0, faultsUntilMs - warmupMs)} ms for faults after a ${warmupMs} ms warm-up and a ${quietMs} ms quiet period; the shortest fault takes ${shortest} ms`);
  }
  // One stream per concern, so a change in how one is drawn does not reshuffle the others.
  const root = new Rng(seed);
  const kindRng = root.fork();
  const timeRng = root.fork();
  const targetRng = root.fork();
  const faults: PlannedFault[] = [];
  let cursor = warmupMs;
  // Bounded: every fault advances the cursor by at least its minimum duration.
  for (let i = 0; i < 10_000; i++) {
    const kind = kindRng.pick(kinds);
    const [min, max] = durations[kind];
    const length = timeRng.uniform(min, max);
    const atMs = cursor;
    const untilMs = Math.min(atMs + length, faultsUntilMs);
    if (untilMs - atMs < min) break;
    faults.push(plan(kind, nodes, Math.round(atMs), Math.round(untilMs), targetRng, leaderBias, oneWayShare));
    cursor = untilMs + timeRng.uniform(gap[0], gap[1]);
    if (cursor >= faultsUntilMs) break;
  }
  return { ...base, faults };
}

function plan(kind: NemesisKind, nodes: number, atMs: number, untilMs: number, rng: Rng, leaderBias: number, oneWayShare: number): PlannedFault {
  const target = (): FaultTarget => (rng.chance(leaderBias) ? { kind: 'leader' } : { kind: 'node', index: rng.int(nodes) });
  return match(kind)
    .with('kill', () => ({ kind: 'kill' as const, target: target(), atMs, untilMs }))
    .with('pause', () => ({ kind: 'pause' as const, target: target(), atMs, untilMs }))
    .with('skew', () => ({ kind: 'skew' as const, target: target(), clockRate: rng.pick(SKEW_RATES), atMs, untilMs }))
    .with('partition', () => {
      // A minority side (at least one node), so the majority side can still elect and serve.
      const size = 1 + rng.int(Math.max(1, Math.floor(nodes / 2)));
      const order = shuffled(nodes, rng);
      const side = order.slice(0, Math.min(size, Math.max(1, nodes - 1))).sort((a, b) => a - b);
      const shape: PartitionShape = rng.chance(oneWayShare) ? 'one-way' : 'both-ways';
      return { kind: 'partition' as const, side, shape, atMs, untilMs };
    })
    .exhaustive();
}

function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}

/**
 * The directed links a partition cuts, as `[from, to]` member positions: messages from `from` to `to` are
 * lost. Both ways: every pair across the sides, each direction; one way: only from `side` to the others.
 */
export function cutLinks(fault: Extract<PlannedFault, { kind: 'partition' }>, nodes: number): [number, number][] {
  const inside = new Set(fault.side);
  const cuts: [number, number][] = [];
  for (let a = 0; a < nodes; a++) {
    for (let b = 0; b < nodes; b++) {
      if (a === b || inside.has(a) === inside.has(b)) continue;
      if (fault.shape === 'both-ways' || inside.has(a)) cuts.push([a, b]);
    }
  }
  return cuts;
}

/** `kill leader`, `partition {s1} -/-> rest (one-way)`, with member names. */
export function describePlannedFault(fault: PlannedFault, members: readonly string[]): string {
  const who = (t: FaultTarget) => (t.kind === 'leader' ? 'the leader' : (members[t.index] ?? `node ${t.index}`));
  return match(fault)
    .with({ kind: 'kill' }, (f) => `kill -9 ${who(f.target)}, restart on its data`)
    .with({ kind: 'pause' }, (f) => `pause ${who(f.target)} (SIGSTOP / SIGCONT)`)
    .with({ kind: 'skew' }, (f) => `restart ${who(f.target)} with clock rate ${f.clockRate}`)
    .with({ kind: 'partition' }, (f) => {
      const side = f.side.map((i) => members[i] ?? `node ${i}`).join(', ');
      return f.shape === 'both-ways' ? `partition {${side}} | rest` : `partition {${side}} -/-> rest (one-way: they hear the rest, the rest does not hear them)`;
    })
    .exhaustive();
}
