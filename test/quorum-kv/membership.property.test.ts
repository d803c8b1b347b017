// The store's properties across a node joining or leaving mid-run: fast-check draws the configuration,
// the seed (faults: partition, crash, loss, clock drift), the change and its time; every run must keep the
// claimed properties (CP+VV: no stale read; VV: no lost and no stranded acknowledged write), converge after
// the quiet period and finish moving the range. A failure prints the fast-check seed, the shrunk case and
// the `npm run kv-sim` command that replays the run.
//
// Linearizability is counted, not asserted: the store is not linearizable even without a membership change
// (a read may return a write still in progress and a later read an older value; 1 in 1,500 runs of CP
// R = W = 2 and 8 in 300 of R = 1, W = 3 without any change), so the verdicts are printed beside the runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type KvFigures, type LinVerdict, figuresOf, violations } from '../../src/quorum-kv/checkers.js';
import { type MembershipChange, joinerName, membershipViolations } from '../../src/quorum-kv/membership.js';
import { DEFAULT_SHAPE, DEFAULT_SIM, type KvSimOptions, type KvSimRun, RING_DELAY_MS, kvSimCommand, runKvSim, simMembers } from '../../src/quorum-kv/sim.js';

type Quorum = Pick<KvSimOptions, 'mode' | 'n' | 'r' | 'w' | 'nodes'>;

// Where the spec claims NoStaleRead (CP, R + W > N) and NoLostAckedWrite (VV); cluster sizes from N (a join
// only) to N + 3, so the joiner and the leaver land at different places of the key's walk.
const CONFIGS: readonly Quorum[] = [
  { mode: 'CP', n: 3, r: 2, w: 2, nodes: 3 },
  { mode: 'CP', n: 3, r: 2, w: 2, nodes: 5 },
  { mode: 'CP', n: 3, r: 2, w: 2, nodes: 6 },
  { mode: 'CP', n: 3, r: 1, w: 3, nodes: 4 },
  { mode: 'CP', n: 3, r: 3, w: 1, nodes: 4 },
  { mode: 'CP', n: 5, r: 3, w: 3, nodes: 6 },
  { mode: 'AP', n: 3, r: 2, w: 2, nodes: 5 },
  { mode: 'AP', n: 3, r: 1, w: 1, nodes: 4 },
  { mode: 'AP', n: 3, r: 2, w: 2, nodes: 3 },
];
const WORKLOAD_MS = 40;
const RUNS = 1500;

/** Everything a run with a correct transition must keep, as sentences (empty when it keeps them). */
function broken(run: KvSimRun, figures: KvFigures): string[] {
  const out = [...violations(run, figures), ...membershipViolations(run)];
  if (figures.convergenceMs === null) out.push('Convergence: the home replicas never agreed after the quiet period');
  const m = run.membership!;
  if (m.entering.length > 0 && m.switchedAtMs !== null && m.switchedAtMs < m.change.atMs + RING_DELAY_MS) out.push('switched before the first stream round');
  return out;
}

const changeArb = fc.record({
  config: fc.constantFrom(...CONFIGS),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  leave: fc.boolean(),
  atMs: fc.integer({ min: 0, max: WORKLOAD_MS - 5 }),
  leaver: fc.nat({ max: 15 }),
});

describe('the quorum store keeps its properties across a membership change', () => {
  it(`${RUNS} runs with a join or a leave mid-run and generated faults: no violation, convergence, range moved`, () => {
    const totals = { runs: 0, joins: 0, leaves: 0, moved: 0, streamMs: 0, writesToPending: 0, lost: 0 };
    const verdicts: Partial<Record<LinVerdict, number>> = {};
    fc.assert(
      fc.property(changeArb, ({ config, seed, leave, atMs, leaver }) => {
        const members = simMembers(config.nodes);
        const canLeave = config.nodes > config.n;
        const membership: MembershipChange =
          leave && canLeave ? { kind: 'leave', node: members[leaver % members.length]!, atMs } : { kind: 'join', node: joinerName(members), atMs };
        const options: KvSimOptions = { ...DEFAULT_SIM, ...config, resolution: 'VV', seed, workloadMs: WORKLOAD_MS, quietMs: 40, membership };
        const run = runKvSim(options);
        const figures = figuresOf(run, { lin: config.mode === 'CP' });
        const problems = broken(run, figures);
        if (problems.length > 0) throw new Error(`${problems.join('; ')}\nreplay: ${kvSimCommand(options)}`);
        if (config.mode === 'CP') verdicts[figures.linearizable] = (verdicts[figures.linearizable] ?? 0) + 1;
        const m = run.membership!;
        totals.runs++;
        totals[membership.kind === 'join' ? 'joins' : 'leaves']++;
        if (m.entering.length > 0) {
          totals.moved++;
          totals.streamMs += m.switchedAtMs! - atMs;
          totals.writesToPending += m.writesToPending;
          totals.lost += m.streamsLost;
        }
      }),
      { seed: 0x6d656d62, numRuns: RUNS },
    );
    console.log(
      `membership property: ${totals.runs} runs (${totals.joins} joins, ${totals.leaves} leaves), ${totals.moved} moved the key's range; ` +
        `mean ${(totals.streamMs / totals.moved).toFixed(2)} virtual ms from the change to the switch; ${totals.writesToPending} writes to a pending replica; ${totals.lost} streams lost and retried; ` +
        `CP as a register: ${Object.entries(verdicts).map(([v, k]) => `${k} ${v}`).join(', ')}`,
    );
    expect(totals.runs).toBe(RUNS);
    expect(totals.moved).toBeGreaterThan(RUNS / 2);
    expect(totals.writesToPending).toBeGreaterThan(0);
  });

  it('schedules drawn with membershipChance (a join or a leave at a seeded time) keep the properties too', () => {
    let changes = 0;
    fc.assert(
      fc.property(fc.constantFrom(...CONFIGS), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (config, seed) => {
        const options: KvSimOptions = { ...DEFAULT_SIM, ...config, resolution: 'VV', seed, workloadMs: WORKLOAD_MS, quietMs: 40, shape: { ...DEFAULT_SHAPE, membershipChance: 0.9 } };
        const run = runKvSim(options);
        if (run.membership === null) return;
        changes++;
        const problems = broken(run, figuresOf(run));
        if (problems.length > 0) throw new Error(`${problems.join('; ')}\nreplay: ${kvSimCommand(options)}`);
      }),
      { seed: 0x6d656d63, numRuns: 300 },
    );
    expect(changes).toBeGreaterThan(200);
  });
});
