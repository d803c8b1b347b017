// The spec's properties on the simulator's runs: 10,000 generated fault schedules (partition, crash, loss,
// clock drift) over the configurations where the spec claims them, with no violation. A failure prints the
// fast-check seed and the `npm run kv-sim` command that replays the failing run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { figuresOf, violations } from '../../src/quorum-kv/checkers.js';
import { DEFAULT_SIM, type KvSimOptions, kvSimCommand, runKvSim } from '../../src/quorum-kv/sim.js';

type Quorum = Pick<KvSimOptions, 'mode' | 'n' | 'r' | 'w' | 'nodes'>;

// Where the spec claims NoStaleRead and NoLostAckedWrite (CP, VV, R + W > N) or NoLostAckedWrite (AP, VV).
const CONFIGS: readonly Quorum[] = [
  { mode: 'CP', n: 3, r: 2, w: 2, nodes: 3 },
  { mode: 'CP', n: 3, r: 1, w: 3, nodes: 3 },
  { mode: 'CP', n: 3, r: 3, w: 1, nodes: 4 },
  { mode: 'CP', n: 5, r: 3, w: 3, nodes: 5 },
  { mode: 'AP', n: 3, r: 2, w: 2, nodes: 5 },
  { mode: 'AP', n: 3, r: 1, w: 1, nodes: 5 },
  { mode: 'AP', n: 3, r: 1, w: 3, nodes: 4 },
  { mode: 'AP', n: 3, r: 2, w: 2, nodes: 3 },
];
const RUNS_PER_CONFIG = 1250;

describe('the simulated quorum store keeps the properties the spec claims', () => {
  for (const q of CONFIGS) {
    it(`${q.mode} VV N=${q.n} R=${q.r} W=${q.w} on ${q.nodes} nodes: ${RUNS_PER_CONFIG} fault schedules, no violation`, () => {
      let runs = 0;
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const options: KvSimOptions = { ...DEFAULT_SIM, ...q, resolution: 'VV', seed, workloadMs: 40, quietMs: 40 };
          const run = runKvSim(options);
          runs++;
          const broken = violations(run, figuresOf(run));
          if (broken.length > 0) throw new Error(`${broken.join('; ')}\nreplay: ${kvSimCommand(options)}`);
        }),
        { seed: 0x4b5653 + q.n * 100 + q.r * 10 + q.w + (q.mode === 'AP' ? 1000 : 0) + q.nodes * 7, numRuns: RUNS_PER_CONFIG },
      );
      expect(runs).toBeGreaterThanOrEqual(RUNS_PER_CONFIG);
    });
  }
});
