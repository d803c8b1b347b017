/**
 * Regression seeds: fixed schedules, each kept because it reaches one class of bug. CI replays each with
 * the real core (it must pass) and with the deliberately broken core it was kept for (the named check must
 * still catch it), so a change to a generator or to the simulator that stops reaching the bug fails a test
 * instead of quietly weakening the suite. Each is the first scenario of its seed (path 0), as the soak
 * runs them:
 * `npm run sim -- --profile <profile> --seed <seed>` replays it, `--defect <defect>` with the broken core.
 *
 * @module
 */
import type { DefectName } from '../raft/index.js';
import type { ProfileName } from './arbitraries.js';
import type { DurabilityCheck } from './durability.js';

/** One regression seed. */
export interface RegressionSeed {
  readonly profile: ProfileName;
  readonly seed: number;
  /** The broken core the schedule catches. */
  readonly defect: DefectName;
  /** The check that catches it: a durability check, or the spec invariant whose mirror does. */
  readonly caughtBy: DurabilityCheck | 'StateMachineSafety';
  /** What the schedule does that reaches the bug. */
  readonly reaches: string;
}

/** The regression seeds, one per bug class the durability checks and the long-log profile were added for. */
export const REGRESSION_SEEDS: readonly RegressionSeed[] = [
  {
    profile: 'elections',
    seed: 2,
    defect: 'vote-not-persisted',
    caughtBy: 'DurableStateMatches',
    reaches: 'a voter that already knew the term grants a vote (only its vote changes)',
  },
  {
    profile: 'elections',
    seed: 1,
    defect: 'term-persisted-with-vote-only',
    caughtBy: 'DurableStateMatches',
    reaches: 'a candidate times out again (its term changes, its vote for itself does not)',
  },
  {
    profile: 'crashes',
    seed: 59,
    defect: 'restart-clears-vote',
    caughtBy: 'OneVotePerTerm',
    reaches: 'a voter crashes right after its vote is on disk and is asked again in the same term',
  },
  {
    profile: 'elections',
    seed: 1,
    defect: 'restart-term-from-log',
    caughtBy: 'TermMonotonicAcrossRestarts',
    reaches: 'a node whose latest term left no log entry crashes and comes back',
  },
  {
    profile: 'stale-suffix',
    seed: 26,
    defect: 'commit-by-log-length',
    caughtBy: 'StateMachineSafety',
    reaches: "a deposed leader's uncommitted entries sit behind a prefix it shares with the new leader, whose duplicated probes back up past it",
  },
];
