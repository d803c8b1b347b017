/**
 * A soak (what `npm run soak` runs): a long seeded run over many generated scenarios, rotating through the profiles, until a
 * number of simulated steps (events: deliveries, timers, disk completions, client actions) is reached or a
 * violation is found. Scenario `k` is `--seed + k` at path 0 of its profile, so any failure replays with
 * `npm run sim -- --profile P --seed S`.
 *
 * @module
 */
import { PROFILE_NAMES, PROFILES, scenarioAt, type ProfileName } from './arbitraries.js';
import { formatFailure } from './report.js';
import { RaftTraceWriter } from './recording.js';
import { serverIds, simulate } from './simulator.js';

/** A named soak: what `npm run soak -- --plan <name>` runs unless told otherwise. */
export interface SoakPlan {
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  readonly steps: number;
  readonly profiles: readonly ProfileName[];
  /** Start from a fresh random seed (printed) instead of seed 1, so each run explores new schedules. */
  readonly freshSeed: boolean;
}

/**
 * The soak plans. `nightly` rotates through every profile (a test holds it to that as profiles are added)
 * from a fresh seed, long enough to run each profile's schedules by the hundred thousand.
 */
export const SOAK_PLANS = {
  quick: {
    name: 'quick',
    description: 'every profile in turn from seed 1, 1,000,000 steps (about 2,500 schedules, seconds)',
    steps: 1_000_000,
    profiles: PROFILE_NAMES,
    freshSeed: false,
  },
  nightly: {
    name: 'nightly',
    description: 'every profile in turn from a fresh seed, 1,000,000,000 steps (about 2,600,000 schedules, half an hour to an hour)',
    steps: 1_000_000_000,
    profiles: PROFILE_NAMES,
    freshSeed: true,
  },
} as const satisfies Record<string, SoakPlan>;

/** A soak plan's name. */
export type SoakPlanName = keyof typeof SOAK_PLANS;

/** Soak settings. */
export interface SoakOptions {
  readonly steps: number;
  readonly seed: number;
  readonly profiles: readonly ProfileName[];
  /** Called about every `progressEveryMs` of wall time. */
  readonly onProgress?: (p: SoakProgress) => void;
  readonly progressEveryMs?: number;
  /** Wall-clock limit in ms (0: none). */
  readonly timeLimitMs?: number;
  /** Stops the soak between two schedules (Ctrl-C); the figures so far are returned. */
  readonly signal?: AbortSignal;
  /**
   * Record every `every`-th schedule (the first, the `every+1`-th, ...) and the one that fails as an
   * implementation trace (`recording.ts`); `write` receives its name (`<profile>-seed-<seed>`) and lines.
   */
  readonly record?: { readonly every: number; readonly write: (name: string, lines: readonly string[]) => void };
}

/** Progress and final figures. */
export interface SoakProgress {
  steps: number;
  schedules: number;
  /** Schedules run per profile. */
  schedulesByProfile: Partial<Record<ProfileName, number>>;
  violations: number;
  elapsedMs: number;
  delivered: number;
  elections: number;
  crashes: number;
  opsOk: number;
}

/** The soak's outcome; `failure` is the report of the first violation. */
export interface SoakResult extends SoakProgress {
  readonly failure: string | null;
  readonly timedOut: boolean;
  /** Stopped by {@link SoakOptions.signal} before the step budget was spent. */
  readonly interrupted: boolean;
}

// How often the soak lets the event loop run (signals, progress output) between schedules.
const YIELD_EVERY_MS = 100;

/** Run the soak; progress through the callback, stopping between schedules when the signal aborts. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const p: SoakProgress = { steps: 0, schedules: 0, schedulesByProfile: {}, violations: 0, elapsedMs: 0, delivered: 0, elections: 0, crashes: 0, opsOk: 0 };
  let lastReport = started;
  let lastYield = started;
  const every = o.progressEveryMs ?? 2000;
  for (let k = 0; p.steps < o.steps; k++) {
    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise((resume) => setImmediate(resume));
      lastYield = performance.now();
    }
    if (o.signal?.aborted) return { ...p, failure: null, timedOut: false, interrupted: true };
    const name = o.profiles[k % o.profiles.length]!;
    const profile = PROFILES[name];
    const seed = (o.seed + k) % 2 ** 31;
    const scenario = scenarioAt(profile, seed);
    const recordThis = o.record !== undefined && k % o.record.every === 0;
    const recorded = recordThis ? recordedRun(scenario, `${name}-seed-${seed}`, profile.name, seed) : null;
    const r = recorded?.result ?? simulate(scenario);
    if (recorded !== null) o.record?.write(recorded.name, recorded.lines);
    p.schedules++;
    p.schedulesByProfile[name] = (p.schedulesByProfile[name] ?? 0) + 1;
    p.steps += r.stats.events;
    p.delivered += r.stats.delivered;
    p.elections += r.stats.elections;
    p.crashes += r.stats.crashes;
    p.opsOk += r.stats.opsOk;
    const now = performance.now();
    p.elapsedMs = now - started;
    if (r.violation !== null) {
      p.violations++;
      // The same schedule again, recorded (a run is a pure function of its scenario).
      if (o.record !== undefined && recorded === null) {
        const again = recordedRun(scenario, `${name}-seed-${seed}`, profile.name, seed);
        o.record.write(again.name, again.lines);
      }
      return { ...p, failure: formatFailure(r, scenario, { profile: profile.name, seed, path: '0' }), timedOut: false, interrupted: false };
    }
    if (o.onProgress && now - lastReport >= every) {
      lastReport = now;
      o.onProgress({ ...p, schedulesByProfile: { ...p.schedulesByProfile } });
    }
    if (o.timeLimitMs && p.elapsedMs > o.timeLimitMs) return { ...p, failure: null, timedOut: true, interrupted: false };
  }
  return { ...p, failure: null, timedOut: false, interrupted: false };
}

function recordedRun(scenario: Parameters<typeof simulate>[0], name: string, profile: string, seed: number) {
  const lines: string[] = [];
  const writer = new RaftTraceWriter(serverIds(scenario.nodes), (line) => lines.push(line), { tool: 'soak', replay: `npm run sim -- --profile ${profile} --seed ${seed}` });
  const result = simulate(scenario, { record: writer.record });
  return { name, lines, result };
}
