/**
 * Budgeted simulation: TLC's random simulation (`-simulate`) of a model too large to exhaust, for a time
 * budget, with the model's invariants checked in every state of every behaviour.
 *
 * The pinned TLC's simulation reports what it did only when it ends by itself (after `num=` behaviours),
 * not when it is stopped; so the budget is spent in rounds, each a TLC run of as many behaviours as the
 * rate of the rounds before says fit in what is left (at most {@link ROUND_MS}), each with its own seed
 * (the first seed plus the round's number, so a violation's round is repeatable on its own). A violation
 * ends the simulation with that round's result.
 *
 * @module
 */
import { type TlcRun, type TlcRunOptions, runTlc } from './run.js';

/** How long one round aims to take: long enough that starting the JVM (about a second) costs little. */
export const ROUND_MS = 30_000;

/** Options of a budgeted simulation. */
export interface SimulationOptions extends Omit<TlcRunOptions, 'tlcOptions' | 'timeoutMs'> {
  readonly budgetMs: number;
  /** The longest behaviour (TLC's `-depth`). */
  readonly depth: number;
  readonly seed: number;
  /** More TLC options for every round. */
  readonly tlcOptions?: readonly string[];
  /** Called after each round. */
  readonly onRound?: (round: SimulationRound) => void;
}

/** One round's figures. */
export interface SimulationRound {
  readonly round: number;
  readonly seed: number;
  readonly behaviours: number;
  readonly statesGenerated: number;
  readonly ms: number;
}

/** What a budgeted simulation did. */
export interface SimulationResult {
  /** The last round's run: the violation, or the clean end of the last round. */
  readonly run: TlcRun;
  /** Behaviours of the rounds that ended cleanly (a violating round's are not counted). */
  readonly rounds: readonly SimulationRound[];
  readonly behaviours: number;
  readonly statesGenerated: number;
  /** Wall time of all rounds. */
  readonly ms: number;
  readonly seed: number;
  readonly depth: number;
}

/** Runs the rounds until the budget is spent, a round does not end cleanly, or the signal aborts. */
export async function simulateWithBudget(options: SimulationOptions): Promise<SimulationResult> {
  const started = performance.now();
  const rounds: SimulationRound[] = [];
  // A first round small enough to measure the rate on; later rounds are sized from it.
  let behaviours = 200;
  let last: TlcRun | undefined;
  let violatingRoundStates = 0;
  for (let round = 0; ; round++) {
    const seed = options.seed + round;
    const left = options.budgetMs - (performance.now() - started);
    const roundStarted = performance.now();
    const before = rounds.reduce((n, r) => n + r.statesGenerated, 0);
    last = await runTlc({
      ...options,
      // Progress counts the states of the whole simulation, not of the round.
      onEvent: (event) =>
        options.onEvent?.(event.type === 'progress' ? { ...event, stats: { ...event.stats, generated: event.stats.generated + before } } : event),
      // The round's own limit: what is left of the budget, with room for TLC to start and report.
      timeoutMs: Math.max(left, 1000) + 15_000,
      tlcOptions: ['-simulate', `num=${behaviours}`, '-depth', String(options.depth), '-seed', String(seed), ...(options.tlcOptions ?? [])],
    });
    const ms = performance.now() - roundStarted;
    if (last.outcome !== 'ok') {
      // The round that ended otherwise (a violation): its states count, its behaviours are unknown.
      violatingRoundStates = Math.max(last.stats?.generated ?? 0, 0);
      break;
    }
    const done: SimulationRound = { round, seed, behaviours, statesGenerated: Math.max(last.stats?.generated ?? 0, 0), ms };
    rounds.push(done);
    options.onRound?.(done);
    const remaining = options.budgetMs - (performance.now() - started);
    if (remaining <= 0 || options.signal?.aborted) break;
    // The rate without the JVM's start (about a second), so that small rounds do not shrink the next.
    const perBehaviourMs = Math.max(ms - 1000, ms * 0.2) / Math.max(behaviours, 1);
    behaviours = Math.max(1, Math.floor(Math.min(remaining, ROUND_MS) / perBehaviourMs));
  }
  return {
    run: last,
    rounds,
    behaviours: rounds.reduce((n, r) => n + r.behaviours, 0),
    statesGenerated: rounds.reduce((n, r) => n + r.statesGenerated, 0) + violatingRoundStates,
    ms: performance.now() - started,
    seed: options.seed,
    depth: options.depth,
  };
}
