/**
 * fast-check arbitraries for simulation scenarios, named after the domain: `faultSchedule`,
 * `clientWorkload`, `scenario`. They live in `src/` (not `test/`) because `npm run sim -- --seed S --path P`
 * rebuilds exactly the scenario a failing property test reported, by asking fast-check for the value at that
 * seed and path (`scenarioAt`). So fast-check is a runtime dependency of the simulator's CLI.
 *
 * Profiles bias the generator towards one family of faults. Uniform random faults almost never produce the
 * few precise interleavings behind the subtle Raft bugs (a leader crashing between committing an old-term
 * entry and replicating a new one, a voter crashing right after voting while a rival's request is still in
 * flight), so the crash profile makes crashes triggered by protocol events (after a write, after a commit)
 * common, with short downtimes so the crashed node is back in time to matter.
 *
 * @module
 */
import fc from 'fast-check';
import { FAULT_KINDS, LAN_LATENCY, SSD_WRITE, type ClientPlan, type ClientWorkload, type Fault, type NodeTarget, type OpPlan, type PartitionShape, type Scenario } from './scenario.js';

/** A named generator configuration. */
export interface ScenarioProfile {
  readonly name: string;
  /** One line for `--help` and reports. */
  readonly description: string;
  /** Cluster sizes to draw from. */
  readonly nodes: readonly number[];
  readonly healAtMs: number;
  readonly maxFaults: number;
  /** Relative weight of each fault kind (0 or absent: never). */
  readonly weights: Partial<Record<Fault['kind'], number>>;
  /** Range of a crashed node's downtime. */
  readonly downMs: { readonly min: number; readonly max: number };
  readonly maxClients: number;
  readonly maxOpsPerClient: number;
  readonly keys: number;
  /** The network's duplication rate outside fault windows, drawn from these (default 0 or 0.01). */
  readonly duplicateRates?: readonly number[];
  /** Pin parameters of faults instead of drawing them (a targeted profile). */
  readonly pin?: {
    readonly target?: NodeTarget;
    readonly landed?: boolean;
    readonly write?: 'vote' | 'append' | 'any';
    /** The shape of every partition. */
    readonly shape?: PartitionShape;
    /** Faults start no later than this (default: any time before the heal). */
    readonly latestStartMs?: number;
  };
}

/** The generator profiles; the CI property tests run all of them. */
export const PROFILES = {
  mixed: {
    name: 'mixed',
    description: 'every fault kind, equally likely; 3 or 5 nodes',
    nodes: [3, 5],
    healAtMs: 1000,
    maxFaults: 8,
    weights: Object.fromEntries(FAULT_KINDS.map((k) => [k, 1])),
    downMs: { min: 1, max: 400 },
    maxClients: 3,
    maxOpsPerClient: 6,
    keys: 2,
  },
  crashes: {
    name: 'crashes',
    description: 'crashes tied to protocol events (mid-write, after a vote/append/commit), short downtimes, leader-side partitions, timer storms',
    nodes: [3, 5],
    healAtMs: 1000,
    maxFaults: 10,
    weights: { 'crash-mid-write': 3, 'crash-after-write': 3, 'crash-after-commit': 3, crash: 1, partition: 1, 'timer-storm': 2 },
    downMs: { min: 1, max: 120 },
    maxClients: 3,
    maxOpsPerClient: 6,
    keys: 2,
  },
  partitions: {
    name: 'partitions',
    description: 'partitions of every shape (split, one-way, isolate node/leader, leader minority), clock drift, timer storms',
    nodes: [3, 5],
    healAtMs: 1000,
    maxFaults: 8,
    weights: { partition: 5, 'clock-drift': 1, 'timer-storm': 1, crash: 1 },
    downMs: { min: 1, max: 400 },
    maxClients: 3,
    maxOpsPerClient: 6,
    keys: 2,
  },
  figure8: {
    name: 'figure8',
    description:
      "3 nodes; leaders crash while appending (the entry lands on their disk only) or right after committing, down long enough for a rival to win: the paper's Figure 8",
    nodes: [3],
    healAtMs: 4000,
    maxFaults: 12,
    weights: { 'crash-mid-write': 2, 'crash-after-commit': 1 },
    downMs: { min: 50, max: 900 },
    maxClients: 1,
    maxOpsPerClient: 3,
    keys: 1,
    pin: { target: 'leader', landed: true, latestStartMs: 3500 },
  },
  elections: {
    name: 'elections',
    description: '3 nodes; simultaneous election timeouts, voters crashing right after voting and back within ms, delayed vote requests',
    nodes: [3],
    healAtMs: 2500,
    maxFaults: 14,
    weights: { 'timer-storm': 3, 'crash-after-write': 3, 'delay-spike': 2, reorder: 2 },
    downMs: { min: 1, max: 20 },
    maxClients: 2,
    maxOpsPerClient: 4,
    keys: 1,
    pin: { target: 'follower', write: 'vote' },
  },
  network: {
    name: 'network',
    description: 'loss, duplication, reordering and delay spikes on busy clients (retries and late duplicates of requests)',
    nodes: [3, 5],
    healAtMs: 1000,
    maxFaults: 8,
    weights: { loss: 2, duplicate: 3, reorder: 3, 'delay-spike': 3, partition: 1, crash: 1 },
    downMs: { min: 1, max: 400 },
    maxClients: 4,
    maxOpsPerClient: 8,
    keys: 1,
  },
  'stale-suffix': {
    name: 'stale-suffix',
    description:
      "3 nodes; the leader is cut off while clients keep writing to it (entries only it holds, behind a prefix the others share) and rejoins under a new leader over a network that duplicates messages, so the new leader's probes back up past the prefix",
    nodes: [3],
    healAtMs: 2500,
    maxFaults: 8,
    weights: { partition: 4, 'delay-spike': 1 },
    downMs: { min: 1, max: 400 },
    maxClients: 3,
    maxOpsPerClient: 8,
    keys: 2,
    duplicateRates: [0.1, 0.3],
    pin: { shape: 'isolate-leader' },
  },
} as const satisfies Record<string, ScenarioProfile>;

/** A profile name. */
export type ProfileName = keyof typeof PROFILES;

/**
 * A long run for recording (`npm run sim -- --record`, trace validation, its benchmark): the mixed profile's
 * faults over a longer time before the heal, with more clients and operations, and a little duplication
 * throughout. At `healAtMs` 2,500 a run records about 400–950 events; at 10,000 about 1,000–2,900.
 */
export function longRunProfile(healAtMs: number): ScenarioProfile {
  return {
    ...PROFILES.mixed,
    name: `long-${healAtMs}`,
    description: `the mixed profile's faults for ${healAtMs} ms, with more clients and operations`,
    healAtMs,
    maxFaults: Math.max(1, Math.round(healAtMs / 150)),
    maxClients: 4,
    maxOpsPerClient: Math.max(1, Math.round(healAtMs / 100)),
    duplicateRates: [0.01, 0.03],
  };
}

/** The profile names, for `--profile`. */
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

const percent = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max }).map((x) => x / 100);

/** Which node a fault hits; the current leader most often, since that is where Raft is most fragile. */
export const nodeTarget: fc.Arbitrary<NodeTarget> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<NodeTarget>('leader') },
  { weight: 1, arbitrary: fc.constant<NodeTarget>('follower') },
  { weight: 2, arbitrary: fc.nat(8) },
);

const partitionShape: fc.Arbitrary<PartitionShape> = fc.constantFrom('split', 'one-way', 'isolate-node', 'isolate-leader', 'leader-minority');

/** One fault of the given kind, starting before `healAtMs`. */
export function fault(kind: Fault['kind'], p: ScenarioProfile): fc.Arbitrary<Fault> {
  const atMs = fc.integer({ min: 0, max: (p.pin?.latestStartMs ?? p.healAtMs) - 1 });
  const target = p.pin?.target !== undefined ? fc.constant(p.pin.target) : nodeTarget;
  const forMs = fc.integer({ min: 10, max: 600 });
  const downMs = fc.integer({ min: p.downMs.min, max: p.downMs.max });
  const arbs: { readonly [K in Fault['kind']]: fc.Arbitrary<Extract<Fault, { kind: K }>> } = {
    partition: fc.record({
      kind: fc.constant('partition'),
      shape: p.pin?.shape !== undefined ? fc.constant(p.pin.shape) : partitionShape,
      atMs,
      forMs,
      pick: fc.nat(999),
    }),
    crash: fc.record({ kind: fc.constant('crash'), target, atMs, downMs }),
    'crash-mid-write': fc.record({
      kind: fc.constant('crash-mid-write'),
      target,
      atMs,
      downMs,
      landed: p.pin?.landed !== undefined ? fc.constant(p.pin.landed) : fc.boolean(),
    }),
    'crash-after-write': fc.record({
      kind: fc.constant('crash-after-write'),
      target,
      write: p.pin?.write !== undefined ? fc.constant(p.pin.write) : fc.constantFrom<'vote' | 'append' | 'any'>('vote', 'append', 'any'),
      atMs,
      downMs,
    }),
    'crash-after-commit': fc.record({ kind: fc.constant('crash-after-commit'), atMs, downMs }),
    loss: fc.record({ kind: fc.constant('loss'), rate: percent(5, 60), atMs, forMs }),
    duplicate: fc.record({ kind: fc.constant('duplicate'), rate: percent(5, 60), atMs, forMs }),
    reorder: fc.record({ kind: fc.constant('reorder'), rate: percent(10, 60), maxDelayMs: fc.integer({ min: 5, max: 300 }), atMs, forMs }),
    'delay-spike': fc.record({
      kind: fc.constant('delay-spike'),
      target: fc.oneof(nodeTarget, fc.constant<'all'>('all')),
      extraMs: fc.integer({ min: 10, max: 400 }),
      atMs,
      forMs,
    }),
    'clock-drift': fc.record({ kind: fc.constant('clock-drift'), target: nodeTarget, rate: percent(50, 150), atMs, forMs }),
    'timer-storm': fc.record({ kind: fc.constant('timer-storm'), count: fc.integer({ min: 2, max: 5 }), atMs }),
  };
  return arbs[kind];
}

/** A fault schedule: up to `maxFaults` faults drawn by the profile's weights. */
export function faultSchedule(p: ScenarioProfile): fc.Arbitrary<Fault[]> {
  const weighted = (Object.entries(p.weights) as [Fault['kind'], number][])
    .filter(([, w]) => w > 0)
    .map(([kind, weight]) => ({ weight, arbitrary: fault(kind, p) }));
  return fc.array(fc.oneof(...weighted), { maxLength: p.maxFaults, size: 'max' });
}

const opPlan = (keys: number): fc.Arbitrary<OpPlan> =>
  fc.record({ kind: fc.constantFrom<OpPlan['kind']>('put', 'get', 'cas'), key: fc.nat(keys - 1) });

/** One sequential client's plan. */
export function clientPlan(p: ScenarioProfile): fc.Arbitrary<ClientPlan> {
  return fc.record({
    startMs: fc.integer({ min: 0, max: p.healAtMs - 1 }),
    thinkMs: fc.integer({ min: 0, max: 60 }),
    ops: fc.array(opPlan(p.keys), { minLength: 1, maxLength: p.maxOpsPerClient }),
  });
}

/** The clients of a scenario and how they retry. */
export function clientWorkload(p: ScenarioProfile): fc.Arbitrary<ClientWorkload> {
  return fc.record({
    clients: fc.array(clientPlan(p), { minLength: 1, maxLength: p.maxClients }),
    retryAfterMs: fc.integer({ min: 20, max: 200 }),
    maxAttempts: fc.integer({ min: 2, max: 6 }),
  });
}

/** A complete scenario under profile `p`. */
export function scenario(p: ScenarioProfile, options: { nodes?: number } = {}): fc.Arbitrary<Scenario> {
  return fc.record({
    seed: fc.nat(),
    nodes: options.nodes !== undefined ? fc.constant(options.nodes) : fc.constantFrom(...p.nodes),
    network: fc.record({
      latency: fc.constant(LAN_LATENCY),
      lossRate: fc.constantFrom(0, 0.01),
      duplicateRate: fc.constantFrom(...(p.duplicateRates ?? [0, 0.01])),
    }),
    disk: fc.constant(SSD_WRITE),
    maxDrift: fc.constantFrom(0, 0.05, 0.1),
    faults: faultSchedule(p),
    workload: clientWorkload(p),
    healAtMs: fc.constant(p.healAtMs),
    livenessBoundMs: fc.constant(5000),
    noopOnElection: fc.constant(true),
  });
}

/**
 * The scenario fast-check generates for `seed` at `path` (default `"0"`: the first scenario of that seed;
 * a failing property's `counterexamplePath` gives its shrunk scenario). This is what makes a property
 * failure replayable from the command line.
 */
export function scenarioAt(p: ScenarioProfile, seed: number, path = '0', options: { nodes?: number } = {}): Scenario {
  const r = fc.check(
    fc.property(scenario(p, options), () => false),
    { seed, path, endOnFailure: true },
  );
  // fc.check's result type forgets the arbitrary's type; the property above has exactly one Scenario argument.
  const found = r.counterexample?.[0] as Scenario | undefined;
  if (found === undefined) throw new RangeError(`no scenario at seed ${seed}, path "${path}"`);
  return found;
}
