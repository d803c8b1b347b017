/**
 * Negative controls: the same harness, run against deliberately broken cores (src/raft/defects.ts) and a
 * broken KV state machine, must find a violation within a fixed number of schedules. Each control uses the
 * profile designed to reach its bug; the failure found is printed with its replay command.
 */
import { describe, expect, it } from 'vitest';
import { DEFECTS, type DefectName } from '../../src/raft/index.js';
import { checkScenarios, PROFILES, replayCommand, type ProfileName } from '../../src/sim/index.js';
import { SIM_SEED } from './helpers.js';

interface Control {
  readonly defect: DefectName | 'apply-retries-twice';
  readonly profile: ProfileName;
  readonly budget: number;
  readonly expected: RegExp;
}

// The durability checks (src/sim/durability.ts) run beside the invariant mirrors, so a core that votes twice
// or forgets its vote on a restart is now caught where it does so, before any second leader takes office.
const CONTROLS: Control[] = [
  { defect: 'double-vote', profile: 'elections', budget: 300, expected: /OneVotePerTerm|ElectionSafety|LeaderCompleteness|StateMachineSafety|LogMatching/ },
  { defect: 'skip-log-check', profile: 'partitions', budget: 300, expected: /LeaderCompleteness|StateMachineSafety|LogMatching/ },
  { defect: 'commit-old-term', profile: 'figure8', budget: 2000, expected: /LeaderCompleteness|StateMachineSafety|AppliedAgreement/ },
  { defect: 'volatile-voted-for', profile: 'elections', budget: 2000, expected: /DurableStateMatches|ElectionSafety|LeaderCompleteness|StateMachineSafety|LogMatching/ },
  { defect: 'commit-index-regress', profile: 'elections', budget: 300, expected: /CommitIndexMonotonic/ },
  // The simulator offers BecomeLeader to every candidate and lets the core count the votes.
  { defect: 'minority-quorum', profile: 'elections', budget: 300, expected: /ElectionSafety|LeaderCompleteness|StateMachineSafety|LogMatching/ },
  // Persistence: each caught by the durability check that states what it breaks.
  { defect: 'vote-not-persisted', profile: 'elections', budget: 300, expected: /^DurableStateMatches violated: .* votes for s\d+ in term \d+, but what it asked to persist holds a vote for nobody/ },
  { defect: 'term-persisted-with-vote-only', profile: 'elections', budget: 300, expected: /^DurableStateMatches violated: .* is in term \d+, but what it asked to persist holds term \d+/ },
  { defect: 'restart-clears-vote', profile: 'crashes', budget: 300, expected: /^OneVotePerTerm violated: / },
  { defect: 'restart-term-from-log', profile: 'elections', budget: 300, expected: /^TermMonotonicAcrossRestarts violated: / },
  // Long logs: only the stale-suffix profile leaves a deposed leader with entries nobody else holds and
  // duplicates the new leader's probes so they back up past the prefix both logs share.
  { defect: 'commit-by-log-length', profile: 'stale-suffix', budget: 1000, expected: /^StateMachineSafety violated: / },
  { defect: 'apply-retries-twice', profile: 'network', budget: 500, expected: /not linearizable/ },
];

describe('negative controls: each defect is caught within its budget', () => {
  for (const c of CONTROLS) {
    it(`${c.defect} (profile ${c.profile}, at most ${c.budget} schedules)`, () => {
      const kv = c.defect === 'apply-retries-twice';
      const outcome = checkScenarios({
        profile: PROFILES[c.profile],
        seed: SIM_SEED,
        runs: c.budget,
        stepFn: kv ? undefined : DEFECTS[c.defect as DefectName].step,
        defect: kv ? null : c.defect,
        kvDefect: kv ? 'apply-retries-twice' : null,
        endOnFailure: true,
      });
      expect(outcome.failed, `${c.defect} was not caught in ${c.budget} schedules (seed ${SIM_SEED})`).toBe(true);
      const f = outcome.failure!;
      expect(f.violation.message).toMatch(c.expected);
      const replay = replayCommand({ profile: c.profile, seed: SIM_SEED, path: f.path, defect: kv ? null : c.defect, kvDefect: kv ? 'apply-retries-twice' : null });
      console.log(`negative control ${c.defect}: caught after ${f.foundAfter} schedule${f.foundAfter === 1 ? '' : 's'}: ${f.violation.message.split('\n')[0]}\n  replay: ${replay}`);
    });
  }
});
